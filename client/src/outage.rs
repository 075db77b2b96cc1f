//! "Some features are unavailable": what the workspace says while the server answers
//! 503 (D1 or R2 down for a while), until it recovers by itself. A request that met a
//! 503 starts one probe of `/api/health`, every `Retry-After`, which clears the notice
//! once the stores answer again (and the workspace then reloads its room list). The chat itself goes on:
//! rooms already open keep sending and receiving over their sockets.

use std::cell::{Cell, RefCell};

use dioxus::prelude::*;

/// How long the probe waits between tries, as the server's `Retry-After` asks.
const PROBE_MS: u32 = 5_000;

thread_local! {
    /// The workspace's notice, while one is shown.
    static NOTICE: RefCell<Option<Signal<bool>>> = const { RefCell::new(None) };
    /// Whether a probe is running.
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// The workspace's notice: whether some features are unavailable now.
pub fn use_outage() -> Signal<bool> {
    let notice = use_signal(|| false);
    use_hook(move || NOTICE.set(Some(notice)));
    use_drop(|| NOTICE.set(None));
    notice
}

/// A request met a 503: show the notice, and probe until the server is back.
pub fn noticed() {
    if let Some(mut notice) = NOTICE.with_borrow(|n| *n) {
        notice.set(true);
    }
    if PROBING.replace(true) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(PROBE_MS).await;
            let answer = gloo_net::http::Request::get("/api/health").send().await;
            if answer.is_ok_and(|a| a.status() == 200) {
                break;
            }
        }
        PROBING.set(false);
        if let Some(mut notice) = NOTICE.with_borrow(|n| *n) {
            notice.set(false);
        }
    });
}
