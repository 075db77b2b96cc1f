//! `GET /api/health`: the version, and for D1 (with its migrations applied) and R2 each a
//! state and how long it took to answer. A monitor alerts on the status: 200 while every
//! store answers (`ok`, or `degraded` when one answers slower than `HEALTH_SLOW_MS`), 503
//! when one does not (`down`). docs/deploy.md, "Operating it", lists what each means.

use serde::Deserialize;
use serde_json::{Value, json};
use worker::{Date, Env, Response, Result};

use crate::{config, storage};

#[derive(Deserialize)]
struct Applied {
    applied: f64,
}

/// A store's state, worst last.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Ok,
    Degraded,
    Down,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Degraded => "degraded",
            State::Down => "down",
        }
    }
}

pub async fn health(env: &Env) -> Result<Response> {
    let version = env!("CARGO_PKG_VERSION");
    let slow_ms = config::number(env, "HEALTH_SLOW_MS", 1_000);
    let start = Date::now().as_millis();
    // `d1_migrations` is wrangler's own ledger: counting it proves D1 answers and tells an
    // operator whether the migrations reached this database.
    let d1 = async {
        #[cfg(feature = "bench")]
        storage::outage::lag(storage::outage::Store::D1).await;
        storage::d1(env)?
            .prepare("SELECT COUNT(*) AS applied FROM d1_migrations")
            .first::<Applied>(None)
            .await
            .map(|row| row.map_or(0, |r| r.applied as u64))
    }
    .await;
    let (d1_state, d1) = checked("d1", start, slow_ms, d1.map(|n| json!({ "migrations": n })));
    let start = Date::now().as_millis();
    let r2 = async {
        #[cfg(feature = "bench")]
        storage::outage::lag(storage::outage::Store::R2).await;
        storage::r2(env)?.head("health-probe").await.map(drop)
    }
    .await;
    let (r2_state, r2) = checked("r2", start, slow_ms, r2.map(|()| json!({})));
    let state = d1_state.max(r2_state);
    let body = json!({
        "ok": state == State::Ok,
        "state": state.as_str(),
        "version": version,
        "d1": d1,
        "r2": r2,
    });
    let status = if state == State::Down { 503 } else { 200 };
    Ok(Response::from_json(&body)?.with_status(status))
}

/// A store's part of the answer, from what its probe gave and how long it took.
fn checked(store: &str, start: u64, slow_ms: u64, probe: Result<Value>) -> (State, Value) {
    let latency_ms = Date::now().as_millis().saturating_sub(start);
    let (state, mut part) = match probe {
        Ok(part) if latency_ms > slow_ms => (State::Degraded, part),
        Ok(part) => (State::Ok, part),
        Err(err) => {
            crate::log::error("health-down")
                .with("store", store)
                .with("ms", latency_ms)
                .err(err)
                .emit();
            (State::Down, json!({}))
        }
    };
    part["ok"] = json!(state != State::Down);
    part["state"] = json!(state.as_str());
    part["latencyMs"] = json!(latency_ms);
    (state, part)
}
