//! The user's export of their own account, as their inbox carries it out: started and
//! told for the door, and written from the alarm a part at a time, each part read from
//! D1 by an index range after the last (`edgechat_core::export::account` decides what a
//! part holds and where the export goes next). The parts go to R2 where a room export's
//! do, so the same link and download serve both. The record lives in the inbox's
//! storage, so a restart picks up at the next part.

use edgechat_core::export::{
    self,
    account::{self, AccountExports, Stage},
};
use edgechat_protocol::{ErrorCode, Millis};
use serde_json::json;
use worker::{Bucket, Response, Result};

use super::Inbox;
use crate::{http, stubs::ExportCall};

mod parts;

/// The storage key of the user's [`AccountExports`].
const KEY: &str = "exports";
/// Keys R2 deletes in one call at most.
const DELETE_BATCH: usize = 1_000;
/// The wait before a part that failed (D1 or R2 did not answer) is tried again.
const RETRY_MS: u64 = 5_000;

impl Inbox {
    /// `InboxCall::Export`: starts an export of `user_id`'s account, or says how far one
    /// is. Only the user's own exports are here to find.
    pub(super) async fn export(
        &self,
        user_id: &str,
        call: ExportCall,
        now: Millis,
    ) -> Result<Response> {
        let mut exports = self.exports().await?;
        let shown = match call {
            ExportCall::Start(export_id) => {
                if let Err(refusal) = exports.start(&export_id, user_id, now) {
                    return http::refused(&refusal);
                }
                self.store(&exports).await?;
                exports.current.as_ref()
            }
            ExportCall::View(export_id) => exports.get(&export_id),
            ExportCall::Latest => exports.current.as_ref(),
        };
        let Some(shown) = shown.map(account::AccountExport::view) else {
            return http::error(ErrorCode::NotFound, "no such export");
        };
        // Asked about, a running export's alarm is set again (as a room's is).
        if shown.state == "running" {
            self.arm(now).await;
        }
        http::json(200, &json!({ "export": shown }))
    }

    /// The user's exports as stored.
    /// Stored as JSON text: serde_json's decoder is in the Worker already, where one
    /// from JavaScript values for these types would be kilobytes more.
    pub(super) async fn exports(&self) -> Result<AccountExports> {
        let stored: Option<String> = self.state.storage().get(KEY).await?;
        Ok(stored
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    async fn store(&self, exports: &AccountExports) -> Result<()> {
        let text = serde_json::to_string(exports)
            .map_err(|err| worker::Error::RustError(err.to_string()))?;
        self.state.storage().put(KEY, text).await
    }

    /// Changes the stored exports as they are now (a request may have changed them while
    /// this alarm awaited D1 or R2; storage calls let no other event in between).
    async fn update(&self, change: impl FnOnce(&mut AccountExports)) -> Result<()> {
        let mut exports = self.exports().await?;
        change(&mut exports);
        self.store(&exports).await
    }

    /// The alarm's share for exports: archives past their time deleted, then the next
    /// part (or the manifest) of a running one. A failure is logged and the part tried
    /// again after [`RETRY_MS`].
    pub(super) async fn export_work(&self, now: Millis) {
        if let Err(err) = self.export_turn(now).await {
            crate::log::warn("account-export-failed").err(err).emit();
            let retried = self
                .update(|exports| {
                    if let Some(e) = exports.current.as_mut().filter(|e| e.running()) {
                        e.due_at = now + RETRY_MS;
                    }
                })
                .await;
            if let Err(err) = retried {
                crate::log::warn("account-export-failed").err(err).emit();
            }
        }
    }

    async fn export_turn(&self, now: Millis) -> Result<()> {
        self.update(|exports| exports.expire(now)).await?;
        let exports = self.exports().await?;
        let bucket = crate::storage::r2(&self.env)?;
        if !exports.doomed.is_empty() {
            self.delete_doomed(&bucket, exports.doomed).await?;
        }
        let Some(current) = exports.current.filter(|e| e.running() && e.due_at <= now) else {
            return Ok(());
        };
        if current.stage == Stage::Manifest {
            return self.write_manifest(&bucket, &current, now).await;
        }
        let (export_id, number) = (current.export_id.clone(), current.next_part());
        let db = crate::storage::d1(&self.env)?;
        let mtime_s = now / 1000;
        let made = match current.stage {
            Stage::Rooms => self.rooms_part(&db, &current, number, mtime_s).await?,
            Stage::Messages => self.messages_part(&db, &current, number, mtime_s).await?,
            _ => {
                self.files_part(&db, &bucket, &current, number, mtime_s)
                    .await?
            }
        };
        if !made.bytes.is_empty() {
            bucket
                .put(export::part_key(&export_id, number), made.bytes)
                .execute()
                .await?;
        }
        let limits = self.limits.clone();
        self.update(|exports| {
            if let Some(e) = exports
                .current
                .as_mut()
                .filter(|e| e.export_id == export_id && e.next_part() == number)
            {
                e.stepped(made.read, made.part, &limits, now);
            }
        })
        .await
    }

    /// Deletes the objects of archives replaced or past their time, then forgets them.
    async fn delete_doomed(&self, bucket: &Bucket, doomed: Vec<(String, u32)>) -> Result<()> {
        for (export_id, parts) in &doomed {
            let keys: Vec<String> = std::iter::once(export::manifest_key(export_id))
                .chain((1..=*parts).map(|n| export::part_key(export_id, n)))
                .collect();
            for batch in keys.chunks(DELETE_BATCH) {
                bucket.delete_multiple(batch.to_vec()).await?;
            }
        }
        self.update(|stored| stored.doomed.retain(|d| !doomed.contains(d)))
            .await
    }

    /// Writes the manifest, last: the archive is ready.
    async fn write_manifest(
        &self,
        bucket: &Bucket,
        current: &account::AccountExport,
        now: Millis,
    ) -> Result<()> {
        let export_id = current.export_id.as_str();
        let text = serde_json::to_vec(&current.manifest())
            .map_err(|err| worker::Error::RustError(err.to_string()))?;
        bucket
            .put(export::manifest_key(export_id), text)
            .execute()
            .await?;
        crate::log::info("account-export-ready")
            .with("export", export_id)
            .with("parts", current.parts.len())
            .emit();
        let limits = self.limits.clone();
        self.update(|exports| {
            let current = exports.current.as_mut();
            if let Some(e) = current.filter(|e| e.export_id == export_id) {
                e.finished(&limits, now);
            }
        })
        .await
    }
}
