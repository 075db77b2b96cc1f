//! Rules for uploaded files: what a file is (from its bytes, never its name), what it may
//! be called, and which byte range a download asks for. The Worker streams the bytes; these
//! functions only ever see the first few kilobytes or a header.

pub mod name;
pub mod range;
pub mod sniff;

pub use name::{clean_name, content_disposition};
pub use range::{ByteRange, RangeError, parse_range};
pub use sniff::{Family, Sniffed, sniff};

/// How many leading bytes [`sniff`] wants: enough for every signature and for the image
/// headers that carry dimensions (a JPEG's frame header can sit behind its metadata).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The hash that names a file's bytes (SHA-256, hex): two files with the same one are the
/// same file, so a room keeps one copy of a preview image however many cards show it.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
