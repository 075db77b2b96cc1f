//! `cargo xtask bench`: rooms × clients against a real `wrangler dev`, then the same load
//! against a no-logic echo object (tests/echo, a Worker of its own under its own
//! `wrangler dev`), for the ceiling.
//! `cargo xtask bench wake [--big N --small M --rounds R]`: the first read of a room with
//! a long history against one with a short one, after restarts ([`wake`]).
//!
//! Prints delivered messages per second, delivery latency percentiles (from a sender's
//! send to each receiver's frame, one process, one clock), errors, lost messages, D1
//! statements per message, and edgechat's throughput as a fraction of the echo's.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool that fails loudly

mod wake;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use edgechat_e2e::{
    account::Session,
    server::{Server, Worker},
};
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Barrier, mpsc};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message as Frame, client::IntoClientRequest, http::HeaderValue},
};

#[derive(Clone, Copy, Debug)]
struct Load {
    rooms: usize,
    clients: usize,
    messages: usize,
    /// Messages per second per sender; `None` sends the next as soon as the last is back.
    rate: Option<f64>,
}

fn parse() -> Load {
    let mut load = Load {
        rooms: 4,
        clients: 5,
        messages: 40,
        rate: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{arg} takes a number"))
        };
        match arg.as_str() {
            "--rooms" => load.rooms = value() as usize,
            "--clients" => load.clients = value() as usize,
            "--messages" => load.messages = value() as usize,
            "--rate" => load.rate = Some(value()),
            other => panic!(
                "unknown argument {other}; use --rooms N --clients M --messages K [--rate R]"
            ),
        }
    }
    assert!(
        load.clients >= 2,
        "a room needs two clients to deliver anything"
    );
    load
}

/// What one client measured.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    received: usize,
    errors: usize,
}

enum Target {
    Edgechat,
    Echo,
}

/// The shared start line: every client waits at it, and times are measured from `epoch`.
#[derive(Clone)]
struct Start {
    barrier: Arc<Barrier>,
    epoch: Instant,
}

async fn client(
    server: Arc<Server>,
    target: &'static Target,
    room: String,
    who: Session,
    index: usize,
    load: Load,
    start: Start,
) -> Tally {
    let epoch = start.epoch;
    let path = match target {
        Target::Edgechat => format!("/api/rooms/{room}/ws"),
        Target::Echo => format!("/api/bench/echo/{room}/ws"),
    };
    let mut request = server.ws_url(&path).into_client_request().unwrap();
    if matches!(target, Target::Edgechat) {
        let offer = edgechat_auth::subprotocol::offer(&who.access_token);
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(&offer).unwrap(),
        );
    }
    let (ws, _) = connect_async(request).await.expect("the socket opens");
    let (mut sink, mut stream) = ws.split();
    let (acked, mut acks) = mpsc::unbounded_channel::<()>();
    let expected = load.clients * load.messages;
    let reader = tokio::spawn(async move {
        let mut tally = Tally::default();
        while tally.received < expected {
            let Ok(Some(Ok(frame))) =
                tokio::time::timeout(Duration::from_secs(30), stream.next()).await
            else {
                break;
            };
            let Frame::Text(text) = frame else { continue };
            let body = match serde_json::from_str::<ServerMsg>(&text) {
                Ok(ServerMsg::Event(RoomEvent::NewMessage(m))) => m.text,
                Ok(ServerMsg::MessageAck { .. }) => {
                    let _ = acked.send(());
                    continue;
                }
                Ok(ServerMsg::Error { .. }) => {
                    tally.errors += 1;
                    let _ = acked.send(());
                    continue;
                }
                Ok(_) => continue,
                Err(_) => text.to_string(),
            };
            // b|sender|i|micros since the epoch
            let parts: Vec<&str> = body.split('|').collect();
            if parts.len() != 4 || parts[0] != "b" {
                continue;
            }
            let sent: u64 = parts[3].parse().unwrap_or(0);
            let now = epoch.elapsed().as_micros() as u64;
            tally.latencies_us.push(now.saturating_sub(sent));
            tally.received += 1;
            if matches!(target, Target::Echo) && parts[1] == index.to_string() {
                let _ = acked.send(());
            }
        }
        tally
    });
    start.barrier.wait().await;
    for i in 0..load.messages {
        let body = format!("b|{index}|{i}|{}", epoch.elapsed().as_micros());
        let frame = match target {
            Target::Edgechat => serde_json::to_string(&ClientMsg::text(
                room.as_str(),
                body,
                format!("{index}-{i}"),
            ))
            .unwrap(),
            Target::Echo => body,
        };
        if sink.send(Frame::text(frame)).await.is_err() {
            break;
        }
        match load.rate {
            Some(rate) => tokio::time::sleep(Duration::from_secs_f64(1.0 / rate)).await,
            None => {
                let _ = tokio::time::timeout(Duration::from_secs(10), acks.recv()).await;
            }
        }
    }
    let tally = reader.await.unwrap();
    let _ = sink.close().await;
    tally
}

