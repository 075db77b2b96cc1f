//! Batch frames (wire version 6): what a room has for its sockets of that version is
//! queued, and sent by a timer of 0 ms set at the end of the turn, which runs once the
//! events already waiting have had their turns: one frame per socket, several frames
//! packed into one `batch` in the order they were queued (docs/protocol.md, `batch`).
//! Under load, a turn that ends within the window of the last send sets the timer to the
//! window's length instead, so a busy room sends each socket one frame per window.
//! Sockets of older versions never wait: they are sent to at once, as before.
//!
//! The queue is in memory, for at most the window: a timer that is pending keeps the
//! object awake, and what a socket loses if the object dies meanwhile is what a dropped
//! connection loses (its client resumes with `since`, and resends an unacked message,
//! which the room answers with its original ack).

use edgechat_protocol::{PROTOCOL_VERSION, Seq};
use wasm_bindgen::{JsValue, prelude::wasm_bindgen};
use worker::{Env, State, js_sys};

/// The first wire version whose sockets are sent `batch`.
pub const SINCE: u32 = edgechat_core::shards::SINCE_VERSION;

// Entries are `[frame, conn, except, seq, close]`: a frame for one socket (`conn`) or for
// every batching socket but `except`, with its seq if it is a durable event; or, with no
// frame, the close of a socket a shard holds (`close` is `[code, reason]`). At a flush,
// the sockets named by an entry get a frame of their own; every other batching socket gets
// the one frame made of the shared entries. Each shard the room has sockets on is sent
// one delivery (`ShardCall::Deliver` in `stubs.rs`): the shared entries and those of its
// sockets, with the durable seqs it covers (`from` after the last delivery, `to` now).
// A socket joining a shard is answered with its shard's delivery of what is queued then
// (`capture`), and the next flush sends that shard only what was queued after. On a
// shard, a joining socket (`pending`) gets nothing before its first frame of its own.
#[wasm_bindgen(inline_js = r#"
const queues = new WeakMap();
function queue(state) {
  let q = queues.get(state);
  if (q === undefined) {
    q = { entries: [], timer: null, last: 0, head: 0, sent: 0, sentTo: new Map(), shards: [],
          taken: new Map(), pending: new Set(), room: '', ns: null, stubs: new Map(), lose: 0,
          lost: [], sends: 0, flushes: 0 };
    queues.set(state, q);
  }
  return q;
}
function packed(frames, always) {
  return frames.length === 1 && !always ? frames[0] : '{"type":"batch","frames":[' + frames.join(',') + ']}';
}
function shardOf(conn) {
  return conn != null && conn[0] === 's' ? parseInt(conn.slice(1), 10) : -1;
}
export function outbox_push(state, frame, conn, except, seq) {
  queue(state).entries.push([frame, conn, except, seq]);
}
export function outbox_close(state, conn, code, reason) {
  queue(state).entries.push([undefined, conn, undefined, undefined, [code, reason]]);
}
export function outbox_head(state, head) {
  queue(state).head = head;
}
export function outbox_loaded(state, head) {
  const q = queue(state);
  if (q.sent === 0) q.sent = q.head = head;
}
export function outbox_shards(state, ns, room, shards) {
  const q = queue(state);
  q.ns = ns;
  q.room = room;
  q.shards = shards;
}
export function outbox_lose(state, n) {
  queue(state).lose = n;
}
export function outbox_sends(state) {
  const q = queues.get(state);
  return q === undefined ? [0, 0] : [q.sends, q.flushes];
}
export function outbox_lost(state) {
  const q = queues.get(state);
  if (q === undefined || q.lost.length === 0) return [];
  const lost = q.lost;
  q.lost = [];
  return lost;
}
export function outbox_pending(state, conn) {
  queue(state).pending.add(conn);
}
function sendLocal(q, state, all, tags, always) {
  const entries = all.filter((e) => e[0] !== undefined);
  if (entries.length === 0) return;
  const named = new Set();
  for (const [, conn, except] of entries) {
    if (conn !== undefined) named.add(conn);
    if (except !== undefined) named.add(except);
  }
  // A socket still joining gets nothing before its first frame of its own (its
  // `room-joined`): what was queued before it came is not for it.
  const skip = [];
  for (const conn of q.pending) {
    const sockets = state.getWebSockets(conn);
    if (sockets.length === 0) q.pending.delete(conn);
    for (const ws of sockets) skip.push(ws);
  }
  for (const conn of named) {
    let start = 0;
    if (q.pending.has(conn)) {
      start = entries.findIndex(([, c]) => c === conn);
      if (start < 0) continue;
      q.pending.delete(conn);
    }
    const mine = entries
      .slice(start)
      .filter(([, c, e]) => c === conn || (c === undefined && e !== conn))
      .map(([frame]) => frame);
    for (const ws of state.getWebSockets(conn)) {
      skip.push(ws);
      if (mine.length === 0 || !state.getTags(ws).some((t) => tags.includes(t))) continue;
      q.sends++;
      try { ws.send(packed(mine, always)); } catch (_) {}
    }
  }
  const shared = entries.filter(([, c]) => c === undefined).map(([frame]) => frame);
  if (shared.length === 0) return;
  const frame = packed(shared, always);
  for (const tag of tags) {
    for (const ws of state.getWebSockets(tag)) {
      if (skip.length !== 0 && skip.includes(ws)) continue;
      q.sends++;
      try { ws.send(frame); } catch (_) {}
    }
  }
}
function deliver(q, k, epoch, body) {
  q.sends++;
  if (q.lose > 0) {
    q.lose--;
    return;
  }
  let stub = q.stubs.get(k);
  if (stub === undefined) {
    stub = q.ns.get(q.ns.idFromName(q.room + '#shard-' + k));
    q.stubs.set(k, stub);
  }
  const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body };
  stub.fetch('https://object.internal/', init).then(
    (answer) => { if (answer.status === 410) q.lost.push([k, epoch]); },
    () => {},
  );
}
function forShard(q, k) {
  const mine = q.entries
    .slice(q.taken.get(k) ?? 0)
    .filter(([, c]) => c === undefined || shardOf(c) === k);
  return mine;
}
function delivery(q, k, mine) {
  const from = q.sentTo.get(k) ?? q.sent;
  q.sentTo.set(k, q.head);
  return JSON.stringify({ deliver: { room: q.room, shard: k, from, to: q.head, entries: mine } });
}
export function outbox_flush(state, tags, always) {
  const q = queues.get(state);
  if (q === undefined) return;
  if (q.timer !== null) {
    clearTimeout(q.timer);
    q.timer = null;
  }
  if (q.entries.length === 0) return;
  q.last = Date.now();
  q.flushes++;
  sendLocal(q, state, q.entries, tags, always);
  for (const [k, epoch] of q.shards) {
    const mine = forShard(q, k);
    // A shard with nothing in this flush keeps its place: the seqs since were not for it.
    if (mine.length !== 0) deliver(q, k, epoch, delivery(q, k, mine));
  }
  q.entries = [];
  q.taken.clear();
}
export function outbox_capture(state, k) {
  const q = queue(state);
  const body = delivery(q, k, forShard(q, k));
  q.taken.set(k, q.entries.length);
  q.sends++;
  return body;
}
export function outbox_end_turn(state, tags, always, window_ms) {
  const q = queues.get(state);
  if (q === undefined || q.entries.length === 0 || q.timer !== null) return;
  const wait = Date.now() - q.last < window_ms ? window_ms : 0;
  q.timer = setTimeout(() => outbox_flush(state, tags, always), wait);
}
export function shard_apply(state, pulled, entries, floor, tags, always) {
  const q = queue(state);
  for (const frame of pulled) q.entries.push([frame, undefined, undefined, undefined]);
  const closes = [];
  for (const [frame, conn, except, seq, close] of JSON.parse(entries)) {
    const c = conn === null ? undefined : conn;
    if (close != null) {
      q.entries.push([undefined, c, undefined, undefined, close]);
      q.pending.delete(c);
      closes.push([c, close[0], close[1]]);
    } else if (c !== undefined || seq == null || seq > floor) {
      q.entries.push([frame, c, except === null ? undefined : except, seq === null ? undefined : seq]);
    }
  }
  outbox_flush(state, tags, always);
  return closes;
}
"#)]
extern "C" {
    fn outbox_push(
        state: &JsValue,
        frame: &js_sys::JsString,
        conn: Option<&str>,
        except: Option<&str>,
        seq: Option<f64>,
    );
    fn outbox_close(state: &JsValue, conn: &str, code: u16, reason: &str);
    fn outbox_head(state: &JsValue, head: f64);
    fn outbox_loaded(state: &JsValue, head: f64);
    fn outbox_shards(state: &JsValue, ns: &JsValue, room: &str, shards: &js_sys::Array);
    #[cfg(feature = "bench")]
    fn outbox_lose(state: &JsValue, n: u32);
    #[cfg(feature = "bench")]
    fn outbox_sends(state: &JsValue) -> js_sys::Array;
    fn outbox_lost(state: &JsValue) -> js_sys::Array;
    fn outbox_flush(state: &JsValue, tags: &js_sys::Array, always: bool);
    fn outbox_capture(state: &JsValue, shard: f64) -> String;
    fn outbox_pending(state: &JsValue, conn: &str);
    fn outbox_end_turn(state: &JsValue, tags: &js_sys::Array, always: bool, window_ms: f64);
    fn shard_apply(
        state: &JsValue,
        pulled: &js_sys::Array,
        entries: &str,
        floor: f64,
        tags: &js_sys::Array,
        always: bool,
    ) -> js_sys::Array;
}

