//! A room's exports, as the core decides them: who may start one (the room's admins, and
//! the deployment's), what each part holds, when the next is due, and when an archive
//! goes. The object writes what a step names to R2 and reports back; it decides nothing.
//! Each part is one alarm's work, read by index ranges (messages by seq, members by id),
//! so an export's cost follows its parts and a room a year old exports as a new one does.

use edgechat_protocol::{ErrorCode, Id, Millis, Role, Seq};
use serde::Serialize;

mod parts;

use super::{Identity, Refusal, Room};
use crate::{
    export::{Manifest, Part},
    store::{Export, Phase, Sql, StoreError},
};

/// How many finished archives one alarm deletes at most.
const EXPIRED_PER_ALARM: usize = 10;

/// An export as its user sees it (`GET /api/rooms/{id}/exports/{exportId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    pub export_id: Id,
    /// `running`, `ready` or `failed` (past `EXPORT_MAX_BYTES`).
    pub state: &'static str,
    /// The messages through this seq are exported…
    pub through_seq: Seq,
    /// …and they are written through this one: progress is `writtenSeq / throughSeq`.
    pub written_seq: Seq,
    pub messages: u64,
    pub members: u64,
    pub files: u64,
    pub bytes: u64,
    pub created_at: Millis,
    /// When a finished archive is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Millis>,
}

impl From<&Export> for ExportView {
    fn from(export: &Export) -> Self {
        let (state, expires_at) = match export.phase {
            Phase::Messages | Phase::Members | Phase::Manifest => ("running", None),
            Phase::Ready => ("ready", Some(export.due_at)),
            Phase::Failed => ("failed", Some(export.due_at)),
        };
        ExportView {
            export_id: export.export_id.clone(),
            state,
            through_seq: export.target,
            written_seq: if state == "running" {
                export.cursor
            } else {
                export.target
            },
            messages: export.messages,
            members: export.members,
            files: export.files,
            bytes: export.bytes,
            created_at: export.created_at,
            expires_at,
        }
    }
}

/// What the object does next for an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStep {
    /// Write part `part` to R2 (`export::part_key`): the text `entries`, then each file
    /// of `files` (its entry name, its file id) whose bytes are still there; then hand
    /// back [`Room::export_stepped`].
    Part {
        export_id: Id,
        part: u32,
        /// The entries' time, in seconds.
        mtime_s: u64,
        entries: Vec<(String, String)>,
        files: Vec<(String, Id)>,
        moved: Moved,
    },
    /// Write the manifest (`export::manifest_key`), then [`Room::export_finished`].
    Manifest {
        export_id: Id,
        manifest: Box<Manifest>,
    },
}

/// How far a part takes its export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// `count` messages, through seq `through`; `done` when no message is left.
    Messages {
        through: Seq,
        count: u64,
        done: bool,
    },
    /// `count` members, through `last`; `done` when no member is left.
    Members {
        last: Option<Id>,
        count: u64,
        done: bool,
    },
}

impl<S: Sql> Room<S> {
    /// Starts an export of the room for `who`, who must be its admin (or the
    /// deployment's). Asking again with the same `export_id` answers the same export.
    pub fn start_export(
        &mut self,
        who: &Identity,
        export_id: &str,
        now: Millis,
    ) -> Result<Result<ExportView, Refusal>, StoreError> {
        if !who.global_admin
            && let Err(refusal) = self.require_role(who, Role::Admin)
        {
            return refusal.or_failure().map(Err);
        }
        if let Some(existing) = self.store.export(export_id)? {
            return Ok(if existing.user_id == who.user_id {
                Ok(ExportView::from(&existing))
            } else {
                Err(no_such_export())
            });
        }
        let head = self.head;
        self.in_step(now, |room| {
            room.store.add_export(export_id, &who.user_id, head, now)?;
            room.audit(
                &who.user_id,
                "export-started",
                export_id,
                serde_json::json!({}),
            )
        })?;
        self.export_deadline.set(None);
        let started = self
            .store
            .export(export_id)?
            .ok_or_else(|| StoreError::Corrupt("the export just stored is not there".into()))?;
        Ok(Ok(ExportView::from(&started)))
    }

    /// Where `who`'s export `export_id` is. Nobody else learns that it exists.
    pub fn export_view(
        &self,
        who: &Identity,
        export_id: &str,
    ) -> Result<Result<ExportView, Refusal>, StoreError> {
        Ok(match self.store.export(export_id)? {
            Some(export) if export.user_id == who.user_id => Ok(ExportView::from(&export)),
            _ => Err(no_such_export()),
        })
    }

    /// `who`'s newest export of the room that is still kept (a panel opened again shows
    /// it); 404 when there is none.
    pub fn latest_export(&self, who: &Identity) -> Result<Result<ExportView, Refusal>, StoreError> {
        Ok(match self.store.latest_export(&who.user_id)? {
            Some(export) => Ok(ExportView::from(&export)),
            None => Err(no_such_export()),
        })
    }

