//! What an import's entries become: each message as this room keeps it (its seq moved up
//! by the import's base, its id, reply and files renamed to match), and whether a
//! manifest is one this build reads.

use edgechat_protocol::Message;

use super::Room;
use crate::{
    export, ids,
    store::{Import, Sql},
};

impl<S: Sql> Room<S> {
    /// The messages of an entry as they will be stored, each after the one before.
    pub(super) fn read_lines(&self, import: &Import, bytes: &[u8]) -> Result<Vec<Message>, String> {
        let text =
            std::str::from_utf8(bytes).map_err(|_| "a messages entry is not UTF-8".to_owned())?;
        let mut messages: Vec<Message> = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let message: Message = serde_json::from_str(line)
                .map_err(|err| format!("line {} of a messages entry: {err}", n + 1))?;
            let message = self.imported(import, message)?;
            let last = messages.last().map_or(self.head, |m| m.seq);
            if message.seq <= last {
                return Err(format!(
                    "message seq {} is out of order",
                    message.seq - import.base
                ));
            }
            messages.push(message);
        }
        Ok(messages)
    }

    /// `message` as this room keeps it: its seq moved up by the import's base, its id,
    /// reply and files renamed to match, its thumbnail and preview image left behind
    /// (the archive has neither).
    fn imported(&self, import: &Import, mut message: Message) -> Result<Message, String> {
        let room = &self.info.room_id;
        if !ids::is_valid_user_id(&message.user_id) || message.client_msg_id.is_empty() {
            return Err(format!(
                "message seq {} names no sender or client id",
                message.seq
            ));
        }
        if message.text.chars().count() > self.limits.max_message_chars {
            return Err(format!(
                "message seq {} is longer than this server takes",
                message.seq
            ));
        }
        message.seq += import.base;
        message.message_id = ids::message_id(room, message.seq);
        message.room_id.clone_from(room);
        message.reply_to = message.reply_to.and_then(|reply| {
            let (_, seq) = reply.rsplit_once(':')?;
            Some(ids::message_id(
                room,
                seq.parse::<u64>().ok()? + import.base,
            ))
        });
        for attachment in &mut message.attachments {
            attachment.file_id = export::imported_file_id(&import.import_id, &attachment.file_id);
            attachment.thumbnail_id = None;
        }
        if let Some(preview) = &mut message.preview {
            preview.image = None;
        }
        Ok(message)
    }
}

/// Whether `bytes` is a manifest this build reads.
pub(super) fn check_manifest(bytes: &[u8]) -> Result<(), String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| "the manifest is not JSON".to_owned())?;
    if manifest["format"] != export::FORMAT || manifest["kind"] != "room" {
        return Err("this is not an edgechat room export".into());
    }
    match manifest["version"].as_u64() {
        Some(version) if version <= u64::from(export::FORMAT_VERSION) => Ok(()),
        _ => Err("this export is of a newer format than this server reads".into()),
    }
}