/// How an object batches: read once from its vars.
#[derive(Clone, Copy)]
pub struct Batching {
    /// `BATCH_WINDOW_MS` (default 4): how long a busy room holds its frames.
    pub window_ms: u64,
    /// `BATCH_ALWAYS`: even a lone frame goes as a `batch` (for tests of the client).
    pub always: bool,
}

impl Batching {
    pub fn from_env(env: &Env) -> Self {
        Batching {
            window_ms: crate::config::number(env, "BATCH_WINDOW_MS", 4),
            always: crate::config::string(env, "BATCH_ALWAYS").is_some_and(|v| v != "0"),
        }
    }

    /// Queues `frame` for the socket `conn`, or for every batching socket but `except`;
    /// `seq` is the durable event's it carries.
    pub fn push(
        state: &State,
        frame: &js_sys::JsString,
        conn: Option<&str>,
        except: Option<&str>,
        seq: Option<Seq>,
    ) {
        let seq = seq.map(|seq| seq as f64);
        outbox_push(state.as_raw().as_ref(), frame, conn, except, seq);
    }

    /// Queues the close of `conn`, a socket a shard holds, after what is queued for it.
    pub fn close_remote(state: &State, conn: &str, code: u16, reason: &str) {
        outbox_close(state.as_raw().as_ref(), conn, code, reason);
    }

