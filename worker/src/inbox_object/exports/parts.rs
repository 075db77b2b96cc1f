//! The parts of an account's export, each read from D1 by an index range after the last
//! part's end: the user's rooms by id (the profile first), their messages by
//! `messages_by_author` with their reactions and pins, their files by `files_by_uploader`
//! with the bytes from R2.
//!
//! D1 writes each line itself (`json_object`), in the archive's shape, so the Worker
//! only joins lines: one small row type read from JavaScript values serves every query,
//! where a decoder per row type and a serializer per line type cost the Worker
//! kilobytes each. `json_patch('{}', …)` leaves out the members that are null, as the
//! wire's `Message` leaves out what it lacks.

use edgechat_core::export::{
    self,
    account::{self, AccountPart, Read},
    tar,
};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{Bucket, D1Database, Result};

use super::Inbox;
use crate::{auth::users, files::file_key};

/// A row of any part's query: its line, and what the export goes on after.
#[derive(Deserialize)]
struct Row {
    line: String,
    /// A room's or a file's id (rooms and files go by id).
    #[serde(default)]
    key: String,
    /// A message's time and D1 row (messages go by both).
    #[serde(default)]
    at: u64,
    #[serde(default)]
    row: u64,
    /// A message deleted since: the cursor passes it, the archive leaves it out.
    #[serde(default)]
    gone: u8,
    /// A file's name and size.
    #[serde(default)]
    name: String,
    #[serde(default)]
    size: u64,
}

/// The rooms the user is in, a line each, after room `?2`.
const ROOMS: &str = "SELECT rm.room_id AS key,
        json_object('roomId', rm.room_id, 'name', r.name, 'kind', r.kind, 'role', rm.role,
                    'joinedAt', rm.joined_at) AS line
    FROM room_members rm JOIN rooms r ON r.id = rm.room_id
    WHERE rm.user_id = ?1 AND rm.member = 1 AND rm.room_id > ?2
    ORDER BY rm.room_id LIMIT ?3";

/// The user's messages after time `?2` and row `?3`, each as the wire's `Message`: its
/// edit's time, its pin, and its reactions grouped by emoji (by the primary key).
const MESSAGES: &str = "SELECT m.created_at AS at, m.rowid AS row, m.deleted AS gone,
        json_patch('{}', json_object(
            'messageId', m.id, 'roomId', m.room_id, 'userId', m.user_id,
            'username', m.username, 'text', m.text, 'timestamp', m.created_at,
            'attachments', json(NULLIF(m.attachments, '[]')), 'replyTo', m.reply_to,
            'seq', m.seq, 'clientMsgId', m.client_msg_id,
            'editedAt', CASE WHEN m.edited THEN m.updated_at END,
            'pinned', json(CASE WHEN EXISTS (SELECT 1 FROM pins p WHERE p.message_id = m.id)
                           THEN 'true' END),
            'reactions', json(NULLIF((
                SELECT json_group_array(json_object('emoji', emoji, 'count', n,
                                                    'userIds', json(users)))
                FROM (SELECT emoji, COUNT(*) AS n, json_group_array(user_id) AS users
                      FROM reactions WHERE message_id = m.id
                      GROUP BY emoji ORDER BY MIN(rowid))), '[]')),
            'bot', json(CASE WHEN m.bot THEN '{}' END))) AS line
    FROM messages m INDEXED BY messages_by_author
    WHERE m.user_id = ?1 AND m.created_at >= ?2 AND (m.created_at > ?2 OR m.rowid > ?3)
    ORDER BY m.created_at, m.rowid LIMIT ?4";

/// The files the user uploaded after file `?2` (not thumbnails, not the images the
/// server fetched for their links' previews: the index holds neither).
const FILES: &str = "SELECT id AS key, name, size,
        json_object('fileId', id, 'roomId', room_id, 'name', name,
                    'contentType', content_type, 'size', size, 'createdAt', created_at) AS line
    FROM files INDEXED BY files_by_uploader
    WHERE uploader_id = ?1 AND thumbnail_of IS NULL AND name <> 'preview' AND id > ?2
    ORDER BY id LIMIT ?3";

/// A part made: its bytes, what it holds, and what it read.
pub(super) struct Made {
    pub(super) bytes: Vec<u8>,
    pub(super) part: AccountPart,
    pub(super) read: Read,
}

