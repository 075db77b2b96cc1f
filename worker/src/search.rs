//! `GET /api/search?q=&room=&from=&before=&after=`: full-text search over the rooms the
//! caller may read (members read their rooms, anyone a public room not banned from).
//! `from` is the author's id or account name; with `from` and no words, the author's
//! newest messages (through `messages_by_author`).

use edgechat_core::search::{HIGHLIGHT_END, HIGHLIGHT_START, fts_query};
use edgechat_protocol::ErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use wasm_bindgen::JsValue;
use worker::{Env, Request, Response, Result};

use crate::{auth::guard, http};

/// A hit: read with D1's column names, written in camelCase.
#[derive(Deserialize, Serialize)]
#[serde(rename_all(serialize = "camelCase"))]
struct Hit {
    #[serde(rename(deserialize = "id"))]
    message_id: String,
    room_id: String,
    seq: u64,
    user_id: String,
    username: String,
    #[serde(rename(deserialize = "created_at"))]
    timestamp: u64,
    snippet: String,
    /// A program posted it (an incoming hook): shown with the bot mark.
    #[serde(deserialize_with = "flag", skip_serializing_if = "std::ops::Not::not")]
    bot: bool,
}

/// A D1 flag column (0 or 1) as a bool.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    Ok(f64::deserialize(d)? != 0.0)
}

pub async fn search(req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let url = req.url()?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    let words = param("q").as_deref().and_then(fts_query);
    if words.is_none() && param("from").is_none() {
        return http::error(
            ErrorCode::BadRequest,
            "search for at least one word, or for whose messages",
        );
    }
    let time = |name: &str| -> std::result::Result<JsValue, Response> {
        match param(name) {
            None => Ok(JsValue::NULL),
            Some(v) => v
                .parse::<u64>()
                .map(|t| JsValue::from_f64(t as f64))
                .map_err(|_| {
                    http::refusal(
                        ErrorCode::BadRequest,
                        &format!("{name} is milliseconds since the epoch"),
                    )
                }),
        }
    };
    let (before, after) = (attempt!(time("before")), attempt!(time("after")));
    let text_or_null = |v: Option<String>| v.map_or(JsValue::NULL, |v| JsValue::from_str(&v));
    // `from` names the author by id or by account name (`ana` or `@ana`, in any case).
    let from = param("from").map(|f| f.trim_start_matches('@').to_owned());
    let from_key = from.as_deref().map(edgechat_auth::names::username_key);
    let hits: Vec<Hit> = crate::storage::d1(env)?
        .prepare(if words.is_some() { BY_WORDS } else { BY_AUTHOR })
        .bind(&[
            text_or_null(words),
            JsValue::from_str(&user.id),
            text_or_null(param("room")),
            text_or_null(from),
            before,
            after,
            JsValue::from_f64(if user.is_admin() { 1.0 } else { 0.0 }),
            JsValue::from_str(&HIGHLIGHT_START.to_string()),
            JsValue::from_str(&HIGHLIGHT_END.to_string()),
            text_or_null(from_key),
        ])?
        .all()
        .await?
        .results()?;
    http::json(200, &json!({ "results": hits }))
}

/// The hits for words (`?1`), with the filters every search has: who may read the room
/// (`?2`, `?7` for an admin), the room (`?3`), the author (`?4` by id, `?10` by account
/// name), the time (`?5`, `?6`); the snippet's marks are `?8` and `?9`.
const BY_WORDS: &str = "SELECT m.id, m.room_id, m.seq, m.user_id, m.username, m.created_at, m.bot,
        snippet(messages_fts, 0, ?8, ?9, '…', 12) AS snippet
    FROM messages_fts
    JOIN messages m ON m.rowid = messages_fts.rowid
    JOIN rooms r ON r.id = m.room_id
    LEFT JOIN room_members rm ON rm.room_id = m.room_id AND rm.user_id = ?2
    WHERE messages_fts MATCH ?1 AND m.deleted = 0
      AND (rm.member = 1 OR ?7 = 1 OR (r.kind = 'public' AND COALESCE(rm.banned, 0) = 0))
      AND (?3 IS NULL OR m.room_id = ?3)
      AND (?4 IS NULL OR m.user_id = COALESCE(
            (SELECT id FROM users WHERE id = ?4),
            (SELECT id FROM users WHERE username_key = ?10)))
      AND (?5 IS NULL OR m.created_at < ?5)
      AND (?6 IS NULL OR m.created_at > ?6)
    ORDER BY m.created_at DESC LIMIT 50";

/// An author's messages, newest first, with the same filters and parameters (no words:
/// `?1` is null, and the snippet is the message's start, unmarked; `?1`, `?8` and `?9`
/// are still read, so both statements take the same ten bindings).
const BY_AUTHOR: &str = "SELECT m.id, m.room_id, m.seq, m.user_id, m.username, m.created_at, m.bot,
        substr(m.text, 1, 160) AS snippet
    FROM messages m INDEXED BY messages_by_author
    JOIN rooms r ON r.id = m.room_id
    LEFT JOIN room_members rm ON rm.room_id = m.room_id AND rm.user_id = ?2
    WHERE ?1 IS NULL AND ?8 IS NOT NULL AND ?9 IS NOT NULL AND m.deleted = 0
      AND m.user_id = COALESCE(
            (SELECT id FROM users WHERE id = ?4),
            (SELECT id FROM users WHERE username_key = ?10))
      AND (rm.member = 1 OR ?7 = 1 OR (r.kind = 'public' AND COALESCE(rm.banned, 0) = 0))
      AND (?3 IS NULL OR m.room_id = ?3)
      AND (?5 IS NULL OR m.created_at < ?5)
      AND (?6 IS NULL OR m.created_at > ?6)
    ORDER BY m.created_at DESC LIMIT 50";
