//! A room's export (docs/api.md, "Export and import"): what the archive holds and how it
//! is named. The room builds it in parts from its alarm (`crate::room` decides each
//! part, the object stores it in R2), so a room of a million messages needs neither one
//! request's memory nor its time; the download streams the parts back to back as one tar.
//!
//! ```text
//! manifest.json                 this export: the room, counts, pins, the parts in order
//! messages/000001.jsonl         one message a line, as the wire's `Message`, oldest first
//! files/{fileId}/{name}         the bytes of each attachment, after the messages citing it
//! …
//! members/000042.jsonl          one member a line: userId, username, handle, role
//! ```

pub mod account;
pub mod link;
pub mod tar;

use edgechat_protocol::{Id, Millis, Role, RoomInfo, Seq};
use serde::{Deserialize, Serialize};

/// What `manifest.json` says the archive is.
pub const FORMAT: &str = "edgechat-export";
/// The format's version: a reader refuses one newer than it knows.
pub const FORMAT_VERSION: u32 = 1;
/// The name of the manifest, the archive's first entry.
pub const MANIFEST: &str = "manifest.json";

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub version: u32,
    /// `room` (an account's export says `account`: [`account::AccountManifest`]).
    pub kind: String,
    pub export_id: Id,
    /// When the export began; it holds the messages up to `throughSeq`, each as it stood
    /// when its part was written.
    pub exported_at: Millis,
    pub exported_by: Id,
    pub room: RoomInfo,
    pub through_seq: Seq,
    pub messages: u64,
    pub members: u64,
    pub files: u64,
    /// The ids of the pinned messages, oldest first.
    pub pins: Vec<Id>,
    /// The parts after the manifest, in order: what each holds and its size in bytes.
    pub parts: Vec<Part>,
}

/// One part of the archive: a run of whole tar entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub messages: u64,
    pub members: u64,
    pub files: u64,
    pub bytes: u64,
}

/// The size of a whole archive: the manifest's entry (`manifest_bytes` long), the parts
/// (each of the sizes the manifest lists), the end blocks.
pub fn archive_len(manifest_bytes: u64, parts: &[u64]) -> u64 {
    tar::entry_len(manifest_bytes) + parts.iter().sum::<u64>() + tar::END.len() as u64
}

/// One line of `members/…jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberLine {
    pub user_id: Id,
    pub username: String,
    #[serde(default)]
    pub handle: String,
    pub role: Role,
}

/// The entry of part `part`'s messages.
pub fn messages_entry(part: u32) -> String {
    format!("messages/{part:06}.jsonl")
}

/// The entry of part `part`'s members.
pub fn members_entry(part: u32) -> String {
    format!("members/{part:06}.jsonl")
}

/// The entry of an attachment's bytes: its id, then its name made safe for any file
/// system a reader unpacks to (no separators, no leading dots, no control characters).
pub fn file_entry(file_id: &str, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    let safe = if safe.is_empty() { "file" } else { safe };
    format!("files/{file_id}/{safe}")
}

/// The file id an entry named by [`file_entry`] holds the bytes of.
pub fn file_of_entry(entry: &str) -> Option<&str> {
    entry.strip_prefix("files/")?.split('/').next()
}

/// The id an imported file gets: made from the import's id and the file's old id, so
/// the message naming it and the entry holding its bytes, read at different times, agree
/// without a table between them, and the same archive imported twice makes new files.
pub fn imported_file_id(import_id: &str, old_file_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{import_id}:{old_file_id}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("f{hex}")
}

/// Whether `id` can be an import's id as the door makes them: `i` and 32 hex digits.
pub fn is_import_id(id: &str) -> bool {
    hex_id(id, 'i')
}

/// Where an import's archive waits in R2 while the room reads it.
pub fn import_key(import_id: &str) -> String {
    format!("imports/{import_id}.tar")
}

/// Where an export's download links start: `/api/files/exports/{exportId}/{token}`.
pub const LINK_PATH: &str = "/api/files/exports/";

/// Where an export's objects are in R2: its manifest, and its parts (numbered from 1).
pub fn manifest_key(export_id: &str) -> String {
    format!("exports/{export_id}/{MANIFEST}")
}

pub fn part_key(export_id: &str, part: u32) -> String {
    format!("exports/{export_id}/part-{part:06}.tar")
}

/// An export's id from 16 random bytes: `x` and 32 hex digits.
pub fn export_id(random: [u8; 16]) -> String {
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("x{hex}")
}

/// Whether `id` can be an export's id as the door makes them (so a path built from it
/// stays within `exports/`).
pub fn is_export_id(id: &str) -> bool {
    hex_id(id, 'x')
}

fn hex_id(id: &str, prefix: char) -> bool {
    id.len() == 33
        && id.starts_with(prefix)
        && id[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_entry_keeps_its_id_and_no_path_a_reader_could_escape_by() {
        assert_eq!(
            file_entry("f1", "../../etc/passwd"),
            "files/f1/_.._etc_passwd"
        );
        assert_eq!(file_entry("f1", ".hidden"), "files/f1/hidden");
        assert_eq!(file_entry("f1", "..."), "files/f1/file");
        assert_eq!(file_entry("f1", "a\u{0}b.txt"), "files/f1/a_b.txt");
        assert_eq!(file_of_entry(&file_entry("f9", "x/y")), Some("f9"));
        assert_eq!(file_of_entry("messages/000001.jsonl"), None);
    }
}
