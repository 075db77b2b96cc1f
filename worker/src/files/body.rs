//! An upload's body: its declared length checked before a byte is read, its first bytes
//! read for sniffing, and the whole streamed to R2 without being held in memory.

use edgechat_core::files::SNIFF_BYTES;
use edgechat_protocol::ErrorCode;
use futures_util::{StreamExt, stream};
use worker::{Bucket, ByteStream, FixedLengthStream, HttpMetadata, Request, Response};

use crate::http::refusal;

/// A body being uploaded: the chunks read so far and the rest of the stream.
pub struct Incoming {
    length: u64,
    read: Vec<Vec<u8>>,
    rest: ByteStream,
    /// The whole body has been read.
    complete: bool,
}

/// The declared `Content-Length`: 411 without one, 400 for none at all, 413 past `limit`.
/// Checked before anything is read, so nothing past the limit reaches R2.
pub fn declared_length(req: &Request, limit: u64) -> Result<u64, Response> {
    let length = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .ok_or_else(|| {
            refusal(
                ErrorCode::LengthRequired,
                "send the file with a Content-Length header",
            )
        })?
        .trim()
        .parse::<u64>()
        .map_err(|_| refusal(ErrorCode::BadRequest, "Content-Length is not a number"))?;
    if length == 0 {
        return Err(refusal(ErrorCode::EmptyFile, "the file is empty"));
    }
    if length > limit {
        return Err(refusal(
            ErrorCode::TooLarge,
            &format!("files here are limited to {limit} bytes; this one has {length}"),
        ));
    }
    Ok(length)
}

impl Incoming {
    /// Reads the first [`SNIFF_BYTES`] (or the whole body, if shorter).
    pub async fn start(req: &mut Request, length: u64) -> Result<Self, Response> {
        let mut rest = req
            .stream()
            .map_err(|_| refusal(ErrorCode::BadRequest, "the body could not be read"))?;
        let mut read = Vec::new();
        let mut total = 0u64;
        let mut complete = false;
        while total < SNIFF_BYTES as u64 {
            match rest.next().await {
                Some(Ok(chunk)) => {
                    total += chunk.len() as u64;
                    read.push(chunk);
                }
                Some(Err(_)) => return Err(refusal(ErrorCode::BadRequest, "the upload broke off")),
                None => {
                    complete = true;
                    break;
                }
            }
        }
        if total > length || (complete && total != length) {
            return Err(refusal(
                ErrorCode::LengthMismatch,
                "the body is not as long as its Content-Length",
            ));
        }
        Ok(Self {
            length,
            read,
            rest,
            complete: complete || total == length,
        })
    }

    /// The bytes read so far, and whether they are the whole file.
    pub fn head(&self) -> (Vec<u8>, bool) {
        (self.read.concat(), self.complete)
    }

    /// Streams the body to `key`. A body that turns out shorter or longer than declared
    /// fails the write, and R2 keeps nothing of it.
    pub async fn store(
        self,
        bucket: &Bucket,
        key: &str,
        content_type: &str,
    ) -> Result<(), Response> {
        let chunks = stream::iter(self.read.into_iter().map(Ok));
        let body = FixedLengthStream::wrap(chunks.chain(self.rest), self.length);
        let metadata = HttpMetadata {
            content_type: Some(content_type.to_owned()),
            ..HttpMetadata::default()
        };
        bucket
            .put(key, body)
            .http_metadata(metadata)
            .execute()
            .await
            .map_err(|err| {
                crate::log::warn("upload-failed")
                    .with("key", key)
                    .err(&err)
                    .emit();
                // R2 down: 503, and R2 keeps nothing of a write that failed.
                if crate::storage::unavailable(&err) {
                    return crate::storage::unavailable_answer();
                }
                refusal(
                    ErrorCode::LengthMismatch,
                    "the upload did not arrive whole; try again",
                )
            })?;
        Ok(())
    }
}
