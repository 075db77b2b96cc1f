//! Budgets on every durable write a user can repeat (docs/protocol.md, "Budgets";
//! docs/security.md, "Rooms and inboxes"): each test floods one against the real Worker
//! under wrangler dev and sees it refused, with the socket kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use edgechat_e2e::{
    server::Server,
    socket::{Client, error_code},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, ServerMsg, Status, close};

#[tokio::test]
async fn every_durable_write_is_rate_limited() {
    let server = Server::builder()
        .var("ACTION_RATE_BURST", 3)
        .var("ACTION_RATE_PER_WINDOW", 1)
        .var("ACTION_RATE_WINDOW_MS", 600_000)
        .var("MODERATION_RATE_BURST", 2)
        .var("MODERATION_RATE_PER_WINDOW", 1)
        .var("MODERATION_RATE_WINDOW_MS", 600_000)
        .var("MEMBERSHIP_RATE_BURST", 1)
        .var("MEMBERSHIP_RATE_PER_WINDOW", 1)
        .var("MEMBERSHIP_RATE_WINDOW_MS", 600_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    server.room(&ana, "lobby").await;
    let mut admin = Client::join(&server, "lobby", &ana).await;
    let mut member = Client::join(&server, "lobby", &bo).await;
    admin
        .send(&ClientMsg::text("lobby", "react to me", "a-1"))
        .await;
    let ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) = admin
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await
    else {
        panic!("no ack")
    };

    // Reactions, pins and edits share one budget: three, then refused with a wait.
    let actions = [
        ClientMsg::AddReaction {
            message_id: message_id.clone(),
            emoji: "👍".into(),
        },
        ClientMsg::RemoveReaction {
            message_id: message_id.clone(),
            emoji: "👍".into(),
        },
        ClientMsg::AddReaction {
            message_id: message_id.clone(),
            emoji: "🎉".into(),
        },
    ];
    for action in actions {
        admin.send(&action).await;
        let reply = admin
            .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::ReactionUpdated { .. })))
            .await;
        assert_eq!(error_code(&reply), None, "{reply:?}");
    }
    for refused in [
        ClientMsg::EditMessage {
            message_id: message_id.clone(),
            new_text: "edited".into(),
        },
        ClientMsg::PinMessage {
            message_id: message_id.clone(),
        },
        ClientMsg::DeleteMessage {
            message_id: message_id.clone(),
        },
    ] {
        admin.send(&refused).await;
        let reply = admin
            .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
            .await;
        let ServerMsg::Error(frame::Error {
            code, retry_after, ..
        }) = reply
        else {
            unreachable!()
        };
        assert_eq!(code, ErrorCode::RateLimited);
        assert!(retry_after.is_some_and(|ms| ms > 0));
    }
    // A message has its own budget, untouched by those.
    admin
        .send(&ClientMsg::text("lobby", "still talking", "a-2"))
        .await;
    assert!(matches!(
        admin
            .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await,
        ServerMsg::MessageAck(frame::MessageAck { .. })
    ));

    // Moderation: two, then refused, whatever the action.
    let until = 4_102_444_800_000; // 2100
    admin
        .send(&ClientMsg::MuteUser {
            user_id: bo.user_id.clone(),
            until,
        })
        .await;
    admin
        .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::UserMuted { .. })))
        .await;
    admin
        .send(&ClientMsg::UnmuteUser {
            user_id: bo.user_id.clone(),
        })
        .await;
    admin
        .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::UserUnmuted { .. })))
        .await;
    admin
        .send(&ClientMsg::KickUser {
            user_id: bo.user_id.clone(),
        })
        .await;
    let reply = admin
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await;
    assert_eq!(error_code(&reply), Some(ErrorCode::RateLimited));

    // Leaving and joining again: once, then the leave is refused and Bo stays.
    member
        .send(&ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        })
        .await;
    assert_eq!(member.closed_with().await, Some(close::LEFT));
    let mut member = Client::join(&server, "lobby", &bo).await;
    member
        .send(&ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        })
        .await;
    let reply = member
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await;
    assert_eq!(error_code(&reply), Some(ErrorCode::RateLimited));
    member
        .send(&ClientMsg::text("lobby", "still here", "b-1"))
        .await;
    assert!(matches!(
        member
            .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await,
        ServerMsg::MessageAck(frame::MessageAck { .. })
    ));
}

#[tokio::test]
async fn a_status_loop_is_refused_and_its_relay_coalesced() {
    const RELAY_MS: u64 = 5_000;
    let server = Server::builder()
        .var("STATUS_RATE_BURST", 3)
        .var("STATUS_RATE_PER_WINDOW", 1)
        .var("STATUS_RATE_WINDOW_MS", 600_000)
        .var("STATUS_RELAY_MS", RELAY_MS)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    server.room(&ana, "lobby").await;
    let _ana_room = Client::join(&server, "lobby", &ana).await;
    let mut watcher = Client::join(&server, "lobby", &bo).await;
    let (mut inbox, _) = Client::inbox(&server, &ana).await;
    // Coming online reaches the room at once.
    watcher
        .recv_until_any(|m| matches!(m, ServerMsg::UserStatus(frame::UserStatus { user_id, status: Status::Online, .. }) if *user_id == ana.user_id))
        .await;

    let started = Instant::now();
    let mut refused = 0;
    for i in 0..10 {
        let status = if i % 2 == 0 { "away" } else { "online" };
        inbox
            .send_raw(&format!(
                r#"{{"type":"status-change","status":"{status}","reqId":"s{i}"}}"#
            ))
            .await;
    }
    // Three accepted (each shown on Ana's own socket), seven refused.
    let mut shown = 0;
    while shown + refused < 10 {
        match inbox.recv_any().await {
            ServerMsg::Error(frame::Error {
                code: ErrorCode::RateLimited,
                ..
            }) => refused += 1,
            ServerMsg::UserStatus(frame::UserStatus { .. }) => shown += 1,
            _ => {}
        }
    }
    assert_eq!((shown, refused), (3, 7));

    // The room hears of the loop once, with the last accepted status, when the
    // interval since the last relay ends.
    let mut heard = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(RELAY_MS * 2);
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, watcher.recv_any()).await {
            Ok(ServerMsg::UserStatus(frame::UserStatus {
                user_id, status, ..
            })) if user_id == ana.user_id => {
                heard.push((status, started.elapsed()));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(
        heard[0].0,
        Status::Away,
        "the last accepted change was `away`"
    );
}
