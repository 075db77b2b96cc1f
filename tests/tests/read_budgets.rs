//! Reads cost the room what it sends back, and one user cannot make it send without end
//! (docs/security.md, "Reads that amplify"): heavy reads sent back to back, a reconnect
//! loop, an old wire version's snapshot, and requests an older socket could not read.
//! Each attack runs against the real Worker under wrangler dev with the default read
//! budget (`READ_RATE_…`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use edgechat_e2e::{
    account::Session,
    server::Server,
    socket::{Client, error_code},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, ServerMsg, close};

/// The default read budget: a burst of 2 MiB, then 1 MiB every 10 s.
const BURST: f64 = 2.0 * 1024.0 * 1024.0;
const PER_SECOND: f64 = 1024.0 * 1024.0 / 10.0;

/// A server where messages are not limited (the room is filled fast), reads are.
async fn server() -> Server {
    Server::builder()
        .var("RATE_PER_WINDOW", 1_000_000)
        .var("RATE_BURST", 1_000_000)
        .var("DUPLICATE_WINDOW_MS", 1)
        .start()
        .await
}

/// The public room `long` with 100 messages of about 4,000 characters from Ana: every
/// page of history is about 400 KiB.
async fn long_room(server: &Server) -> Session {
    let ana = server.register("Ana").await;
    server.room(&ana, "long").await;
    let mut client = Client::join(server, "long", &ana).await;
    for i in 0..100 {
        let text = format!("{i} {}", "lorem ipsum ".repeat(330));
        client
            .send(&ClientMsg::text("long", text, format!("c-{i}")))
            .await;
        let reply = client
            .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
        assert_eq!(error_code(&reply), None, "{reply:?}");
    }
    ana
}

