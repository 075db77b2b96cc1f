//! Single `Range: bytes=…` requests, so video seeks and resumed downloads work.

/// An inclusive byte range inside a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `Content-Range` header of a 206.
    pub fn content_range(&self, size: u64) -> String {
        format!("bytes {}-{}/{size}", self.start, self.end)
    }
}

/// A range that the file cannot satisfy: 416 with `Content-Range: bytes */size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeError;

/// The range a `Range` header asks of a file of `size` bytes. `Ok(None)`: serve the whole
/// file (no header, another unit, several ranges, or syntax this does not follow, all of
/// which RFC 9110 lets a server ignore). `Err`: a well-formed range wholly past the end.
pub fn parse_range(header: Option<&str>, size: u64) -> Result<Option<ByteRange>, RangeError> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let range = match (first.trim().is_empty(), number(first), number(last)) {
        // `bytes=-N`: the last N bytes.
        (true, _, Some(suffix)) => {
            if suffix == 0 || size == 0 {
                return Err(RangeError);
            }
            ByteRange {
                start: size.saturating_sub(suffix),
                end: size - 1,
            }
        }
        (false, Some(start), end) if last.trim().is_empty() || end.is_some() => {
            if start >= size {
                return Err(RangeError);
            }
            let end = end.map_or(size - 1, |e| e.min(size - 1));
            if end < start {
                return Ok(None);
            }
            ByteRange { start, end }
        }
        _ => return Ok(None),
    };
    Ok(Some(range))
}
