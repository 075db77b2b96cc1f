//! Rooms stored by older builds wake under today's build and keep every message as that
//! build served it. A room of the build before schema 2 (its log the only state, folded in
//! memory on every wake) is upgraded in place in chunks that resume where they stopped; a
//! room of schema 9 (each message in the log and in its table, the log compacted) serves
//! its history, resends and resumes as before.
//!
//! `tests/fixtures/v1-room/state` and `tests/fixtures/v9-room/state` are `--persist-to`
//! directories made by those builds (commits a9a310d and a4e469f) with
//! `tests/fixtures/v1-room/make.mjs`; `expected.json` is the room's whole history as that
//! build served it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    server::{Server, copy_dir},
    socket::Client,
    wait::eventually,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, Message, RoomEvent, ServerMsg};
use serde_json::Value;

struct Fixture {
    room: String,
    password: String,
    messages: Vec<Message>,
}

fn fixture(name: &str) -> Fixture {
    let dir = edgechat_e2e::repo_root().join("tests/fixtures").join(name);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    Fixture {
        room: expected["room"].as_str().unwrap().to_owned(),
        password: expected["password"].as_str().unwrap().to_owned(),
        messages: serde_json::from_value(expected["messages"].clone()).unwrap(),
    }
}

/// The room's whole history over HTTP, oldest first.
async fn whole_history(server: &Server, room: &str, token: &str) -> Vec<Message> {
    let mut messages: Vec<Message> = Vec::new();
    let mut before: Option<u64> = None;
    loop {
        let path = match before {
            Some(seq) => format!("/api/rooms/{room}/messages?limit=100&before={seq}"),
            None => format!("/api/rooms/{room}/messages?limit=100"),
        };
        let (status, page) = server.get_as(&path, token).await;
        assert_eq!(status, 200, "{page}");
        let mut older: Vec<Message> = serde_json::from_value(page["messages"].clone()).unwrap();
        before = older.first().map(|m| m.seq);
        older.append(&mut messages);
        messages = older;
        if page["hasMore"] != Value::Bool(true) {
            return messages;
        }
    }
}

/// The seq of the next ack on `client`; panics on an error instead.
async fn acked(client: &mut Client) -> u64 {
    match client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::MessageAck(frame::MessageAck { .. })
                    | ServerMsg::Error(frame::Error { .. })
            )
        })
        .await
    {
        ServerMsg::MessageAck(frame::MessageAck { seq, .. }) => seq,
        other => panic!("refused: {other:?}"),
    }
}

