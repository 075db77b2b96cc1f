//! The room's own SQLite: its info, its log of durable events, read marks, uploads, and
//! files waiting to be deleted. Every statement binds its parameters.

use std::collections::BTreeMap;

use edgechat_core::Upload;
use edgechat_protocol::{RoomEvent, RoomInfo, Seq};
use serde::Deserialize;
use worker::{Result, SqlStorage, SqlStorageValue};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS room (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // `at`: when the event was stored, for D1 columns the event does not carry.
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)",
    // `synced`: whether D1 has this mark yet.
    "CREATE TABLE IF NOT EXISTS read_marks (user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, synced INTEGER NOT NULL DEFAULT 0)",
    // The highest seq copied to D1.
    "CREATE TABLE IF NOT EXISTS archive (key TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    // Uploads a message may attach, or has (`body`: an `edgechat_core::Upload`).
    "CREATE TABLE IF NOT EXISTS uploads (file_id TEXT PRIMARY KEY, body TEXT NOT NULL)",
    // Files whose bytes and D1 rows are still to be deleted; kept until both are gone.
    "CREATE TABLE IF NOT EXISTS doomed (file_id TEXT PRIMARY KEY)",
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

pub fn load_events(sql: &SqlStorage) -> Result<Vec<RoomEvent>> {
    let rows: Vec<Body> = sql
        .exec("SELECT body FROM events ORDER BY seq", None)?
        .to_array()?;
    rows.into_iter()
        .map(|row| serde_json::from_str(&row.body).map_err(json_err))
        .collect()
}

pub fn append(sql: &SqlStorage, event: &RoomEvent, at: u64) -> Result<()> {
    let seq = event.seq();
    let body = serde_json::to_string(event).map_err(json_err)?;
    sql.exec(
        "INSERT INTO events (seq, body, at) VALUES (?, ?, ?)",
        vec![
            SqlStorageValue::try_from_i64(seq as i64)?,
            body.into(),
            SqlStorageValue::try_from_i64(at as i64)?,
        ],
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
         ON CONFLICT(user_id) DO UPDATE SET seq = MAX(read_marks.seq, excluded.seq), synced = 0",
        vec![user_id.into(), SqlStorageValue::try_from_i64(seq as i64)?],
    )?;
    Ok(())
}

/// An event waiting to be copied to D1.
#[derive(Deserialize)]
pub struct Pending {
    pub seq: f64,
    pub body: String,
    pub at: f64,
}

impl Pending {
    pub fn event(&self) -> Result<RoomEvent> {
        serde_json::from_str(&self.body).map_err(json_err)
    }
}

#[derive(Deserialize)]
struct Cursor {
    seq: f64,
}

/// The highest seq D1 has.
pub fn archived(sql: &SqlStorage) -> Result<Seq> {
    let rows: Vec<Cursor> = sql
        .exec("SELECT seq FROM archive WHERE key = ?", vec!["d1".into()])?
        .to_array()?;
    Ok(rows.first().map_or(0, |c| c.seq as Seq))
}

pub fn set_archived(sql: &SqlStorage, seq: Seq) -> Result<()> {
    sql.exec(
        "INSERT INTO archive (key, seq) VALUES ('d1', ?)
         ON CONFLICT(key) DO UPDATE SET seq = MAX(archive.seq, excluded.seq)",
        vec![SqlStorageValue::try_from_i64(seq as i64)?],
    )?;
    Ok(())
}

/// Up to `limit` events after `after`, in seq order.
pub fn pending(sql: &SqlStorage, after: Seq, limit: usize) -> Result<Vec<Pending>> {
    sql.exec(
        "SELECT seq, body, at FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        vec![
            SqlStorageValue::try_from_i64(after as i64)?,
            SqlStorageValue::try_from_i64(limit as i64)?,
        ],
    )?
    .to_array()
}

/// Read marks D1 does not have yet.
pub fn unsynced_read_marks(sql: &SqlStorage) -> Result<Vec<(String, Seq)>> {
    let rows: Vec<Mark> = sql
        .exec("SELECT user_id, seq FROM read_marks WHERE synced = 0", None)?
        .to_array()?;
    Ok(rows
        .into_iter()
        .map(|m| (m.user_id, m.seq as Seq))
        .collect())
}

/// Marks read marks as in D1, unless they moved on meanwhile.
pub fn read_marks_synced(sql: &SqlStorage, marks: &[(String, Seq)]) -> Result<()> {
    for (user_id, seq) in marks {
        sql.exec(
            "UPDATE read_marks SET synced = 1 WHERE user_id = ? AND seq = ?",
            vec![
                user_id.as_str().into(),
                SqlStorageValue::try_from_i64(*seq as i64)?,
            ],
        )?;
    }
    Ok(())
}

/// Whether anything waits for D1 (or R2).
pub fn has_pending(sql: &SqlStorage) -> Result<bool> {
    let head: Cursor = sql
        .exec("SELECT COALESCE(MAX(seq), 0) AS seq FROM events", None)?
        .one()?;
    Ok(archived(sql)? < head.seq as Seq
        || !unsynced_read_marks(sql)?.is_empty()
        || !doomed(sql)?.is_empty())
}

pub fn load_uploads(sql: &SqlStorage) -> Result<Vec<Upload>> {
    let rows: Vec<Body> = sql.exec("SELECT body FROM uploads", None)?.to_array()?;
    rows.into_iter()
        .map(|row| serde_json::from_str(&row.body).map_err(json_err))
        .collect()
}

pub fn save_upload(sql: &SqlStorage, upload: &Upload) -> Result<()> {
    let body = serde_json::to_string(upload).map_err(json_err)?;
    sql.exec(
        "INSERT INTO uploads (file_id, body) VALUES (?, ?)
         ON CONFLICT(file_id) DO UPDATE SET body = excluded.body",
        vec![upload.attachment.file_id.as_str().into(), body.into()],
    )?;
    Ok(())
}

/// Forgets the uploads and queues their files for deletion, in one step.
pub fn doom(sql: &SqlStorage, files: &[String]) -> Result<()> {
    for file in files {
        sql.exec(
            "DELETE FROM uploads WHERE file_id = ?",
            vec![file.as_str().into()],
        )?;
        sql.exec(
            "INSERT OR IGNORE INTO doomed (file_id) VALUES (?)",
            vec![file.as_str().into()],
        )?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct FileId {
    file_id: String,
}

pub fn doomed(sql: &SqlStorage) -> Result<Vec<String>> {
    let rows: Vec<FileId> = sql
        .exec("SELECT file_id FROM doomed LIMIT 100", None)?
        .to_array()?;
    Ok(rows.into_iter().map(|r| r.file_id).collect())
}

pub fn buried(sql: &SqlStorage, file: &str) -> Result<()> {
    sql.exec("DELETE FROM doomed WHERE file_id = ?", vec![file.into()])?;
    Ok(())
}
