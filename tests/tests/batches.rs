//! Batch frames (wire version 6) over real sockets: a client of version 6 and one of an
//! older version in the same room each get every message once and in seq order, under
//! load and each across a reconnect; only the newer is ever sent a `batch`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{server::Server, socket::Client};
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};

const MESSAGES: usize = 300;

/// What a socket was sent until the message `last`: each message's seq and text in the
/// order they came (the harness opens each `batch` in order, and counts those that
/// packed more than one frame).
struct Heard {
    messages: Vec<(u64, String)>,
}

async fn heard_until(client: &mut Client, last: &str, heard: &mut Heard) {
    loop {
        if let ServerMsg::Event(RoomEvent::NewMessage(message)) = client.recv_frame().await {
            let done = message.text == last;
            heard.messages.push((message.seq, message.text));
            if done {
                return;
            }
        }
    }
}

fn assert_once_in_order(who: &str, messages: &[(u64, String)], from: usize) {
    assert!(
        messages.windows(2).all(|w| w[0].0 < w[1].0),
        "{who}: seqs rise, none twice"
    );
    let texts: Vec<&str> = messages.iter().map(|(_, text)| text.as_str()).collect();
    let expected: Vec<String> = (from..MESSAGES).map(|i| format!("m{i}")).collect();
    assert_eq!(texts, expected, "{who}: every message once, in order");
}

#[tokio::test]
async fn a_newer_and_an_older_client_get_every_message_once_in_order_under_load_and_across_a_reconnect()
 {
    // The send budget lifted: the load is the subject, not the limit.
    let server = Server::builder().without_budgets().start().await;
    let ana_account = server.register("Ana").await;
    let bob_account = server.register("Bob").await;
    let olga_account = server.register("Olga").await;
    let room = server.room(&ana_account, "busy").await;
    let mut ana = Client::join(&server, &room, &ana_account).await;
    let mut bob = Client::join(&server, &room, &bob_account).await;
    let (mut olga, _) = Client::join_on_version(&server, &room, &olga_account, 5).await;

    // Sent back to back without waiting for acks: the room is busy, so frames queue.
    for i in 0..MESSAGES / 2 {
        ana.send(&ClientMsg::text(&room, format!("m{i}"), format!("c-{i}")))
            .await;
    }
    let mut bob_heard = Heard {
        messages: Vec::new(),
    };
    heard_until(&mut bob, &format!("m{}", MESSAGES / 2 - 1), &mut bob_heard).await;
    let seen = bob_heard.messages.last().unwrap().0;
    let bob_packed = bob.packed;
    drop(bob);
    let mut olga_heard = Heard {
        messages: Vec::new(),
    };
    heard_until(
        &mut olga,
        &format!("m{}", MESSAGES / 2 - 1),
        &mut olga_heard,
    )
    .await;
    let olga_seen = olga_heard.messages.last().unwrap().0;
    assert_eq!(olga.packed, 0, "version 5 is never sent a batch");
    drop(olga);
    for i in MESSAGES / 2..MESSAGES {
        ana.send(&ClientMsg::text(&room, format!("m{i}"), format!("c-{i}")))
            .await;
    }
    // Bob comes back while the rest is being sent, resuming after what he saw: the
    // replay, then what is sent live.
    let (mut bob, replay) = Client::join_since(&server, &room, &bob_account, Some(seen)).await;
    let last = format!("m{}", MESSAGES - 1);
    bob_heard
        .messages
        .extend(replay.into_iter().filter_map(|m| match m {
            ServerMsg::Event(RoomEvent::NewMessage(m)) => Some((m.seq, m.text)),
            _ => None,
        }));
    if bob_heard
        .messages
        .last()
        .is_none_or(|(_, text)| *text != last)
    {
        heard_until(&mut bob, &last, &mut bob_heard).await;
    }
    let mut ana_heard = Heard {
        messages: Vec::new(),
    };
    heard_until(&mut ana, &last, &mut ana_heard).await;
    // Olga, on version 5, comes back the same way.
    let (mut olga, replay) =
        Client::join_on_version_since(&server, &room, &olga_account, 5, Some(olga_seen)).await;
    olga_heard
        .messages
        .extend(replay.into_iter().filter_map(|m| match m {
            ServerMsg::Event(RoomEvent::NewMessage(m)) => Some((m.seq, m.text)),
            _ => None,
        }));
    if olga_heard
        .messages
        .last()
        .is_none_or(|(_, text)| *text != last)
    {
        heard_until(&mut olga, &last, &mut olga_heard).await;
    }

    assert_once_in_order("the sender (version 6)", &ana_heard.messages, 0);
    assert_once_in_order(
        "a reader across a reconnect (version 6)",
        &bob_heard.messages,
        0,
    );
    assert_once_in_order(
        "a reader of version 5 across a reconnect",
        &olga_heard.messages,
        0,
    );
    assert!(
        ana.packed + bob_packed + bob.packed > 0,
        "under load a socket of version 6 was sent frames packed together"
    );
    assert_eq!(olga.packed, 0, "version 5 is never sent a batch");
    // Still usable.
    bob.sync().await;
}

#[tokio::test]
async fn with_batch_always_even_a_lone_frame_is_packed_and_only_for_version_6() {
    let server = Server::builder().var("BATCH_ALWAYS", 1).start().await;
    let ana_account = server.register("Ana").await;
    let olga_account = server.register("Olga").await;
    let room = server.room(&ana_account, "lone").await;
    let mut ana = Client::join(&server, &room, &ana_account).await;
    let (mut olga, _) = Client::join_on_version(&server, &room, &olga_account, 5).await;
    ana.send_raw(r#"{"type":"ping","reqId":"p"}"#).await;
    assert_eq!(
        ana.recv_raw().await,
        r#"{"type":"batch","frames":[{"type":"pong"}]}"#
    );
    olga.send_raw(r#"{"type":"ping","reqId":"p"}"#).await;
    assert_eq!(olga.recv_raw().await, r#"{"type":"pong"}"#);
}
