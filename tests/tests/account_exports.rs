//! A user's export of their own account (docs/api.md, "Export and import"): their
//! profile, their rooms, every message they wrote with its edits, reactions and pin, and
//! their files, built in parts by their inbox's alarm, carried on after a restart, and
//! downloaded through the same signed link as a room's export, by them alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use edgechat_core::export::{account::AccountManifest, tar};
use edgechat_e2e::{
    exports::{OF_ACCOUNT, export_when, fetch, lines, post_many, start_export, tar_lists},
    files::attach,
    server::Server,
    socket::Client,
    wait::until,
};
use edgechat_protocol::{ClientMsg, Message, RoomEvent, ServerMsg, frame};
use serde_json::{Value, json};

/// The export with id `id` once `ready` holds of it.
async fn account_export_when(
    server: &Server,
    id: &str,
    who: &edgechat_e2e::account::Session,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    export_when(server, OF_ACCOUNT, id, who, what, ready).await
}

#[tokio::test]
async fn an_account_exports_its_words_rooms_and_files_in_parts_across_a_restart_for_its_owner_alone()
 {
    const MESSAGES: usize = 230;
    let state = tempfile::tempdir().unwrap();
    let started = |pace: u64| {
        Server::builder()
            .state_dir(state.path())
            .without_budgets()
            .var("ARCHIVE_DELAY_MS", 50)
            .var("EXPORT_CHUNK", 100)
            .var("EXPORT_PACE_MS", pace)
            .start()
    };
    let (ana, bo, export_id, picture, edited) = {
        let server = started(2_000).await;
        let ana = server.register("Ana").await;
        let bo = server.register("Bob").await;
        server.room(&ana, "one").await;
        server.room(&ana, "two").await;
        server.room(&bo, "bobs").await;
        let mut one = Client::join(&server, "one", &ana).await;
        let mut bob = Client::join(&server, "one", &bo).await;
        post_many(&mut one, "one", MESSAGES).await;
        // Bob's words are his, not in Ana's export.
        post_many(&mut bob, "one", 3).await;
        let mut two = Client::join(&server, "two", &ana).await;
        let picture = edgechat_e2e::files::png(3, 2, [10, 200, 10]);
        let file_id = server
            .uploaded(&ana.access_token, "two", "green.png", &picture)
            .await;
        let ServerMsg::MessageAck(frame::MessageAck {
            message_id: with_file,
            ..
        }) = attach(&mut two, "two", &[&file_id], "with-file").await
        else {
            panic!("the file's message was refused");
        };
        // An edit, a reaction and a pin on Ana's first message; her second deleted.
        let history = |room: &str| {
            server.query(&format!(
            "SELECT id FROM messages WHERE room_id = '{room}' AND user_id = '{}' ORDER BY seq LIMIT 2",
            ana.user_id
        ))
        };
        let first = until("Ana's first messages reach D1", async || {
            let rows = history("one");
            if rows.len() == 2 { Ok(rows) } else { Err(rows) }
        })
        .await;
        let (edited, deleted) = (
            first[0]["id"].as_str().unwrap().to_owned(),
            first[1]["id"].as_str().unwrap().to_owned(),
        );
        one.send(&ClientMsg::EditMessage {
            message_id: edited.clone(),
            new_text: "message 0, said better".into(),
        })
        .await;
        one.send(&ClientMsg::DeleteMessage {
            message_id: deleted,
        })
        .await;
        bob.send(&ClientMsg::AddReaction {
            message_id: edited.clone(),
            emoji: "🎉".into(),
        })
        .await;
        one.send(&ClientMsg::PinMessage {
            message_id: edited.clone(),
        })
        .await;
        one.recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::MessagePinned { .. })))
            .await;
        until("D1 has every change", async || {
            let rows = server.query(&format!(
                "SELECT (SELECT COUNT(*) FROM messages WHERE user_id = '{0}' AND deleted = 0) AS kept,
                        (SELECT COUNT(*) FROM reactions) AS reactions,
                        (SELECT COUNT(*) FROM pins) AS pins,
                        (SELECT edited FROM messages WHERE id = '{edited}') AS edited,
                        (SELECT COUNT(*) FROM messages WHERE id = '{with_file}') AS filed",
                ana.user_id
            ));
            let row = &rows[0];
            let all = row["kept"] == MESSAGES as u64
                && row["reactions"] == 1
                && row["pins"] == 1
                && row["edited"] == 1
                && row["filed"] == 1;
            if all { Ok(()) } else { Err(rows) }
        })
        .await;

        let (status, body) = start_export(&server, OF_ACCOUNT, &ana).await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["export"]["state"], "running");
        let export_id = body["export"]["exportId"].as_str().unwrap().to_owned();
        let (status, body) = start_export(&server, OF_ACCOUNT, &ana).await;
        assert_eq!(status, 409, "one at a time: {body}");
        assert_eq!(body["error"]["code"], "conflict");
        // Only Ana finds it.
        let (status, _) = server
            .get_as(&format!("{OF_ACCOUNT}/{export_id}"), &bo.access_token)
            .await;
        assert_eq!(status, 404);
        // Its first parts are written; the object stops before the rest.
        let midway = account_export_when(&server, &export_id, &ana, "the first messages", |e| {
            e["messages"].as_u64().unwrap() > 0
        })
        .await;
        assert_eq!(midway["state"], "running", "{midway}");
        (ana, bo, export_id, picture, edited)
    };
    let server = started(50).await;
    let ready = account_export_when(&server, &export_id, &ana, "the export is ready", |e| {
        e["state"] == "ready"
    })
    .await;
    // Ana's words: all she wrote but the one she deleted, with the file's.
    assert_eq!(ready["messages"], MESSAGES as u64, "{ready}");
    assert_eq!(
        (ready["rooms"].as_u64(), ready["files"].as_u64()),
        (Some(2), Some(1))
    );
    let url = ready["url"].as_str().unwrap();
    let (status, _, _) = fetch(&server, url, &bo.access_token).await;
    assert_eq!(status, 403, "the link opens for Ana alone");

    let (status, headers, archive) = fetch(&server, url, &ana.access_token).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("edgechat-account-"),
        "{headers:?}"
    );
    let entries = tar::entries(&archive).unwrap();
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names[..3],
        ["manifest.json", "profile.json", "rooms/000001.jsonl"]
    );
    let manifest: AccountManifest = serde_json::from_slice(entries[0].1).unwrap();
    assert_eq!(
        (manifest.kind.as_str(), manifest.exported_by.as_str()),
        ("account", ana.user_id.as_str())
    );
    assert!(manifest.parts.len() >= 4, "parts: {:?}", manifest.parts);
    let profile: Value = serde_json::from_slice(entries[1].1).unwrap();
    assert_eq!(profile["displayName"], "Ana");
    assert!(profile.get("password").is_none(), "{profile}");
    let rooms: Vec<Value> = lines(entries[2].1);
    let room_ids: BTreeSet<&str> = rooms
        .iter()
        .map(|r| r["roomId"].as_str().unwrap())
        .collect();
    assert_eq!(room_ids, BTreeSet::from(["one", "two"]));
    assert!(rooms.iter().all(|r| r["role"] == "admin"), "{rooms:?}");

    // Every message of hers once, oldest first; the edit, the reaction and the pin kept.
    let messages: Vec<Message> = entries
        .iter()
        .filter(|(name, _)| name.starts_with("messages/"))
        .flat_map(|(_, bytes)| lines::<Message>(bytes))
        .collect();
    assert_eq!(messages.len(), MESSAGES);
    let raw: Vec<Value> = entries
        .iter()
        .filter(|(name, _)| name.starts_with("messages/"))
        .flat_map(|(_, bytes)| lines::<Value>(bytes))
        .collect();
    assert!(
        raw.iter()
            .all(|m| m.as_object().unwrap().values().all(|v| !v.is_null())),
        "a line leaves out what a message lacks, as the wire does: {:?}",
        raw[0]
    );
    assert_eq!(
        serde_json::to_value(&messages[5]).unwrap(),
        raw[5],
        "each line is exactly the wire's Message"
    );
    assert!(messages.iter().all(|m| m.user_id == ana.user_id));
    assert!(
        messages
            .windows(2)
            .all(|w| w[0].timestamp <= w[1].timestamp)
    );
    let ids: BTreeSet<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), MESSAGES, "none twice");
    let better = messages.iter().find(|m| m.message_id == edited).unwrap();
    assert_eq!(better.text, "message 0, said better");
    assert!(better.edited_at.is_some() && better.pinned);
    assert_eq!(better.reactions[0].emoji, "🎉");
    assert_eq!(better.reactions[0].user_ids, vec![bo.user_id.clone()]);
    assert!(
        !messages.iter().any(|m| m.text == "message 1"),
        "the deleted one is gone"
    );
    assert_eq!(messages.iter().filter(|m| m.room_id == "two").count(), 1);

    // Her file: listed, then its bytes under its id and name.
    let uploads: Vec<Value> = entries
        .iter()
        .filter(|(name, _)| name.starts_with("uploads/"))
        .flat_map(|(_, bytes)| lines::<Value>(bytes))
        .collect();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(
        (
            &uploads[0]["name"],
            &uploads[0]["roomId"],
            &uploads[0]["size"]
        ),
        (&json!("green.png"), &json!("two"), &json!(picture.len()))
    );
    let file = entries
        .iter()
        .find(|(name, _)| name.starts_with("files/"))
        .unwrap();
    let file_id = uploads[0]["fileId"].as_str().unwrap();
    assert_eq!(file.0, format!("files/{file_id}/green.png"));
    assert_eq!(file.1, picture.as_slice());

    // Any tar reads it.
    assert_eq!(tar_lists(state.path(), &archive).len(), entries.len());
}
