//! The room's import as the object carries it out: starting it and telling its progress
//! (for the door), and, from the alarm, reading the archive the core asks for (a header,
//! an entry) by byte ranges of its R2 object, storing each file it names, and deleting
//! the archive once the import is over. The core decides what each entry means.

use edgechat_core::{
    Identity,
    export::{self, tar},
    room::{Entry, ImportRead},
};
use edgechat_protocol::{ErrorCode, Millis};
use wasm_bindgen::JsValue;
use worker::{Bucket, Date, Range, Response, Result};

use super::{Room, stored};
use crate::{files::file_key, http, stubs::ImportCall};

/// Reads one alarm makes of an import at most; then it waits `EXPORT_PACE_MS`.
const READS_PER_ALARM: usize = 16;

impl Room {
    /// `RoomCall::Import`.
    pub(super) async fn import(
        &self,
        who: &Identity,
        import_id: &str,
        call: ImportCall,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let answer = match self.core.borrow_mut().as_mut() {
            Some(core) => match call {
                ImportCall::Begin => {
                    core.acting(super::step::http_via());
                    core.begin_import(who, import_id, now)
                }
                ImportCall::Stored { size } => core
                    .import_stored(import_id, size, now)
                    .and_then(|()| core.import_view(who, import_id)),
                ImportCall::View => core.import_view(who, import_id),
            },
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        self.arm(now).await;
        match answer {
            Ok(Ok(view)) => http::json(200, &serde_json::json!({ "import": view })),
            Ok(Err(refusal)) => http::refused(&refusal),
            Err(err) => {
                self.drop_core();
                Err(stored(err))
            }
        }
    }

    /// The alarm's share for the import: up to [`READS_PER_ALARM`] reads of its archive.
    pub(super) async fn import_work(&self, now: Millis) {
        let result = async {
            let bucket = crate::storage::r2(&self.env)?;
            let mut next = self.with_loaded(|core| core.next_import_read(now))?;
            let mut reads = 0;
            while let Some(read) = next.take() {
                if reads == READS_PER_ALARM {
                    self.with_loaded(|core| core.pace_import(now).map(|()| None::<()>))?;
                    break;
                }
                reads += 1;
                next = self.carry_out_import(&bucket, read, now).await?;
                if next.is_none() && reads < READS_PER_ALARM {
                    next = self.with_loaded(|core| core.next_import_read(now))?;
                }
            }
            Ok::<_, worker::Error>(())
        }
        .await;
        if let Err(err) = result {
            // Read again from the same cursor after `ARCHIVE_RETRY_MS`.
            crate::log::warn("import-failed").err(err).emit();
            let _ = self.with_loaded(|core| {
                core.pace_import(now + self.archive_retry_ms)
                    .map(|()| None::<()>)
            });
        }
    }

    async fn carry_out_import(
        &self,
        bucket: &Bucket,
        read: ImportRead,
        now: Millis,
    ) -> Result<Option<ImportRead>> {
        match read {
            ImportRead::Header { import_id, offset } => {
                let block = range(bucket, &import_id, offset, tar::BLOCK as u64).await?;
                self.with_loaded(|core| core.import_header(&import_id, &block, now))
            }
            ImportRead::Entry {
                import_id,
                offset,
                len,
                entry,
            } => {
                let bytes = range(bucket, &import_id, offset, len).await?;
                if bytes.len() as u64 != len {
                    // The archive ends inside this entry: the core fails the import.
                    return self.with_loaded(|core| core.import_header(&import_id, &[], now));
                }
                if let Entry::File { upload } = &entry {
                    self.store_imported_file(bucket, upload, bytes.clone())
                        .await?;
                }
                self.with_loaded(|core| core.import_entry(&import_id, offset, &entry, &bytes, now))
            }
            ImportRead::Finished { import_id } => {
                bucket.delete(export::import_key(&import_id)).await?;
                crate::log::info("import-over")
                    .with("import", import_id.as_str())
                    .emit();
                Ok(None)
            }
        }
    }

    /// An imported file's bytes in R2 and its row in D1 (so it downloads as any file of
    /// the room does); both are written again harmlessly if the alarm retries.
    async fn store_imported_file(
        &self,
        bucket: &Bucket,
        upload: &edgechat_core::Upload,
        bytes: Vec<u8>,
    ) -> Result<()> {
        let attachment = &upload.attachment;
        bucket
            .put(file_key(&attachment.file_id), bytes)
            .execute()
            .await?;
        let opt = |n: Option<u32>| n.map_or(JsValue::NULL, |n| JsValue::from_f64(f64::from(n)));
        crate::storage::d1(&self.env)?
            .prepare(
                "INSERT INTO files (id, room_id, uploader_id, name, content_type, size, width, height, thumbnail_of, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&[
                JsValue::from_str(&attachment.file_id),
                JsValue::from_str(&self.room_id()),
                JsValue::from_str(&upload.uploader),
                JsValue::from_str(&attachment.name),
                JsValue::from_str(&attachment.content_type),
                JsValue::from_f64(attachment.size as f64),
                opt(attachment.width),
                opt(attachment.height),
                JsValue::from_f64(upload.uploaded_at as f64),
            ])?
            .run()
            .await?;
        Ok(())
    }
}

/// `len` bytes at `offset` of the import's archive (fewer where it ends).
async fn range(bucket: &Bucket, import_id: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let object = bucket
        .get(export::import_key(import_id))
        .range(Range::OffsetWithLength {
            offset,
            length: len,
        })
        .execute()
        .await?;
    match object.as_ref().and_then(|o| o.body()) {
        Some(body) => body.bytes().await,
        None => Ok(Vec::new()),
    }
}