    /// The room's head seq after a step: what the next delivery to shards covers.
    pub fn set_head(state: &State, head: Seq) {
        outbox_head(state.as_raw().as_ref(), head as f64);
    }

    /// A room loaded after a wake: what it stored before is what its shards were sent
    /// (or lost, and a shard pulls it at the next delivery).
    pub fn loaded(state: &State, head: Seq) {
        outbox_loaded(state.as_raw().as_ref(), head as f64);
    }

    /// The shards the room has sockets on, each with its life (`epoch`), and what to
    /// reach them by.
    pub fn set_shards(state: &State, ns: &JsValue, room: &str, shards: &[(u32, String)]) {
        let list: js_sys::Array = shards
            .iter()
            .map(|(shard, epoch)| {
                let pair = js_sys::Array::new();
                pair.push(&JsValue::from(*shard));
                pair.push(&JsValue::from_str(epoch));
                JsValue::from(pair)
            })
            .collect();
        outbox_shards(state.as_raw().as_ref(), ns, room, &list);
    }

    /// The bench build's fault: the next `n` deliveries to shards are lost.
    #[cfg(feature = "bench")]
    pub fn lose(state: &State, n: u32) {
        outbox_lose(state.as_raw().as_ref(), n);
    }

    /// The bench build's counts: the runtime sends (a frame to a socket, a delivery to a
    /// shard) this object's outbox has made, and its flushes.
    #[cfg(feature = "bench")]
    pub fn sends(state: &State) -> (u64, u64) {
        let counts = outbox_sends(state.as_raw().as_ref());
        let at = |i| counts.get(i).as_f64().unwrap_or(0.0) as u64;
        (at(0), at(1))
    }

