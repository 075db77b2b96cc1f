//! Delivery guarantees over real sockets: resume after a reconnect, idempotent resends
//! across a restart, and every message action reaching everyone in seq order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    server::Server,
    socket::{Client, next_text},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, ServerMsg};

async fn ack(client: &mut Client) -> (String, u64) {
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
        ServerMsg::MessageAck(frame::MessageAck {
            message_id, seq, ..
        }) => (message_id, seq),
        other => panic!("expected an ack, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reconnect_with_since_gets_exactly_the_missed_events_in_order() {
    let server = Server::start().await;
    let bob_account = server.register("Bob").await;
    let ana_acct = server.register("Ana").await;
    server.room(&ana_acct, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_acct).await;
    let bob = Client::join(&server, "lobby", &bob_account).await;
    ana.send(&ClientMsg::text("lobby", "seen by Bob", "a-0"))
        .await;
    let (_, seen) = ack(&mut ana).await;
    drop(bob);

    let mut missed = Vec::new();
    for i in 1..=3 {
        ana.send(&ClientMsg::text(
            "lobby",
            format!("missed {i}"),
            format!("a-{i}"),
        ))
        .await;
        missed.push(ack(&mut ana).await.1);
    }

    let (_, frames) = Client::join_since(&server, "lobby", &bob_account, Some(seen)).await;
    assert!(
        matches!(&frames[0], ServerMsg::RoomJoined(frame::RoomJoined { message_history, .. }) if message_history.is_empty()),
        "{frames:?}"
    );
    let replayed: Vec<(u64, String)> = frames
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event(RoomEvent::NewMessage(m)) => Some((m.seq, m.text.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        replayed,
        vec![
            (missed[0], "missed 1".to_owned()),
            (missed[1], "missed 2".to_owned()),
            (missed[2], "missed 3".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_resend_after_a_restart_returns_the_original_ack_and_creates_nothing() {
    let state = tempfile::tempdir().unwrap();
    let (original, ana_account) = {
        let server = Server::builder().state_dir(state.path()).start().await;
        let ana_account = server.register("Ana").await;
        server.room(&ana_account, "lobby").await;
        let mut ana = Client::join(&server, "lobby", &ana_account).await;
        ana.send(&ClientMsg::text("lobby", "exactly once", "a-1"))
            .await;
        (ack(&mut ana).await, ana_account)
    };
    let server = Server::builder().state_dir(state.path()).start().await;
    let bob_acct = server.register("Bob").await;
    let mut bo = Client::join(&server, "lobby", &bob_acct).await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    ana.send(&ClientMsg::text("lobby", "exactly once", "a-1"))
        .await;
    assert_eq!(ack(&mut ana).await, original);

    // Bo sees no second copy: the next message he gets is a new one.
    ana.send(&ClientMsg::text("lobby", "and then this", "a-2"))
        .await;
    let next = bo
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await;
    assert!(
        matches!(next, ServerMsg::Event(RoomEvent::NewMessage(m)) if m.text == "and then this")
    );

    // And the history holds it once.
    let (_, frames) =
        Client::join_since(&server, "lobby", &server.register("Cyd").await, None).await;
    let ServerMsg::RoomJoined(frame::RoomJoined {
        message_history, ..
    }) = &frames[0]
    else {
        panic!("{frames:?}")
    };
    let copies = message_history
        .iter()
        .filter(|m| m.text == "exactly once")
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test]
async fn edits_reactions_and_deletes_reach_everyone_in_seq_order() {
    let server = Server::start().await;
    let ana_acct = server.register("Ana").await;
    server.room(&ana_acct, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_acct).await;
    let bob_acct = server.register("Bob").await;
    let mut bo = Client::join(&server, "lobby", &bob_acct).await;
    ana.send(&ClientMsg::text("lobby", "draft", "a-1")).await;
    let (message_id, first) = ack(&mut ana).await;

    bo.send(&ClientMsg::AddReaction {
        message_id: message_id.clone(),
        emoji: "🎉".into(),
    })
    .await;
    ana.send(&ClientMsg::EditMessage {
        message_id: message_id.clone(),
        new_text: "final".into(),
    })
    .await;
    let updated = bo
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::MessageEdited { .. })))
        .await;
    ana.send(&ClientMsg::DeleteMessage {
        message_id: message_id.clone(),
    })
    .await;
    let deleted = bo
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::MessageDeleted { .. })))
        .await;

    let ServerMsg::Event(RoomEvent::MessageEdited { new_text, seq, .. }) = updated else {
        unreachable!()
    };
    assert_eq!(new_text, "final");
    assert!(seq > first);
    assert_eq!(deleted.seq(), Some(seq + 1));

    // A deleted message is gone for edits; a live one of Ana's is not Bo's to edit; the
    // socket stays usable after each refusal.
    for (target, expected) in [
        (message_id, ErrorCode::NotFound),
        (String::new(), ErrorCode::Forbidden),
    ] {
        let message_id = if target.is_empty() {
            ana.send(&ClientMsg::text("lobby", "keep", "a-2")).await;
            ack(&mut ana).await.0
        } else {
            target
        };
        bo.send(&ClientMsg::EditMessage {
            message_id,
            new_text: "mine now".into(),
        })
        .await;
        match bo
            .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
            .await
        {
            ServerMsg::Error(frame::Error { code, .. }) => assert_eq!(code, expected),
            _ => unreachable!(),
        }
    }
    assert!(
        bo.sync()
            .await
            .iter()
            .all(|m| !matches!(m, ServerMsg::Error(frame::Error { .. })))
    );
}

