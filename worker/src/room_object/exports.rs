//! The room's exports as the object carries them out: starting one and telling its
//! progress (for the door), and, from the alarm, writing the part the core names to R2,
//! then the manifest, and deleting archives whose time is over. The core decides what
//! each part holds and when the next is due; this only moves bytes.

use edgechat_core::{
    Identity,
    export::{self, tar},
    room::ExportStep,
};
use edgechat_protocol::{ErrorCode, Millis};
use worker::{Bucket, Date, Response, Result};

use super::{Room, stored};
use crate::{files::file_key, http, stubs::ExportCall};

/// Keys R2 deletes in one call at most.
const DELETE_BATCH: usize = 1_000;

impl Room {
    /// `RoomCall::Export`: starts an export for `who`, or says how far one is.
    pub(super) async fn export(&self, who: &Identity, call: ExportCall) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let answer = match self.core.borrow_mut().as_mut() {
            Some(core) => match call {
                ExportCall::Start(export_id) => {
                    core.acting(super::step::http_via());
                    core.start_export(who, &export_id, now)
                }
                ExportCall::View(export_id) => core.export_view(who, &export_id),
                ExportCall::Latest => core.latest_export(who),
            },
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        // A restarted room's alarm is set again here: an export goes on after a restart
        // as soon as anyone asks about it.
        self.arm(now).await;
        match answer {
            Ok(Ok(view)) => http::json(200, &serde_json::json!({ "export": view })),
            Ok(Err(refusal)) => http::refused(&refusal),
            Err(err) => {
                self.drop_core();
                Err(stored(err))
            }
        }
    }

    /// The alarm's share for exports: archives past their time deleted, then the next
    /// part (or the manifest) of the export whose turn it is. A failure is logged and
    /// the part tried again after `ARCHIVE_RETRY_MS`.
    pub(super) async fn export_work(&self, now: Millis) {
        let bucket = match crate::storage::r2(&self.env) {
            Ok(bucket) => bucket,
            Err(err) => {
                crate::log::warn("export-failed").err(err).emit();
                return;
            }
        };
        if let Err(err) = self.delete_expired(&bucket, now).await {
            crate::log::warn("export-delete-failed").err(err).emit();
        }
        let step = match self.core.borrow().as_ref() {
            Some(core) => core.next_export_step(now),
            None => return,
        };
        let result = match step {
            Ok(Some(step)) => self.carry_out_export(&bucket, step, now).await,
            Ok(None) => Ok(()),
            Err(err) => Err(stored(err)),
        };
        if let Err(err) = result {
            crate::log::warn("export-failed").err(err).emit();
            if let Some(core) = self.core.borrow_mut().as_mut() {
                let _ = core.delay_exports(now + self.archive_retry_ms, now);
            }
        }
    }

    async fn carry_out_export(&self, bucket: &Bucket, step: ExportStep, now: Millis) -> Result<()> {
        match step {
            ExportStep::Part {
                export_id,
                part,
                mtime_s,
                entries,
                files,
                moved,
            } => {
                let mut bytes = Vec::new();
                for (name, text) in &entries {
                    tar::append(&mut bytes, name, text.as_bytes(), mtime_s);
                }
                let mut written = 0u64;
                for (name, file_id) in &files {
                    // A file deleted since its message was read is simply not there.
                    let Some(object) = bucket.get(file_key(file_id)).execute().await? else {
                        continue;
                    };
                    let Some(body) = object.body() else { continue };
                    tar::append(&mut bytes, name, &body.bytes().await?, mtime_s);
                    written += 1;
                }
                let size = bytes.len() as u64;
                if size > 0 {
                    bucket
                        .put(export::part_key(&export_id, part), bytes)
                        .execute()
                        .await?;
                }
                self.with_loaded(|core| {
                    core.export_stepped(&export_id, part, &moved, size, written, now)
                })
            }
            ExportStep::Manifest {
                export_id,
                manifest,
            } => {
                let text = serde_json::to_vec(&manifest)
                    .map_err(|err| worker::Error::RustError(err.to_string()))?;
                bucket
                    .put(export::manifest_key(&export_id), text)
                    .execute()
                    .await?;
                crate::log::info("export-ready")
                    .with("export", export_id.as_str())
                    .with("messages", manifest.messages)
                    .with("parts", manifest.parts.len())
                    .emit();
                self.with_loaded(|core| core.export_finished(&export_id, now))
            }
        }
    }

    /// Deletes the objects of archives whose time is over, then forgets them.
    async fn delete_expired(&self, bucket: &Bucket, now: Millis) -> Result<()> {
        let expired = match self.core.borrow().as_ref() {
            Some(core) => core.expired_exports(now).map_err(stored)?,
            None => return Ok(()),
        };
        for (export_id, parts) in expired {
            let keys: Vec<String> = std::iter::once(export::manifest_key(&export_id))
                .chain((1..=parts).map(|n| export::part_key(&export_id, n)))
                .collect();
            for batch in keys.chunks(DELETE_BATCH) {
                bucket.delete_multiple(batch.to_vec()).await?;
            }
            self.with_loaded(|core| core.forget_export(&export_id, now))?;
        }
        Ok(())
    }
}
