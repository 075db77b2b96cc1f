//! `cargo xtask bench wake`: does a room's first read after a restart cost more when it has
//! a long history? One room with many messages, one with a few, the server restarted on
//! the same state, the first history read of each timed; then, on a fresh server, only
//! the big room woken and the growth of the WebAssembly memory (and of workerd's resident
//! memory) reported.

use std::time::{Duration, Instant};

use edgechat_e2e::{account::Session, server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg};

/// The rooms of the scenario, and how many times it restarts to time them.
pub struct Wake {
    pub big: usize,
    pub small: usize,
    pub rounds: usize,
}

/// `wake`'s options: `--big N --small M --rounds R`.
pub fn parse(args: &[String]) -> Result<Wake, String> {
    let mut wake = Wake {
        big: 20_000,
        small: 5,
        rounds: 3,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| format!("{arg} takes a number"))?;
        match arg.as_str() {
            "--big" => wake.big = value,
            "--small" => wake.small = value,
            "--rounds" => wake.rounds = value.max(1),
            other => return Err(format!("unknown argument {other:?} for wake")),
        }
    }
    Ok(wake)
}

fn server(state: &std::path::Path) -> edgechat_e2e::server::Builder {
    Server::builder()
        .state_dir(state)
        .without_budgets()
        // Short grace and write-behind delay, so no alarm is pending when the filling
        // server stops: an alarm firing at the next start would wake a room unasked.
        .var("PRESENCE_GRACE_MS", 200)
        .var("ARCHIVE_DELAY_MS", 200)
}

/// Sends `count` messages to `room`, a hundred in flight at a time.
async fn fill(server: &Server, who: &Session, room: &str, count: usize) {
    let mut client = Client::join(server, room, who).await;
    let mut sent = 0;
    while sent < count {
        let batch = (count - sent).min(100);
        for i in sent..sent + batch {
            client
                .send(&ClientMsg::text(
                    room,
                    format!("message {i}"),
                    format!("w-{i}"),
                ))
                .await;
        }
        let mut acked = 0;
        while acked < batch {
            match client.recv().await {
                ServerMsg::MessageAck(frame::MessageAck { .. }) => acked += 1,
                ServerMsg::Error(frame::Error { message, .. }) => {
                    panic!("filling {room}: {message}")
                }
                _ => {}
            }
        }
        sent += batch;
    }
}

/// The time of one history read, which wakes the room if it sleeps.
async fn first_read(server: &Server, who: &Session, room: &str) -> Duration {
    let began = Instant::now();
    let (status, body) = server
        .get_as(
            &format!("/api/rooms/{room}/messages?limit=50"),
            &who.access_token,
        )
        .await;
    let took = began.elapsed();
    assert_eq!(status, 200, "reading {room}: {body}");
    took
}

/// The isolate's WebAssembly memory, from the bench-only route (`None` on a build
/// without it).
async fn wasm_memory(server: &Server) -> Option<u64> {
    let (status, body) = server.get_as("/api/bench/memory", "").await;
    (status == 200)
        .then(|| body["wasmMemoryBytes"].as_u64())
        .flatten()
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

pub async fn run(wake: Wake) {
    println!(
        "bench wake: a room of {} messages and one of {}, first reads after {} restarts",
        wake.big, wake.small, wake.rounds
    );
    let state = tempfile::tempdir().expect("a state directory");
    let who = {
        let server = server(state.path()).start().await;
        let who = server.register("waker").await;
        server.room(&who, "big").await;
        server.room(&who, "small").await;
        let began = Instant::now();
        fill(&server, &who, "big", wake.big).await;
        fill(&server, &who, "small", wake.small).await;
        println!(
            "filled in {:.1} s ({:.0} messages/s)",
            began.elapsed().as_secs_f64(),
            (wake.big + wake.small) as f64 / began.elapsed().as_secs_f64()
        );
        // Let the write-behind and the presence grace finish, so the restarts measure
        // the rooms and not them.
        tokio::time::sleep(Duration::from_secs(3)).await;
        who
    };

    let (mut big, mut small) = (Vec::new(), Vec::new());
    for round in 0..wake.rounds {
        let server = server(state.path()).start().await;
        // Warm the isolate on neither room, so both reads pay only for waking a room.
        let _ = server.get_as("/api/me", &who.access_token).await;
        // Alternate which room is read first, so neither always meets a colder isolate.
        let rooms = if round % 2 == 0 {
            ["small", "big"]
        } else {
            ["big", "small"]
        };
        for room in rooms {
            let took = first_read(&server, &who, room).await;
            if room == "big" {
                big.push(took);
            } else {
                small.push(took);
            }
        }
    }
    let (big, small) = (median(big), median(small));
    println!(
        "first read after a restart (median of {}): {} messages {:.1} ms, {} messages {:.1} ms: {:.2}x",
        wake.rounds,
        wake.big,
        big.as_secs_f64() * 1000.0,
        wake.small,
        small.as_secs_f64() * 1000.0,
        big.as_secs_f64() / small.as_secs_f64()
    );

    for room in ["small", "big"] {
        // A fresh server each, so each reading is of that one room's wake.
        let server = server(state.path()).start().await;
        let (wasm_before, rss_before) = (wasm_memory(&server).await, server.workerd_rss_kib());
        first_read(&server, &who, room).await;
        let (wasm_after, rss_after) = (wasm_memory(&server).await, server.workerd_rss_kib());
        let messages = if room == "big" { wake.big } else { wake.small };
        match (wasm_before, wasm_after) {
            (Some(before), Some(after)) => println!(
                "waking only the room of {messages}: WebAssembly memory {} KiB -> {} KiB (+{} KiB)",
                before / 1024,
                after / 1024,
                after.saturating_sub(before) / 1024
            ),
            _ => println!(
                "waking only the room of {messages}: this build reports no WebAssembly memory"
            ),
        }
        if let (Some(before), Some(after)) = (rss_before, rss_after) {
            println!(
                "waking only the room of {messages}: workerd resident memory {before} KiB -> {after} KiB (+{} KiB)",
                after.saturating_sub(before)
            );
        }
    }
}
