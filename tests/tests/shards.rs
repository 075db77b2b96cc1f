//! Rooms bigger than one object, over real sockets: with a room that holds two sockets
//! itself and two per shard, members on the room and on different shards see one order
//! and every event once, resume by `since` across a reconnect that lands on another
//! shard, and lose nothing to a lost delivery or a shard that restarts mid-stream.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::Session, server::Server, socket::Client};
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg, close};
use serde_json::json;

/// The room holds two sockets itself; each shard holds two.
async fn sharded() -> Server {
    Server::builder()
        .without_budgets()
        .var("SHARD_AFTER", 2)
        .var("SHARD_SOCKETS", 2)
        .start()
        .await
}

/// Each message's seq and text a socket is sent until it has `count`, in the order sent.
async fn messages(client: &mut Client, count: usize) -> Vec<(u64, String)> {
    let mut heard = Vec::new();
    while heard.len() < count {
        if let ServerMsg::Event(RoomEvent::NewMessage(message)) = client.recv_frame().await {
            heard.push((message.seq, message.text));
        }
    }
    heard
}

fn assert_once_in_order(who: &str, heard: &[(u64, String)]) {
    assert!(
        heard.windows(2).all(|w| w[0].0 < w[1].0),
        "{who}: seqs rise, none twice: {heard:?}"
    );
}

/// `count` members of a new room, each with a socket open, in the order they joined:
/// the first two on the room, then two on shard 0, two on shard 1, and so on.
async fn members(server: &Server, room: &str, count: usize) -> (Vec<Session>, Vec<Client>) {
    let mut sessions = Vec::new();
    let mut clients = Vec::new();
    for i in 0..count {
        let who = server.register(&format!("Member{i}")).await;
        if i == 0 {
            server.room(&who, room).await;
        }
        clients.push(Client::join(server, room, &who).await);
        sessions.push(who);
    }
    (sessions, clients)
}

/// Whether shard `shard` of `room` held the socket: restarting it closes them.
async fn restart(server: &Server, room: &str, shard: u32) {
    server
        .bench(
            &format!("/api/bench/rooms/{room}/shards/{shard}/restart"),
            &json!({}),
        )
        .await;
}

#[tokio::test]
async fn members_on_the_room_and_on_two_shards_see_one_order_and_every_message_once() {
    let server = sharded().await;
    let (_, mut clients) = members(&server, "big", 6).await;
    // Every member sends at once, without waiting for acks.
    for (i, client) in clients.iter_mut().enumerate() {
        for n in 0..10 {
            client
                .send(&ClientMsg::text(
                    "big",
                    format!("{i}-{n}"),
                    format!("c-{i}-{n}"),
                ))
                .await;
        }
    }
    let mut orders = Vec::new();
    for (i, client) in clients.iter_mut().enumerate() {
        let heard = messages(client, 60).await;
        assert_once_in_order(&format!("member {i}"), &heard);
        orders.push(heard);
    }
    for (i, order) in orders.iter().enumerate() {
        assert_eq!(order, &orders[0], "member {i} saw the order member 0 saw");
    }

    // Members 2 and 3 are on shard 0: restarting it drops them and nobody else.
    restart(&server, "big", 0).await;
    assert_eq!(clients[2].closed_with().await, Some(1012));
    assert_eq!(clients[3].closed_with().await, Some(1012));
    clients[0]
        .send(&ClientMsg::text("big", "after", "c-after"))
        .await;
    for i in [0, 1, 4, 5] {
        let heard = messages(&mut clients[i], 1).await;
        assert_eq!(heard[0].1, "after", "member {i} is still served");
    }
}

