//! Exporting a room (docs/api.md, "Export and import"): built in parts by the room's
//! alarm, carried on after a restart, downloaded as one tar through a signed link that
//! opens for its maker alone and expires; only the room's admins may export it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use edgechat_core::export::{Manifest, MemberLine, tar};
use edgechat_e2e::{
    exports::{
        export_when, exported, fetch, import, lines, of_room, post_many, same_words, start_export,
        tar_lists,
    },
    files::attach,
    server::Server,
    socket::Client,
    wait::until,
};
use edgechat_protocol::{ClientMsg, Message, ServerMsg, frame};
use serde_json::json;

#[tokio::test]
async fn a_room_of_thousands_of_messages_exports_in_parts_across_a_restart_and_downloads_whole() {
    const MESSAGES: usize = 2_400;
    let state = tempfile::tempdir().unwrap();
    let started = |pace: u64| {
        Server::builder()
            .state_dir(state.path())
            .without_budgets()
            .var("EXPORT_CHUNK", 500)
            .var("EXPORT_PACE_MS", pace)
            .start()
    };
    let (ana, bo, export_id, picture) = {
        let server = started(2_000).await;
        let ana = server.register("Ana").await;
        let bo = server.register("Bob").await;
        server.room(&ana, "big").await;
        let mut client = Client::join(&server, "big", &ana).await;
        let _bo = Client::join(&server, "big", &bo).await;
        let picture = edgechat_e2e::files::png(3, 2, [200, 10, 10]);
        let file_id = server
            .uploaded(&ana.access_token, "big", "../red dot.png", &picture)
            .await;
        assert!(matches!(
            attach(&mut client, "big", &[&file_id], "with-file").await,
            ServerMsg::MessageAck(frame::MessageAck { .. })
        ));
        post_many(&mut client, "big", MESSAGES).await;
        let (status, body) = start_export(&server, &of_room("big"), &ana).await;
        assert_eq!(status, 202, "{body}");
        let export_id = body["export"]["exportId"].as_str().unwrap().to_owned();
        assert_eq!(body["export"]["state"], "running");
        // The first part is written; the object stops before the rest.
        let midway = export_when(
            &server,
            &of_room("big"),
            &export_id,
            &ana,
            "the first part",
            |e| e["messages"].as_u64().unwrap() > 0,
        )
        .await;
        assert_eq!(midway["state"], "running", "{midway}");
        assert!(midway["writtenSeq"].as_u64() < midway["throughSeq"].as_u64());
        (ana, bo, export_id, picture)
    };
    let server = started(50).await;
    let ready = export_when(
        &server,
        &of_room("big"),
        &export_id,
        &ana,
        "the export is ready",
        |e| e["state"] == "ready",
    )
    .await;
    assert_eq!(ready["messages"], MESSAGES as u64 + 1, "{ready}");
    assert_eq!(
        (ready["members"].as_u64(), ready["files"].as_u64()),
        (Some(2), Some(1))
    );
    let url = ready["url"].as_str().unwrap();

    let (status, headers, archive) = fetch(&server, url, &ana.access_token).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-tar");
    assert_eq!(
        headers["content-length"],
        archive.len().to_string().as_str()
    );
    let entries = tar::entries(&archive).unwrap();
    assert_eq!(entries[0].0, "manifest.json");
    let manifest: Manifest = serde_json::from_slice(entries[0].1).unwrap();
    assert_eq!(manifest.messages, MESSAGES as u64 + 1);
    assert!(
        manifest.parts.len() >= 5,
        "several parts: {:?}",
        manifest.parts
    );

    // Every message once, in order, as history has it.
    let messages: Vec<Message> = entries
        .iter()
        .filter(|(name, _)| name.starts_with("messages/"))
        .flat_map(|(_, bytes)| lines::<Message>(bytes))
        .collect();
    let seqs: Vec<u64> = messages.iter().map(|m| m.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, none twice");
    assert_eq!(messages.len(), MESSAGES + 1);
    assert_eq!(messages[0].attachments.len(), 1);
    let texts: Vec<&str> = messages[1..].iter().map(|m| m.text.as_str()).collect();
    let sent: Vec<String> = (0..MESSAGES).map(|i| format!("message {i}")).collect();
    assert_eq!(texts, sent);
    let (_, page) = server
        .get_as("/api/rooms/big/messages?limit=100", &ana.access_token)
        .await;
    let newest: Vec<Message> = serde_json::from_value(page["messages"].clone()).unwrap();
    assert_eq!(
        &messages[messages.len() - newest.len()..],
        newest.as_slice()
    );

    // The file's bytes, under its id and its name.
    let file = entries
        .iter()
        .find(|(name, _)| name.starts_with("files/"))
        .unwrap();
    let attached = &messages[0].attachments[0];
    assert_eq!(attached.name, "red dot.png");
    assert_eq!(file.0, format!("files/{}/red dot.png", attached.file_id));
    assert_eq!(file.1, picture.as_slice());
    let members: Vec<MemberLine> = entries
        .iter()
        .filter(|(name, _)| name.starts_with("members/"))
        .flat_map(|(_, bytes)| lines::<MemberLine>(bytes))
        .collect();
    let ids: BTreeSet<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([ana.user_id.as_str(), bo.user_id.as_str()])
    );

    // Any tar reads it.
    let listed = tar_lists(state.path(), &archive);
    assert_eq!(listed.len(), entries.len());
    assert_eq!(listed[..2], ["manifest.json", "messages/000001.jsonl"]);

    // The round trip: imported into a new, empty room, then exported again, it gives the
    // same messages, in the same order, with the same file's bytes.
    server.room(&ana, "copy").await;
    let import = import(&server, "copy", &ana, &archive).await;
    assert_eq!(import["messages"], MESSAGES as u64 + 1, "{import}");
    assert_eq!(import["files"], 1);
    let copied = exported(&server, "copy", &ana).await;
    let copied_entries = tar::entries(&copied).unwrap();
    let again: Vec<Message> = copied_entries
        .iter()
        .filter(|(name, _)| name.starts_with("messages/"))
        .flat_map(|(_, bytes)| lines::<Message>(bytes))
        .collect();
    assert_eq!(same_words(&again), same_words(&messages));
    let new_file = &again[0].attachments[0].file_id;
    assert_ne!(new_file, &attached.file_id, "a file of the new room");
    let (status, _, bytes) = fetch(
        &server,
        &format!("/api/files/{new_file}"),
        &ana.access_token,
    )
    .await;
    assert_eq!((status, bytes.as_slice()), (200, picture.as_slice()));

    // A resend of an imported message's client id is recognised: acked as that message.
    let mut copy = Client::join(&server, "copy", &ana).await;
    copy.send(&ClientMsg::text("copy", "message 5", "m-5"))
        .await;
    let ack = copy
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(_) | ServerMsg::Error(_)))
        .await;
    let ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) = ack else {
        panic!("{ack:?}");
    };
    assert_eq!(
        message_id, again[6].message_id,
        "m-5 is the seventh message"
    );
}

