//! Exports and imports as the tests drive them (docs/api.md, "Export and import"):
//! starting one, waiting for it, fetching its archive, and importing one.

use edgechat_protocol::{ClientMsg, Message, ServerMsg};
use serde_json::{Value, json};

use crate::{account::Session, server::Server, socket::Client, wait::until};

/// Sends `count` messages on `client`, a hundred in flight at a time, and waits for
/// every ack.
pub async fn post_many(client: &mut Client, room: &str, count: usize) {
    for start in (0..count).step_by(100) {
        let end = (start + 100).min(count);
        for i in start..end {
            let text = format!("message {i}");
            client
                .send(&ClientMsg::text(room, &text, format!("m-{i}")))
                .await;
        }
        for _ in start..end {
            let ack = client
                .recv_until(|m| matches!(m, ServerMsg::MessageAck(_) | ServerMsg::Error(_)))
                .await;
            assert!(matches!(ack, ServerMsg::MessageAck(_)), "{ack:?}");
        }
    }
}

/// Where a room's exports are asked for.
pub fn of_room(room: &str) -> String {
    format!("/api/rooms/{room}/exports")
}

/// Where the caller's own account's exports are asked for.
pub const OF_ACCOUNT: &str = "/api/me/exports";

/// Starts an export at `exports` ([`of_room`] or [`OF_ACCOUNT`]) as `who`: the status and
/// the body.
pub async fn start_export(server: &Server, exports: &str, who: &Session) -> (u16, Value) {
    server.post_as(exports, &who.access_token, &json!({})).await
}

/// The export as its maker sees it, once `ready` holds of it.
pub async fn export_when(
    server: &Server,
    exports: &str,
    id: &str,
    who: &Session,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("{exports}/{id}");
    until(what, async || {
        let (status, body) = server.get_as(&path, &who.access_token).await;
        if status == 200 && ready(&body["export"]) {
            Ok(body["export"].clone())
        } else {
            Err((status, body))
        }
    })
    .await
}

/// GETs `path` with `token`: the status, the headers and the bytes.
pub async fn fetch(
    server: &Server,
    path: &str,
    token: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = server.download(path, token, None).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// Each line of a JSON Lines entry, decoded.
pub fn lines<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Vec<T> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Imports `archive` into `room` as `who`, and waits for it to be done.
pub async fn import(server: &Server, room: &str, who: &Session, archive: &[u8]) -> Value {
    let response = server
        .request(
            reqwest::Method::POST,
            &format!("/api/rooms/{room}/imports"),
            &who.access_token,
        )
        .header("Content-Type", "application/x-tar")
        .body(archive.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 202, "{body}");
    let id = body["import"]["importId"].as_str().unwrap().to_owned();
    let path = format!("/api/rooms/{room}/imports/{id}");
    until("the import is done", async || {
        let (status, body) = server.get_as(&path, &who.access_token).await;
        match body["import"]["state"].as_str() {
            Some("done") => Ok(body["import"].clone()),
            _ => Err((status, body)),
        }
    })
    .await
}

/// Exports `room` as `who`, waits, and downloads the archive.
pub async fn exported(server: &Server, room: &str, who: &Session) -> Vec<u8> {
    let (status, body) = start_export(server, &of_room(room), who).await;
    assert_eq!(status, 202, "{body}");
    let id = body["export"]["exportId"].as_str().unwrap().to_owned();
    let ready = export_when(server, &of_room(room), &id, who, "ready", |e| {
        e["state"] == "ready"
    })
    .await;
    let (status, _, archive) =
        fetch(server, ready["url"].as_str().unwrap(), &who.access_token).await;
    assert_eq!(status, 200);
    archive
}

/// Messages without what names their room: their ids, seqs, replies and files are the
/// new room's after an import, and everything else is the same.
pub fn same_words(messages: &[Message]) -> Vec<Message> {
    messages
        .iter()
        .cloned()
        .map(|mut m| {
            (m.message_id, m.room_id, m.seq) = (String::new(), String::new(), 0);
            m.reply_to = m.reply_to.map(|_| String::new());
            for attachment in &mut m.attachments {
                attachment.file_id = String::new();
                attachment.thumbnail_id = None;
            }
            m
        })
        .collect()
}

/// The entry names GNU tar lists in `archive` (written to `dir` first): any tar reads it.
pub fn tar_lists(dir: &std::path::Path, archive: &[u8]) -> Vec<String> {
    let path = dir.join("archive.tar");
    std::fs::write(&path, archive).unwrap();
    let listed = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&path)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
    String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}
