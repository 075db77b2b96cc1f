//! Refresh token families in D1.

use edgechat_auth::refresh;
use serde::Deserialize;
use worker::{D1Database, Result};

use super::{
    crypto,
    users::{int, text},
};

#[derive(Debug, Deserialize)]
pub struct TokenRow {
    pub user_id: String,
    pub family_id: String,
    pub expires_at: f64,
    pub rotated_at: Option<f64>,
    pub revoked_at: Option<f64>,
}

/// Tokens past their expiry go, a few with every new token (more than it adds): an
/// expired token is refused before anything looks at its family, so nothing needs it.
const SWEEP: &str = "DELETE FROM refresh_tokens WHERE token_hash IN
     (SELECT token_hash FROM refresh_tokens WHERE expires_at <= ?1 ORDER BY expires_at LIMIT 10)";

fn sweep(db: &D1Database, now: u64) -> Result<worker::D1PreparedStatement> {
    db.prepare(SWEEP).bind(&[int(now)])
}

/// Past this many live sessions, the one used longest ago is revoked: a session's live
/// token (the tip of its family, by the partial index of migration 0014) was made at its
/// last refresh. A sign-in loop then cannot fill D1 or pile up refresh allowances.
const REVOKE_PAST_CAP: &str = "UPDATE refresh_tokens SET revoked_at = ?2
     WHERE revoked_at IS NULL AND family_id IN (
         SELECT family_id FROM refresh_tokens
         WHERE user_id = ?1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
         ORDER BY created_at DESC LIMIT -1 OFFSET ?3)";

/// How long a new session lasts, and how many one account may hold.
pub struct Lifetime {
    pub ttl_ms: u64,
    pub max_sessions: u32,
}

/// A new refresh token in a new family; returns the token. The account's sessions past
/// `max_sessions` (the new one among them) lose the one used longest ago.
pub async fn issue(db: &D1Database, user_id: &str, now: u64, lifetime: Lifetime) -> Result<String> {
    let ttl_ms = lifetime.ttl_ms;
    let token = refresh::encode(&crypto::random());
    let insert = db
        .prepare(
            "INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&[
            text(&refresh::digest(&token)),
            text(user_id),
            text(&crypto::random_id("f_")),
            int(now),
            int(now + ttl_ms),
        ])?;
    let cap = db.prepare(REVOKE_PAST_CAP).bind(&[
        text(user_id),
        int(now),
        int(u64::from(lifetime.max_sessions.max(1))),
    ])?;
    db.batch(vec![sweep(db, now)?, insert, cap]).await?;
    Ok(token)
}

/// The successor of `parent` in its family: always the same token for the same parent
/// (`refresh::successor`), so a token replayed within the grace window yields the same
/// successor, never a second live one. Made, or found again, in one transaction, and
/// only while `parent` is not revoked: a refresh racing a logout gets `None`.
pub async fn succeed(
    db: &D1Database,
    secret: &[u8],
    parent: &str,
    row: &TokenRow,
    now: u64,
    ttl_ms: u64,
) -> Result<Option<String>> {
    let token = refresh::successor(secret, parent);
    let token_hash = refresh::digest(&token);
    let statements = vec![
        db.prepare(
            "INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at, parent_hash)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6
             WHERE EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = ?6 AND revoked_at IS NULL)
             ON CONFLICT(token_hash) DO NOTHING",
        )
        .bind(&[
            text(&token_hash),
            text(&row.user_id),
            text(&row.family_id),
            int(now),
            int(now + ttl_ms),
            text(&refresh::digest(parent)),
        ])?,
        db.prepare(
            "SELECT 1 AS live FROM refresh_tokens t
             WHERE t.token_hash = ?1 AND t.revoked_at IS NULL
               AND EXISTS (SELECT 1 FROM refresh_tokens p WHERE p.token_hash = ?2 AND p.revoked_at IS NULL)",
        )
        .bind(&[text(&token_hash), text(&refresh::digest(parent))])?,
        sweep(db, now)?,
    ];
    let results = db.batch(statements).await?;
    let live = match results.get(1) {
        Some(result) => !result.results::<serde_json::Value>()?.is_empty(),
        None => false,
    };
    Ok(live.then_some(token))
}

pub async fn find(db: &D1Database, token: &str) -> Result<Option<TokenRow>> {
    db.prepare(
        "SELECT user_id, family_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = ?1",
    )
    .bind(&[text(&refresh::digest(token))])?
    .first(None)
    .await
}

/// Marks `token` used. `Ok(false)` when it was already used or revoked in the meantime.
pub async fn mark_rotated(db: &D1Database, token: &str, now: u64) -> Result<bool> {
    let result = db
        .prepare(
            "UPDATE refresh_tokens SET rotated_at = ?2
             WHERE token_hash = ?1 AND rotated_at IS NULL AND revoked_at IS NULL",
        )
        .bind(&[text(&refresh::digest(token)), int(now)])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1)
}

pub async fn revoke_family(db: &D1Database, family_id: &str, now: u64) -> Result<()> {
    db.prepare(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL",
    )
    .bind(&[text(family_id), int(now)])?
    .run()
    .await?;
    Ok(())
}

pub async fn revoke_user(db: &D1Database, user_id: &str, now: u64) -> Result<()> {
    db.prepare(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
    )
    .bind(&[text(user_id), int(now)])?
    .run()
    .await?;
    Ok(())
}
