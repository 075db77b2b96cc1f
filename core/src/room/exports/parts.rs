//! What each part of an export holds: the next messages after its cursor (cut short
//! once their files reach `EXPORT_PART_BYTES`), the next members, and the manifest.

use super::{ExportStep, Moved, Room};
use crate::{
    export::{self, Manifest, MemberLine},
    limits::MAX_PINS,
    store::{Export, Sql, StoreError},
};

impl<S: Sql> Room<S> {
    pub(super) fn messages_part(
        &self,
        export: &Export,
        part: u32,
        mtime_s: u64,
    ) -> Result<ExportStep, StoreError> {
        let chunk = self.limits.export_chunk.max(1);
        let rows = self
            .store
            .message_rows(export.cursor, export.target, chunk)?;
        let (mut lines, mut files) = (String::new(), Vec::new());
        let (mut through, mut count, mut weight) = (export.cursor, 0u64, 0u64);
        let mut cut = false;
        for raw in &rows {
            // Only the seq and the attachments are read: the line is the row as stored.
            let message: serde_json::Value =
                serde_json::from_str(raw).map_err(|err| StoreError::Corrupt(err.to_string()))?;
            let attachments = message["attachments"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            let attached: u64 = attachments.iter().filter_map(|a| a["size"].as_u64()).sum();
            if count > 0 && weight + attached > self.limits.export_part_bytes {
                cut = true;
                break;
            }
            lines.push_str(raw);
            lines.push('\n');
            for attachment in attachments {
                let (Some(file_id), Some(name)) =
                    (attachment["fileId"].as_str(), attachment["name"].as_str())
                else {
                    continue;
                };
                files.push((export::file_entry(file_id, name), file_id.to_owned()));
            }
            let seq = message["seq"]
                .as_u64()
                .ok_or_else(|| StoreError::Corrupt("a message row without its seq".into()))?;
            (through, count, weight) = (seq, count + 1, weight + attached + raw.len() as u64);
        }
        let done = !cut && rows.len() < chunk;
        let entries = if count > 0 {
            vec![(export::messages_entry(part), lines)]
        } else {
            Vec::new()
        };
        Ok(ExportStep::Part {
            export_id: export.export_id.clone(),
            part,
            mtime_s,
            entries,
            files,
            moved: Moved::Messages {
                through: if done { export.target } else { through },
                count,
                done,
            },
        })
    }

    pub(super) fn members_part(
        &self,
        export: &Export,
        part: u32,
        mtime_s: u64,
    ) -> Result<ExportStep, StoreError> {
        let after = export.member_cursor.as_deref().unwrap_or("");
        let (members, more) = self
            .store
            .members_after(after, self.limits.export_chunk.max(1))?;
        let mut lines = String::new();
        for member in &members {
            let line = MemberLine {
                user_id: member.user_id.clone(),
                username: member.username.clone(),
                handle: member.handle.clone(),
                role: member.role,
            };
            lines.push_str(
                &serde_json::to_string(&line).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            );
            lines.push('\n');
        }
        let entries = if members.is_empty() {
            Vec::new()
        } else {
            vec![(export::members_entry(part), lines)]
        };
        Ok(ExportStep::Part {
            export_id: export.export_id.clone(),
            part,
            mtime_s,
            entries,
            files: Vec::new(),
            moved: Moved::Members {
                last: members
                    .last()
                    .map(|m| m.user_id.clone())
                    .or(export.member_cursor.clone()),
                count: members.len() as u64,
                done: !more,
            },
        })
    }

    pub(super) fn manifest(&self, export: &Export) -> Result<Manifest, StoreError> {
        let parts = self
            .store
            .export_parts(&export.export_id, export.parts as usize)?;
        let pins = self
            .store
            .pinned(MAX_PINS)?
            .into_iter()
            .filter(|m| m.seq <= export.target)
            .map(|m| m.message_id)
            .collect();
        Ok(Manifest {
            format: export::FORMAT.into(),
            version: export::FORMAT_VERSION,
            kind: "room".into(),
            export_id: export.export_id.clone(),
            exported_at: export.created_at,
            exported_by: export.user_id.clone(),
            room: self.info.clone(),
            through_seq: export.target,
            messages: export.messages,
            members: export.members,
            files: export.files,
            pins,
            parts,
        })
    }
}