/// The seqs of the durable events among `frames`, in order.
fn event_seqs(frames: &[ServerMsg]) -> Vec<u64> {
    frames
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event(e) => Some(e.seq()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_room_stored_in_the_old_format_wakes_migrates_and_keeps_every_message() {
    let fixture = fixture("v1-room");
    let state = tempfile::tempdir().unwrap();
    copy_dir(
        &edgechat_e2e::repo_root().join("tests/fixtures/v1-room/state"),
        state.path(),
    );
    // Small chunks, few per wake: the 780-event log takes several wakes, each resuming
    // where the last stopped.
    let server = Server::builder()
        .state_dir(state.path())
        .var("MIGRATE_CHUNK", 40)
        .var("MIGRATE_CHUNKS_PER_WAKE", 2)
        .start()
        .await;
    let ana = server.sign_in("ana", &fixture.password).await;
    let room = fixture.room.clone();
    assert_eq!(
        server.room_counter(&room, "schema"),
        None,
        "the fixture is schema 1"
    );

    let path = format!("/api/rooms/{room}/messages");
    let (status, body) = server.get_as(&path, &ana.access_token).await;
    assert_eq!(
        status, 503,
        "the first wake only starts the upgrade: {body}"
    );
    assert_eq!(body["error"]["code"], "unavailable");
    let through = server.room_counter(&room, "migrated_through").unwrap();
    assert!(
        (1..780).contains(&through),
        "one wake folds a bounded part of the log, and says how far: {through}"
    );
    eventually("the upgrade finishes", async || {
        server.get_as(&path, &ana.access_token).await.0 == 200
    })
    .await;
    assert_eq!(
        server.room_counter(&room, "schema"),
        Some(edgechat_core::store::schema::VERSION)
    );
    assert_eq!(server.room_head(&room), 780);

    // Every message as the old build served it: text, edits, deletions, reactions,
    // pins, replies and the attachment.
    let history = whole_history(&server, &room, &ana.access_token).await;
    assert_eq!(history.len(), fixture.messages.len());
    for (now, then) in history.iter().zip(&fixture.messages) {
        assert_eq!(now, then, "message {} changed in the upgrade", then.seq);
    }

    // The room serves as before: a join, a resend of a clientMsgId sent by the old
    // build, a reply to its first message, and new messages after its head.
    let (mut client, frames) = Client::join_since(&server, &room, &ana, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        head_seq,
        users,
        message_history,
        ..
    })) = frames.first()
    else {
        panic!("no room-joined: {frames:?}");
    };
    assert_eq!(*head_seq, 780);
    assert_eq!(users.len(), 3);
    assert_eq!(
        message_history.as_slice(),
        &fixture.messages[fixture.messages.len() - message_history.len()..]
    );
    let first = &fixture.messages[1];
    client
        .send(&ClientMsg::text(&room, "sent again", &first.client_msg_id))
        .await;
    match client.recv().await {
        ServerMsg::MessageAck(frame::MessageAck { seq, .. }) => {
            assert_eq!(seq, first.seq, "acked as before")
        }
        other => panic!("expected the original ack, got {other:?}"),
    }
    let mut reply = ClientMsg::text(&room, "replying to the very first", "after-upgrade-1");
    if let ClientMsg::SendMessage { reply_to, .. } = &mut reply {
        *reply_to = Some(fixture.messages[0].message_id.clone());
    }
    client.send(&reply).await;
    let new_seq = acked(&mut client).await;
    assert_eq!(new_seq, 781);
    let (_, replayed) = Client::join_since(&server, &room, &ana, Some(779)).await;
    let events = event_seqs(&replayed);
    assert_eq!(
        events,
        vec![780, 781],
        "a resume replays across the upgrade"
    );
    assert!(replayed.iter().any(|m| matches!(
        m,
        ServerMsg::Event(RoomEvent::NewMessage(m)) if m.reply_to.as_deref() == Some(fixture.messages[0].message_id.as_str())
    )));
    assert_eq!(
        whole_history(&server, &room, &ana.access_token).await.len(),
        fixture.messages.len() + 1,
        "the resend added nothing; the reply one message"
    );
}

#[tokio::test]
async fn a_room_stored_by_schema_9_keeps_every_message_resend_and_resume() {
    let fixture = fixture("v9-room");
    let state = tempfile::tempdir().unwrap();
    copy_dir(
        &edgechat_e2e::repo_root().join("tests/fixtures/v9-room/state"),
        state.path(),
    );
    let server = Server::builder().state_dir(state.path()).start().await;
    let room = fixture.room.clone();
    assert_eq!(
        server.room_counter(&room, "schema"),
        Some(9),
        "the fixture is schema 9"
    );
    let ana = server.sign_in("ana", &fixture.password).await;
    let path = format!("/api/rooms/{room}/messages");
    eventually("the room is ready", async || {
        server.get_as(&path, &ana.access_token).await.0 == 200
    })
    .await;
    assert_eq!(server.room_head(&room), 780);

    // Every message as that build served it, though its log kept only the newest 200
    // events: the first 580 events, and most messages' sends, were compacted away.
    let history = whole_history(&server, &room, &ana.access_token).await;
    assert_eq!(history.len(), fixture.messages.len());
    for (now, then) in history.iter().zip(&fixture.messages) {
        assert_eq!(now, then, "message {} changed", then.seq);
    }

    // A resend of a message sent long before the compaction gets its original ack.
    let (mut client, _) = Client::join_since(&server, &room, &ana, None).await;
    let first = &fixture.messages[1];
    client
        .send(&ClientMsg::text(&room, "sent again", &first.client_msg_id))
        .await;
    match client.recv().await {
        ServerMsg::MessageAck(frame::MessageAck { seq, .. }) => {
            assert_eq!(seq, first.seq, "acked as before")
        }
        other => panic!("expected the original ack, got {other:?}"),
    }
    client
        .send(&ClientMsg::text(&room, "after", "after-schema-9"))
        .await;
    let new_seq = acked(&mut client).await;
    assert_eq!(new_seq, 781);
    let (_, replayed) = Client::join_since(&server, &room, &ana, Some(778)).await;
    let events = event_seqs(&replayed);
    assert_eq!(
        events,
        vec![779, 780, 781],
        "a resume replays what followed"
    );
}