#[tokio::test]
async fn a_member_cannot_moderate_and_the_creator_can() {
    let server = Server::start().await;
    let (ana_account, bob_account) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    let mut bob = Client::join(&server, "lobby", &bob_account).await;
    bob.send(&ClientMsg::KickUser {
        user_id: ana_account.user_id.clone(),
    })
    .await;
    match bob
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await
    {
        ServerMsg::Error(frame::Error { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        _ => unreachable!(),
    }
    ana.send(&ClientMsg::KickUser {
        user_id: bob_account.user_id.clone(),
    })
    .await;
    let kicked = ana
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserKicked { .. })))
        .await;
    assert!(
        matches!(kicked, ServerMsg::Event(RoomEvent::UserKicked { user_id, .. }) if user_id == bob_account.user_id)
    );
    assert_eq!(
        bob.closed_with().await,
        Some(edgechat_protocol::close::KICKED)
    );
}

#[tokio::test]
async fn joining_shows_who_is_online_by_count_and_flags_or_to_an_older_client_the_whole_set() {
    let server = Server::start().await;
    let (ana, bob, cy) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Cyra").await,
    );
    server.room(&ana, "lobby").await;
    let _ana_socket = Client::join(&server, "lobby", &ana).await;
    let (_bob_socket, frames) = Client::join_since(&server, "lobby", &bob, None).await;
    let Some(ServerMsg::RoomJoined(joined)) = frames.first() else {
        panic!("{frames:?}");
    };
    assert_eq!(joined.online_count, Some(2));
    let flagged: Vec<&str> = joined
        .users
        .iter()
        .filter(|u| u.online)
        .map(|u| u.user_id.as_str())
        .collect();
    assert_eq!(flagged.len(), 2, "{:?}", joined.users);

    let (_cy_socket, frames) = Client::join_on_version(&server, "lobby", &cy, 4).await;
    let online = frames.iter().rev().find_map(|m| match m {
        ServerMsg::OnlineUsers(frame::OnlineUsers { user_ids, .. }) => Some(user_ids.clone()),
        _ => None,
    });
    let mut expected = vec![ana.user_id, bob.user_id, cy.user_id];
    expected.sort();
    assert_eq!(online, Some(expected));
}

#[tokio::test]
async fn a_user_who_leaves_is_shown_offline_once_the_grace_period_alarm_fires() {
    let server = Server::builder()
        .var("PRESENCE_GRACE_MS", 300)
        .start()
        .await;
    let ana_account = server.register("Ana").await;
    let room = server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, &room, &ana_account).await;
    // Cy's client is of version 1: it is sent the whole set, never `presence-changed`.
    let cy_account = server.register("Cyra").await;
    let mut cy = version_1_socket(&server, &room, &cy_account.access_token).await;
    let bob_acct = server.register("Bob").await;
    let bob = Client::join(&server, &room, &bob_acct).await;
    drop(bob);
    let went = ana
        .recv_until_any(|m| {
            matches!(m, ServerMsg::PresenceChanged(frame::PresenceChanged { offline, .. }) if offline.contains(&bob_acct.user_id))
        })
        .await;
    assert!(
        matches!(&went, ServerMsg::PresenceChanged(frame::PresenceChanged { online, offline, .. }) if online.is_empty() && *offline == [bob_acct.user_id.clone()]),
        "{went:?}"
    );
    let mut both = vec![ana_account.user_id.clone(), cy_account.user_id.clone()];
    both.sort();
    loop {
        let text = next_text(&mut cy).await;
        assert!(
            !text.contains("presence-changed"),
            "a version 1 socket got a version 2 frame: {text}"
        );
        if let Ok(ServerMsg::OnlineUsers(frame::OnlineUsers { user_ids, .. })) =
            serde_json::from_str(&text)
            && user_ids == both
        {
            break;
        }
    }
}

type RawSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A room socket of a client that speaks only `edgechat.v1`.
async fn version_1_socket(server: &Server, room: &str, token: &str) -> RawSocket {
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};
    let mut request = server
        .ws_url(&format!("/api/rooms/{room}/ws"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("edgechat.v1, bearer.{token}")).unwrap(),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["Sec-WebSocket-Protocol"],
        "edgechat.v1",
        "the server answers the version the client offered"
    );
    socket
}

#[tokio::test]
async fn typing_reaches_every_socket_but_the_one_typing() {
    let server = Server::start().await;
    let ana_account = server.register("Ana").await;
    let bob_account = server.register("Bob").await;
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    let mut ana_tab = Client::join(&server, "lobby", &ana_account).await;
    let mut bob = Client::join(&server, "lobby", &bob_account).await;
    for client in [&mut ana, &mut ana_tab, &mut bob] {
        client.sync().await;
    }
    ana.send(&ClientMsg::TypingStart {
        room_id: "lobby".into(),
    })
    .await;
    let typing = |frames: &[ServerMsg]| {
        frames
            .iter()
            .filter(|m| matches!(m, ServerMsg::TypingIndicator(t) if t.is_typing && t.username == "Ana"))
            .count()
    };
    // The room handles Ana's frames in order: her typing before her ping.
    assert_eq!(typing(&ana.sync().await), 0, "the typist is not told");
    assert_eq!(typing(&ana_tab.sync().await), 1, "her other tab is");
    assert_eq!(typing(&bob.sync().await), 1);
}
