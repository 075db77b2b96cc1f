//! Attachments and avatars in R2, through the real Worker: upload, attach, download the
//! same bytes, seek in a video, and nothing left behind when a file is deleted or unused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::set_cookie,
    files::{attach, mp4, new_message, png, shared_room, status_of},
    server::Server,
    socket::Client,
    wait::eventually,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn an_image_and_its_thumbnail_reach_another_member_who_downloads_the_same_bytes() {
    let server = Server::start().await;
    let (ana, bo) = (server.register("Ana").await, server.register("Bob").await);
    let mut bo_socket = shared_room(&server, &ana, &bo, "photos").await;
    let mut ana_socket = Client::join(&server, "photos", &ana).await;

    let original = png(640, 480, [200, 40, 40]);
    let (status, body) = server
        .upload(
            &ana.access_token,
            "photos",
            "red square.png",
            &original,
            None,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["contentType"], "image/png", "from the bytes");
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(640), Some(480))
    );
    assert_eq!(body["size"], original.len());
    let file_id = body["fileId"].as_str().unwrap().to_owned();

    let thumbnail = png(64, 48, [200, 40, 40]);
    let (status, thumb) = server
        .upload(
            &ana.access_token,
            "photos",
            "thumb.png",
            &thumbnail,
            Some(&file_id),
        )
        .await;
    assert_eq!(status, 201, "{thumb}");
    let thumb_id = thumb["fileId"].as_str().unwrap().to_owned();

    let ack = attach(&mut ana_socket, "photos", &[&file_id], "m-1").await;
    assert!(
        matches!(ack, ServerMsg::MessageAck(frame::MessageAck { .. })),
        "{ack:?}"
    );
    let seen = new_message(&mut bo_socket).await;
    let attachment = &seen.attachments[0];
    assert_eq!(attachment.file_id, file_id);
    assert_eq!(attachment.name, "red square.png");
    assert_eq!(
        (attachment.width, attachment.height),
        (Some(640), Some(480))
    );
    assert_eq!(attachment.thumbnail_id.as_deref(), Some(thumb_id.as_str()));

    let response = server
        .download(&format!("/api/files/{file_id}"), &bo.access_token, None)
        .await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").contains("default-src 'none'"));
    assert!(header("content-security-policy").contains("sandbox"));
    assert!(header("content-disposition").starts_with("inline;"));
    assert!(header("cache-control").starts_with("private"));
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        original.as_slice()
    );

    for path in [
        format!("/api/files/{file_id}/thumbnail"),
        format!("/api/files/{thumb_id}"),
    ] {
        let response = server.download(&path, &bo.access_token, None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            thumbnail.as_slice()
        );
    }

    // Browsers load media with the cookie that signing in sets, not a header.
    let login = reqwest::Client::new()
        .post(server.http_url("/api/auth/login"))
        .json(&json!({ "username": "bob", "password": edgechat_e2e::account::PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&login, edgechat_auth::cookie::ACCESS).expect("a media cookie");
    let by_cookie = reqwest::Client::new()
        .get(server.http_url(&format!("/api/files/{file_id}")))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), 200);
    // …which no other endpoint accepts.
    let profile = reqwest::Client::new()
        .get(server.http_url("/api/me"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.status(), 401);
}

#[tokio::test]
async fn a_video_seeks_with_single_ranges_and_documents_download() {
    let server = Server::start().await;
    let (ana, bo) = (server.register("Ana").await, server.register("Bob").await);
    let _bo_socket = shared_room(&server, &ana, &bo, "clips").await;
    let video = mp4(200_000);
    let video_id = server
        .uploaded(&ana.access_token, "clips", "clip.mp4", &video)
        .await;
    let path = format!("/api/files/{video_id}");

    let whole = server.download(&path, &bo.access_token, None).await;
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert!(
        whole.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );

    let size = video.len();
    for (range, start, end) in [
        ("bytes=100000-100999", 100_000, 100_999),
        ("bytes=150000-", 150_000, size - 1),
        ("bytes=-500", size - 500, size - 1),
    ] {
        let response = server.download(&path, &bo.access_token, Some(range)).await;
        assert_eq!(response.status(), 206, "{range}");
        assert_eq!(
            response.headers()["content-range"],
            format!("bytes {start}-{end}/{size}").as_str(),
            "{range}"
        );
        let body = response.bytes().await.unwrap();
        assert_eq!(body.as_ref(), &video[start..=end], "{range}");
    }

    let past = server
        .download(&path, &bo.access_token, Some("bytes=999999-"))
        .await;
    assert_eq!(past.status(), 416);
    assert_eq!(
        past.headers()["content-range"],
        format!("bytes */{size}").as_str()
    );

    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    let pdf_id = server
        .uploaded(&ana.access_token, "clips", "notes.pdf", pdf)
        .await;
    let response = server
        .download(&format!("/api/files/{pdf_id}"), &bo.access_token, None)
        .await;
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"),
        "documents are never shown inline"
    );
}