#[tokio::test]
async fn members_joining_busy_shards_get_room_joined_first_then_each_later_message_once() {
    // A long batch window, so frames wait in the room's queue when a socket joins.
    let server = Server::builder()
        .without_budgets()
        .var("SHARD_AFTER", 2)
        .var("SHARD_SOCKETS", 2)
        .var("BATCH_WINDOW_MS", 100)
        .start()
        .await;
    let (_, mut clients) = members(&server, "big", 4).await;
    let mut sender = clients.remove(0);
    let mut joiners = Vec::new();
    for i in 0..4 {
        joiners.push(server.register(&format!("Joiner{i}")).await);
    }
    // Messages stream while four more join, two to each of two new shards at once, and
    // end with "done" once all four have joined.
    let joining = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let streaming = joining.clone();
    let sending = tokio::spawn(async move {
        let mut i = 0;
        while streaming.load(std::sync::atomic::Ordering::SeqCst) {
            let text = format!("m{i}");
            sender
                .send(&ClientMsg::text("big", text.clone(), format!("c-{i}")))
                .await;
            // Closed loop: the next once the room has sent this one back.
            assert_eq!(messages(&mut sender, 1).await[0].1, text);
            i += 1;
        }
        sender.send(&ClientMsg::text("big", "done", "c-done")).await;
        sender
    });
    let joined = futures_util::future::join_all(
        joiners
            .iter()
            .map(|who| Client::join_since(&server, "big", who, None)),
    )
    .await;
    joining.store(false, std::sync::atomic::Ordering::SeqCst);
    for (i, (mut client, frames)) in joined.into_iter().enumerate() {
        let Some(ServerMsg::RoomJoined(joined)) = frames.first() else {
            panic!("joiner {i}: the first frame was {:?}", frames.first());
        };
        let head = joined.head_seq;
        let mut heard: Vec<(u64, String)> = frames[1..]
            .iter()
            .filter_map(|frame| match frame {
                ServerMsg::Event(RoomEvent::NewMessage(m)) => Some((m.seq, m.text.clone())),
                _ => None,
            })
            .collect();
        while heard.last().is_none_or(|(_, text)| text != "done") {
            if let ServerMsg::Event(RoomEvent::NewMessage(m)) = client.recv_frame().await {
                heard.push((m.seq, m.text));
            }
        }
        assert_once_in_order(&format!("joiner {i}"), &heard);
        assert!(
            heard.iter().all(|(seq, _)| *seq > head),
            "joiner {i}: nothing its room-joined already held (head {head}): {heard:?}"
        );
    }
    sending.await.expect("the sender");
}

