//! The room's exports (schema 15): one row each while it is built and until its archive
//! expires, and one row per part written. A room has few: each is an admin's, within
//! their daily budget, and is forgotten with its archive.

use edgechat_protocol::{Id, Millis, Seq};

use super::{Row, Sql, Store, StoreError};
use crate::export::Part;

const ONE: &str = "SELECT export_id, user_id, phase, target, cursor, member_cursor, parts, messages, members, files, bytes, created_at, due_at
     FROM exports WHERE export_id = ?";
/// The oldest export still being built goes first; the others wait their turn.
const NEXT_RUNNING: &str = "SELECT export_id, user_id, phase, target, cursor, member_cursor, parts, messages, members, files, bytes, created_at, due_at
     FROM exports WHERE phase IN ('messages', 'members', 'manifest') ORDER BY created_at, export_id LIMIT 1";
/// By the index `exports_by_user` (schema 17).
const LATEST: &str = "SELECT export_id, user_id, phase, target, cursor, member_cursor, parts, messages, members, files, bytes, created_at, due_at
     FROM exports WHERE user_id = ? ORDER BY created_at DESC LIMIT 1";
const ADD: &str = "INSERT INTO exports (export_id, user_id, phase, target, created_at, due_at)
     VALUES (?, ?, 'messages', ?, ?, ?)";
const DUE: &str = "SELECT MIN(due_at) FROM exports";
const EXPIRED: &str = "SELECT export_id, user_id, phase, target, cursor, member_cursor, parts, messages, members, files, bytes, created_at, due_at
     FROM exports WHERE phase IN ('ready', 'failed') AND due_at <= ? ORDER BY due_at LIMIT ?";
const ADVANCE: &str = "UPDATE exports SET phase = ?, cursor = ?, member_cursor = ?, parts = ?,
     messages = ?, members = ?, files = ?, bytes = ?, due_at = ? WHERE export_id = ?";
const ADD_PART: &str = "INSERT INTO export_parts (export_id, part, messages, members, files, bytes)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (export_id, part) DO UPDATE SET messages = excluded.messages,
       members = excluded.members, files = excluded.files, bytes = excluded.bytes";
const PARTS: &str = "SELECT messages, members, files, bytes FROM export_parts
     WHERE export_id = ? ORDER BY part LIMIT ?";
const DELAY: &str = "UPDATE exports SET due_at = ?
     WHERE phase IN ('messages', 'members', 'manifest') AND due_at < ?";
const FORGET: &str = "DELETE FROM exports WHERE export_id = ?";
const FORGET_PARTS: &str = "DELETE FROM export_parts WHERE export_id = ?";
const MESSAGES_IN: &str =
    "SELECT body FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?";

/// Where an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Writing the messages after `cursor`, through `target`.
    Messages,
    /// Writing the members after `member_cursor`.
    Members,
    /// Everything is written but the manifest.
    Manifest,
    /// The archive is whole, until `due_at`.
    Ready,
    /// It grew past `EXPORT_MAX_BYTES`; its parts go at `due_at`.
    Failed,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Messages => "messages",
            Phase::Members => "members",
            Phase::Manifest => "manifest",
            Phase::Ready => "ready",
            Phase::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "messages" => Phase::Messages,
            "members" => Phase::Members,
            "manifest" => Phase::Manifest,
            "ready" => Phase::Ready,
            "failed" => Phase::Failed,
            other => return Err(StoreError::Corrupt(format!("export phase {other:?}"))),
        })
    }
}

/// One export as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub export_id: Id,
    /// Who asked for it: the only one it is shown and offered to.
    pub user_id: Id,
    pub phase: Phase,
    /// The head when it began: the messages through this seq.
    pub target: Seq,
    /// The messages are written through this seq.
    pub cursor: Seq,
    /// The members are written through this user id.
    pub member_cursor: Option<Id>,
    /// Parts written so far, and what they hold.
    pub parts: u32,
    pub messages: u64,
    pub members: u64,
    pub files: u64,
    pub bytes: u64,
    pub created_at: Millis,
    /// When the alarm has something to do for it: its next part, or its archive's end.
    pub due_at: Millis,
}