#[tokio::test]
async fn a_deleted_messages_files_become_unreachable() {
    let server = Server::start().await;
    let (ana, bo) = (server.register("Ana").await, server.register("Bob").await);
    let _bo_socket = shared_room(&server, &ana, &bo, "gone").await;
    let mut ana_socket = Client::join(&server, "gone", &ana).await;
    let file_id = server
        .uploaded(&ana.access_token, "gone", "a.png", &png(20, 20, [1, 2, 3]))
        .await;
    let (status, _) = server
        .upload(
            &ana.access_token,
            "gone",
            "t.png",
            &png(2, 2, [1, 2, 3]),
            Some(&file_id),
        )
        .await;
    assert_eq!(status, 201);
    let ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) =
        attach(&mut ana_socket, "gone", &[&file_id], "m-1").await
    else {
        panic!("not sent")
    };
    let path = format!("/api/files/{file_id}");
    assert_eq!(status_of(&server, &path, &bo.access_token).await, 200);
    assert_eq!(server.r2_blobs(), 2);

    ana_socket
        .send(&ClientMsg::DeleteMessage { message_id })
        .await;
    ana_socket
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::MessageDeleted { .. })))
        .await;
    eventually("the file is gone", async || {
        status_of(&server, &path, &bo.access_token).await == 404
    })
    .await;
    let thumbnail = format!("{path}/thumbnail");
    assert_eq!(status_of(&server, &thumbnail, &bo.access_token).await, 404);
    eventually("R2 is empty", async || server.r2_blobs() == 0).await;
}

#[tokio::test]
async fn an_upload_nobody_attaches_is_removed_by_the_rooms_alarm() {
    let server = Server::builder().var("UPLOAD_TTL_MS", 2000).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "drafts").await;
    let kept = server
        .uploaded(
            &ana.access_token,
            "drafts",
            "kept.png",
            &png(4, 4, [0, 0, 0]),
        )
        .await;
    let mut socket = Client::join(&server, "drafts", &ana).await;
    let ack = attach(&mut socket, "drafts", &[&kept], "m-1").await;
    assert!(
        matches!(ack, ServerMsg::MessageAck(frame::MessageAck { .. })),
        "{ack:?}"
    );
    drop(socket);
    let left = server
        .uploaded(
            &ana.access_token,
            "drafts",
            "left.png",
            &png(4, 4, [9, 9, 9]),
        )
        .await;
    assert_eq!(server.r2_blobs(), 2);
    // Nobody is connected: the alarm alone must do it.
    eventually("the unattached upload is removed", async || {
        status_of(&server, &format!("/api/files/{left}"), &ana.access_token).await == 404
    })
    .await;
    eventually("R2 holds only the attached file", async || {
        server.r2_blobs() == 1
    })
    .await;
    assert_eq!(
        status_of(&server, &format!("/api/files/{kept}"), &ana.access_token).await,
        200
    );
}

#[tokio::test]
async fn avatars_are_images_under_a_smaller_limit_and_show_for_others() {
    let server = Server::builder()
        .var("MAX_AVATAR_BYTES", 5000)
        .start()
        .await;
    let (ana, bo) = (server.register("Ana").await, server.register("Bob").await);
    let avatar = png(16, 16, [0, 120, 255]);
    let put = |bytes: Vec<u8>| {
        server
            .request(Method::PUT, "/api/me/avatar", &ana.access_token)
            .body(bytes)
            .send()
    };
    let response = put(avatar.clone()).await.unwrap();
    assert_eq!(response.status(), 200);
    let me: Value = response.json().await.unwrap();
    assert!(me["avatarFileId"].is_string(), "{me}");

    let path = format!("/api/users/{}/avatar", ana.user_id);
    let response = server.download(&path, &bo.access_token, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().as_ref(), avatar.as_slice());
    let (_, profile) = server
        .get_as(&format!("/api/users/{}", ana.user_id), &bo.access_token)
        .await;
    assert_eq!(profile["avatarFileId"], me["avatarFileId"]);

    let refused = put(b"%PDF-1.4 not a face".to_vec()).await.unwrap();
    assert_eq!(refused.status(), 415);
    let refused = put(png(60, 60, [1, 1, 1])).await.unwrap();
    assert_eq!(refused.status(), 413);
    assert_eq!(status_of(&server, &path, "bad-token").await, 401);
    assert_eq!(server.r2_blobs(), 1, "only the accepted avatar");

    // A new avatar replaces the old one in R2.
    let replaced = put(png(8, 8, [255, 0, 0])).await.unwrap();
    assert_eq!(replaced.status(), 200);
    eventually("the old avatar is deleted", async || server.r2_blobs() == 1).await;

    let deleted = server
        .request(Method::DELETE, "/api/me/avatar", &ana.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    // Without one: 204, no body, so an <img> falls back to the initial without a 404.
    let none = server.download(&path, &bo.access_token, None).await;
    assert_eq!(none.status(), 204);
    assert_eq!(none.headers()["cache-control"], "private, max-age=60");
    assert!(none.bytes().await.unwrap().is_empty());
}
