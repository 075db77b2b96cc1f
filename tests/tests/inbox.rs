//! The inbox socket: status across devices and rooms, rooms created there, and
//! notifications from rooms the user has no socket open to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    server::Server,
    socket::{Client, attempt_upgrade},
    tokens::a_fresh_token_keeps_the_socket_and_none_closes_it,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, NotificationKind, ServerMsg, Status};

fn status_of(msg: &ServerMsg) -> Option<(String, Status, Option<String>)> {
    match msg {
        ServerMsg::UserStatus(frame::UserStatus {
            user_id,
            status,
            status_text,
            ..
        }) => Some((user_id.clone(), *status, status_text.clone())),
        _ => None,
    }
}

#[tokio::test]
async fn the_inbox_says_connected_and_shows_the_user_online() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let (_, frames) = Client::inbox(&server, &ana).await;
    assert!(
        matches!(
            frames[0],
            ServerMsg::Connected(frame::Connected {
                protocol_version: edgechat_protocol::PROTOCOL_VERSION
            })
        ),
        "{frames:?}"
    );
    let statuses: Vec<_> = frames.iter().filter_map(status_of).collect();
    assert!(
        statuses
            .iter()
            .any(|(user, status, _)| *user == ana.user_id && *status == Status::Online)
    );

    let (status, body) = attempt_upgrade(&server, "/api/me/ws", &[]).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
}

#[tokio::test]
async fn a_status_change_reaches_the_users_devices_and_rooms_and_offline_follows_the_last_device() {
    let server = Server::builder()
        .var("PRESENCE_GRACE_MS", 300)
        // Rooms hear of a status at most once per interval (a_status_loop_… covers it).
        .var("STATUS_RELAY_MS", 300)
        .start()
        .await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let _ana_room = Client::join(&server, "lobby", &ana).await;
    let mut bob_room = Client::join(&server, "lobby", &bob).await;
    let (mut phone, _) = Client::inbox(&server, &ana).await;
    let (mut laptop, _) = Client::inbox(&server, &ana).await;

    phone
        .send(&ClientMsg::StatusChange {
            status: Status::Away,
            status_text: Some("at lunch".into()),
        })
        .await;
    let on_laptop = laptop
        .recv_until_any(|m| status_of(m).is_some_and(|(_, s, _)| s == Status::Away))
        .await;
    assert_eq!(
        status_of(&on_laptop).unwrap().2.as_deref(),
        Some("at lunch")
    );
    let in_room = bob_room
        .recv_until_any(|m| {
            status_of(m).is_some_and(|(u, s, _)| u == ana.user_id && s == Status::Away)
        })
        .await;
    assert!(status_of(&in_room).is_some());
    let stored = server.query(&format!(
        "SELECT status_text, last_seen_at FROM users WHERE id = '{}'",
        ana.user_id
    ));
    assert_eq!(stored[0]["status_text"], "at lunch");
    assert!(stored[0]["last_seen_at"].as_u64().is_some());

    drop(phone);
    drop(laptop);
    bob_room
        .recv_until_any(|m| {
            status_of(m).is_some_and(|(u, s, _)| u == ana.user_id && s == Status::Offline)
        })
        .await;
}

#[tokio::test]
async fn a_room_created_on_the_inbox_reaches_the_creator_and_the_invitees() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let (mut ana_inbox, _) = Client::inbox(&server, &ana).await;
    let (mut bob_inbox, _) = Client::inbox(&server, &bob).await;
    ana_inbox
        .send(&ClientMsg::CreateRoom {
            room_name: "Design".into(),
            is_private: true,
            members: vec![bob.user_id.clone()],
        })
        .await;
    let created = ana_inbox
        .recv_until_any(|m| matches!(m, ServerMsg::RoomCreated(frame::RoomCreated { .. })))
        .await;
    let ServerMsg::RoomCreated(frame::RoomCreated { room }) = created else {
        unreachable!()
    };
    assert_eq!(room.room_id, "design");
    let told = bob_inbox
        .recv_until_any(|m| matches!(m, ServerMsg::RoomCreated(frame::RoomCreated { .. })))
        .await;
    assert!(
        matches!(told, ServerMsg::RoomCreated(frame::RoomCreated { room }) if room.room_id == "design")
    );
    Client::join(&server, "design", &bob).await;

    ana_inbox
        .send(&ClientMsg::TypingStart {
            room_id: "design".into(),
        })
        .await;
    let wrong = ana_inbox
        .recv_until_any(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await;
    assert!(matches!(
        wrong,
        ServerMsg::Error(frame::Error {
            code: edgechat_protocol::ErrorCode::WrongSocket,
            ..
        })
    ));
}

