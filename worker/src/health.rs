//! `GET /api/health`: the version, whether D1 answers with its migrations applied, and
//! whether R2 answers.

use serde::Deserialize;
use serde_json::json;
use worker::{Env, Response, Result};

#[derive(Deserialize)]
struct Applied {
    applied: f64,
}

pub async fn health(env: &Env) -> Result<Response> {
    let version = env!("CARGO_PKG_VERSION");
    // `d1_migrations` is wrangler's own ledger: counting it proves D1 answers and tells an
    // operator whether the migrations reached this database.
    let d1 = match env.d1("DB") {
        Ok(db) => db
            .prepare("SELECT COUNT(*) AS applied FROM d1_migrations")
            .first::<Applied>(None)
            .await
            .map(|row| row.map_or(0, |r| r.applied as u64)),
        Err(err) => Err(err),
    };
    let d1 = match d1 {
        Ok(applied) => json!({ "ok": true, "migrations": applied }),
        Err(err) => {
            worker::console_error!("health: D1 did not answer: {err}");
            json!({ "ok": false })
        }
    };
    let r2 = match env.bucket("FILES") {
        Ok(bucket) => bucket.head("health-probe").await.map(|_| ()),
        Err(err) => Err(err),
    };
    let r2 = match r2 {
        Ok(()) => json!({ "ok": true }),
        Err(err) => {
            worker::console_error!("health: R2 did not answer: {err}");
            json!({ "ok": false })
        }
    };
    let ok = d1["ok"] == true && r2["ok"] == true;
    let body = json!({ "ok": ok, "version": version, "d1": d1, "r2": r2 });
    Ok(Response::from_json(&body)?.with_status(if ok { 200 } else { 503 }))
}
