//! A user's export of their own account (docs/api.md, "Export and import"): their
//! profile, the rooms they are in, every message they wrote (as it stands, edited or not,
//! with its reactions and pin) and the files they uploaded. The user's inbox object builds
//! it from its alarm, a part at a time, each part read from D1 by an index range after
//! the last one's end, so an account of a million messages exports part by part as a
//! room does; the parts go to R2 beside a room export's, and download the same way.
//!
//! ```text
//! manifest.json                 this export: the user, counts, the parts in order
//! profile.json                  the account as `GET /api/me` shows it
//! rooms/000001.jsonl            one room a line: roomId, name, kind, role, joinedAt
//! messages/000002.jsonl         one message a line, as the wire's `Message`, oldest first
//! uploads/000009.jsonl          one file a line: fileId, roomId, name, contentType, size
//! files/{fileId}/{name}         its bytes, after its line
//! ```
//!
//! This module keeps where an export is, decides where it goes next and how many files a
//! part takes; the object reads the rows (D1 writes each line, `inbox_object/exports`)
//! and moves the bytes.

use edgechat_protocol::{ErrorCode, Id, Millis};
use serde::{Deserialize, Serialize};

use super::{FORMAT, FORMAT_VERSION};
use crate::{Limits, Refusal};

/// What an account's `manifest.json` says its kind is.
pub const KIND: &str = "account";

/// An account's `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountManifest {
    /// [`FORMAT`].
    pub format: String,
    pub version: u32,
    /// [`KIND`].
    pub kind: String,
    pub export_id: Id,
    /// When the export began; each part holds its rows as they stood when it was written.
    pub exported_at: Millis,
    /// The account's id (only its owner exports it).
    pub exported_by: Id,
    pub rooms: u64,
    pub messages: u64,
    pub files: u64,
    pub parts: Vec<AccountPart>,
}

/// One part of an account's archive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPart {
    pub rooms: u64,
    pub messages: u64,
    pub files: u64,
    pub bytes: u64,
}

/// Where an account's export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Rooms,
    Messages,
    Files,
    Manifest,
    Ready,
    /// Grew past `EXPORT_MAX_BYTES`.
    Failed,
}

/// An account's export as its inbox stores it: where it is and what it has written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountExport {
    pub export_id: Id,
    pub user_id: Id,
    pub created_at: Millis,
    pub stage: Stage,
    /// The last room written (rooms go by id).
    pub after_room: String,
    /// The last message read: its time and D1 row (messages go by `messages_by_author`).
    pub after_message: (Millis, u64),
    /// The last file read (files go by id).
    pub after_file: String,
    pub parts: Vec<AccountPart>,
    /// When the next part is due; once finished, when the archive is deleted.
    pub due_at: Millis,
}

/// What a part read, for [`AccountExport::stepped`]: how many rows, the last one's key,
/// and whether the page was full (more may follow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Rooms {
        last: Option<String>,
        full: bool,
    },
    Messages {
        last: Option<(Millis, u64)>,
        full: bool,
    },
    Files {
        last: Option<Id>,
        full: bool,
    },
}

/// An account's export as its owner sees it (`GET /api/me/exports/{exportId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountExportView {
    pub export_id: Id,
    /// `running`, `ready` or `failed`.
    pub state: &'static str,
    /// What it is writing: `rooms`, `messages`, `files`, `manifest`, or the state.
    pub stage: Stage,
    pub rooms: u64,
    pub messages: u64,
    pub files: u64,
    pub bytes: u64,
    pub created_at: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Millis>,
}

impl AccountExport {
    pub fn new(export_id: &str, user_id: &str, now: Millis) -> Self {
        Self {
            export_id: export_id.to_owned(),
            user_id: user_id.to_owned(),
            created_at: now,
            stage: Stage::Rooms,
            after_room: String::new(),
            after_message: (0, 0),
            after_file: String::new(),
            parts: Vec::new(),
            due_at: now,
        }
    }

    pub fn running(&self) -> bool {
        !matches!(self.stage, Stage::Ready | Stage::Failed)
    }

    /// The number the next part is written as (from 1).
    pub fn next_part(&self) -> u32 {
        self.parts.len() as u32 + 1
    }

    pub fn bytes(&self) -> u64 {
        self.parts.iter().map(|p| p.bytes).sum()
    }

    fn total(&self, of: impl Fn(&AccountPart) -> u64) -> u64 {
        self.parts.iter().map(of).sum()
    }