#[tokio::test]
async fn a_user_elsewhere_is_told_each_new_unread_count_and_each_mention_once() {
    let server = Server::builder()
        .var("ARCHIVE_DELAY_MS", 100)
        .var("PRESENCE_GRACE_MS", 300)
        .start()
        .await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let mut ana_room = Client::join(&server, "lobby", &ana).await;
    // As the app does: Bob's inbox first, then the room, which he then leaves open
    // elsewhere (another room): his room list is live.
    let (mut bob_inbox, _) = Client::inbox(&server, &bob).await;
    drop(Client::join(&server, "lobby", &bob).await);
    ana_room
        .recv_until_any(|m| match m {
            ServerMsg::PresenceChanged(frame::PresenceChanged { offline, .. }) => {
                offline.contains(&bob.user_id)
            }
            _ => false,
        })
        .await;

    let texts = ["hello", "still there?", "@bob look at this", "and one more"];
    let mut counts = Vec::new();
    let mut mentions = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        ana_room
            .send(&ClientMsg::text("lobby", *text, format!("a-{i}")))
            .await;
        ana_room
            .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
        // Each message is its own write-behind batch here: its count comes before the
        // next is sent, so the badge goes 1, 2, 3, 4 rather than stopping at 1.
        loop {
            match bob_inbox
                .recv_until_any(|m| {
                    matches!(m, ServerMsg::Notification(frame::Notification { .. }))
                })
                .await
            {
                ServerMsg::Notification(frame::Notification {
                    kind: NotificationKind::Unread,
                    unread_count: Some(count),
                    ..
                }) => {
                    counts.push(count);
                    if count == i as u64 + 1 {
                        break;
                    }
                }
                mention @ ServerMsg::Notification(frame::Notification {
                    kind: NotificationKind::Mention,
                    ..
                }) => mentions.push(mention),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(
        counts,
        [1, 2, 3, 4],
        "one count per message, each the room's"
    );
    assert_eq!(mentions.len(), 1, "{mentions:?}");
    assert!(
        matches!(&mentions[0], ServerMsg::Notification(frame::Notification { from: Some(f), excerpt: Some(e), .. }) if f == "Ana" && e == "@bob look at this")
    );
    // The room list agrees, once D1 has the batch.
    let (_, rooms) = server.get_as("/api/rooms", &bob.access_token).await;
    assert_eq!(rooms["rooms"][0]["unreadCount"], 4, "{rooms}");
}

#[tokio::test]
async fn an_inbox_socket_is_closed_when_its_token_expires_unless_refreshed_in_place() {
    let server = Server::builder().var("ACCESS_TTL_MS", 4_000).start().await;
    let ana = server.register("Ana").await;
    let (mut kept, _) = Client::inbox(&server, &ana).await;
    let (mut lapsed, _) = Client::inbox(&server, &ana).await;

    // Binary frames get the same answer as on a room socket, and the socket stays.
    kept.send_binary(&[1, 2, 3]).await;
    match kept
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await
    {
        ServerMsg::Error(frame::Error { code, .. }) => assert_eq!(code, ErrorCode::BadFrame),
        _ => unreachable!(),
    }
    a_fresh_token_keeps_the_socket_and_none_closes_it(&server, &ana, &mut kept, &mut lapsed).await;
}
