//! Failed-login windows in D1; the rules are `edgechat_auth::throttle`.

use edgechat_auth::throttle::{self, Window};
use serde::Deserialize;
use worker::{D1Database, Result};

use super::users::{int, text};

#[derive(Deserialize)]
struct Row {
    window_start: f64,
    failures: f64,
}

async fn window(db: &D1Database, key: &str) -> Result<Option<Window>> {
    let row: Option<Row> = db
        .prepare("SELECT window_start, failures FROM login_failures WHERE key = ?1")
        .bind(&[text(key)])?
        .first(None)
        .await?;
    Ok(row.map(|r| Window {
        start: r.window_start as u64,
        failures: r.failures as u32,
    }))
}

/// `Err(ms)` when any key is over its limit.
pub async fn check(
    db: &D1Database,
    keys: &[(&str, u32)],
    now: u64,
    window_ms: u64,
) -> Result<std::result::Result<(), u64>> {
    for (key, limit) in keys {
        if let Err(wait) = throttle::check(window(db, key).await?, now, *limit, window_ms) {
            return Ok(Err(wait));
        }
    }
    Ok(Ok(()))
}

pub async fn fail(db: &D1Database, keys: &[&str], now: u64, window_ms: u64) -> Result<()> {
    for key in keys {
        let next = throttle::fail(window(db, key).await?, now, window_ms);
        db.prepare(
            "INSERT INTO login_failures (key, window_start, failures) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET window_start = excluded.window_start, failures = excluded.failures",
        )
        .bind(&[text(key), int(next.start), int(u64::from(next.failures))])?
        .run()
        .await?;
    }
    Ok(())
}

pub async fn clear(db: &D1Database, key: &str) -> Result<()> {
    db.prepare("DELETE FROM login_failures WHERE key = ?1")
        .bind(&[text(key)])?
        .run()
        .await?;
    Ok(())
}
