//! Exactly-once delivery under forced disconnects: a client sends 1,000 messages while
//! its socket is dropped 20 times at random, resending what was not acknowledged with the
//! same client ids and reconnecting with `since`. Every message ends up stored once, in
//! seq order, as seen by the sender and by another client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use edgechat_e2e::{account::Session, server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, Seq, ServerMsg};

const MESSAGES: usize = 1_000;
const DROPS: usize = 20;
const WINDOW: usize = 16;

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// What one client has seen of the room: messages by seq, and the highest seq.
#[derive(Default)]
struct View {
    messages: BTreeMap<Seq, String>,
    head: Seq,
    duplicates: usize,
}

impl View {
    fn see(&mut self, msg: &ServerMsg) {
        if let Some(seq) = msg.seq() {
            if seq <= self.head {
                self.duplicates += 1;
                return;
            }
            self.head = seq;
        }
        if let ServerMsg::Event(RoomEvent::NewMessage(m)) = msg {
            self.messages.insert(m.seq, m.text.clone());
        }
    }

    fn check(&self, who: &str) {
        assert_eq!(self.duplicates, 0, "{who} saw events twice");
        let texts: Vec<&String> = self.messages.values().collect();
        let expected: Vec<String> = (0..MESSAGES).map(|i| format!("m{i:04}")).collect();
        assert_eq!(texts.len(), MESSAGES, "{who} saw {} messages", texts.len());
        let distinct: BTreeSet<&String> = texts.iter().copied().collect();
        assert_eq!(distinct.len(), MESSAGES, "{who} saw a message twice");
        assert!(
            texts.iter().zip(&expected).all(|(a, b)| *a == b),
            "{who} saw them out of order"
        );
    }
}

async fn reconnect(server: &Server, who: &Session, view: &mut View) -> Client {
    let (client, frames) = Client::join_since(server, "lobby", who, Some(view.head)).await;
    for frame in &frames {
        assert!(
            !matches!(frame, ServerMsg::Resync(frame::Resync { .. })),
            "the gap should replay"
        );
        view.see(frame);
    }
    client
}

#[tokio::test]
async fn a_thousand_messages_through_twenty_dropped_sockets_arrive_exactly_once() {
    let server = Server::builder()
        .var("RATE_PER_WINDOW", 1_000_000)
        .var("RATE_BURST", 1_000_000)
        .start()
        .await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let mut watcher_view = View::default();
    let mut watcher = reconnect(&server, &bob, &mut watcher_view).await;
    let mut view = View::default();
    let mut socket = reconnect(&server, &ana, &mut view).await;

    let seed = 0x5eed_u64;
    let mut rng = Lcg(seed);
    let mut drop_points: BTreeSet<usize> = BTreeSet::new();
    while drop_points.len() < DROPS {
        drop_points.insert(1 + rng.next(MESSAGES - 1));
    }
    println!("seed {seed:#x}; dropping after sends {drop_points:?}");

    let mut unacked: BTreeMap<usize, ()> = BTreeMap::new();
    let mut acked: BTreeSet<usize> = BTreeSet::new();
    let mut next = 0;
    let send = |i: usize| ClientMsg::text("lobby", format!("m{i:04}"), format!("ana-{i}"));
    while acked.len() < MESSAGES {
        while next < MESSAGES && unacked.len() < WINDOW {
            socket.send(&send(next)).await;
            unacked.insert(next, ());
            next += 1;
            if drop_points.remove(&next) {
                // The connection dies mid-flight; what was not acked is sent again with
                // the same client ids once the socket is back.
                drop(socket);
                socket = reconnect(&server, &ana, &mut view).await;
                for i in unacked.keys() {
                    socket.send(&send(*i)).await;
                }
            }
        }
        let msg = socket.recv().await;
        view.see(&msg);
        match msg {
            ServerMsg::MessageAck(frame::MessageAck { client_msg_id, .. }) => {
                let i: usize = client_msg_id.trim_start_matches("ana-").parse().unwrap();
                unacked.remove(&i);
                acked.insert(i);
            }
            ServerMsg::Error(frame::Error { message, .. }) => panic!("refused: {message}"),
            _ => {}
        }
    }
    // Everything after the last acked event reaches the sender too.
    for msg in socket.sync().await {
        view.see(&msg);
    }
    view.check("the sender");

    while watcher_view.messages.len() < MESSAGES {
        let msg = watcher.recv().await;
        watcher_view.see(&msg);
    }
    watcher_view.check("the other client");
}