impl Inbox {
    /// A part of the rooms the user is in, by id; the first part holds the profile too.
    pub(super) async fn rooms_part(
        &self,
        db: &D1Database,
        current: &account::AccountExport,
        number: u32,
        mtime_s: u64,
    ) -> Result<Made> {
        let chunk = self.limits.export_chunk;
        let after = JsValue::from_str(&current.after_room);
        let rows = self.page(db, ROOMS, &current.user_id, &[after]).await?;
        let mut bytes = Vec::new();
        if number == 1 {
            let user = users::by_id(db, &current.user_id).await?;
            let profile = serde_json::to_vec_pretty(&user.map(|u| u.me()))
                .map_err(|err| worker::Error::RustError(err.to_string()))?;
            tar::append(&mut bytes, account::PROFILE, &profile, mtime_s);
        }
        let text = lines(rows.iter());
        append_text(&mut bytes, &account::rooms_entry(number), &text, mtime_s);
        Ok(Made {
            part: AccountPart {
                rooms: rows.len() as u64,
                bytes: bytes.len() as u64,
                ..AccountPart::default()
            },
            read: Read::Rooms {
                last: rows.last().map(|r| r.key.clone()),
                full: rows.len() == chunk,
            },
            bytes,
        })
    }

    /// A part of the user's messages, oldest first by `messages_by_author`, with their
    /// reactions and pins; those deleted since are passed over.
    pub(super) async fn messages_part(
        &self,
        db: &D1Database,
        current: &account::AccountExport,
        number: u32,
        mtime_s: u64,
    ) -> Result<Made> {
        let chunk = self.limits.export_chunk;
        let (at, row) = current.after_message;
        let after = [JsValue::from_f64(at as f64), JsValue::from_f64(row as f64)];
        let rows = self.page(db, MESSAGES, &current.user_id, &after).await?;
        let kept: Vec<&Row> = rows.iter().filter(|r| r.gone == 0).collect();
        let mut bytes = Vec::new();
        let text = lines(kept.iter().copied());
        append_text(&mut bytes, &export::messages_entry(number), &text, mtime_s);
        Ok(Made {
            part: AccountPart {
                messages: kept.len() as u64,
                bytes: bytes.len() as u64,
                ..AccountPart::default()
            },
            read: Read::Messages {
                last: rows.last().map(|r| (r.at, r.row)),
                full: rows.len() == chunk,
            },
            bytes,
        })
    }

    /// A part of the files the user uploaded, by id: their list, then the bytes of each
    /// still in R2, as many as fit in `EXPORT_PART_BYTES` (at least one).
    pub(super) async fn files_part(
        &self,
        db: &D1Database,
        bucket: &Bucket,
        current: &account::AccountExport,
        number: u32,
        mtime_s: u64,
    ) -> Result<Made> {
        let chunk = self.limits.export_chunk;
        let after = JsValue::from_str(&current.after_file);
        let rows = self.page(db, FILES, &current.user_id, &[after]).await?;
        let sizes: Vec<u64> = rows.iter().map(|r| r.size).collect();
        let taken = account::files_taken(&sizes, self.limits.export_part_bytes);
        let mut found = Vec::new();
        for file in &rows[..taken] {
            // A file deleted since it was listed is simply not there.
            let Some(object) = bucket.get(file_key(&file.key)).execute().await? else {
                continue;
            };
            let Some(body) = object.body() else { continue };
            found.push((file, body.bytes().await?));
        }
        let mut bytes = Vec::new();
        let list = lines(found.iter().map(|(file, _)| *file));
        append_text(&mut bytes, &account::uploads_entry(number), &list, mtime_s);
        for (file, body) in &found {
            let entry = export::file_entry(&file.key, &file.name);
            tar::append(&mut bytes, &entry, body, mtime_s);
        }
        Ok(Made {
            part: AccountPart {
                files: found.len() as u64,
                bytes: bytes.len() as u64,
                ..AccountPart::default()
            },
            read: Read::Files {
                last: rows[..taken].last().map(|f| f.key.clone()),
                full: taken < rows.len() || rows.len() == chunk,
            },
            bytes,
        })
    }

    /// One page of `sql`: the user (`?1`), where the last page ended (`after`), and
    /// `EXPORT_CHUNK` rows at most (the last parameter).
    async fn page(
        &self,
        db: &D1Database,
        sql: &str,
        user_id: &str,
        after: &[JsValue],
    ) -> Result<Vec<Row>> {
        let params: Vec<JsValue> = std::iter::once(JsValue::from_str(user_id))
            .chain(after.iter().cloned())
            .chain([JsValue::from_f64(self.limits.export_chunk as f64)])
            .collect();
        db.prepare(sql).bind(&params)?.all().await?.results()
    }
}

/// Appends the entry `name` holding `text`, unless it would hold nothing.
fn append_text(bytes: &mut Vec<u8>, name: &str, text: &str, mtime_s: u64) {
    if !text.is_empty() {
        tar::append(bytes, name, text.as_bytes(), mtime_s);
    }
}

/// The rows' lines as JSON Lines.
fn lines<'a>(rows: impl Iterator<Item = &'a Row>) -> String {
    let mut text = String::new();
    for row in rows {
        text.push_str(&row.line);
        text.push('\n');
    }
    text
}