    /// The shards that answered a delivery with no socket at all, each with the life the
    /// room knew it by: that life's sockets are gone.
    pub fn lost(state: &State) -> Vec<(u32, String)> {
        outbox_lost(state.as_raw().as_ref())
            .iter()
            .filter_map(|pair| {
                let pair = js_sys::Array::from(&pair);
                Some((pair.get(0).as_f64()? as u32, pair.get(1).as_string()?))
            })
            .collect()
    }

    /// Sends everything queued now: before anything that must not overtake it (a close,
    /// a frame sent straight to a socket).
    pub fn flush(&self, state: &State) {
        outbox_flush(state.as_raw().as_ref(), &tags(), self.always);
    }

    /// Shard `shard`'s delivery of what is queued now, handed back (the answer to its
    /// socket's joining) rather than sent; the rest waits for the flush as it would.
    pub fn capture(state: &State, shard: u32) -> String {
        outbox_capture(state.as_raw().as_ref(), f64::from(shard))
    }

    /// A shard's side: `conn` is joining, and gets nothing before its first frame of its
    /// own (its `room-joined`), whatever is delivered to the others meanwhile.
    pub fn joining(state: &State, conn: &str) {
        outbox_pending(state.as_raw().as_ref(), conn);
    }

    /// A shard's side: what the room delivered, sent to its sockets: `pulled` (durable
    /// events it fetched after a gap) first, then `entries` but the durable events at or
    /// before `floor`, which its sockets already have. Returns the closes among them.
    pub fn apply(
        &self,
        state: &State,
        pulled: &[String],
        entries: &str,
        floor: Seq,
    ) -> Vec<(String, u16, String)> {
        let pulled: js_sys::Array = pulled.iter().map(|f| JsValue::from_str(f)).collect();
        shard_apply(
            state.as_raw().as_ref(),
            &pulled,
            entries,
            floor as f64,
            &tags(),
            self.always,
        )
        .iter()
        .filter_map(|close| {
            let close = js_sys::Array::from(&close);
            Some((
                close.get(0).as_string()?,
                close.get(1).as_f64()? as u16,
                close.get(2).as_string().unwrap_or_default(),
            ))
        })
        .collect()
    }

    /// The end of a turn: sends what is queued once the events already waiting have had
    /// their turns, or, in a busy room, after one window.
    pub fn end_turn(&self, state: &State) {
        outbox_end_turn(
            state.as_raw().as_ref(),
            &tags(),
            self.always,
            self.window_ms as f64,
        );
    }
}

/// Whether `conn` is a socket a shard holds (`edgechat_core::shards::shard_of`).
pub fn is_remote(conn: &str) -> bool {
    edgechat_core::shards::shard_of(conn).is_some()
}

/// The version tags of the sockets that are sent `batch`.
fn tags() -> js_sys::Array {
    (SINCE..=PROTOCOL_VERSION)
        .map(|v| JsValue::from_str(&format!("v{v}")))
        .collect()
}
