//! The load engine every scenario runs: clients that connect at once, senders that send
//! closed loop (each sends its next message when its own previous one comes back) or at a
//! fixed rate, a warm-up that is not measured, a measured window, and a drain.
//!
//! Every message carries `b|<sender>|<n>|<µs since the epoch>` as its text, so each
//! receiver measures its latency on one clock, in one process. The same frames go to
//! edgechat (as `send-message`) and to the echo Worker (as they are).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use edgechat_e2e::server::Server;
use edgechat_protocol::ClientMsg;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Barrier, mpsc};

use crate::profile::Profiler;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message as Frame, client::IntoClientRequest, http::HeaderValue},
};

/// What the load is put through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Edgechat,
    Echo,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Edgechat => "edgechat",
            Target::Echo => "echo",
        }
    }
}

/// How senders send.
#[derive(Clone, Copy, Debug)]
pub enum Pace {
    /// The next message when one's own previous one comes back.
    Closed,
    /// Messages per second, per sender, on a fixed schedule.
    Rate(f64),
}

/// One run's shape; the rooms and their people come with it.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub senders_per_room: usize,
    pub pace: Pace,
    pub warmup: Duration,
    pub measured: Duration,
}

/// A room and the access tokens of the clients that join it, one client each (the echo
/// ignores the tokens).
pub struct Room {
    pub id: String,
    pub tokens: Vec<String>,
}

/// What a run measured.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Frames of messages received in the measured window, per second.
    pub deliveries_per_s: f64,
    /// Latency percentiles of the messages sent in the measured window, in µs.
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub max: u64,
    /// Every message of every phase, times the clients of its room, that never arrived.
    pub lost: u64,
    /// Messages a client was sent more than once (each repeat counted).
    pub duplicated: u64,
    /// Error frames received.
    pub errors: u64,
    /// WebSocket frames received per message delivered: below 1 when `batch` frames
    /// carry several.
    pub frames_per_delivery: f64,
    /// Messages sent in all phases.
    pub sent: u64,
    /// From the first connection attempt until the last client had joined.
    pub joined_in: Duration,
    /// edgechat only: the room objects' storage reads and writes once every client had
    /// joined, so what the run then sends can be counted apart from the joins.
    pub storage_at_start: (u64, u64),
    /// edgechat only: the first room object's runtime sends and outbox flushes by then.
    pub sends_at_start: (u64, u64),
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    /// (sent at, latency) in µs since the epoch.
    deliveries: Vec<(u64, u64)>,
    received: u64,
    /// Each message received, by its sender and send time: a second copy is a duplicate.
    seen: std::collections::HashSet<(usize, u64)>,
    duplicated: u64,
    errors: u64,
    /// WebSocket text frames received that carried at least one message.
    frames: u64,
    joined_at: Duration,
}

/// How long a closed-loop sender waits for its own message before sending the next anyway
/// (the missing one is counted as lost at the end).
const CLOSED_LOOP_WAIT: Duration = Duration::from_secs(10);
/// How long receivers keep reading after the senders stop.
const DRAIN: Duration = Duration::from_secs(5);

/// Runs so far in this process: each run's `clientMsgId`s are its own, or a later run on
/// the same server and accounts would be answered as resends of an earlier one's.
static RUNS: AtomicU64 = AtomicU64::new(0);

/// Puts `plan` through `target` on `server` with one client per person of every room.
pub async fn run(server: &Arc<Server>, target: Target, rooms: &[Room], plan: Plan) -> Report {
    run_profiled(server, target, rooms, plan, None).await.0
}

