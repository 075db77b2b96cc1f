//! Attacks on rooms and inboxes that go after what must not come back or go missing:
//! removed users' sockets, revocations behind the write-behind, notifications in large
//! rooms (docs/security.md, "Rooms and inboxes"). Each runs against the real Worker
//! under wrangler dev; the faults come through bench-only routes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use edgechat_e2e::{
    server::Server,
    socket::{Client, error_code},
    wait::{self, eventually},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, NotificationKind, RoomEvent, ServerMsg, close};
use serde_json::json;

#[tokio::test]
async fn a_removed_users_socket_is_not_served_after_a_reload() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "vault", "isPrivate": true, "members": [bo.user_id] }),
        )
        .await;
    assert_eq!(status, 201);
    let mut admin = Client::join(&server, "vault", &ana).await;
    let mut kicked = Client::join(&server, "vault", &bo).await;

    // The kick is stored, but its close is lost (as if the object died in between):
    // Bo's socket stays open.
    server
        .bench(
            "/api/bench/rooms/vault/faults",
            &json!({ "loseCloses": true }),
        )
        .await;
    admin
        .send(&ClientMsg::KickUser {
            user_id: bo.user_id.clone(),
        })
        .await;
    admin
        .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::UserKicked { .. })))
        .await;
    kicked
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserKicked { .. })))
        .await;
    server
        .bench("/api/bench/rooms/vault/faults", &json!({}))
        .await;

    // The room loads again, as after a wake, with Bo's socket still attached: it is
    // closed, never served.
    server
        .bench("/api/bench/rooms/vault/reload", &json!({}))
        .await;
    admin
        .send(&ClientMsg::text("vault", "after the kick", "a-1"))
        .await;
    admin
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
    let (frames, code) = kicked.closed_with_frames().await;
    assert!(
        !frames.iter().any(|f| f.contains("after the kick")),
        "a removed member was served: {frames:?}"
    );
    assert_eq!(code, Some(close::KICKED));
}

#[tokio::test]
async fn a_ban_reaches_d1_while_messages_wait_and_fail() {
    const MESSAGES: usize = 2_000;
    let server = Server::builder()
        .var("RATE_PER_WINDOW", 1_000_000)
        .var("RATE_BURST", 1_000_000)
        .var("ARCHIVE_RETRY_MS", 300)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    let cy = server.register("Cyd").await;
    server.room(&ana, "busy").await;

    // From here every batch of the log fails, as if D1 refused it.
    server
        .bench(
            "/api/bench/rooms/busy/faults",
            &json!({ "failBatches": true }),
        )
        .await;
    let mut admin = Client::join(&server, "busy", &ana).await;
    let _bo = Client::join(&server, "busy", &bo).await;
    let _cy = Client::join(&server, "busy", &cy).await;
    eventually(
        "Bo's membership reaches D1 ahead of the failing log",
        async || server.listed_rooms(&bo).await.contains(&"busy".to_owned()),
    )
    .await;
    for i in 0..MESSAGES {
        admin
            .send(&ClientMsg::text("busy", format!("m{i}"), format!("a-{i}")))
            .await;
    }
    let mut acked = 0;
    while acked < MESSAGES {
        if let ServerMsg::MessageAck(frame::MessageAck { .. }) = admin.recv().await {
            acked += 1;
        }
    }

    admin
        .send(&ClientMsg::BanUser {
            user_id: bo.user_id.clone(),
        })
        .await;
    admin
        .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::UserBanned { .. })))
        .await;
    let banned_at = Instant::now();
    eventually("the ban reaches D1 while every message waits", async || {
        !server.listed_rooms(&bo).await.contains(&"busy".to_owned())
    })
    .await;
    println!("the ban reached D1 in {:?}", banned_at.elapsed());
    let (_, rooms) = server.get_as("/api/rooms", &cy.access_token).await;
    assert_eq!(
        rooms["rooms"][0]["unreadCount"], 0,
        "no message is in D1 yet: {rooms}"
    );

    // D1 takes batches again: the log is copied in seq order, Bo's join among the first,
    // and at no point does it give Bo back the room.
    server
        .bench("/api/bench/rooms/busy/faults", &json!({}))
        .await;
    // The log drains in batches: every look on the way must still see Bo out.
    wait::until_within("the log reaches D1", Duration::from_secs(120), async || {
        assert!(
            !server.listed_rooms(&bo).await.contains(&"busy".to_owned()),
            "an older join copied late gave Bo the room back"
        );
        let (_, rooms) = server.get_as("/api/rooms", &cy.access_token).await;
        let unread = rooms["rooms"][0]["unreadCount"].as_u64();
        if unread == Some(MESSAGES as u64) {
            Ok(())
        } else {
            Err(rooms)
        }
    })
    .await;
    let rows = server.query(&format!(
        "SELECT member, banned FROM room_members WHERE room_id = 'busy' AND user_id = '{}'",
        bo.user_id
    ));
    assert_eq!(
        (rows[0]["member"].as_u64(), rows[0]["banned"].as_u64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn a_message_notifies_more_than_a_hundred_members() {
    const MEMBERS: usize = 105;
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let mut people = Vec::new();
    for i in 0..MEMBERS {
        people.push(server.register(&format!("Member{i}")).await);
    }
    let first: Vec<&str> = people[..100].iter().map(|p| p.user_id.as_str()).collect();
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "town", "isPrivate": true, "members": first }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut admin = Client::join(&server, "town", &ana).await;
    for person in &people[100..] {
        admin
            .send(&ClientMsg::InviteUser {
                user_id: person.user_id.clone(),
            })
            .await;
        let reply = admin
            .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::UserInvited { .. })))
            .await;
        assert_eq!(error_code(&reply), None, "{reply:?}");
    }
    let mut inboxes = Vec::new();
    for person in &people {
        inboxes.push(Client::inbox(&server, person).await.0);
    }

    admin
        .send(&ClientMsg::text("town", "hello everyone", "a-1"))
        .await;
    admin
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
    for (person, inbox) in people.iter().zip(&mut inboxes) {
        let told = inbox
            .recv_until_any(|m| {
                matches!(m, ServerMsg::Notification(frame::Notification { room_id, kind: NotificationKind::Unread, .. }) if room_id == "town")
            })
            .await;
        assert!(
            matches!(told, ServerMsg::Notification(frame::Notification { .. })),
            "{}",
            person.username
        );
    }
}
