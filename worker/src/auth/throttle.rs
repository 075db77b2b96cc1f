//! Sign-in and registration windows in D1: an attempt is counted, atomically, before any
//! key derivation, so parallel guesses cannot all pass a check that reads first and
//! counts later. A successful sign-in gives its attempt back. The window's rules are
//! `edgechat_auth::throttle`, here as one statement. Windows long over are swept a few
//! rows at a time by every attempt counted, so the table holds what is live.

use serde::Deserialize;
use worker::{D1Database, Env, Response, Result};

use super::users::{int, text};

/// The window of the hourly limits (push subscriptions, room creation, refreshes).
pub const HOUR_MS: u64 = 60 * 60 * 1000;

/// How many ended windows one attempt sweeps: more than it can start, so the table
/// shrinks to what is live.
const SWEEP: u64 = 10;

/// Windows that started before `?1` are over, whatever their length: they go.
const FORGET: &str = "DELETE FROM login_failures WHERE key IN
     (SELECT key FROM login_failures WHERE window_start < ?1 ORDER BY window_start LIMIT ?2)";

/// One more attempt for a key: a new window when the last one ended. `RETURNING` gives
/// the count this attempt made, so the check and the count are one step.
const TAKE: &str = "INSERT INTO login_failures (key, window_start, failures) VALUES (?1, ?2, 1)
     ON CONFLICT(key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_start + ?3 <= excluded.window_start
             THEN 1 ELSE login_failures.failures + 1 END,
         window_start = CASE WHEN login_failures.window_start + ?3 <= excluded.window_start
             THEN excluded.window_start ELSE login_failures.window_start END
     RETURNING window_start, failures";

#[derive(Deserialize)]
struct Row {
    window_start: f64,
    failures: f64,
}

/// Counts one attempt on each key (a username, an address), in one batch that also
/// sweeps windows older than `forget_ms` (`config::throttle_forget_ms`). `Err(ms)` to wait when this
/// attempt is past any key's limit: it is then not to be made.
pub async fn take(
    db: &D1Database,
    keys: &[(&str, u32)],
    now: u64,
    window_ms: u64,
    forget_ms: u64,
) -> Result<std::result::Result<(), u64>> {
    let forget = db
        .prepare(FORGET)
        .bind(&[int(now.saturating_sub(forget_ms)), int(SWEEP)])?;
    let statements = std::iter::once(Ok(forget))
        .chain(keys.iter().map(|(key, _)| {
            db.prepare(TAKE)
                .bind(&[text(key), int(now), int(window_ms)])
        }))
        .collect::<Result<Vec<_>>>()?;
    let results = db.batch(statements).await?;
    for ((_, limit), result) in keys.iter().zip(results.into_iter().skip(1)) {
        let rows: Vec<Row> = result.results()?;
        let Some(row) = rows.first() else {
            return Err(worker::Error::RustError(
                "the throttle returned no row".into(),
            ));
        };
        if row.failures as u64 > u64::from(*limit) {
            let ends = row.window_start as u64 + window_ms;
            return Ok(Err(ends.saturating_sub(now).max(1)));
        }
    }
    Ok(Ok(()))
}

/// One attempt at an hourly limit of `key` (a user's push subscriptions, the rooms they
/// make): `Some` 429 to answer when it is past the limit.
pub async fn hourly(
    env: &Env,
    db: &D1Database,
    key: &str,
    limit: u32,
    now: u64,
) -> Result<Option<Response>> {
    let forget = crate::config::throttle_forget_ms(env);
    match take(db, &[(key, limit)], now, HOUR_MS, forget).await? {
        Ok(()) => Ok(None),
        Err(wait) => crate::http::too_many(wait).map(Some),
    }
}

/// Gives an attempt back to `key` (a successful sign-in from a shared address).
pub async fn give_back(db: &D1Database, key: &str) -> Result<()> {
    db.prepare("UPDATE login_failures SET failures = MAX(failures - 1, 0) WHERE key = ?1")
        .bind(&[text(key)])?
        .run()
        .await?;
    Ok(())
}

pub async fn clear(db: &D1Database, key: &str) -> Result<()> {
    db.prepare("DELETE FROM login_failures WHERE key = ?1")
        .bind(&[text(key)])?
        .run()
        .await?;
    Ok(())
}