/// [`run`], with `profiler` sampling from the first connection until every client has
/// joined; its profile is returned.
pub async fn run_profiled(
    server: &Arc<Server>,
    target: Target,
    rooms: &[Room],
    plan: Plan,
    mut profiler: Option<&mut Profiler>,
) -> (Report, Option<serde_json::Value>) {
    if let Some(profiler) = profiler.as_deref_mut() {
        profiler.start().await;
    }
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let clients: usize = rooms.iter().map(|room| room.tokens.len()).sum();
    println!("  {}: connecting {clients} clients", target.name());
    let epoch = Instant::now();
    let ready = Arc::new(Barrier::new(clients + 1));
    let sent: Vec<Arc<AtomicU64>> = rooms.iter().map(|_| Arc::default()).collect();
    let senders_done = Arc::new(AtomicU64::new(0));
    let total_senders: u64 = rooms
        .iter()
        .map(|room| plan.senders_per_room.min(room.tokens.len()) as u64)
        .sum();
    let mut tasks = Vec::with_capacity(clients);
    for (r, room) in rooms.iter().enumerate() {
        for (index, token) in room.tokens.iter().enumerate() {
            let client = Client {
                server: server.clone(),
                target,
                room: room.id.clone(),
                token: token.clone(),
                index,
                run,
                sender: index < plan.senders_per_room,
                plan,
                epoch,
                ready: ready.clone(),
                sent: sent[r].clone(),
                senders_done: senders_done.clone(),
                total_senders,
            };
            tasks.push(tokio::spawn(client.run()));
        }
    }
    // Everyone has joined before the clock starts; a client that could not join fails
    // the run instead of leaving the others waiting.
    if tokio::time::timeout(Duration::from_secs(300), ready.wait())
        .await
        .is_err()
    {
        // What the server said is what explains it: its log's tail, then the failure.
        let log = server.log();
        let tail: Vec<&str> = log.lines().rev().take(60).collect();
        for line in tail.iter().rev() {
            eprintln!("  server: {line}");
        }
        panic!("not every client joined within five minutes");
    }
    let profile = match profiler {
        Some(profiler) => Some(profiler.stop().await),
        None => None,
    };
    let started = epoch.elapsed().as_micros() as u64;
    let (storage_at_start, sends_at_start) = match (target, rooms.first()) {
        (Target::Edgechat, Some(room)) => (
            storage(server, &room.id).await,
            sends(server, &room.id).await,
        ),
        _ => ((0, 0), (0, 0)),
    };

    let mut report = Report::default();
    let window_start = started + plan.warmup.as_micros() as u64;
    let window_end = window_start + plan.measured.as_micros() as u64;
    let mut latencies = Vec::new();
    let mut in_window = 0u64;
    let mut received = 0u64;
    let mut frames = 0u64;
    let mut slowest_join = Duration::ZERO;
    for task in tasks {
        let tally = task.await.expect("a client task");
        received += tally.received;
        frames += tally.frames;
        report.errors += tally.errors;
        report.duplicated += tally.duplicated;
        slowest_join = slowest_join.max(tally.joined_at);
        for (sent_at, latency) in tally.deliveries {
            let arrived = sent_at + latency;
            if (window_start..window_end).contains(&arrived) {
                in_window += 1;
            }
            if (window_start..window_end).contains(&sent_at) {
                latencies.push(latency);
            }
        }
    }
    report.joined_in = slowest_join;
    report.storage_at_start = storage_at_start;
    report.sends_at_start = sends_at_start;
    let expected: u64 = rooms
        .iter()
        .zip(&sent)
        .map(|(room, sent)| sent.load(Ordering::Relaxed) * room.tokens.len() as u64)
        .sum();
    report.sent = sent.iter().map(|s| s.load(Ordering::Relaxed)).sum();
    report.lost = expected.saturating_sub(received);
    report.frames_per_delivery = frames as f64 / received.max(1) as f64;
    report.deliveries_per_s = in_window as f64 / plan.measured.as_secs_f64();
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    report.p50 = pick(0.50);
    report.p95 = pick(0.95);
    report.p99 = pick(0.99);
    report.max = latencies.last().copied().unwrap_or(0);
    (report, profile)
}

struct Client {
    server: Arc<Server>,
    target: Target,
    room: String,
    token: String,
    index: usize,
    run: u64,
    sender: bool,
    plan: Plan,
    epoch: Instant,
    ready: Arc<Barrier>,
    /// Messages sent to this client's room so far, by all its senders.
    sent: Arc<AtomicU64>,
    senders_done: Arc<AtomicU64>,
    total_senders: u64,
}

