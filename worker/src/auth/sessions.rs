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

/// A new refresh token in `family` (a new family when `None`); returns the token.
pub async fn issue(
    db: &D1Database,
    user_id: &str,
    family: Option<&str>,
    now: u64,
    ttl_ms: u64,
) -> Result<String> {
    let token = refresh::encode(&crypto::random());
    let family = family.map_or_else(|| crypto::random_id("f_"), str::to_owned);
    db.prepare(
        "INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(&[
        text(&refresh::digest(&token)),
        text(user_id),
        text(&family),
        int(now),
        int(now + ttl_ms),
    ])?
    .run()
    .await?;
    Ok(token)
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