struct Report {
    deliveries: usize,
    seconds: f64,
    p50: u64,
    p95: u64,
    p99: u64,
    errors: usize,
    lost: usize,
}

async fn run(
    server: &Arc<Server>,
    target: &'static Target,
    rooms: &[(String, Vec<Session>)],
    load: Load,
) -> Report {
    let total_clients = load.rooms * load.clients;
    let start = Start {
        barrier: Arc::new(Barrier::new(total_clients + 1)),
        epoch: Instant::now(),
    };
    let mut tasks = Vec::new();
    for (room, people) in rooms {
        for (index, who) in people.iter().enumerate() {
            tasks.push(tokio::spawn(client(
                server.clone(),
                target,
                room.clone(),
                who.clone(),
                index,
                load,
                start.clone(),
            )));
        }
    }
    // Everyone is connected before the clock starts; a client that could not connect
    // fails the run instead of leaving the others waiting.
    tokio::time::timeout(Duration::from_secs(60), start.barrier.wait())
        .await
        .expect("every client connects within a minute");
    let began = Instant::now();
    let mut latencies = Vec::new();
    let (mut deliveries, mut errors) = (0, 0);
    for task in tasks {
        let tally = task.await.unwrap();
        deliveries += tally.received;
        errors += tally.errors;
        latencies.extend(tally.latencies_us);
    }
    let seconds = began.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let expected = total_clients * load.clients * load.messages;
    Report {
        deliveries,
        seconds,
        p50: pick(0.50),
        p95: pick(0.95),
        p99: pick(0.99),
        errors,
        lost: expected.saturating_sub(deliveries),
    }
}

fn print(name: &str, r: &Report) {
    println!(
        "{name:<9} {:>9.0} msg/s  p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms  errors {}  lost {}",
        r.deliveries as f64 / r.seconds,
        r.p50 as f64 / 1000.0,
        r.p95 as f64 / 1000.0,
        r.p99 as f64 / 1000.0,
        r.errors,
        r.lost
    );
}

/// `wake [--big N --small M --rounds R]`, if that is what was asked for.
fn parse_wake() -> Option<wake::Wake> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("wake") {
        return None;
    }
    let mut wake = wake::Wake {
        big: 20_000,
        small: 5,
        rounds: 3,
    };
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        let value = it
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("{arg} takes a number"));
        match arg.as_str() {
            "--big" => wake.big = value,
            "--small" => wake.small = value,
            "--rounds" => wake.rounds = value.max(1),
            other => panic!("unknown argument {other}; use wake --big N --small M --rounds R"),
        }
    }
    Some(wake)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if let Some(scenario) = parse_wake() {
        wake::run(scenario).await;
        return;
    }
    let load = parse();
    println!("bench: {load:?}");
    let server = Arc::new(
        Server::builder()
            .var("BENCH", 1)
            .without_budgets()
            .var("MAX_SOCKETS_PER_USER", 1_000)
            .start()
            .await,
    );
    let mut rooms = Vec::new();
    for r in 0..load.rooms {
        let mut people = Vec::new();
        for c in 0..load.clients {
            people.push(server.register(&format!("bench{r}x{c}")).await);
        }
        let room = server.room(&people[0], &format!("bench-{r}")).await;
        rooms.push((room, people));
    }
    // Started before either run, so neither measures the other's start-up.
    let ceiling = Arc::new(Server::builder().worker(Worker::Echo).start().await);
    let edgechat = run(&server, &Target::Edgechat, &rooms, load).await;
    let echo = run(&ceiling, &Target::Echo, &rooms, load).await;

    // Let the write-behind catch up, then count what it cost.
    let sent = (load.rooms * load.clients * load.messages) as u64;
    let deadline = Instant::now() + Duration::from_secs(20);
    let messages = loop {
        let n = server.count("messages");
        if n >= sent || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let stats = server.query("SELECT COALESCE(SUM(statements), 0) AS s, COALESCE(SUM(batches), 0) AS b FROM archive_stats");
    let statements = stats[0]["s"].as_u64().unwrap_or(0);
    let batches = stats[0]["b"].as_u64().unwrap_or(0);

    println!();
    print("edgechat", &edgechat);
    print("echo", &echo);
    let fraction =
        (edgechat.deliveries as f64 / edgechat.seconds) / (echo.deliveries as f64 / echo.seconds);
    println!(
        "edgechat reaches {:.0}% of the echo ceiling",
        fraction * 100.0
    );
    println!(
        "D1: {messages} of {sent} messages archived in {batches} batches, {statements} statements: {:.2} statements per message",
        statements as f64 / messages.max(1) as f64
    );
}
