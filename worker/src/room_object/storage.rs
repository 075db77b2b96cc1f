//! The room's own SQLite: its info, its log of durable events, and read marks. Every
//! statement binds its parameters.

use std::collections::BTreeMap;

use edgechat_protocol::{RoomInfo, Seq, ServerMsg};
use serde::Deserialize;
use worker::{Result, SqlStorage, SqlStorageValue};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS room (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS read_marks (user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
];

pub fn migrate(sql: &SqlStorage) -> Result<()> {
    for statement in SCHEMA {
        sql.exec(statement, None)?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct Value {
    value: String,
}

#[derive(Deserialize)]
struct Body {
    body: String,
}

#[derive(Deserialize)]
struct Mark {
    user_id: String,
    seq: f64,
}

fn json_err(err: serde_json::Error) -> worker::Error {
    worker::Error::RustError(format!("stored JSON: {err}"))
}

pub fn load_info(sql: &SqlStorage) -> Result<Option<RoomInfo>> {
    let rows: Vec<Value> = sql
        .exec("SELECT value FROM room WHERE key = ?", vec!["info".into()])?
        .to_array()?;
    rows.into_iter()
        .next()
        .map(|row| serde_json::from_str(&row.value).map_err(json_err))
        .transpose()
}

pub fn save_info(sql: &SqlStorage, info: &RoomInfo) -> Result<()> {
    let json = serde_json::to_string(info).map_err(json_err)?;
    sql.exec(
        "INSERT INTO room (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        vec!["info".into(), json.into()],
    )?;
    Ok(())
}

pub fn load_events(sql: &SqlStorage) -> Result<Vec<ServerMsg>> {
    let rows: Vec<Body> = sql
        .exec("SELECT body FROM events ORDER BY seq", None)?
        .to_array()?;
    rows.into_iter()
        .map(|row| serde_json::from_str(&row.body).map_err(json_err))
        .collect()
}

pub fn append(sql: &SqlStorage, event: &ServerMsg) -> Result<()> {
    let seq = event
        .seq()
        .ok_or_else(|| worker::Error::RustError("appending an event without a seq".into()))?;
    let body = serde_json::to_string(event).map_err(json_err)?;
    sql.exec(
        "INSERT INTO events (seq, body) VALUES (?, ?)",
        vec![SqlStorageValue::try_from_i64(seq as i64)?, body.into()],
    )?;
    Ok(())
}

pub fn load_read_marks(sql: &SqlStorage) -> Result<BTreeMap<String, Seq>> {
    let rows: Vec<Mark> = sql
        .exec("SELECT user_id, seq FROM read_marks", None)?
        .to_array()?;
    Ok(rows
        .into_iter()
        .map(|m| (m.user_id, m.seq as Seq))
        .collect())
}

pub fn save_read_mark(sql: &SqlStorage, user_id: &str, seq: Seq) -> Result<()> {
    sql.exec(
        "INSERT INTO read_marks (user_id, seq) VALUES (?, ?)
         ON CONFLICT(user_id) DO UPDATE SET seq = MAX(read_marks.seq, excluded.seq)",
        vec![user_id.into(), SqlStorageValue::try_from_i64(seq as i64)?],
    )?;
    Ok(())
}
