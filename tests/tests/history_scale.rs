//! A room's cost follows what is live, not its history: a room with thousands of events
//! restarts and serves every read from its tables, and an edit flood leaves its log
//! within the replay window once D1 has it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{server::Server, socket::Client, wait::eventually};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, Message, RoomEvent, ServerMsg};

async fn answer(client: &mut Client) -> ServerMsg {
    client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::MessageAck(frame::MessageAck { .. })
                    | ServerMsg::Error(frame::Error { .. })
                    | ServerMsg::Event(RoomEvent::MessageEdited { .. })
            )
        })
        .await
}

async fn post(client: &mut Client, room: &str, text: &str, id: &str) -> (String, u64) {
    client.send(&ClientMsg::text(room, text, id)).await;
    match answer(client).await {
        ServerMsg::MessageAck(frame::MessageAck {
            message_id, seq, ..
        }) => (message_id, seq),
        other => panic!("{text:?} was refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_room_with_thousands_of_events_restarts_and_serves_history_replay_replies_and_resends() {
    let state = tempfile::tempdir().unwrap();
    const MESSAGES: u64 = 2_000;
    let (ana, ids) = {
        let server = Server::builder()
            .state_dir(state.path())
            .without_budgets()
            .start()
            .await;
        let ana = server.register("Ana").await;
        server.room(&ana, "busy").await;
        let mut client = Client::join(&server, "busy", &ana).await;
        let mut ids = Vec::new();
        for i in 1..=MESSAGES {
            ids.push(
                post(
                    &mut client,
                    "busy",
                    &format!("message {i}"),
                    &format!("c-{i}"),
                )
                .await,
            );
        }
        for (i, (id, _)) in ids.iter().enumerate().step_by(100) {
            client
                .send(&ClientMsg::EditMessage {
                    message_id: id.clone(),
                    new_text: format!("message {} (edited)", i + 1),
                })
                .await;
            assert!(matches!(
                answer(&mut client).await,
                ServerMsg::Event(RoomEvent::MessageEdited { .. })
            ));
        }
        (ana, ids)
    };
    let server = Server::builder()
        .state_dir(state.path())
        .without_budgets()
        .start()
        .await;
    let head = 1 + MESSAGES + 20; // the creator's join, the messages, the edits

    // The first read after the restart: a join with the newest page.
    let (mut client, frames) = Client::join_since(&server, "busy", &ana, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        head_seq,
        message_history,
        ..
    })) = frames.first()
    else {
        panic!("no room-joined: {frames:?}");
    };
    assert_eq!(*head_seq, head);
    assert_eq!(message_history.len(), 50);
    assert_eq!(message_history.last().unwrap().text, "message 2000");

    // Every message, paged back to the first, in order, edits applied.
    let mut all: Vec<Message> = Vec::new();
    let mut before = u64::MAX;
    loop {
        client
            .send(&ClientMsg::LoadHistory {
                before_seq: before,
                limit: Some(100),
            })
            .await;
        let ServerMsg::HistoryPage(frame::HistoryPage {
            mut messages,
            has_more,
            ..
        }) = client
            .recv_until(|m| matches!(m, ServerMsg::HistoryPage(frame::HistoryPage { .. })))
            .await
        else {
            unreachable!()
        };
        before = messages.first().map_or(0, |m| m.seq);
        messages.append(&mut all);
        all = messages;
        if !has_more {
            break;
        }
    }
    assert_eq!(all.len() as u64, MESSAGES);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all[0].text, "message 1 (edited)");
    assert_eq!(all[100].text, "message 101 (edited)");
    assert_eq!(all[101].text, "message 102");

    // A resend of a clientMsgId from thousands of messages back is acked as before.
    client
        .send(&ClientMsg::text("busy", "message 3", "c-3"))
        .await;
    match answer(&mut client).await {
        ServerMsg::MessageAck(frame::MessageAck { seq, .. }) => assert_eq!(seq, ids[2].1),
        other => panic!("expected the original ack, got {other:?}"),
    }
    // A reply to the first message, thousands of events back.
    let mut reply = ClientMsg::text("busy", "still here", "c-reply");
    if let ClientMsg::SendMessage { reply_to, .. } = &mut reply {
        *reply_to = Some(ids[0].0.clone());
    }
    client.send(&reply).await;
    let ServerMsg::MessageAck(frame::MessageAck { seq: reply_seq, .. }) = answer(&mut client).await
    else {
        panic!("the reply was refused");
    };
    assert_eq!(reply_seq, head + 1);

    // A reconnect ten events back gets exactly those ten.
    let (_, replay) = Client::join_since(&server, "busy", &ana, Some(head - 9)).await;
    let seqs: Vec<u64> = replay
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event(e) => Some(e.seq()),
            _ => None,
        })
        .collect();
    assert_eq!(seqs, ((head - 8)..=(head + 1)).collect::<Vec<_>>());
    // One from before the replay window is told to resync.
    let (_, old) = Client::join_since(&server, "busy", &ana, Some(5)).await;
    assert!(
        matches!(old.first(), Some(ServerMsg::Resync(frame::Resync { .. }))),
        "{:?}",
        old.first()
    );
}

#[tokio::test]
async fn an_edit_flood_leaves_the_log_within_its_bound_once_d1_has_it() {
    const WINDOW: u64 = 100;
    let server = Server::builder()
        .without_budgets()
        .var("MAX_REPLAY", WINDOW)
        .var("ARCHIVE_DELAY_MS", 100)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "flood").await;
    let mut client = Client::join(&server, "flood", &ana).await;
    let (id, _) = post(&mut client, "flood", "take 0", "c-0").await;
    for take in 1..=1_000 {
        client
            .send(&ClientMsg::EditMessage {
                message_id: id.clone(),
                new_text: format!("take {take}"),
            })
            .await;
        assert!(matches!(
            answer(&mut client).await,
            ServerMsg::Event(RoomEvent::MessageEdited { .. })
        ));
    }
    eventually("the log is compacted to the replay window", async || {
        server.room_log_len("flood") <= WINDOW
    })
    .await;
    assert_eq!(server.room_head("flood"), 1_002);
    let (_, page) = server
        .get_as("/api/rooms/flood/messages", &ana.access_token)
        .await;
    let messages: Vec<Message> = serde_json::from_value(page["messages"].clone()).unwrap();
    assert_eq!(messages.len(), 1, "edits change the message; they add none");
    assert_eq!(messages[0].text, "take 1000");
    let rows = server.query("SELECT text FROM messages");
    assert_eq!(rows[0]["text"], "take 1000", "D1 has the last edit");
}
