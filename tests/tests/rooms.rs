//! Rooms over real sockets: the Worker under wrangler dev, tokio-tungstenite clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    server::Server,
    socket::{Client, attempt_upgrade},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, PING_FRAME, PONG_FRAME, RoomEvent, ServerMsg};

fn assert_error(msg: &ServerMsg, expected: ErrorCode) {
    match msg {
        ServerMsg::Error(frame::Error { code, .. }) => assert_eq!(*code, expected, "{msg:?}"),
        other => panic!("expected a {expected:?} error, got {other:?}"),
    }
}

#[tokio::test]
async fn two_clients_exchange_messages_through_a_room() {
    let server = Server::start().await;
    let (ana_account, bob_account) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    let mut bob = Client::join(&server, "lobby", &bob_account).await;

    ana.send(&ClientMsg::text("lobby", "hello Bob", "a-1"))
        .await;
    let ack = ana
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
    let ServerMsg::MessageAck(frame::MessageAck {
        client_msg_id, seq, ..
    }) = ack
    else {
        unreachable!()
    };
    assert_eq!(client_msg_id, "a-1");

    let ServerMsg::Event(RoomEvent::NewMessage(received)) = bob.recv().await else {
        panic!("Bob expected a new message")
    };
    assert_eq!(received.text, "hello Bob");
    assert_eq!(received.username, "Ana");
    assert_eq!(received.user_id, ana_account.user_id);
    assert_eq!(received.seq, seq);

    bob.send(&ClientMsg::text("lobby", "hi Ana", "b-1")).await;
    let reply = ana
        .recv_until(
            |m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(msg)) if msg.username == "Bob"),
        )
        .await;
    let ServerMsg::Event(RoomEvent::NewMessage(reply)) = reply else {
        unreachable!()
    };
    assert_eq!(reply.text, "hi Ana");
    assert_eq!(reply.seq, seq + 1);
}

#[tokio::test]
async fn rooms_are_separate() {
    let server = Server::start().await;
    let ana_acct = server.register("Ana").await;
    server.room(&ana_acct, "one").await;
    let mut ana = Client::join(&server, "one", &ana_acct).await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "two").await;
    let mut bob = Client::join(&server, "two", &bob_acct).await;
    ana.send(&ClientMsg::text("one", "only for room one", "a-1"))
        .await;
    ana.recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await;
    // Bob's next frame is the answer to his own ping, not Ana's message.
    bob.send(&ClientMsg::Ping {}).await;
    assert_eq!(bob.recv_raw().await, PONG_FRAME);
}

