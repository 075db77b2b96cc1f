//! Arrivals over real sockets: a client of version 5 hears a burst of joins in a few
//! `members-arrived` frames, one of version 4 a `user-joined` per join, and both end with
//! every join exactly once, in seq order, before what came after them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};

const JOINERS: usize = 12;

/// What one socket was sent until the message `text`: the joins, by seq in the order they
/// came (opened out of `members-arrived` as the client's reducer does, skipping those at
/// or below the head it already had), and how many frames of each kind carried them.
struct Heard {
    joins: Vec<(String, u64)>,
    one_by_one: usize,
    together: usize,
}

async fn heard_until(client: &mut Client, head: u64, text: &str) -> Heard {
    let mut heard = Heard {
        joins: Vec::new(),
        one_by_one: 0,
        together: 0,
    };
    loop {
        match client.recv_frame().await {
            ServerMsg::Event(RoomEvent::UserJoined { user_id, seq, .. }) => {
                heard.one_by_one += 1;
                heard.joins.push((user_id, seq));
            }
            ServerMsg::MembersArrived(frame::MembersArrived { joined, .. }) => {
                heard.together += 1;
                for event in joined {
                    let RoomEvent::UserJoined { user_id, seq, .. } = event else {
                        panic!("not a join: {event:?}");
                    };
                    if seq > head {
                        heard.joins.push((user_id, seq));
                    }
                }
            }
            ServerMsg::Event(RoomEvent::NewMessage(message)) if message.text == text => {
                assert!(
                    heard.joins.iter().all(|(_, seq)| *seq < message.seq),
                    "a join came after the message that followed it"
                );
                return heard;
            }
            _ => {}
        }
    }
}

fn head_of(frames: &[ServerMsg]) -> u64 {
    match frames.first() {
        Some(ServerMsg::RoomJoined(joined)) => joined.head_seq,
        other => panic!("first frame was {other:?}"),
    }
}

#[tokio::test]
async fn a_burst_of_joins_reaches_newer_and_older_clients_each_join_once_and_in_order() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let olga = server.register("Olga").await;
    let room = server.room(&ana, "launch").await;
    let (mut newest, frames) = Client::join_since(&server, &room, &ana, None).await;
    let newest_head = head_of(&frames);
    let (mut older, frames) = Client::join_on_version(&server, &room, &olga, 4).await;
    let older_head = head_of(&frames);
    let mut accounts = Vec::new();
    for i in 0..JOINERS {
        accounts.push(server.register(&format!("Joiner{i}")).await);
    }
    // All at once, as at a launch.
    let joiners = futures_util::future::join_all(
        accounts
            .iter()
            .map(|who| Client::join_since(&server, &room, who, None)),
    )
    .await;
    newest
        .send(&ClientMsg::text(&room, "welcome, all", "w-1"))
        .await;

    for (heard, name) in [
        (
            heard_until(&mut newest, newest_head, "welcome, all").await,
            "v5",
        ),
        (
            heard_until(&mut older, older_head, "welcome, all").await,
            "v4",
        ),
    ] {
        let mut expected: Vec<&str> = accounts.iter().map(|a| a.user_id.as_str()).collect();
        expected.push(&olga.user_id);
        let mut ids: Vec<&str> = heard.joins.iter().map(|(id, _)| id.as_str()).collect();
        ids.sort();
        expected.sort();
        expected.dedup();
        // The v4 socket joined after Olga: it hears only those after it.
        if name == "v4" {
            expected.retain(|id| *id != olga.user_id);
        }
        assert_eq!(ids, expected, "{name}: every join once");
        assert!(
            heard.joins.windows(2).all(|w| w[0].1 < w[1].1),
            "{name}: in seq order: {:?}",
            heard.joins
        );
        if name == "v5" {
            assert_eq!(heard.one_by_one, 0, "v5 hears joins only told together");
            assert!(heard.together >= 1);
        } else {
            assert_eq!(heard.together, 0, "v4 is never sent a frame of version 5");
            assert_eq!(heard.one_by_one, JOINERS);
        }
    }
    // Every joiner's own socket is usable and counted the room.
    for (_, frames) in &joiners {
        let Some(ServerMsg::RoomJoined(joined)) = frames.first() else {
            panic!("{frames:?}");
        };
        assert!(joined.online_count.is_some_and(|n| n >= 3));
        assert!(joined.member_count >= 3);
    }
}