impl Client {
    async fn run(self) -> Tally {
        let (mut sink, mut stream) = open(&self.server, self.target, &self.room, &self.token).await;
        let mut tally = Tally {
            joined_at: self.epoch.elapsed(),
            ..Tally::default()
        };
        self.ready.wait().await;

        let (own_back, mut own) = mpsc::unbounded_channel::<()>();
        let index = self.index;
        let epoch = self.epoch;
        let sent = self.sent.clone();
        let senders_done = self.senders_done.clone();
        let total_senders = self.total_senders;
        let reader = tokio::spawn(async move {
            let mut drain_from: Option<Instant> = None;
            loop {
                if senders_done.load(Ordering::Relaxed) == total_senders {
                    // Everything sent is counted: read until it has all come, or the drain ends.
                    if tally.received >= sent.load(Ordering::Relaxed) {
                        break;
                    }
                    let since = *drain_from.get_or_insert_with(Instant::now);
                    if since.elapsed() > DRAIN {
                        break;
                    }
                }
                let next = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
                let frame = match next {
                    Err(_) => continue,
                    Ok(Some(Ok(frame))) => frame,
                    Ok(_) => break,
                };
                let Frame::Text(text) = frame else { continue };
                // An error alone, or inside a `batch`.
                tally.errors += text.matches(r#"{"type":"error""#).count() as u64;
                let now = epoch.elapsed().as_micros() as u64;
                let mut carried = false;
                for (from, sent_at) in markers(&text) {
                    carried = true;
                    if !tally.seen.insert((from, sent_at)) {
                        tally.duplicated += 1;
                        continue;
                    }
                    tally
                        .deliveries
                        .push((sent_at, now.saturating_sub(sent_at)));
                    tally.received += 1;
                    if from == index {
                        let _ = own_back.send(());
                    }
                }
                tally.frames += u64::from(carried);
            }
            tally
        });

        if self.sender {
            let began = Instant::now();
            let stop = began + self.plan.warmup + self.plan.measured;
            let mut n = 0u64;
            while Instant::now() < stop {
                let body = format!("b|{index}|{n}|{}", self.epoch.elapsed().as_micros());
                let frame = match self.target {
                    Target::Edgechat => serde_json::to_string(&ClientMsg::text(
                        self.room.as_str(),
                        body,
                        format!("{}-{index}-{n}", self.run),
                    ))
                    .expect("a frame"),
                    Target::Echo => body,
                };
                if sink.send(Frame::text(frame)).await.is_err() {
                    break;
                }
                self.sent.fetch_add(1, Ordering::Relaxed);
                n += 1;
                match self.plan.pace {
                    Pace::Closed => {
                        let _ = tokio::time::timeout(CLOSED_LOOP_WAIT, own.recv()).await;
                    }
                    Pace::Rate(rate) => {
                        let due = began + Duration::from_secs_f64(n as f64 / rate);
                        tokio::time::sleep_until(due.into()).await;
                    }
                }
            }
            self.senders_done.fetch_add(1, Ordering::Relaxed);
        }
        let tally = reader.await.expect("the reader");
        let _ = sink.close().await;
        tally
    }
}

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Frame,
>;
type Stream = futures_util::stream::SplitStream<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
>;

/// Opens one client's socket to its room; on edgechat, returns once `room-joined` came.
async fn open(server: &Server, target: Target, room: &str, token: &str) -> (Sink, Stream) {
    let path = match target {
        Target::Edgechat => format!("/api/rooms/{room}/ws"),
        Target::Echo => format!("/api/bench/echo/{room}/ws"),
    };
    let mut request = server
        .ws_url(&path)
        .into_client_request()
        .expect("a valid URL");
    if target == Target::Edgechat {
        let offer = edgechat_auth::subprotocol::offer(token);
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(&offer).expect("a header value"),
        );
    }
    let (ws, _) = connect_async(request).await.expect("the socket opens");
    let (sink, mut stream) = ws.split();
    if target == Target::Edgechat {
        // Joined when the room's first frame has come, alone or first in a `batch`.
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(300), stream.next())
                .await
                .expect("room-joined in time")
                .expect("the socket stays open")
                .expect("a frame");
            if let Frame::Close(close) = &frame {
                panic!("closed before room-joined: {close:?}");
            }
            if let Frame::Text(text) = frame
                && (text.starts_with(r#"{"type":"room-joined""#)
                    || text.starts_with(r#"{"type":"batch","frames":[{"type":"room-joined""#))
            {
                break;
            }
        }
    }
    (sink, stream)
}

/// Every client of `rooms` joins its room for the first time, `at_once` at a time, and
/// leaves its socket; returns how long that took. Afterwards each is a member, as the
/// users reconnecting after a deploy are.
pub async fn arrive(server: &Server, rooms: &[Room], at_once: usize) -> Duration {
    let began = Instant::now();
    let clients = rooms
        .iter()
        .flat_map(|room| room.tokens.iter().map(move |token| (&room.id, token)));
    futures_util::stream::iter(clients)
        .for_each_concurrent(at_once, |(room, token)| async move {
            let (mut sink, _stream) = open(server, Target::Edgechat, room, token).await;
            let _ = sink.close().await;
        })
        .await;
    began.elapsed()
}

/// The sender and send time of each message in a frame: an echoed frame, an edgechat
/// `new-message`, or a `batch` of them, read without decoding the rest (the bench must
/// not be the bottleneck).
fn markers(text: &str) -> Vec<(usize, u64)> {
    if text.starts_with("b|") {
        return marker(text).into_iter().collect();
    }
    const TEXT: &str = r#""text":"b|"#;
    text.match_indices(TEXT)
        .filter_map(|(at, _)| {
            let rest = &text[at + TEXT.len() - 2..];
            marker(&rest[..rest.find('"')?])
        })
        .collect()
}

/// The sender and send time in one message's text, `b|<sender>|<n>|<µs>`.
fn marker(text: &str) -> Option<(usize, u64)> {
    let body = text.strip_prefix("b|")?;
    let mut parts = body.split('|');
    let from = parts.next()?.parse().ok()?;
    let _n = parts.next()?;
    let sent_at = parts.next()?.parse().ok()?;
    Some((from, sent_at))
}

/// The storage reads and writes the room objects have run so far: the bench build counts
/// them per isolate, and `wrangler dev` runs every object in one, so the first room's
/// answer is all of them. Asked only once every client has joined: a request to the room
/// just before a thousand first joins has stalled some of them under `wrangler dev`
/// (docs/performance.md, 2026-12-06).
pub async fn storage(server: &Server, room: &str) -> (u64, u64) {
    let counts = counts(server, room).await;
    (
        counts["reads"].as_u64().unwrap_or(0),
        counts["writes"].as_u64().unwrap_or(0),
    )
}

/// The runtime sends `room`'s object has made so far (a frame to one of its sockets, or
/// a delivery to one of its shards), and the flushes of its outbox they were made in.
pub async fn sends(server: &Server, room: &str) -> (u64, u64) {
    let counts = counts(server, room).await;
    (
        counts["sends"].as_u64().unwrap_or(0),
        counts["flushes"].as_u64().unwrap_or(0),
    )
}

async fn counts(server: &Server, room: &str) -> serde_json::Value {
    reqwest::get(server.http_url(&format!("/api/bench/rooms/{room}/storage")))
        .await
        .expect("the bench build answers")
        .json()
        .await
        .expect("storage counts")
}

#[cfg(test)]
mod tests {
    use super::markers;

    #[test]
    fn the_markers_are_read_from_every_kind_of_frame() {
        assert_eq!(markers("b|3|17|123456"), vec![(3, 123_456)]);
        let frame = r#"{"type":"new-message","seq":4,"text":"b|2|0|99","authorId":"u"}"#;
        assert_eq!(markers(frame), vec![(2, 99)]);
        let batch = r#"{"type":"batch","frames":[{"type":"message-ack","clientMsgId":"2-0"},{"type":"new-message","text":"b|2|0|99"},{"type":"new-message","text":"b|5|1|120"}]}"#;
        assert_eq!(markers(batch), vec![(2, 99), (5, 120)]);
        assert!(markers(r#"{"type":"message-ack","clientMsgId":"2-0"}"#).is_empty());
    }
}
