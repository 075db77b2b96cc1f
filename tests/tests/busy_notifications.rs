//! A room's notifications keep up with its messages (docs/security.md, "Notifications
//! that fall behind"): in a busy room whose members have the app open elsewhere, every
//! member's unread count is right within seconds of the last message, however many
//! batches owed them one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use edgechat_e2e::{
    account::Session,
    server::Server,
    socket::{Client, error_code},
    wait::eventually,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, NotificationKind, ServerMsg};
use futures_util::{StreamExt, stream};

const MEMBERS: usize = 300;
const MESSAGES: u64 = 20;

/// Runs `f` over `items`, eight at a time, keeping their order.
async fn eight_at_a_time<T, U, F: std::future::Future<Output = U>>(
    items: impl IntoIterator<Item = T>,
    f: impl FnMut(T) -> F,
) -> Vec<U> {
    stream::iter(items).map(f).buffered(8).collect().await
}

#[tokio::test]
async fn in_a_busy_room_every_members_count_is_right_within_seconds_of_the_last_message() {
    let server = Server::builder()
        .var("RATE_PER_WINDOW", 1_000_000)
        .var("RATE_BURST", 1_000_000)
        .var("STATUS_RELAY_MS", 1)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "town").await;
    let people: Vec<Session> = eight_at_a_time(0..MEMBERS, |i| {
        let server = &server;
        async move { server.register(&format!("Member{i}")).await }
    })
    .await;
    // Each joins the room once and closes it; D1 lists them as members.
    eight_at_a_time(&people, |person| {
        let server = &server;
        async move { Client::join(server, "town", person).await.leave().await }
    })
    .await;
    eventually("D1 lists every member", async || {
        let rows = server
            .query("SELECT COUNT(*) AS n FROM room_members WHERE room_id = 'town' AND member = 1");
        rows[0]["n"].as_u64() == Some(MEMBERS as u64 + 1)
    })
    .await;
    // Then their app is open elsewhere: an inbox socket each, which the room hears of.
    let mut inboxes: Vec<Client> = eight_at_a_time(&people, |person| {
        let server = &server;
        async move { Client::inbox(server, person).await.0 }
    })
    .await;
    eventually("the room knows every member's inbox is open", async || {
        let live: u64 = server
            .room_db("town")
            .query_row(
                "SELECT COUNT(*) FROM members WHERE status != 'offline'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        live >= MEMBERS as u64
    })
    .await;

    // Ana talks for a few seconds: several write-behind batches, each owing 300 counts.
    let mut talker = Client::join(&server, "town", &ana).await;
    for i in 0..MESSAGES {
        talker
            .send(&ClientMsg::text(
                "town",
                format!("news {i}"),
                format!("n-{i}"),
            ))
            .await;
        let reply = talker
            .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
        assert_eq!(error_code(&reply), None, "{reply:?}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let last = Instant::now();

    // Every member's newest count says 20, and says it soon.
    let readers = inboxes.iter_mut().map(|inbox| async move {
        let reached = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                if let ServerMsg::Notification(frame::Notification {
                    room_id,
                    kind: NotificationKind::Unread,
                    unread_count: Some(count),
                    ..
                }) = inbox.recv_any().await
                    && room_id == "town"
                    && count == MESSAGES
                {
                    return Instant::now();
                }
            }
        })
        .await;
        reached.ok().map(|at| at.saturating_duration_since(last))
    });
    let latencies = futures_util::future::join_all(readers).await;
    let missing = latencies.iter().filter(|l| l.is_none()).count();
    assert_eq!(
        missing, 0,
        "{missing} members never saw the count of {MESSAGES}"
    );
    let slowest = latencies
        .iter()
        .flatten()
        .max()
        .copied()
        .unwrap_or_default();
    println!("the slowest of {MEMBERS} counts came {slowest:?} after the last message");
    assert!(
        slowest <= Duration::from_secs(5),
        "the slowest count came {slowest:?} after the last message"
    );
}
