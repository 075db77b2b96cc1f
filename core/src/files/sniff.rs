//! Content types from magic numbers. The client's `Content-Type` and the file's name are
//! never consulted: a page that lies about either must not become something a browser
//! would run.

/// What kind of thing a file is, for how it is served and where it may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Shown inline; may be an avatar or a thumbnail.
    Image,
    /// Played inline.
    Video,
    /// Always downloaded.
    Document,
}

/// A recognised file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    pub family: Family,
    /// Pixel size, for images whose header says it within the sniffed bytes.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl Sniffed {
    fn new(content_type: &'static str, family: Family) -> Self {
        Self {
            content_type,
            family,
            width: None,
            height: None,
        }
    }

    fn sized(mut self, size: Option<(u32, u32)>) -> Self {
        if let Some((w, h)) = size.filter(|(w, h)| *w > 0 && *h > 0) {
            self.width = Some(w);
            self.height = Some(h);
        }
        self
    }
}

/// Recognises a file from its first bytes (up to [`super::SNIFF_BYTES`]); `complete` says
/// whether `head` is the whole file. `None`: not a type edgechat accepts.
pub fn sniff(head: &[u8], complete: bool) -> Option<Sniffed> {
    use Family::{Document, Image, Video};
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Sniffed::new("image/png", Image).sized(png_size(head)));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Sniffed::new("image/jpeg", Image).sized(jpeg_size(head)));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        let size = (head.len() >= 10).then(|| (u32::from(le16(head, 6)), u32::from(le16(head, 8))));
        return Some(Sniffed::new("image/gif", Image).sized(size));
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(Sniffed::new("image/webp", Image).sized(webp_size(head)));
    }
    if head.starts_with(b"%PDF-") {
        return Some(Sniffed::new("application/pdf", Document));
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        // The major brand says what the ISO media file holds: only video brands are
        // video (AVIF and HEIF images, M4A audio and the rest share the container).
        let brand = &head[8..12];
        if brand.starts_with(b"qt") {
            return Some(Sniffed::new("video/quicktime", Video));
        }
        let video = [
            &b"iso"[..],
            b"mp4",
            b"avc1",
            b"M4V",
            b"dash",
            b"3gp",
            b"MSNV",
        ];
        return video
            .iter()
            .any(|prefix| brand.starts_with(prefix))
            .then(|| Sniffed::new("video/mp4", Video));
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) && contains(head, b"webm") {
        return Some(Sniffed::new("video/webm", Video));
    }
    if head.starts_with(b"PK\x03\x04") {
        return office_zip(head).map(|t| Sniffed::new(t, Document));
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // The pre-2007 Office formats share one container; which one it is needs its
        // directory, which may be anywhere in the file.
        return Some(Sniffed::new("application/vnd.ms-office", Document));
    }
    if is_plain_text(head, complete) {
        return Some(Sniffed::new("text/plain; charset=utf-8", Document));
    }
    None
}

/// OOXML (`[Content_Types].xml` first, then `word/`, `xl/` or `ppt/` parts) and
/// OpenDocument (an uncompressed `mimetype` entry first).
fn office_zip(head: &[u8]) -> Option<&'static str> {
    if head.len() > 38 && &head[30..38] == b"mimetype" {
        let declared = &head[38..head.len().min(38 + 64)];
        return [
            ("application/vnd.oasis.opendocument.text", "odt"),
            ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
            ("application/vnd.oasis.opendocument.presentation", "odp"),
        ]
        .into_iter()
        .find(|(t, _)| declared.starts_with(t.as_bytes()))
        .map(|(t, _)| t);
    }
    if !contains(&head[..head.len().min(4096)], b"[Content_Types].xml") {
        return None;
    }
    let first_part = [
        (
            &b"word/"[..],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            b"xl/",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            b"ppt/",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ]
    .into_iter()
    .filter_map(|(dir, t)| find(head, dir).map(|at| (at, t)))
    .min_by_key(|(at, _)| *at);
    first_part.map(|(_, t)| t)
}

/// UTF-8 without NULs or stray control characters, and not markup a browser could be
/// talked into rendering: HTML, SVG and XML are refused, whatever the name says.
fn is_plain_text(head: &[u8], complete: bool) -> bool {
    if head.is_empty() {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut in half at the end of the sniffed bytes is fine.
        Err(e) if !complete && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let controls_ok = valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0C'));
    controls_ok && !looks_like_markup(valid)
}

/// The WHATWG sniffing patterns for HTML and XML: after leading whitespace (and a byte
/// order mark), case-insensitively, a tag name followed by a space or `>`.
fn looks_like_markup(text: &str) -> bool {
    let start = text
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    const OPENERS: &[&str] = &["<!--", "<?xml", "<!doctype"];
    const TAGS: &[&str] = &[
        "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style",
        "<title", "<b", "<body", "<br", "<p", "<svg", "<img", "<object", "<embed",
    ];
    OPENERS.iter().any(|p| start.starts_with(p))
        || TAGS.iter().any(|tag| {
            start
                .strip_prefix(tag)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c == '>' || c == '/' || c.is_ascii_whitespace())
        })
}

fn png_size(head: &[u8]) -> Option<(u32, u32)> {
    (head.len() >= 24 && &head[12..16] == b"IHDR").then(|| (be32(head, 16), be32(head, 20)))
}

/// Walks the JPEG markers to the first start-of-frame, which holds the size.
fn jpeg_size(head: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    while at + 4 <= head.len() {
        if head[at] != 0xFF {
            return None;
        }
        let marker = head[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(be16(head, at + 2));
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            if at + 9 > head.len() {
                return None;
            }
            let height = u32::from(be16(head, at + 5));
            let width = u32::from(be16(head, at + 7));
            return Some((width, height));
        }
        at += 2 + length;
    }
    None
}

fn webp_size(head: &[u8]) -> Option<(u32, u32)> {
    if head.len() < 30 {
        return None;
    }
    match &head[12..16] {
        b"VP8 " if head[23..26] == [0x9D, 0x01, 0x2A] => Some((
            u32::from(le16(head, 26) & 0x3FFF),
            u32::from(le16(head, 28) & 0x3FFF),
        )),
        b"VP8L" if head[20] == 0x2F => {
            let bits = u32::from_le_bytes([head[21], head[22], head[23], head[24]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(head, 24) + 1, le24(head, 27) + 1)),
        _ => None,
    }
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le24(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], 0])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}