#[tokio::test]
async fn bad_frames_get_error_events_and_the_socket_stays_usable() {
    let server = Server::start().await;
    let ana_acct = server.register("Ana").await;
    server.room(&ana_acct, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_acct).await;

    ana.send_raw("this is not json").await;
    assert_error(&ana.recv().await, ErrorCode::BadFrame);

    ana.send_raw(r#"{"type":"launch-rockets","reqId":"r-1"}"#)
        .await;
    let unknown = ana.recv().await;
    assert_error(&unknown, ErrorCode::UnknownType);
    assert!(
        matches!(&unknown, ServerMsg::Error(frame::Error { req_id: Some(r), .. }) if r == "r-1")
    );

    ana.send_raw(r#"{"type":"send-message","roomId":"lobby"}"#)
        .await;
    assert_error(&ana.recv().await, ErrorCode::BadFrame);

    ana.send_binary(&[0, 159, 146, 150]).await;
    assert_error(&ana.recv().await, ErrorCode::BadFrame);

    ana.send(&ClientMsg::text("lobby", "   ", "a-0")).await;
    assert_error(&ana.recv().await, ErrorCode::Empty);

    ana.send(&ClientMsg::text("lobby", "still here", "a-1"))
        .await;
    let ack = ana.recv().await;
    assert!(
        matches!(ack, ServerMsg::MessageAck(frame::MessageAck { .. })),
        "{ack:?}"
    );
}

#[tokio::test]
async fn limits_come_from_vars() {
    let server = Server::builder()
        .var("MAX_MESSAGE_CHARS", 5)
        .var("MAX_FRAME_BYTES", 200)
        .start()
        .await;
    let ana_acct = server.register("Ana").await;
    server.room(&ana_acct, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_acct).await;

    ana.send(&ClientMsg::text("lobby", "too long", "a-1")).await;
    assert_error(&ana.recv().await, ErrorCode::TooLong);

    ana.send(&ClientMsg::text("lobby", "x".repeat(300), "a-2"))
        .await;
    assert_error(&ana.recv().await, ErrorCode::TooLarge);

    ana.send(&ClientMsg::text("lobby", "short", "a-3")).await;
    assert!(matches!(
        ana.recv().await,
        ServerMsg::MessageAck(frame::MessageAck { .. })
    ));
}

#[tokio::test]
async fn the_exact_ping_frame_is_answered_with_pong() {
    let server = Server::start().await;
    let ana_acct = server.register("Ana").await;
    server.room(&ana_acct, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_acct).await;
    ana.send_raw(PING_FRAME).await;
    assert_eq!(ana.recv_raw().await, PONG_FRAME);
}

#[tokio::test]
async fn an_upgrade_from_a_foreign_origin_is_refused_at_the_door() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    let token = Some(ana.access_token.as_str());
    let refused = Client::connect(&server, "lobby", token, Some("https://evil.example")).await;
    assert_eq!(refused.err(), Some(403), "a foreign origin was let in");
    let (status, body) = attempt_upgrade(
        &server,
        "/api/rooms/lobby/ws",
        &[("Origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "forbidden-origin", "{body}");

    let own = server.http_url("");
    assert!(
        Client::connect(&server, "lobby", token, Some(&own))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_bad_room_name_is_refused_with_a_json_error() {
    let server = Server::start().await;
    let (status, body) = attempt_upgrade(&server, "/api/rooms/Not_Lower/ws", &[]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "bad-room", "{body}");

    // Every route that takes a room id answers it the same way.
    let ana = server.register("Ana").await;
    let (status, body) = server
        .get_as("/api/rooms/Not_Lower/messages", &ana.access_token)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad-room"))
    );
    let (status, body) = server
        .upload(&ana.access_token, "Not_Lower", "a.txt", b"text\n", None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad-room"))
    );
}

#[tokio::test]
async fn seqs_continue_after_the_server_restarts_on_the_same_state() {
    let state = tempfile::tempdir().unwrap();
    let (first_seq, ana) = {
        let server = Server::builder().state_dir(state.path()).start().await;
        let ana = server.register("Ana").await;
        server.room(&ana, "lobby").await;
        let mut client = Client::join(&server, "lobby", &ana).await;
        client
            .send(&ClientMsg::text("lobby", "before", "a-1"))
            .await;
        match client.recv().await {
            ServerMsg::MessageAck(frame::MessageAck { seq, .. }) => (seq, ana),
            other => panic!("{other:?}"),
        }
    };
    let server = Server::builder().state_dir(state.path()).start().await;
    let mut client = Client::join(&server, "lobby", &ana).await;
    client.send(&ClientMsg::text("lobby", "after", "a-2")).await;
    match client.recv().await {
        ServerMsg::MessageAck(frame::MessageAck { seq, .. }) => assert_eq!(seq, first_seq + 1),
        other => panic!("{other:?}"),
    }
}

/// A join is sent one page of the members and the count; `list-members` pages on through
/// the real room object until every member has come.
#[tokio::test]
async fn a_joiner_gets_one_page_of_members_and_pages_the_rest() {
    let server = Server::builder().var("MEMBER_PAGE", 2).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "big").await;
    let mut members = vec![ana.user_id.clone()];
    for name in ["Bob", "Cyd", "Dee", "Eve"] {
        let who = server.register(name).await;
        drop(Client::join(&server, "big", &who).await);
        members.push(who.user_id.clone());
    }
    let zed = server.register("Zed").await;
    members.push(zed.user_id.clone());
    let (mut client, frames) = Client::join_since(&server, "big", &zed, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        users,
        member_count,
        ..
    })) = frames.first()
    else {
        panic!("room-joined first: {frames:?}")
    };
    assert_eq!(*member_count, 6);
    assert!(users.len() <= 3, "one page and the joiner: {users:?}");
    assert!(users.iter().any(|u| u.user_id == zed.user_id));

    let mut seen: Vec<String> = users.iter().map(|u| u.user_id.clone()).collect();
    let mut after = users.last().map(|u| u.user_id.clone());
    while let Some(cursor) = after.take() {
        client
            .send(&ClientMsg::ListMembers {
                after: Some(cursor),
            })
            .await;
        let ServerMsg::MemberPage(frame::MemberPage {
            users, has_more, ..
        }) = client
            .recv_until(|m| matches!(m, ServerMsg::MemberPage(frame::MemberPage { .. })))
            .await
        else {
            unreachable!()
        };
        assert!(users.len() <= 2, "{users:?}");
        seen.extend(users.iter().map(|u| u.user_id.clone()));
        if has_more {
            after = users.last().map(|u| u.user_id.clone());
        }
    }
    seen.sort();
    seen.dedup();
    members.sort();
    assert_eq!(seen, members);
}
