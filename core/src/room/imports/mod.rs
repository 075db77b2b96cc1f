//! A room's import of an export (docs/api.md, "Export and import"), as the core decides
//! it: only an admin, only into a room with no messages, once. The archive waits in R2;
//! the alarm hands the core each entry's header, the core says what to read, and the
//! messages go in oldest first, each seq moved up by the room's head when the import
//! began, so their order stands and replies still point at their message. Nobody is
//! notified: the write-behind is told the imported seqs (`imported_through`).

use edgechat_protocol::{ErrorCode, Id, Millis, Role};
use serde::Serialize;

mod entries;

use super::{Identity, Refusal, Room, Upload};
use crate::{
    export::{self, tar},
    store::{Import, ImportPhase, Sql, StoreError},
};
use entries::check_manifest;

/// The largest entry an import reads at once: a part's messages, or one file.
pub const IMPORT_ENTRY_MAX: u64 = 32 * 1024 * 1024;

/// How long an import waits for its archive to reach R2 before it is given up.
pub const IMPORT_UPLOAD_MS: u64 = 15 * 60 * 1000;

/// The import as its admin sees it (`GET /api/rooms/{id}/imports/{importId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    pub import_id: Id,
    /// `waiting` (the archive is on its way), `running`, `done` or `failed`.
    pub state: &'static str,
    /// Bytes of the archive read, of `size`.
    pub read: u64,
    pub size: u64,
    pub messages: u64,
    pub files: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl From<&Import> for ImportView {
    fn from(import: &Import) -> Self {
        ImportView {
            import_id: import.import_id.clone(),
            state: import.phase.as_str(),
            read: import.cursor.min(import.size),
            size: import.size,
            messages: import.messages,
            files: import.files,
            error: import.error.clone(),
        }
    }
}

/// What the object reads next of an import's archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRead {
    /// The header block at `offset`: hand it to [`Room::import_header`].
    Header { import_id: Id, offset: u64 },
    /// `len` bytes at `offset`, the entry the last header named: hand them to
    /// [`Room::import_entry`] (a file's bytes are stored first, as `file_id`, the
    /// upload it is).
    Entry {
        import_id: Id,
        offset: u64,
        len: u64,
        entry: Entry,
    },
    /// The import is over (done, or failed): delete its archive.
    Finished { import_id: Id },
}

/// An entry worth reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Manifest,
    Messages,
    File { upload: Box<Upload> },
}

impl<S: Sql> Room<S> {
    /// Starts an import into this room for `who`, an admin of it, while it has no
    /// message and never had an import; its archive is then stored as
    /// [`export::import_key`] and [`Room::import_stored`] says so.
    pub fn begin_import(
        &mut self,
        who: &Identity,
        import_id: &str,
        now: Millis,
    ) -> Result<Result<ImportView, Refusal>, StoreError> {
        if !who.global_admin
            && let Err(refusal) = self.require_role(who, Role::Admin)
        {
            return refusal.or_failure().map(Err);
        }
        if self.store.any_import()?.is_some() || self.store.has_messages()? {
            return Ok(Err(Refusal::new(
                ErrorCode::Conflict,
                "a room is imported into once, while it has no messages: make a new room",
            )));
        }
        let base = self.head;
        self.in_step(now, |room| {
            room.store
                .add_import(import_id, &who.user_id, base, now, now + IMPORT_UPLOAD_MS)?;
            room.audit(
                &who.user_id,
                "import-started",
                import_id,
                serde_json::json!({}),
            )
        })?;
        self.import_deadline.set(None);
        self.import_view(who, import_id)
    }

    /// The import `import_id`, for the admin who started it.
    pub fn import_view(
        &self,
        who: &Identity,
        import_id: &str,
    ) -> Result<Result<ImportView, Refusal>, StoreError> {
        Ok(match self.store.import(import_id)? {
            Some(import) if import.user_id == who.user_id => Ok(ImportView::from(&import)),
            _ => Err(Refusal::new(ErrorCode::NotFound, "no such import")),
        })
    }

    /// The archive is in R2, `size` bytes: the alarm reads it from now on.
    pub fn import_stored(
        &mut self,
        import_id: &str,
        size: u64,
        now: Millis,
    ) -> Result<(), StoreError> {
        let Some(mut import) = self.store.import(import_id)? else {
            return Ok(());
        };
        if import.phase != ImportPhase::Waiting {
            return Ok(());
        }
        (import.phase, import.size, import.due_at) = (ImportPhase::Running, size, now);
        self.save_import(import, now)
    }

    /// What to read next for the import, once it is due: its next header, or its end.
    pub fn next_import_read(&mut self, now: Millis) -> Result<Option<ImportRead>, StoreError> {
        // Most alarms have no import due: known without a read.
        if self.next_import_due()?.is_none_or(|due| due > now) {
            return Ok(None);
        }
        let Some(import) = self.store.any_import()? else {
            return Ok(None);
        };
        if import.due_at > now {
            return Ok(None);
        }
        Ok(match import.phase {
            ImportPhase::Running if import.cursor + tar::BLOCK as u64 <= import.size => {
                Some(ImportRead::Header {
                    import_id: import.import_id,
                    offset: import.cursor,
                })
            }
            // An entry stepped over ran past the end: the archive was cut short.
            ImportPhase::Running if import.cursor > import.size => {
                let why = "the archive is damaged: it ends inside an entry".to_owned();
                Some(self.finish_import(import, Some(why), now)?)
            }
            // An archive that ends without its end blocks ends here all the same.
            ImportPhase::Running => Some(self.finish_import(import, None, now)?),
            // Its archive never arrived: given up, and whatever reached R2 goes.
            ImportPhase::Waiting => {
                Some(self.finish_import(import, Some("the archive did not arrive".into()), now)?)
            }
            ImportPhase::Done | ImportPhase::Failed => None,
        })
    }