fn export(row: &Row) -> Result<Export, StoreError> {
    Ok(Export {
        export_id: row.text(0)?.to_owned(),
        user_id: row.text(1)?.to_owned(),
        phase: Phase::parse(row.text(2)?)?,
        target: row.uint(3)?,
        cursor: row.uint(4)?,
        member_cursor: (!row.is_null(5))
            .then(|| row.text(5).map(str::to_owned))
            .transpose()?,
        parts: row.uint(6)?.min(u64::from(u32::MAX)) as u32,
        messages: row.uint(7)?,
        members: row.uint(8)?,
        files: row.uint(9)?,
        bytes: row.uint(10)?,
        created_at: row.uint(11)?,
        due_at: row.uint(12)?,
    })
}

impl<S: Sql> Store<S> {
    pub fn export(&self, export_id: &str) -> Result<Option<Export>, StoreError> {
        self.one(ONE, &[export_id.into()])?
            .as_ref()
            .map(export)
            .transpose()
    }

    /// `user_id`'s newest export of the room, if any is kept.
    pub fn latest_export(&self, user_id: &str) -> Result<Option<Export>, StoreError> {
        self.one(LATEST, &[user_id.into()])?
            .as_ref()
            .map(export)
            .transpose()
    }

    /// The export whose turn it is, if any is still being built.
    pub fn next_running_export(&self) -> Result<Option<Export>, StoreError> {
        self.one(NEXT_RUNNING, &[])?
            .as_ref()
            .map(export)
            .transpose()
    }

    pub fn add_export(
        &self,
        export_id: &str,
        user_id: &str,
        target: Seq,
        now: Millis,
    ) -> Result<(), StoreError> {
        self.exec(
            ADD,
            &[
                export_id.into(),
                user_id.into(),
                target.into(),
                now.into(),
                now.into(),
            ],
        )
    }

    /// When the alarm next has something to do for an export, if ever.
    pub fn export_due(&self) -> Result<Option<Millis>, StoreError> {
        self.one(DUE, &[])?
            .filter(|row| !row.is_null(0))
            .map(|row| row.uint(0))
            .transpose()
    }

    /// Up to `limit` finished exports whose archives are due to go.
    pub fn expired_exports(&self, now: Millis, limit: usize) -> Result<Vec<Export>, StoreError> {
        self.sql
            .run(EXPIRED, &[now.into(), (limit as u64).into()])?
            .iter()
            .map(export)
            .collect()
    }

    /// Stores where `export` now is (its phase, cursors, counts and next due time).
    pub fn save_export(&self, export: &Export) -> Result<(), StoreError> {
        self.exec(
            ADVANCE,
            &[
                export.phase.as_str().into(),
                export.cursor.into(),
                export
                    .member_cursor
                    .as_deref()
                    .map_or(super::Value::Null, Into::into),
                export.parts.into(),
                export.messages.into(),
                export.members.into(),
                export.files.into(),
                export.bytes.into(),
                export.due_at.into(),
                export.export_id.as_str().into(),
            ],
        )
    }

    pub fn add_export_part(
        &self,
        export_id: &str,
        part: u32,
        held: Part,
    ) -> Result<(), StoreError> {
        self.exec(
            ADD_PART,
            &[
                export_id.into(),
                part.into(),
                held.messages.into(),
                held.members.into(),
                held.files.into(),
                held.bytes.into(),
            ],
        )
    }

    /// The parts of an export in order (at most `limit`).
    pub fn export_parts(&self, export_id: &str, limit: usize) -> Result<Vec<Part>, StoreError> {
        self.sql
            .run(PARTS, &[export_id.into(), (limit as u64).into()])?
            .iter()
            .map(|row| {
                Ok(Part {
                    messages: row.uint(0)?,
                    members: row.uint(1)?,
                    files: row.uint(2)?,
                    bytes: row.uint(3)?,
                })
            })
            .collect()
    }

    /// Exports being built wait until `until` (a part could not be written).
    pub fn delay_exports(&self, until: Millis) -> Result<(), StoreError> {
        self.exec(DELAY, &[until.into(), until.into()])
    }

    pub fn forget_export(&self, export_id: &str) -> Result<(), StoreError> {
        self.exec(FORGET_PARTS, &[export_id.into()])?;
        self.exec(FORGET, &[export_id.into()])
    }

    /// Up to `limit` stored message rows after `after` through `through`, oldest first,
    /// each as its JSON text (tombstones included: their ack keys matter to an import).
    pub fn message_rows(
        &self,
        after: Seq,
        through: Seq,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.sql
            .run(
                MESSAGES_IN,
                &[after.into(), through.into(), (limit as u64).into()],
            )?
            .iter()
            .map(|row| row.text(0).map(str::to_owned))
            .collect()
    }
}
