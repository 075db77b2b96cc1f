//! The write-behind to D1 and history over HTTP, against the real Worker.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{server::Server, socket::Client, wait};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};
use serde_json::Value;

/// Polls `sql` until `done` holds for its rows (the write-behind runs on its own time).
async fn d1_until(server: &Server, sql: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    wait::until(&format!("D1 answers {sql}"), async || {
        let rows = server.query(sql);
        if done(&rows) { Ok(rows) } else { Err(rows) }
    })
    .await
}

async fn post(client: &mut Client, text: &str, id: &str) -> String {
    client.send(&ClientMsg::text("lobby", text, id)).await;
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
        ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) => message_id,
        refused => panic!("{text:?} was refused: {refused:?}"),
    }
}

#[tokio::test]
async fn every_room_change_reaches_d1_and_deleted_text_leaves_it() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 200).start().await;
    let (ana_account, bob_account) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    let mut bob = Client::join(&server, "lobby", &bob_account).await;
    d1_until(
        &server,
        "SELECT user_id, role FROM room_members WHERE room_id = 'lobby' AND member = 1",
        |rows| rows.len() == 2,
    )
    .await;

    let first = post(&mut ana, "the quick brown fox", "a-1").await;
    let second = post(&mut ana, "a secret plan", "a-2").await;
    post(&mut bob, "jumps over", "b-1").await;
    ana.send(&ClientMsg::EditMessage {
        message_id: first.clone(),
        new_text: "the quick red fox".into(),
    })
    .await;
    ana.send(&ClientMsg::DeleteMessage {
        message_id: second.clone(),
    })
    .await;
    bob.send(&ClientMsg::AddReaction {
        message_id: first.clone(),
        emoji: "🎉".into(),
    })
    .await;
    ana.send(&ClientMsg::PinMessage {
        message_id: first.clone(),
    })
    .await;
    bob.send(&ClientMsg::MarkRead { seq: 1_000 }).await;
    ana.recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::MessagePinned { .. })))
        .await;

    let rows = d1_until(
        &server,
        "SELECT id, text, edited, deleted FROM messages ORDER BY seq",
        |rows| rows.len() == 3 && rows[0]["edited"] == 1 && rows[1]["deleted"] == 1,
    )
    .await;
    assert_eq!(rows[0]["text"], "the quick red fox");
    assert_eq!(rows[1]["text"], "", "a deleted message keeps no text in D1");
    assert_eq!(rows[2]["text"], "jumps over");
    d1_until(&server, "SELECT emoji, user_id FROM reactions", |rows| {
        rows.len() == 1 && rows[0]["user_id"] == bob_account.user_id.as_str()
    })
    .await;
    d1_until(&server, "SELECT message_id FROM pins", |rows| {
        rows.len() == 1 && rows[0]["message_id"] == first.as_str()
    })
    .await;
    let search = |word: &str| {
        server.query(&format!(
            "SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH '{word}'"
        ))[0]["n"]
            .as_u64()
    };
    assert_eq!(search("red"), Some(1));
    assert_eq!(
        search("brown"),
        Some(0),
        "the edit replaced the indexed text"
    );
    assert_eq!(
        search("secret"),
        Some(0),
        "the deleted text is gone from the index"
    );
    d1_until(
        &server,
        "SELECT last_read_seq FROM room_members WHERE room_id = 'lobby' AND last_read_seq > 0",
        |rows| rows.len() == 1,
    )
    .await;

    // Membership is written through at once.
    ana.send(&ClientMsg::KickUser {
        user_id: bob_account.user_id.clone(),
    })
    .await;
    d1_until(
        &server,
        "SELECT member FROM room_members WHERE member = 0",
        |rows| rows.len() == 1,
    )
    .await;
}

#[tokio::test]
async fn history_over_http_comes_from_the_room_with_the_newest_messages() {
    // A write-behind that would take a minute: HTTP history must not depend on it.
    let server = Server::builder()
        .var("ARCHIVE_DELAY_MS", 60_000)
        .start()
        .await;
    let ana_account = server.register("Ana").await;
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    for i in 0..5 {
        post(&mut ana, &format!("message {i}"), &format!("a-{i}")).await;
    }
    let outsider = server.register("Bob").await;
    let (status, page) = server
        .get_as("/api/rooms/lobby/messages?limit=2", &outsider.access_token)
        .await;
    assert_eq!(status, 200, "{page}");
    let texts: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["message 3", "message 4"]);
    assert_eq!(page["hasMore"], true);
    let before = page["messages"][0]["seq"].as_u64().unwrap();
    let (_, older) = server
        .get_as(
            &format!("/api/rooms/lobby/messages?before={before}&limit=10"),
            &outsider.access_token,
        )
        .await;
    assert_eq!(older["messages"].as_array().unwrap().len(), 3);
    assert_eq!(older["hasMore"], false);

    assert_eq!(
        server
            .get_as("/api/rooms/nowhere/messages", &outsider.access_token)
            .await
            .0,
        404
    );
    assert_eq!(server.get_as("/api/rooms/lobby/messages", "").await.0, 401);
}

#[tokio::test]
async fn acked_messages_survive_a_restart_before_the_write_behind_and_reach_d1_after() {
    let state = tempfile::tempdir().unwrap();
    let (ana_account, acked) = {
        let server = Server::builder()
            .state_dir(state.path())
            .var("ARCHIVE_DELAY_MS", 600_000)
            .var("RATE_BURST", 20)
            .start()
            .await;
        let ana_account = server.register("Ana").await;
        server.room(&ana_account, "lobby").await;
        let mut ana = Client::join(&server, "lobby", &ana_account).await;
        let mut acked = Vec::new();
        for i in 0..10 {
            acked.push(
                post(
                    &mut ana,
                    &format!("before the restart {i}"),
                    &format!("a-{i}"),
                )
                .await,
            );
        }
        assert_eq!(server.count("messages"), 0, "nothing reached D1 yet");
        (ana_account, acked)
        // The server stops here, right after the acks.
    };
    let server = Server::builder()
        .state_dir(state.path())
        .var("ARCHIVE_DELAY_MS", 200)
        .start()
        .await;
    let (_, page) = server
        .get_as(
            "/api/rooms/lobby/messages?limit=100",
            &ana_account.access_token,
        )
        .await;
    let ids: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, acked.iter().map(String::as_str).collect::<Vec<_>>());
    // Opening the room wakes it; the write-behind then catches D1 up.
    let _ana = Client::join(&server, "lobby", &ana_account).await;
    d1_until(&server, "SELECT id FROM messages", |rows| rows.len() == 10).await;
    // And in the search index.
    let (status, found) = server
        .get_as("/api/search?q=restart", &ana_account.access_token)
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["results"].as_array().unwrap().len(), 10, "{found}");
}
