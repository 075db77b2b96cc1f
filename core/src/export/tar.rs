//! The archive an export downloads as: POSIX ustar, uncompressed, so it streams part by
//! part (each part is a run of whole entries) and every tool reads it. Writing and reading
//! are both here, so the format is proven by reading back what was written.

/// A tar block: headers are one, and every entry's bytes are padded to a whole number.
pub const BLOCK: usize = 512;

/// The longest entry name a ustar header holds without its prefix field.
const NAME_MAX: usize = 100;

/// What ends an archive: two blocks of zeros.
pub const END: [u8; 2 * BLOCK] = [0; 2 * BLOCK];

/// Appends one regular file named `name` holding `bytes` to `out`: its header, its bytes,
/// and zeros to the next block. `name` is cut to what the header holds (at a character).
pub fn append(out: &mut Vec<u8>, name: &str, bytes: &[u8], mtime_s: u64) {
    out.extend_from_slice(&header(name, bytes.len() as u64, mtime_s));
    out.extend_from_slice(bytes);
    out.resize(out.len() + padding(bytes.len() as u64), 0);
}

/// How many bytes an entry of `size` bytes takes, header and padding included.
pub fn entry_len(size: u64) -> u64 {
    BLOCK as u64 + size + padding(size) as u64
}

fn padding(size: u64) -> usize {
    ((BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64) as usize
}

/// The header block of a regular file.
pub fn header(name: &str, size: u64, mtime_s: u64) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    let name = cut(name, NAME_MAX);
    block[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut block[100..108], 0o644);
    octal(&mut block[108..116], 0);
    octal(&mut block[116..124], 0);
    octal(&mut block[124..136], size);
    octal(&mut block[136..148], mtime_s);
    block[156] = b'0';
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    // The checksum is summed with its own field as spaces.
    block[148..156].copy_from_slice(b"        ");
    let sum: u32 = block.iter().map(|b| u32::from(*b)).sum();
    octal(&mut block[148..155], u64::from(sum));
    block[155] = b' ';
    block
}

/// `value` in octal, zero-padded to fill `field` but its last byte (a NUL).
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let digits = format!("{value:0width$o}");
    let digits = digits.as_bytes();
    let start = digits.len().saturating_sub(width);
    field[..width].copy_from_slice(&digits[start..]);
    field[width] = 0;
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Why an archive could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TarError {
    #[error("the archive ends inside an entry")]
    Truncated,
    #[error("a header's checksum does not match")]
    Checksum,
    #[error("a header is not a ustar header")]
    NotUstar,
}

/// One entry's header: its name and the size of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub size: u64,
}

/// Reads the header block at the start of `block`: `None` at the archive's end (a block of
/// zeros).
pub fn read_header(block: &[u8]) -> Result<Option<Header>, TarError> {
    let block = block.get(..BLOCK).ok_or(TarError::Truncated)?;
    if block.iter().all(|b| *b == 0) {
        return Ok(None);
    }
    if &block[257..262] != b"ustar" {
        return Err(TarError::NotUstar);
    }
    let stored = parse_octal(&block[148..156]).ok_or(TarError::Checksum)?;
    let sum: u64 = block
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(*b)
            }
        })
        .sum();
    if sum != stored {
        return Err(TarError::Checksum);
    }
    let name_end = block[..NAME_MAX]
        .iter()
        .position(|b| *b == 0)
        .unwrap_or(NAME_MAX);
    let mut name = String::from_utf8_lossy(&block[..name_end]).into_owned();
    // A ustar prefix (other tools write one for long names) comes before the name.
    let prefix_end = block[345..500].iter().position(|b| *b == 0).unwrap_or(155);
    if prefix_end > 0 {
        name = format!(
            "{}/{name}",
            String::from_utf8_lossy(&block[345..345 + prefix_end])
        );
    }
    let size = parse_octal(&block[124..136]).ok_or(TarError::NotUstar)?;
    Ok(Some(Header { name, size }))
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    u64::from_str_radix(digits, 8).ok()
}

/// Every entry of a whole archive in memory, in order: each name with its bytes.
pub fn entries(archive: &[u8]) -> Result<Vec<(String, &[u8])>, TarError> {
    let mut found = Vec::new();
    let mut at = 0usize;
    while at < archive.len() {
        let Some(header) = read_header(&archive[at..])? else {
            break;
        };
        let start = at + BLOCK;
        let end = start
            .checked_add(usize::try_from(header.size).map_err(|_| TarError::Truncated)?)
            .filter(|end| *end <= archive.len())
            .ok_or(TarError::Truncated)?;
        found.push((header.name, &archive[start..end]));
        at = usize::try_from(entry_len(header.size))
            .ok()
            .and_then(|len| at.checked_add(len))
            .ok_or(TarError::Truncated)?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn what_is_written_reads_back_entry_for_entry() {
        let mut out = Vec::new();
        append(&mut out, "manifest.json", b"{\"a\":1}", 1_700_000_000);
        append(&mut out, "messages/000001.jsonl", &[b'x'; 512], 0);
        append(&mut out, "files/f1/empty.txt", b"", 0);
        out.extend_from_slice(&END);
        assert_eq!(out.len() % BLOCK, 0);
        let read = entries(&out).unwrap();
        let names: Vec<&str> = read.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "manifest.json",
                "messages/000001.jsonl",
                "files/f1/empty.txt"
            ]
        );
        assert_eq!(read[0].1, b"{\"a\":1}");
        assert_eq!(read[1].1.len(), 512);
        assert_eq!(read[2].1, b"");
    }

    #[test]
    fn a_header_matches_the_ustar_layout_other_tools_read() {
        let block = header("a.txt", 10, 8);
        assert_eq!(&block[124..136], b"00000000012\0");
        assert_eq!(&block[257..263], b"ustar\0");
        assert_eq!(block[156], b'0');
        assert_eq!(entry_len(10), 1024);
        assert_eq!(entry_len(512), 1024);
        assert_eq!(entry_len(0), 512);
    }

    #[test]
    fn a_long_name_is_cut_at_a_character_and_a_damaged_header_is_refused() {
        let long = format!("files/{}", "é".repeat(80));
        let block = header(&long, 0, 0);
        let read = read_header(&block).unwrap().unwrap();
        assert!(read.name.len() <= NAME_MAX && long.starts_with(&read.name));
        let mut damaged = block;
        damaged[0] ^= 1;
        assert_eq!(read_header(&damaged), Err(TarError::Checksum));
        let mut out = Vec::new();
        append(&mut out, "a", b"hello", 0);
        assert_eq!(entries(&out[..514]), Err(TarError::Truncated));
    }
}
