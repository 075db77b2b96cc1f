//! Uploads and downloads the Worker refuses, each before anything reaches R2: no member,
//! no length, too large, empty, disguised, foreign, or badly named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    files::{attach, png, status_of},
    server::Server,
    socket::Client,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, ServerMsg};
use serde_json::Value;

#[tokio::test]
async fn non_members_may_neither_upload_nor_download_and_unknown_ids_are_404() {
    let server = Server::start().await;
    let (ana, cy) = (server.register("Ana").await, server.register("Cyd").await);
    server.room(&ana, "private-ish").await;
    let file_id = server
        .uploaded(
            &ana.access_token,
            "private-ish",
            "a.png",
            &png(4, 4, [0, 0, 0]),
        )
        .await;
    let stored = server.r2_blobs();
    assert_eq!(stored, 1);

    let (status, body) = server
        .upload(
            &cy.access_token,
            "private-ish",
            "b.png",
            &png(4, 4, [1, 1, 1]),
            None,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(server.r2_blobs(), stored, "nothing reached R2");

    let path = format!("/api/files/{file_id}");
    let response = server.download(&path, &cy.access_token, None).await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(status_of(&server, &path, "not-a-token").await, 401);

    let unknown = format!("/api/files/f{}", "0".repeat(32));
    assert_eq!(status_of(&server, &unknown, &ana.access_token).await, 404);
    assert_eq!(
        status_of(&server, "/api/files/..%2F..%2Fetc", &ana.access_token).await,
        404
    );
    let (status, _) = server
        .upload(
            &ana.access_token,
            "no-such-room",
            "a.png",
            &png(4, 4, [0, 0, 0]),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn oversized_empty_and_unmeasured_uploads_are_refused_before_r2() {
    let server = Server::builder()
        .var("MAX_UPLOAD_BYTES", 1000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "limits").await;

    let (status, body) = server
        .upload(
            &ana.access_token,
            "limits",
            "big.png",
            &png(40, 40, [9, 9, 9]),
            None,
        )
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "too-large");

    let (status, body) = server
        .upload(&ana.access_token, "limits", "empty.txt", b"", None)
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "empty-file");

    let head = format!(
        "POST /api/rooms/limits/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        ana.access_token
    );
    let status = server.raw_status(&head, b"5\r\nhello\r\n0\r\n\r\n").await;
    assert_eq!(status, 411, "a body without a length");

    assert_eq!(server.r2_blobs(), 0, "R2 holds nothing");
    assert_eq!(server.count("files"), 0);
}

#[tokio::test]
async fn disguised_files_are_refused_and_text_is_served_as_text() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "types").await;
    for (name, bytes) in [
        (
            "cat.png",
            &b"<!DOCTYPE html><html><body onload=alert(1)>hi</body></html>"[..],
        ),
        ("dog.png", b"<script>alert(document.cookie)</script>"),
        (
            "logo.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        ("tool.png", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
        ("archive.docx", b"PK\x03\x04not really office"),
    ] {
        let (status, body) = server
            .upload(&ana.access_token, "types", name, bytes, None)
            .await;
        assert_eq!(status, 415, "{name}: {body}");
        assert_eq!(body["error"]["code"], "unsupported-type");
    }
    assert_eq!(server.r2_blobs(), 0, "R2 holds nothing for refused uploads");

    // A thumbnail is checked the same way, and must be an image.
    let original = server
        .uploaded(
            &ana.access_token,
            "types",
            "photo.png",
            &png(8, 8, [5, 5, 5]),
        )
        .await;
    let (status, _) = server
        .upload(
            &ana.access_token,
            "types",
            "t.png",
            b"plain text",
            Some(&original),
        )
        .await;
    assert_eq!(status, 415);

    let text_id = server
        .uploaded(
            &ana.access_token,
            "types",
            "notes.png",
            b"just some notes\n",
        )
        .await;
    let response = server
        .download(&format!("/api/files/{text_id}"), &ana.access_token, None)
        .await;
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
}

#[tokio::test]
async fn a_message_cannot_cite_another_rooms_file() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "here").await;
    server.room(&ana, "there").await;
    let file_id = server
        .uploaded(&ana.access_token, "there", "a.png", &png(4, 4, [0, 0, 0]))
        .await;
    let mut here = Client::join(&server, "here", &ana).await;
    match attach(&mut here, "here", &[&file_id], "m-1").await {
        ServerMsg::Error(frame::Error { code, .. }) => {
            assert_eq!(code, ErrorCode::UnknownAttachment)
        }
        other => panic!("expected unknown-attachment, got {other:?}"),
    }
    // The connection is still usable.
    here.send(&ClientMsg::text("here", "still here", "m-2"))
        .await;
    here.recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
}

#[tokio::test]
async fn hostile_names_are_stored_and_served_safely() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "names").await;
    let long = format!("{}.txt", "n".repeat(1000));
    for (given, kept) in [
        ("../../etc/passwd", "passwd"),
        ("a/b\\c.txt", "c.txt"),
        ("bell\u{7}tab\ttext\r\n.txt", "belltabtext.txt"),
        ("quote\"; filename=evil.exe", "quote\"; filename=evil.exe"),
        (
            "<img src=x onerror=alert(1)>.txt",
            "<img src=x onerror=alert(1)>.txt",
        ),
    ] {
        let (status, body) = server
            .upload(&ana.access_token, "names", given, b"text\n", None)
            .await;
        assert_eq!(status, 201, "{given:?}: {body}");
        assert_eq!(body["name"], kept, "{given:?}");
        let id = body["fileId"].as_str().unwrap();
        let response = server
            .download(&format!("/api/files/{id}"), &ana.access_token, None)
            .await;
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        let quoted = disposition
            .split("filename=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        assert!(
            !quoted.contains(['"', ';', '\\', '/']),
            "{given:?} broke out: {disposition}"
        );
        let rows = server.query("SELECT id, name FROM files");
        let row = rows.iter().find(|r| r["id"] == id).expect("the D1 row");
        assert_eq!(row["name"], kept, "as stored in D1");
    }
    let (status, body) = server
        .upload(&ana.access_token, "names", &long, b"text\n", None)
        .await;
    assert_eq!(status, 201);
    let name = body["name"].as_str().unwrap();
    assert_eq!(name.chars().count(), 200);
    assert!(name.ends_with(".txt"));
}