#[tokio::test]
async fn a_reconnect_that_lands_on_another_shard_resumes_by_since() {
    let server = sharded().await;
    let (sessions, mut clients) = members(&server, "big", 4).await;
    clients[0].send(&ClientMsg::text("big", "one", "c-1")).await;
    let seen = messages(&mut clients[3], 1).await[0].0;
    // Member 3 leaves shard 0, and another member takes its place there.
    clients.pop().unwrap().leave().await;
    let newcomer = server.register("Newcomer").await;
    let _newcomer = Client::join(&server, "big", &newcomer).await;
    for text in ["two", "three"] {
        clients[0]
            .send(&ClientMsg::text("big", text, format!("c-{text}")))
            .await;
    }
    messages(&mut clients[1], 3).await;

    // Member 3 comes back on shard 1, with what it missed and nothing twice.
    let (mut back, frames) = Client::join_since(&server, "big", &sessions[3], Some(seen)).await;
    let replayed: Vec<String> = frames
        .iter()
        .filter_map(|frame| match frame {
            ServerMsg::Event(RoomEvent::NewMessage(message)) => Some(message.text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(replayed, ["two", "three"]);
    clients[0]
        .send(&ClientMsg::text("big", "four", "c-4"))
        .await;
    assert_eq!(messages(&mut back, 1).await[0].1, "four");
    // It is on shard 1: restarting shard 0 leaves it be, restarting shard 1 drops it.
    restart(&server, "big", 0).await;
    restart(&server, "big", 1).await;
    assert_eq!(back.closed_with().await, Some(1012));
}

#[tokio::test]
async fn a_lost_delivery_to_a_shard_is_repaired_by_the_gap_pull() {
    let server = sharded().await;
    let (_, mut clients) = members(&server, "big", 4).await;
    // The next delivery, shard 0's, is lost on the way.
    server
        .bench(
            "/api/bench/rooms/big/faults",
            &json!({ "loseDeliveries": 1 }),
        )
        .await;
    clients[0]
        .send(&ClientMsg::text("big", "lost", "c-1"))
        .await;
    assert_eq!(messages(&mut clients[1], 1).await[0].1, "lost");
    clients[0]
        .send(&ClientMsg::text("big", "next", "c-2"))
        .await;
    // Shard 0's members get the lost message before the next, each once.
    for i in [2, 3] {
        let heard = messages(&mut clients[i], 2).await;
        assert_once_in_order(&format!("member {i}"), &heard);
        let texts: Vec<&str> = heard.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["lost", "next"], "member {i}");
    }
}

#[tokio::test]
async fn a_shard_that_lost_more_than_a_clients_replay_window_catches_up_a_page_at_a_time() {
    let server = Server::builder()
        .without_budgets()
        .var("SHARD_AFTER", 2)
        .var("SHARD_SOCKETS", 2)
        .var("MAX_REPLAY", 3)
        .start()
        .await;
    let (_, mut clients) = members(&server, "big", 4).await;
    // Shard 0's next five deliveries, one per message, are lost on the way.
    server
        .bench(
            "/api/bench/rooms/big/faults",
            &json!({ "loseDeliveries": 5 }),
        )
        .await;
    let mut sent = Vec::new();
    for i in 1..=5 {
        let text = format!("lost {i}");
        clients[0]
            .send(&ClientMsg::text("big", &text, format!("c-{i}")))
            .await;
        assert_eq!(messages(&mut clients[1], 1).await[0].1, text);
        sent.push(text);
    }
    clients[0]
        .send(&ClientMsg::text("big", "next", "c-6"))
        .await;
    sent.push("next".to_owned());
    // Five behind is past the window of three a client may resume across: the shard
    // pulls two pages, and its members get all six in order, each once.
    for i in [2, 3] {
        let heard = messages(&mut clients[i], 6).await;
        assert_once_in_order(&format!("member {i}"), &heard);
        let texts: Vec<&str> = heard.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, sent, "member {i}");
    }
}

#[tokio::test]
async fn a_shard_restarted_mid_stream_loses_nothing() {
    let server = sharded().await;
    let (sessions, mut clients) = members(&server, "big", 4).await;
    let total = 60;
    let mut heard = messages_sent_while(&server, &mut clients, total).await;
    // Members 2 and 3 were on shard 0; they reconnect with `since` and get the rest.
    for i in [2, 3] {
        let seen = heard[i].last().map_or(0, |(seq, _)| *seq);
        let (mut back, frames) = Client::join_since(&server, "big", &sessions[i], Some(seen)).await;
        for frame in frames {
            if let ServerMsg::Event(RoomEvent::NewMessage(message)) = frame {
                heard[i].push((message.seq, message.text));
            }
        }
        let missing = total - heard[i].len();
        heard[i].extend(messages(&mut back, missing).await);
    }
    let expected: Vec<String> = (0..total).map(|n| format!("m{n}")).collect();
    for (i, heard) in heard.iter().enumerate() {
        assert_once_in_order(&format!("member {i}"), heard);
        let texts: Vec<String> = heard.iter().map(|(_, t)| t.clone()).collect();
        assert_eq!(texts, expected, "member {i}: every message once");
    }
}

/// Member 0 sends `total` messages, and shard 0 restarts halfway; what each member heard
/// until it had them all or its socket closed.
async fn messages_sent_while(
    server: &Server,
    clients: &mut [Client],
    total: usize,
) -> Vec<Vec<(u64, String)>> {
    for n in 0..total {
        if n == total / 2 {
            restart(server, "big", 0).await;
        }
        clients[0]
            .send(&ClientMsg::text("big", format!("m{n}"), format!("c-{n}")))
            .await;
    }
    let mut heard = Vec::new();
    for client in clients.iter_mut() {
        let mut mine = Vec::new();
        while mine.len() < total {
            match client.recv_frame_or_close().await {
                Some(ServerMsg::Event(RoomEvent::NewMessage(message))) => {
                    mine.push((message.seq, message.text));
                }
                Some(_) => {}
                None => break,
            }
        }
        heard.push(mine);
    }
    heard
}

#[tokio::test]
async fn typing_and_kicks_reach_across_shards() {
    let server = sharded().await;
    let (sessions, mut clients) = members(&server, "big", 6).await;
    // Member 5, on shard 1, types: the room's and shard 0's members see it.
    clients[5]
        .send(&ClientMsg::TypingStart {
            room_id: "big".into(),
        })
        .await;
    for i in [0, 2] {
        let told = clients[i]
            .recv_until_any(|m| matches!(m, ServerMsg::TypingIndicator(_)))
            .await;
        let ServerMsg::TypingIndicator(typing) = told else {
            unreachable!()
        };
        assert_eq!(typing.user_id, sessions[5].user_id, "member {i}");
        assert!(typing.is_typing);
    }
    // The admin, on the room, kicks member 3, on shard 0: its socket closes there.
    clients[0]
        .send(&ClientMsg::KickUser {
            user_id: sessions[3].user_id.clone(),
        })
        .await;
    assert_eq!(clients[3].closed_with().await, Some(close::KICKED));
}

#[tokio::test]
async fn the_socket_cap_counts_a_users_sockets_on_every_shard() {
    let server = Server::builder()
        .without_budgets()
        .var("SHARD_AFTER", 2)
        .var("SHARD_SOCKETS", 2)
        .var("MAX_SOCKETS_PER_USER", 3)
        .start()
        .await;
    let (sessions, _clients) = members(&server, "big", 2).await;
    // Member 1's sockets: one on the room, two on shard 0, one on shard 1.
    let mut own = Vec::new();
    for _ in 0..3 {
        own.push(Client::join(&server, "big", &sessions[1]).await);
    }
    // The fourth of theirs (counting the room's) closes the oldest, on the room.
    assert_eq!(own.len(), 3);
    let mut first = _clients.into_iter().nth(1).unwrap();
    assert_eq!(first.closed_with().await, Some(close::TOO_MANY_SOCKETS));
}

#[tokio::test]
async fn tokens_expire_on_a_shard_unless_refreshed_in_place_and_a_reloaded_room_remembers() {
    let server = Server::builder()
        .var("ACCESS_TTL_MS", 4_000)
        .var("SHARD_AFTER", 1)
        .var("SHARD_SOCKETS", 2)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let cleo = server.register("Cleo").await;
    server.room(&ana, "big").await;
    let _on_the_room = Client::join(&server, "big", &ana).await;
    let mut kept = Client::join(&server, "big", &bob).await;
    let mut lapsed = Client::join(&server, "big", &cleo).await;
    edgechat_e2e::tokens::a_fresh_token_keeps_the_socket_and_none_closes_it(
        &server,
        &bob,
        &mut kept,
        &mut lapsed,
    )
    .await;
    // The room loads again, as after a wake: it knows Bob's socket by its fresh token.
    server
        .bench("/api/bench/rooms/big/reload", &json!({}))
        .await;
    kept.send(&ClientMsg::text("big", "still here", "c-1"))
        .await;
    let acked = kept.answer(|m| matches!(m, ServerMsg::MessageAck(_))).await;
    assert!(matches!(acked, ServerMsg::MessageAck(_)), "{acked:?}");
}

#[tokio::test]
async fn a_reloaded_room_finds_its_shards_sockets_and_counts_them_online() {
    let server = sharded().await;
    let (sessions, mut clients) = members(&server, "big", 4).await;
    server
        .bench("/api/bench/rooms/big/reload", &json!({}))
        .await;
    // Member 3, on shard 0, is still the room's: what it sends is stored and reaches all.
    clients[3]
        .send(&ClientMsg::text("big", "from a shard", "c-1"))
        .await;
    for (i, client) in clients.iter_mut().enumerate() {
        assert_eq!(messages(client, 1).await[0].1, "from a shard", "member {i}");
    }
    // A newcomer, on shard 1, is told everyone online, on the room and on shards.
    let newcomer = server.register("Newcomer").await;
    let (_, frames) = Client::join_since(&server, "big", &newcomer, None).await;
    let Some(ServerMsg::RoomJoined(joined)) = frames.first() else {
        panic!("room-joined first: {frames:?}");
    };
    assert_eq!(joined.online_count, Some(sessions.len() as u64 + 1));
}

#[tokio::test]
async fn a_users_send_budget_is_one_across_the_shards_holding_their_sockets() {
    let server = Server::builder()
        .var("SHARD_AFTER", 1)
        .var("SHARD_SOCKETS", 1)
        .var("RATE_BURST", 4)
        .var("RATE_PER_WINDOW", 4)
        .var("RATE_WINDOW_MS", 600_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    server.room(&ana, "big").await;
    let _on_the_room = Client::join(&server, "big", &ana).await;
    // Bob's two sockets: one on shard 0, one on shard 1.
    let mut first = Client::join(&server, "big", &bob).await;
    let mut second = Client::join(&server, "big", &bob).await;
    let mut answers = Vec::new();
    for n in 0..5 {
        let socket = if n < 2 { &mut first } else { &mut second };
        socket
            .send(&ClientMsg::text("big", format!("m{n}"), format!("c-{n}")))
            .await;
        let answer = socket
            .answer(|m| matches!(m, ServerMsg::MessageAck(_) | ServerMsg::Error(_)))
            .await;
        answers.push(edgechat_e2e::socket::error_code(&answer));
    }
    // Four sends of the budget of four, wherever they came from; the fifth is refused.
    assert_eq!(
        answers,
        [
            None,
            None,
            None,
            None,
            Some(edgechat_protocol::ErrorCode::RateLimited)
        ]
    );
}
