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

use edgechat_protocol::PROTOCOL_VERSION;
use wasm_bindgen::{JsValue, prelude::wasm_bindgen};
use worker::{Env, State, js_sys};

/// The first wire version whose sockets are sent `batch`.
pub const SINCE: u32 = 6;

// Entries are `[frame, conn, except]`: a frame for one socket (`conn`) or for every
// batching socket but `except`. At a flush, the sockets named by an entry get a frame of
// their own; every other batching socket gets the one frame made of the shared entries.
#[wasm_bindgen(inline_js = r#"
const queues = new WeakMap();
function queue(state) {
  let q = queues.get(state);
  if (q === undefined) {
    q = { entries: [], timer: null, last: 0 };
    queues.set(state, q);
  }
  return q;
}
function packed(frames, always) {
  return frames.length === 1 && !always ? frames[0] : '{"type":"batch","frames":[' + frames.join(',') + ']}';
}
export function outbox_push(state, frame, conn, except) {
  queue(state).entries.push([frame, conn, except]);
}
export function outbox_flush(state, tags, always) {
  const q = queues.get(state);
  if (q === undefined) return;
  if (q.timer !== null) {
    clearTimeout(q.timer);
    q.timer = null;
  }
  if (q.entries.length === 0) return;
  const entries = q.entries;
  q.entries = [];
  q.last = Date.now();
  const named = new Set();
  for (const [, conn, except] of entries) {
    if (conn !== undefined) named.add(conn);
    if (except !== undefined) named.add(except);
  }
  const skip = [];
  for (const conn of named) {
    const mine = entries
      .filter(([, c, e]) => c === conn || (c === undefined && e !== conn))
      .map(([frame]) => frame);
    for (const ws of state.getWebSockets(conn)) {
      skip.push(ws);
      if (mine.length === 0 || !state.getTags(ws).some((t) => tags.includes(t))) continue;
      try { ws.send(packed(mine, always)); } catch (_) {}
    }
  }
  const shared = entries.filter(([, c]) => c === undefined).map(([frame]) => frame);
  if (shared.length === 0) return;
  const frame = packed(shared, always);
  for (const tag of tags) {
    for (const ws of state.getWebSockets(tag)) {
      if (skip.length !== 0 && skip.includes(ws)) continue;
      try { ws.send(frame); } catch (_) {}
    }
  }
}
export function outbox_end_turn(state, tags, always, window_ms) {
  const q = queues.get(state);
  if (q === undefined || q.entries.length === 0 || q.timer !== null) return;
  const wait = Date.now() - q.last < window_ms ? window_ms : 0;
  q.timer = setTimeout(() => outbox_flush(state, tags, always), wait);
}
"#)]
extern "C" {
    fn outbox_push(
        state: &JsValue,
        frame: &js_sys::JsString,
        conn: Option<&str>,
        except: Option<&str>,
    );
    fn outbox_flush(state: &JsValue, tags: &js_sys::Array, always: bool);
    fn outbox_end_turn(state: &JsValue, tags: &js_sys::Array, always: bool, window_ms: f64);
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

    /// Queues `frame` for the socket `conn`, or for every batching socket but `except`.
    pub fn push(state: &State, frame: &js_sys::JsString, conn: Option<&str>, except: Option<&str>) {
        outbox_push(state.as_raw().as_ref(), frame, conn, except);
    }

    /// Sends everything queued now: before anything that must not overtake it (a close,
    /// a frame sent straight to a socket).
    pub fn flush(&self, state: &State) {
        outbox_flush(state.as_raw().as_ref(), &tags(), self.always);
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

/// The version tags of the sockets that are sent `batch`.
fn tags() -> js_sys::Array {
    (SINCE..=PROTOCOL_VERSION)
        .map(|v| JsValue::from_str(&format!("v{v}")))
        .collect()
}
