//! A room's import (schema 16): at most one, into the room while it has no messages. Its
//! archive waits in R2 while the alarm reads it entry by entry from `cursor`; the
//! messages go in as rows of `messages`, each seq moved up by `base`.

use edgechat_protocol::{Id, Message, Millis, Seq};

use super::{Row, Sql, Store, StoreError, fold};
use crate::room::Upload;

const ONE: &str = "SELECT import_id, user_id, phase, size, cursor, base, messages, files, error, created_at, due_at
     FROM imports WHERE import_id = ?";
const ANY: &str = "SELECT import_id, user_id, phase, size, cursor, base, messages, files, error, created_at, due_at
     FROM imports ORDER BY created_at LIMIT 1";
const ADD: &str = "INSERT INTO imports (import_id, user_id, phase, size, base, created_at, due_at)
     VALUES (?, ?, 'waiting', 0, ?, ?, ?)";
const SAVE: &str = "UPDATE imports SET phase = ?, size = ?, cursor = ?, messages = ?, files = ?,
     error = ?, due_at = ? WHERE import_id = ?";
const DUE: &str = "SELECT MIN(due_at) FROM imports WHERE phase IN ('waiting', 'running')";
const ANY_MESSAGE: &str = "SELECT 1 FROM messages LIMIT 1";
/// The messages through this seq were imported: nobody is told of them.
pub const IMPORTED_THROUGH: &str = "imported_through";

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// Its archive is on its way to R2, until `due_at`.
    Waiting,
    /// Its archive is read from `cursor`.
    Running,
    Done,
    /// Stopped at `cursor`, for `error`.
    Failed,
}

impl ImportPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportPhase::Waiting => "waiting",
            ImportPhase::Running => "running",
            ImportPhase::Done => "done",
            ImportPhase::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "waiting" => ImportPhase::Waiting,
            "running" => ImportPhase::Running,
            "done" => ImportPhase::Done,
            "failed" => ImportPhase::Failed,
            other => return Err(StoreError::Corrupt(format!("import phase {other:?}"))),
        })
    }
}

/// The room's import as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub import_id: Id,
    pub user_id: Id,
    pub phase: ImportPhase,
    /// The archive's size in bytes, once it is in R2.
    pub size: u64,
    /// The offset of the next entry's header.
    pub cursor: u64,
    /// What each imported message's seq is moved up by (the room's head when it began).
    pub base: Seq,
    pub messages: u64,
    pub files: u64,
    pub error: Option<String>,
    pub created_at: Millis,
    pub due_at: Millis,
}

fn import(row: &Row) -> Result<Import, StoreError> {
    Ok(Import {
        import_id: row.text(0)?.to_owned(),
        user_id: row.text(1)?.to_owned(),
        phase: ImportPhase::parse(row.text(2)?)?,
        size: row.uint(3)?,
        cursor: row.uint(4)?,
        base: row.uint(5)?,
        messages: row.uint(6)?,
        files: row.uint(7)?,
        error: (!row.is_null(8))
            .then(|| row.text(8).map(str::to_owned))
            .transpose()?,
        created_at: row.uint(9)?,
        due_at: row.uint(10)?,
    })
}

impl<S: Sql> Store<S> {
    pub fn import(&self, import_id: &str) -> Result<Option<Import>, StoreError> {
        self.one(ONE, &[import_id.into()])?
            .as_ref()
            .map(import)
            .transpose()
    }

    /// The room's import, if it ever had one.
    pub fn any_import(&self) -> Result<Option<Import>, StoreError> {
        self.one(ANY, &[])?.as_ref().map(import).transpose()
    }

    /// Whether the room has any message at all (tombstones count).
    pub fn has_messages(&self) -> Result<bool, StoreError> {
        Ok(self.one(ANY_MESSAGE, &[])?.is_some())
    }

    pub fn add_import(
        &self,
        import_id: &str,
        user_id: &str,
        base: Seq,
        now: Millis,
        due_at: Millis,
    ) -> Result<(), StoreError> {
        self.exec(
            ADD,
            &[
                import_id.into(),
                user_id.into(),
                base.into(),
                now.into(),
                due_at.into(),
            ],
        )
    }

    pub fn save_import(&self, import: &Import) -> Result<(), StoreError> {
        self.exec(
            SAVE,
            &[
                import.phase.as_str().into(),
                import.size.into(),
                import.cursor.into(),
                import.messages.into(),
                import.files.into(),
                import
                    .error
                    .as_deref()
                    .map_or(super::Value::Null, Into::into),
                import.due_at.into(),
                import.import_id.as_str().into(),
            ],
        )
    }

    /// When an import next needs the alarm, if ever.
    pub fn import_due(&self) -> Result<Option<Millis>, StoreError> {
        self.one(DUE, &[])?
            .filter(|row| !row.is_null(0))
            .map(|row| row.uint(0))
            .transpose()
    }

    /// Stores an imported message (its attachments as uploads of its sender, attached);
    /// `false` when its sender already has a message with its `clientMsgId` here.
    pub fn import_message(&self, message: &Message) -> Result<bool, StoreError> {
        for attachment in &message.attachments {
            self.save_upload(&Upload {
                attachment: attachment.clone(),
                uploader: message.user_id.clone(),
                uploaded_at: message.timestamp,
            })?;
        }
        fold::new_message(self, message)
    }

    /// The messages through this seq were imported.
    pub fn imported_through(&self) -> Result<Seq, StoreError> {
        self.counter(IMPORTED_THROUGH)
    }

    pub fn set_imported_through(&self, seq: Seq) -> Result<(), StoreError> {
        self.set_counter(IMPORTED_THROUGH, seq)
    }
}