    pub fn view(&self) -> AccountExportView {
        let state = match self.stage {
            Stage::Ready => "ready",
            Stage::Failed => "failed",
            _ => "running",
        };
        AccountExportView {
            export_id: self.export_id.clone(),
            state,
            stage: self.stage,
            rooms: self.total(|p| p.rooms),
            messages: self.total(|p| p.messages),
            files: self.total(|p| p.files),
            bytes: self.bytes(),
            created_at: self.created_at,
            expires_at: (!self.running()).then_some(self.due_at),
        }
    }

    /// Records a part written (`part` holds what it wrote; nothing is recorded for an
    /// empty one), moves past what it read, and sets the next part's time: the next
    /// stage when the page was not full, failed past `EXPORT_MAX_BYTES`.
    pub fn stepped(&mut self, read: Read, part: AccountPart, limits: &Limits, now: Millis) {
        let full = match read {
            Read::Rooms { last, full } => {
                self.after_room = last.unwrap_or_else(|| self.after_room.clone());
                full
            }
            Read::Messages { last, full } => {
                self.after_message = last.unwrap_or(self.after_message);
                full
            }
            Read::Files { last, full } => {
                self.after_file = last.unwrap_or_else(|| self.after_file.clone());
                full
            }
        };
        if part.bytes > 0 {
            self.parts.push(part);
        }
        if !full {
            self.stage = match self.stage {
                Stage::Rooms => Stage::Messages,
                Stage::Messages => Stage::Files,
                _ => Stage::Manifest,
            };
        }
        self.due_at = now + limits.export_pace_ms;
        if self.bytes() > limits.export_max_bytes {
            self.stage = Stage::Failed;
            self.due_at = now + limits.export_ttl_ms;
        }
    }

    /// The manifest is written: the archive is ready, and kept for `EXPORT_TTL_MS`.
    pub fn finished(&mut self, limits: &Limits, now: Millis) {
        self.stage = Stage::Ready;
        self.due_at = now + limits.export_ttl_ms;
    }

    pub fn manifest(&self) -> AccountManifest {
        AccountManifest {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            kind: KIND.to_owned(),
            export_id: self.export_id.clone(),
            exported_at: self.created_at,
            exported_by: self.user_id.clone(),
            rooms: self.total(|p| p.rooms),
            messages: self.total(|p| p.messages),
            files: self.total(|p| p.files),
            parts: self.parts.clone(),
        }
    }
}

/// Everything a user's inbox keeps of their exports: the newest, and the archives to
/// delete (their ids and part counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountExports {
    pub current: Option<AccountExport>,
    #[serde(default)]
    pub doomed: Vec<(Id, u32)>,
}

impl AccountExports {
    /// Starts export `export_id`; refused (`conflict`) while another is written. A
    /// finished archive makes way: it is deleted from the next alarm on.
    pub fn start(&mut self, export_id: &str, user_id: &str, now: Millis) -> Result<(), Refusal> {
        if let Some(old) = self.current.take() {
            if old.running() {
                self.current = Some(old);
                return Err(Refusal::new(
                    ErrorCode::Conflict,
                    "an export of your account is still being written",
                ));
            }
            self.doomed
                .push((old.export_id.clone(), old.parts.len() as u32));
        }
        self.current = Some(AccountExport::new(export_id, user_id, now));
        Ok(())
    }

    /// The export `export_id`, if it is the newest.
    pub fn get(&self, export_id: &str) -> Option<&AccountExport> {
        self.current.as_ref().filter(|e| e.export_id == export_id)
    }

    /// When the alarm has export work: at once for archives to delete, else the newest
    /// export's next part or its end.
    pub fn due(&self) -> Option<Millis> {
        if self.doomed.is_empty() {
            self.current.as_ref().map(|e| e.due_at)
        } else {
            Some(0)
        }
    }

    /// A finished archive whose time is over joins those to delete.
    pub fn expire(&mut self, now: Millis) {
        if let Some(old) = self.current.take_if(|e| !e.running() && e.due_at <= now) {
            self.doomed.push((old.export_id, old.parts.len() as u32));
        }
    }
}

/// The entry of the profile, in the first part.
pub const PROFILE: &str = "profile.json";

/// The entry of part `part`'s rooms.
pub fn rooms_entry(part: u32) -> String {
    format!("rooms/{part:06}.jsonl")
}

/// The entry of part `part`'s list of files.
pub fn uploads_entry(part: u32) -> String {
    format!("uploads/{part:06}.jsonl")
}

/// How many of a page of files (their sizes, in order) one part takes: as many as fit in
/// `EXPORT_PART_BYTES`, but at least one, so a file larger than that is a part alone.
pub fn files_taken(sizes: &[u64], part_bytes: u64) -> usize {
    let mut bytes = 0u64;
    let fit = sizes
        .iter()
        .take_while(|&&size| {
            bytes += size;
            bytes <= part_bytes
        })
        .count();
    fit.max(1).min(sizes.len())
}
