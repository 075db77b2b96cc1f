//! File names as users gave them, made safe to store, show and put in a header. The name is
//! only ever shown: the R2 key is the server's own id, so no name can reach storage paths.

/// Longest stored name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The name to keep for an upload: percent-decoded, the last path component only (a
/// browser never sends a path; anything that does is not to be trusted with one), without
/// control or bidirectional-override characters, trimmed of the dots and spaces that
/// hide an extension, and at most [`MAX_NAME_CHARS`] characters with its extension kept.
/// Nothing usable left: `"file"`.
pub fn clean_name(raw: &str) -> String {
    let decoded = percent_decode(raw);
    let base = decoded
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && !is_format_trick(*c))
        .collect::<String>();
    let trimmed = base.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        return "file".to_owned();
    }
    shorten(trimmed)
}

/// Bidirectional overrides and zero-width characters, which make `exe.png` read as
/// `gnp.exe` or hide what a name says.
fn is_format_trick(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Cuts a long name in the middle of its stem so the extension survives.
fn shorten(name: &str) -> String {
    let count = name.chars().count();
    if count <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= 10);
    match ext {
        Some(ext) => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 2;
            let stem: String = name.chars().take(keep).collect();
            format!("{stem}….{ext}")
        }
        None => {
            let stem: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
            format!("{stem}…")
        }
    }
}

/// `%XX` sequences decoded as UTF-8; a malformed escape or invalid UTF-8 is kept as is
/// (lossily), never an error: a name is only a label.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `Content-Disposition` value: an ASCII fallback in quotes and the exact name in
/// RFC 8187 form, so neither quotes nor non-ASCII can break out of the header.
pub fn content_disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}
