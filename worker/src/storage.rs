//! The one place the Worker and its objects open D1 and R2, and what their failures mean
//! at the door. A store that is down for a while (D1 refusing statements, R2 not
//! answering) is answered 503 with `Retry-After`, never a 500 or a hang; a connected
//! room goes on without D1 (its own SQLite holds the log; the write-behind catches up).
//!
//! In the bench build an outage can be switched on (`/api/bench/outages/…`), for as long
//! as `OUTAGE_MS` says: every statement and every bucket call then fails as the real
//! store's would. The deployed build has no such switch.

use edgechat_protocol::ErrorCode;
use worker::{Bucket, D1Database, Env, Error, Response, Result};

use crate::http;

/// How long a client is asked to wait before trying again, in seconds.
pub const RETRY_AFTER_S: u64 = 5;

/// The database.
pub fn d1(env: &Env) -> Result<D1Database> {
    #[cfg(feature = "bench")]
    if outage::is_on(outage::Store::D1) {
        return Err(Error::RustError(outage::D1_ERROR.into()));
    }
    env.d1("DB")
}

/// The bucket of file bytes.
pub fn r2(env: &Env) -> Result<Bucket> {
    #[cfg(feature = "bench")]
    if outage::is_on(outage::Store::R2) {
        return Err(Error::RustError(outage::R2_ERROR.into()));
    }
    env.bucket("FILES")
}

/// Whether `err` is a store being unavailable for a while, which trying again later
/// mends, rather than something wrong with the request or the code. What D1 and R2
/// report when they are down or their connection breaks (Cloudflare's D1 guidance names
/// these as the transient ones); an error D1 raises for a statement (a constraint, a
/// syntax error) is not among them, and stays a 500.
pub fn unavailable(err: &Error) -> bool {
    const TRANSIENT: [&str; 8] = [
        "network connection lost",
        "reset because its code was updated",
        "overloaded",
        "storage operation exceeded timeout",
        "internal error",
        "unavailable",
        "timed out",
        "connection refused",
    ];
    let text = err.to_string().to_ascii_lowercase();
    TRANSIENT.iter().any(|t| text.contains(t))
}

/// Whether D1 said it is overloaded: not a failure to try again soon.
pub fn overloaded(err: &Error) -> bool {
    err.to_string().to_ascii_lowercase().contains("overloaded")
}

/// The answer for a request a store could not serve: 503 with `Retry-After`.
pub fn unavailable_answer() -> Response {
    let response = http::refusal(
        ErrorCode::Unavailable,
        "some features are unavailable for a moment; try again shortly",
    );
    let _ = response
        .headers()
        .set("Retry-After", &RETRY_AFTER_S.to_string());
    response
}

/// A request's refusal for a store's failure: 503 (see [`unavailable_answer`]) when the
/// store is down for a while, otherwise 500 with `message`.
pub fn refusal(err: &Error, message: &str) -> Response {
    if unavailable(err) {
        unavailable_answer()
    } else {
        http::refusal(ErrorCode::Internal, message)
    }
}

/// The bench build's switch: an outage of D1 or R2 from now until `OUTAGE_MS` later.
/// One isolate runs the Worker and its objects under `wrangler dev`, so one switch holds
/// for all of them.
#[cfg(feature = "bench")]
pub mod outage {
    use std::cell::Cell;

    /// What a statement fails with during an outage: as D1's own error reads.
    pub const D1_ERROR: &str = "D1_ERROR: Network connection lost (bench outage)";
    pub const R2_ERROR: &str = "R2 is unavailable (bench outage)";

    #[derive(Clone, Copy)]
    pub enum Store {
        D1,
        R2,
    }

    thread_local! {
        /// Until when each store is down, in Unix milliseconds.
        static UNTIL: [Cell<u64>; 2] = const { [Cell::new(0), Cell::new(0)] };
        /// Until when each store is slow, and by how much.
        static SLOW: [Cell<(u64, u64)>; 2] = const { [Cell::new((0, 0)), Cell::new((0, 0))] };
    }

    /// `store` is down for `ms` from now.
    pub fn start(store: Store, ms: u64) {
        let until = worker::Date::now().as_millis() + ms;
        UNTIL.with(|until_of| until_of[store as usize].set(until));
    }

    /// `store` answers `lag_ms` late for `ms` from now. Only the health probe waits it
    /// out: what a monitor sees of a slow store.
    pub fn slow(store: Store, ms: u64, lag_ms: u64) {
        let until = worker::Date::now().as_millis() + ms;
        SLOW.with(|slow| slow[store as usize].set((until, lag_ms)));
    }

    pub fn is_on(store: Store) -> bool {
        let until = UNTIL.with(|until_of| until_of[store as usize].get());
        worker::Date::now().as_millis() < until
    }

    /// Waits as long as a slow `store` lags.
    pub async fn lag(store: Store) {
        let (until, lag_ms) = SLOW.with(|slow| slow[store as usize].get());
        if worker::Date::now().as_millis() < until {
            worker::Delay::from(std::time::Duration::from_millis(lag_ms)).await;
        }
    }
}