/// Reads `client`'s frames until the room's answer to the `ping` with `reqId` `last`,
/// returning the text frames before it.
async fn frames_until_pong(client: &mut Client, last: &str) -> Vec<String> {
    client
        .send_raw(&format!(r#"{{"type":"ping","reqId":"{last}"}}"#))
        .await;
    let mut frames = Vec::new();
    loop {
        match client.recv_frame().await {
            ServerMsg::Pong(frame::Pong {}) => return frames,
            msg => frames.push(serde_json::to_string(&msg).unwrap()),
        }
    }
}

#[tokio::test]
async fn heavy_reads_sent_back_to_back_are_refused_once_the_read_budget_is_spent() {
    let server = server().await;
    long_room(&server).await;
    let bob = server.register("Bob").await;
    let mut bob_socket = Client::join(&server, "long", &bob).await;

    // 120 heavy reads, sent without waiting: whole pages of the longest history, the
    // snapshot again, the member list, the pins.
    let started = Instant::now();
    let mut sent_bytes = 0;
    for i in 0..120 {
        let msg = match i % 4 {
            0 | 1 => ClientMsg::LoadHistory {
                before_seq: u64::MAX,
                limit: Some(100),
            },
            2 => ClientMsg::JoinRoom {
                room_id: "long".into(),
            },
            _ => ClientMsg::ListMembers { after: None },
        };
        let frame = serde_json::to_string(&ClientFrame {
            req_id: Some(format!("r{i}")),
            msg,
        })
        .unwrap();
        sent_bytes += frame.len();
        bob_socket.send_raw(&frame).await;
    }
    let frames = frames_until_pong(&mut bob_socket, "done").await;
    let elapsed = started.elapsed().as_secs_f64();

    let mut served = 0;
    let mut refused = 0;
    let mut received_bytes = 0;
    for text in &frames {
        let msg: ServerMsg = serde_json::from_str(text).unwrap();
        match msg {
            ServerMsg::HistoryPage(frame::HistoryPage {
                req_id: Some(_), ..
            })
            | ServerMsg::RoomJoined(frame::RoomJoined {
                req_id: Some(_), ..
            })
            | ServerMsg::MemberPage(frame::MemberPage {
                req_id: Some(_), ..
            }) => {
                served += 1;
                received_bytes += text.len();
            }
            ServerMsg::Error(frame::Error {
                code: ErrorCode::RateLimited,
                retry_after,
                req_id: Some(_),
                ..
            }) => {
                assert!(retry_after.is_some_and(|ms| ms > 0), "{text}");
                refused += 1;
            }
            _ => {}
        }
    }
    assert_eq!(
        served + refused,
        120,
        "every read is answered, one way or the other"
    );
    assert!(refused > 0, "{served} heavy reads were all served");
    // What the reads made the room send is bounded by the budget: its burst, what came
    // back while they ran, and the one answer that took it into debt.
    let bound = BURST + PER_SECOND * elapsed + 512.0 * 1024.0;
    assert!(
        (received_bytes as f64) < bound,
        "{received_bytes} bytes out for {sent_bytes} in, over {bound:.0}"
    );
    println!(
        "{served} served, {refused} refused; {sent_bytes} B in, {received_bytes} B out in {elapsed:.1} s"
    );

    // The socket stays usable, for writes at once.
    bob_socket
        .send(&ClientMsg::text("long", "still here", "b-1"))
        .await;
    let reply = bob_socket
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
    assert_eq!(error_code(&reply), None, "{reply:?}");
}

#[tokio::test]
async fn reconnecting_in_a_loop_is_closed_with_4008_once_the_read_budget_is_spent() {
    let server = server().await;
    long_room(&server).await;
    let bob = server.register("Bob").await;
    // Each connect is sent the newest 50 long messages, about 200 KiB.
    for attempt in 0..40 {
        let mut socket = Client::connect(&server, "long", Some(&bob.access_token), None)
            .await
            .expect("the upgrade is accepted");
        let first = socket.recv_frame().await;
        match first {
            ServerMsg::RoomJoined(frame::RoomJoined { .. }) => socket.leave().await,
            ServerMsg::Error(frame::Error {
                code: ErrorCode::RateLimited,
                retry_after,
                ..
            }) => {
                assert!(retry_after.is_some_and(|ms| ms > 0));
                assert_eq!(socket.closed_with().await, Some(close::READ_LIMITED));
                assert!(attempt >= 5, "refused at connect {attempt}");
                return;
            }
            other => panic!("connect {attempt}: {other:?}"),
        }
    }
    panic!("40 reconnects in a row were each sent the room's snapshot");
}

#[tokio::test]
async fn an_old_wire_version_cannot_make_the_room_send_more_than_a_new_one() {
    let server = server().await;
    long_room(&server).await;
    let bob = server.register("Bob").await;
    // A version 1 socket: `join-room` sends it the whole snapshot each time, and is
    // budgeted all the same.
    let (mut old, frames) = Client::join_on_version(&server, "long", &bob, 1).await;
    assert!(matches!(
        frames.first(),
        Some(ServerMsg::RoomJoined(frame::RoomJoined { .. }))
    ));
    for i in 0..40 {
        let frame = ClientFrame {
            req_id: Some(format!("j{i}")),
            msg: ClientMsg::JoinRoom {
                room_id: "long".into(),
            },
        };
        old.send_raw(&serde_json::to_string(&frame).unwrap()).await;
    }
    let frames = frames_until_pong(&mut old, "done").await;
    let refused = frames
        .iter()
        .filter(|t| t.contains(r#""code":"rate-limited""#))
        .count();
    let served = frames.iter().filter(|t| t.contains("room-joined")).count();
    assert!(
        refused > 0 && served < 20,
        "{served} served, {refused} refused"
    );
}

#[tokio::test]
async fn requests_an_older_socket_could_not_read_are_answered_with_the_version_they_need() {
    let server = server().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    for (version, msg, needs) in [
        (2, ClientMsg::ListMembers { after: None }, 3),
        (3, ClientMsg::ListPins {}, 4),
        (3, ClientMsg::ListBans { after: None }, 4),
    ] {
        let (mut old, _) = Client::join_on_version(&server, "lobby", &ana, version).await;
        let frame = ClientFrame {
            req_id: Some("asked".into()),
            msg: msg.clone(),
        };
        old.send_raw(&serde_json::to_string(&frame).unwrap()).await;
        match old
            .answer(|m| matches!(m, ServerMsg::Pong(frame::Pong {}) | ServerMsg::Unknown(_)))
            .await
        {
            ServerMsg::Error(frame::Error {
                code: ErrorCode::VersionRequired,
                message,
                req_id,
                ..
            }) => {
                assert_eq!(req_id.as_deref(), Some("asked"));
                assert!(message.contains(&format!("edgechat.v{needs}")), "{message}");
            }
            other => panic!("{msg:?} on version {version}: {other:?}"),
        }
        // The socket is still served.
        assert!(old.sync().await.is_empty());
    }
}