#[tokio::test]
async fn only_an_admin_exports_and_the_link_opens_for_its_maker_alone_until_it_expires() {
    let server = Server::builder()
        .var("EXPORT_PACE_MS", 10)
        .var("EXPORTS_PER_DAY", 2)
        .var("EXPORT_LINK_TTL_MS", 3_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    let cy = server.register("Cyd").await;
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "vault", "isPrivate": true, "members": [bo.user_id] }),
        )
        .await;
    assert_eq!(status, 201);
    let mut client = Client::join(&server, "vault", &ana).await;
    post_many(&mut client, "vault", 3).await;

    // A member may read the room but not take it away; a stranger learns nothing.
    for (who, code) in [(&bo, "forbidden"), (&cy, "forbidden")] {
        let (status, body) = start_export(&server, &of_room("vault"), who).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some(code)),
            "{body}"
        );
    }
    let (status, _) = server
        .post_as("/api/rooms/vault/exports", "", &json!({}))
        .await;
    assert_eq!(status, 401);

    let (status, body) = start_export(&server, &of_room("vault"), &ana).await;
    assert_eq!(status, 202, "{body}");
    let id = body["export"]["exportId"].as_str().unwrap().to_owned();
    // Nobody else sees it, or that it exists.
    let path = format!("/api/rooms/vault/exports/{id}");
    assert_eq!(server.get_as(&path, &bo.access_token).await.0, 404);
    let ready = export_when(&server, &of_room("vault"), &id, &ana, "ready", |e| {
        e["state"] == "ready"
    })
    .await;
    let url = ready["url"].as_str().unwrap().to_owned();
    // The newest export is there for its maker alone, with a link of its own.
    let (status, latest) = server
        .get_as("/api/rooms/vault/exports", &ana.access_token)
        .await;
    assert_eq!(
        (status, latest["export"]["exportId"].as_str()),
        (200, Some(id.as_str()))
    );
    assert!(latest["export"]["url"].is_string());
    assert_eq!(
        server
            .get_as("/api/rooms/vault/exports", &bo.access_token)
            .await
            .0,
        404
    );

    assert_eq!(
        fetch(&server, &url, &bo.access_token).await.0,
        403,
        "another user"
    );
    assert_eq!(fetch(&server, &url, "").await.0, 401, "nobody signed in");
    let flipped = if url.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{flipped}", &url[..url.len() - 1]);
    assert_eq!(
        fetch(&server, &forged, &ana.access_token).await.0,
        403,
        "a forged link"
    );
    let later = url.replacen("/1", "/9", 1);
    assert_eq!(
        fetch(&server, &later, &ana.access_token).await.0,
        403,
        "a longer life"
    );
    let (status, _, archive) = fetch(&server, &url, &ana.access_token).await;
    assert_eq!(status, 200);
    assert!(tar::entries(&archive).unwrap().len() >= 3);

    // The link ends; asking again gives a new one.
    until("the link expires", async || {
        match fetch(&server, &url, &ana.access_token).await.0 {
            410 => Ok(()),
            other => Err(other),
        }
    })
    .await;
    let again = export_when(&server, &of_room("vault"), &id, &ana, "a new link", |e| {
        e["url"].is_string()
    })
    .await;
    assert_ne!(again["url"], ready["url"]);
    assert_eq!(
        fetch(&server, again["url"].as_str().unwrap(), &ana.access_token)
            .await
            .0,
        200
    );

    // Refusals spent nothing; two exports a day, then 429 until the day is over.
    assert_eq!(start_export(&server, &of_room("vault"), &ana).await.0, 202);
    let (status, body) = start_export(&server, &of_room("vault"), &ana).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate-limited"))
    );
}