    /// The next thing to write for the export whose turn it is, once it is due.
    pub fn next_export_step(&self, now: Millis) -> Result<Option<ExportStep>, StoreError> {
        // Most alarms have no export due: known without a read.
        if self.next_export_due()?.is_none_or(|due| due > now) {
            return Ok(None);
        }
        let Some(export) = self.store.next_running_export()? else {
            return Ok(None);
        };
        if export.due_at > now {
            return Ok(None);
        }
        let part = export.parts + 1;
        let mtime_s = export.created_at / 1000;
        Ok(Some(match export.phase {
            Phase::Messages => self.messages_part(&export, part, mtime_s)?,
            Phase::Members => self.members_part(&export, part, mtime_s)?,
            Phase::Manifest | Phase::Ready | Phase::Failed => ExportStep::Manifest {
                manifest: Box::new(self.manifest(&export)?),
                export_id: export.export_id,
            },
        }))
    }

    /// The object wrote `step`'s part: `bytes` in all, `files` of its files (those still
    /// there). The export moves on; past `EXPORT_MAX_BYTES` it stops, failed.
    pub fn export_stepped(
        &mut self,
        export_id: &str,
        part: u32,
        moved: &Moved,
        bytes: u64,
        files: u64,
        now: Millis,
    ) -> Result<(), StoreError> {
        let Some(mut export) = self.store.export(export_id)? else {
            return Ok(());
        };
        if export.parts + 1 != part {
            // A step reported twice (the object retried): the first one counted.
            return Ok(());
        }
        let (messages, members) = match moved {
            Moved::Messages {
                through,
                count,
                done,
            } => {
                export.cursor = *through;
                if *done {
                    export.phase = Phase::Members;
                }
                (*count, 0)
            }
            Moved::Members { last, count, done } => {
                export.member_cursor.clone_from(last);
                if *done {
                    export.phase = Phase::Manifest;
                }
                (0, *count)
            }
        };
        let held = Part {
            messages,
            members,
            files,
            bytes,
        };
        self.in_step(now, |room| {
            if bytes > 0 {
                export.parts = part;
                room.store.add_export_part(export_id, part, held)?;
            }
            export.messages += messages;
            export.members += members;
            export.files += files;
            export.bytes += bytes;
            if export.bytes > room.limits.export_max_bytes {
                export.phase = Phase::Failed;
                export.due_at = now + room.limits.export_ttl_ms;
            } else {
                export.due_at = now + room.limits.export_pace_ms;
            }
            room.store.save_export(&export)
        })?;
        self.export_deadline.set(None);
        Ok(())
    }

    /// The manifest is written: the archive is ready until `EXPORT_TTL_MS` from now.
    pub fn export_finished(&mut self, export_id: &str, now: Millis) -> Result<(), StoreError> {
        let Some(mut export) = self.store.export(export_id)? else {
            return Ok(());
        };
        export.phase = Phase::Ready;
        export.due_at = now + self.limits.export_ttl_ms;
        self.in_step(now, |room| room.store.save_export(&export))?;
        self.export_deadline.set(None);
        Ok(())
    }

    /// Finished exports whose archives are due to be deleted (a few per alarm): each id
    /// with how many parts it may have written (one more than it counted, in case the
    /// object stopped between writing a part and reporting it).
    pub fn expired_exports(&self, now: Millis) -> Result<Vec<(Id, u32)>, StoreError> {
        if self.next_export_due()?.is_none_or(|due| due > now) {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .expired_exports(now, EXPIRED_PER_ALARM)?
            .into_iter()
            .map(|export| (export.export_id, export.parts + 1))
            .collect())
    }

    /// An expired archive's objects are deleted: its export is forgotten.
    pub fn forget_export(&mut self, export_id: &str, now: Millis) -> Result<(), StoreError> {
        self.in_step(now, |room| room.store.forget_export(export_id))?;
        self.export_deadline.set(None);
        Ok(())
    }

    /// A part could not be written (R2 failed): the exports being built wait until
    /// `until`, so a failing store is not asked again at once.
    pub fn delay_exports(&mut self, until: Millis, now: Millis) -> Result<(), StoreError> {
        self.in_step(now, |room| room.store.delay_exports(until))?;
        self.export_deadline.set(None);
        Ok(())
    }

    /// When an export next needs the alarm, as last read.
    pub(super) fn next_export_due(&self) -> Result<Option<Millis>, StoreError> {
        super::remembered(&self.export_deadline, || self.store.export_due())
    }
}

fn no_such_export() -> Refusal {
    Refusal::new(ErrorCode::NotFound, "no such export")
}