    /// The header at the import's cursor: what to read of its entry, or nothing (an
    /// entry the import does not take, stepped over), or the end.
    pub fn import_header(
        &mut self,
        import_id: &str,
        block: &[u8],
        now: Millis,
    ) -> Result<Option<ImportRead>, StoreError> {
        let Some(mut import) = self.store.import(import_id)? else {
            return Ok(None);
        };
        let header = match tar::read_header(block) {
            Ok(Some(header)) => header,
            Ok(None) => return self.finish_import(import, None, now).map(Some),
            Err(err) => {
                let why = format!("the archive is damaged at byte {}: {err}", import.cursor);
                return self.finish_import(import, Some(why), now).map(Some);
            }
        };
        let first = import.cursor == 0;
        let data = import.cursor + tar::BLOCK as u64;
        let entry = if first {
            (header.name == export::MANIFEST).then_some(Entry::Manifest)
        } else if header.name.starts_with("messages/") {
            Some(Entry::Messages)
        } else if let Some(old) = export::file_of_entry(&header.name) {
            let file_id = export::imported_file_id(import_id, old);
            // A file no imported message attaches is not taken.
            self.store.upload(&file_id)?.map(|(upload, _)| Entry::File {
                upload: Box::new(upload),
            })
        } else {
            None
        };
        let refused = match &entry {
            None if first => {
                Some("this is not an edgechat export: it has no manifest first".into())
            }
            Some(_) if header.size > IMPORT_ENTRY_MAX => {
                Some(format!("{} is larger than an import reads", header.name))
            }
            _ => None,
        };
        if let Some(why) = refused {
            return self.finish_import(import, Some(why), now).map(Some);
        }
        Ok(match entry {
            Some(entry) => Some(ImportRead::Entry {
                import_id: import_id.to_owned(),
                offset: data,
                len: header.size,
                entry,
            }),
            None => {
                import.cursor += tar::entry_len(header.size);
                self.save_import(import, now)?;
                None
            }
        })
    }

    /// The bytes of the entry [`Self::import_header`] named (for a file: stored, and
    /// these are not needed). Messages go in; a manifest is checked.
    pub fn import_entry(
        &mut self,
        import_id: &str,
        offset: u64,
        entry: &Entry,
        bytes: &[u8],
        now: Millis,
    ) -> Result<Option<ImportRead>, StoreError> {
        let Some(mut import) = self.store.import(import_id)? else {
            return Ok(None);
        };
        if import.phase != ImportPhase::Running || import.cursor + tar::BLOCK as u64 != offset {
            // Reported twice: the first one counted.
            return Ok(None);
        }
        let outcome = match entry {
            Entry::Manifest => check_manifest(bytes),
            Entry::Messages => self.import_lines(&mut import, bytes, now)?,
            Entry::File { .. } => {
                import.files += 1;
                Ok(())
            }
        };
        if let Err(why) = outcome {
            return self.finish_import(import, Some(why), now).map(Some);
        }
        import.cursor = offset + tar::entry_len(bytes.len() as u64) - tar::BLOCK as u64;
        self.save_import(import, now)?;
        Ok(None)
    }

    /// One entry's messages, in one step: each moved up by the import's base, with its
    /// reply and its files renamed to match, and counted as imported (nobody told).
    fn import_lines(
        &mut self,
        import: &mut Import,
        bytes: &[u8],
        now: Millis,
    ) -> Result<Result<(), String>, StoreError> {
        let messages = match self.read_lines(import, bytes) {
            Ok(messages) => messages,
            Err(why) => return Ok(Err(why)),
        };
        let stored = self.in_step(now, |room| {
            let mut stored = 0;
            for message in &messages {
                room.head = message.seq;
                stored += u64::from(room.store.import_message(message)?);
            }
            room.store.set_imported_through(room.head)?;
            Ok(stored)
        })?;
        import.messages += stored;
        self.uploads_changed();
        Ok(Ok(()))
    }

    fn finish_import(
        &mut self,
        mut import: Import,
        error: Option<String>,
        now: Millis,
    ) -> Result<ImportRead, StoreError> {
        import.phase = if error.is_some() {
            ImportPhase::Failed
        } else {
            ImportPhase::Done
        };
        import.error = error;
        let import_id = import.import_id.clone();
        self.save_import(import, now)?;
        Ok(ImportRead::Finished { import_id })
    }

    fn save_import(&mut self, mut import: Import, now: Millis) -> Result<(), StoreError> {
        if import.phase == ImportPhase::Running {
            import.due_at = import.due_at.max(now);
        }
        self.in_step(now, |room| room.store.save_import(&import))?;
        self.import_deadline.set(None);
        Ok(())
    }

    /// The import read what one alarm may: its next read waits `EXPORT_PACE_MS`.
    pub fn pace_import(&mut self, now: Millis) -> Result<(), StoreError> {
        let Some(mut import) = self.store.any_import()? else {
            return Ok(());
        };
        if import.phase == ImportPhase::Running {
            import.due_at = now + self.limits.export_pace_ms;
            self.save_import(import, now)?;
        }
        Ok(())
    }

    /// When the import next needs the alarm, as last read.
    pub(super) fn next_import_due(&self) -> Result<Option<Millis>, StoreError> {
        super::remembered(&self.import_deadline, || self.store.import_due())
    }
}