#[tokio::test]
async fn an_archive_is_deleted_after_its_time() {
    let server = Server::builder()
        .var("EXPORT_PACE_MS", 10)
        .var("EXPORT_TTL_MS", 3_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "brief").await;
    let mut client = Client::join(&server, "brief", &ana).await;
    post_many(&mut client, "brief", 2).await;
    let (_, body) = start_export(&server, &of_room("brief"), &ana).await;
    let id = body["export"]["exportId"].as_str().unwrap().to_owned();
    let ready = export_when(&server, &of_room("brief"), &id, &ana, "ready", |e| {
        e["state"] == "ready"
    })
    .await;
    let url = ready["url"].as_str().unwrap().to_owned();
    assert!(ready["urlExpiresAt"].as_u64() <= ready["expiresAt"].as_u64());
    assert_eq!(fetch(&server, &url, &ana.access_token).await.0, 200);
    let blobs = server.r2_blobs();
    let path = format!("/api/rooms/brief/exports/{id}");
    until("the archive is deleted", async || {
        match server.get_as(&path, &ana.access_token).await.0 {
            404 => Ok(()),
            other => Err(other),
        }
    })
    .await;
    assert_eq!(fetch(&server, &url, &ana.access_token).await.0, 410);
    assert!(server.r2_blobs() < blobs, "its objects are gone from R2");
}
