//! The audit log at the door (docs/api.md, "Audit log"). The door records its own acts on
//! accounts here ([`record`]); the rooms' come from their write-behind. Admins read it
//! newest first, a page at a time, filtered by action or by who acted: a room's admins
//! their room's (`GET /api/rooms/{id}/audit`), the deployment's admins everything
//! (`GET /api/audit`, with `room` too). `edgechat_core::audit` makes each page's query.

use edgechat_core::audit::{self, Filters, Param};
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Date, Env, Request, Response, Result};

use crate::{
    auth::{guard, random_id, users::UserRow},
    http,
};

/// Records an act of the door's: `actor` did `action` to `target`, in this request.
pub async fn record(
    env: &Env,
    db: &D1Database,
    actor: &str,
    action: &str,
    target: &str,
    detail: &Value,
) -> Result<()> {
    let now = Date::now().as_millis();
    let entry = db
        .prepare(
            "INSERT INTO audit_log (id, at, room_id, actor_id, action, target_id, detail, request_id)
             VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            JsValue::from_str(&random_id("a")),
            JsValue::from_f64(now as f64),
            JsValue::from_str(actor),
            JsValue::from_str(action),
            JsValue::from_str(target),
            JsValue::from_str(&detail.to_string()),
            JsValue::from_str(&crate::log::field("requestId").unwrap_or_default()),
        ])?;
    let ttl = crate::config::limits(env).audit_ttl_ms;
    db.batch(vec![entry, sweep(db, now.saturating_sub(ttl), 50)?])
        .await?;
    Ok(())
}

/// The oldest `most` entries from before `forget_before` (`AUDIT_TTL_MS`), deleted by
/// `audit_by_time`: run with each new entry (or batch of them), at least fifty and twice
/// as many as came, so the log keeps its own time and never grows with history.
pub fn sweep(db: &D1Database, forget_before: u64, most: usize) -> Result<D1PreparedStatement> {
    db.prepare(
        "DELETE FROM audit_log WHERE id IN (
             SELECT id FROM audit_log WHERE at < ?1 ORDER BY at, id LIMIT ?2)",
    )
    .bind(&[
        JsValue::from_f64(forget_before as f64),
        JsValue::from_f64(most as f64),
    ])
}

/// `GET /api/rooms/{room}/audit`: the room's log, for its admins and the deployment's.
pub async fn room_log(req: Request, env: &Env, room: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (_, user) = attempt!(guard::user(&req, env).await);
    let db = crate::storage::d1(env)?;
    if !user.is_admin() && !room_admin(&db, room, &user).await? {
        return http::error(
            ErrorCode::Forbidden,
            "only the room's admins read its audit log",
        );
    }
    answer(&req, &db, Some(room)).await
}

/// `GET /api/audit`: everything, for the deployment's admins.
pub async fn all(req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    if !user.is_admin() {
        return http::error(
            ErrorCode::Forbidden,
            "only a global admin reads the whole audit log",
        );
    }
    let db = crate::storage::d1(env)?;
    answer(&req, &db, None).await
}

/// Whether `user` is an admin of `room`, as D1 has the room's members.
async fn room_admin(db: &D1Database, room: &str, user: &UserRow) -> Result<bool> {
    let row: Option<Value> = db
        .prepare(
            "SELECT 1 AS yes FROM room_members
             WHERE room_id = ?1 AND user_id = ?2 AND member = 1 AND role = 'admin'",
        )
        .bind(&[JsValue::from_str(room), JsValue::from_str(&user.id)])?
        .first(None)
        .await?;
    Ok(row.is_some())
}

/// One page: `{"entries": [...], "next": "…"}` (`next` is null on the last page).
async fn answer(req: &Request, db: &D1Database, room: Option<&str>) -> Result<Response> {
    #[derive(Deserialize)]
    struct Row {
        cursor: String,
        line: String,
    }
    let url = req.url()?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let filters = Filters {
        room: room.or(param("room")),
        action: param("action"),
        actor: param("actor"),
        before: param("before"),
        limit: param("limit"),
    };
    let page = match audit::page(&filters) {
        Ok(page) => page,
        Err(refusal) => return http::refused(&refusal),
    };
    let params: Vec<JsValue> = page
        .params
        .iter()
        .map(|p| match p {
            Param::Text(text) => JsValue::from_str(text),
            Param::Int(n) => JsValue::from_f64(*n as f64),
        })
        .collect();
    let rows: Vec<Row> = db
        .prepare(&page.sql)
        .bind(&params)?
        .all()
        .await?
        .results()?;
    let next = match rows.last() {
        Some(last) if rows.len() as u64 == page.limit => Value::from(last.cursor.as_str()),
        _ => Value::Null,
    };
    // D1 wrote each entry; the page only joins them.
    let entries: Vec<&str> = rows.iter().map(|r| r.line.as_str()).collect();
    let body = format!(r#"{{"entries":[{}],"next":{next}}}"#, entries.join(","));
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    Ok(response)
}
