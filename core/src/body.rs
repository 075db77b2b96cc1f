//! An HTTP request's JSON body, read apart from the runtime: what the Worker's
//! `read_json` decides, as pure functions that the parser tests run over arbitrary bytes.

use edgechat_protocol::ErrorCode;
use serde::de::DeserializeOwned;

/// Bodies larger than this are refused, before they are read whole when their length is
/// declared.
pub const MAX_BODY: usize = 16 * 1024;

/// Why a body was refused: the code and a message for the HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: ErrorCode,
    pub message: String,
}

fn refused(code: ErrorCode, message: impl Into<String>) -> Refused {
    Refused {
        code,
        message: message.into(),
    }
}

/// Whether a `Content-Type` names JSON (parameters such as `charset` aside).
pub fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// What the headers alone decide, before a byte of the body is read: a body not declared
/// `application/json` is 415 `unsupported-type` (a cross-site form can send `text/plain`
/// without asking first; it cannot send JSON), one declared too long 413 `too-large`.
pub fn check_headers(
    content_type: Option<&str>,
    content_length: Option<&str>,
) -> Result<(), Refused> {
    if !is_json(content_type) {
        return Err(refused(
            ErrorCode::UnsupportedType,
            "send the body as JSON, with Content-Type: application/json",
        ));
    }
    let declared = content_length.and_then(|l| l.trim().parse::<u64>().ok());
    if declared.is_some_and(|l| l > MAX_BODY as u64) {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> Refused {
    refused(ErrorCode::TooLarge, "request bodies are limited to 16 KiB")
}

/// The body as `T`: too long is 413 `too-large`; not UTF-8, not JSON, wrong types or
/// missing fields 400 `bad-request`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refused> {
    if bytes.len() > MAX_BODY {
        return Err(too_large());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        refused(
            ErrorCode::BadRequest,
            format!("the body is not the JSON this endpoint takes: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_body_declared_json_is_read() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        for other in [
            None,
            Some(""),
            Some("text/plain"),
            Some("application/jsonx"),
            Some("multipart/form-data"),
        ] {
            assert!(!is_json(other), "{other:?}");
            assert_eq!(
                check_headers(other, None).unwrap_err().code,
                ErrorCode::UnsupportedType
            );
        }
        assert_eq!(
            check_headers(Some("application/json"), Some("16385"))
                .unwrap_err()
                .code,
            ErrorCode::TooLarge
        );
        assert_eq!(check_headers(Some("application/json"), Some("12")), Ok(()));
    }

    #[test]
    fn a_body_decodes_or_says_why_not() {
        assert_eq!(decode::<Vec<u8>>(b"[1,2]"), Ok(vec![1, 2]));
        assert_eq!(
            decode::<Vec<u8>>(b"{").unwrap_err().code,
            ErrorCode::BadRequest
        );
        assert_eq!(
            decode::<Vec<u8>>(&vec![b' '; MAX_BODY + 1])
                .unwrap_err()
                .code,
            ErrorCode::TooLarge
        );
    }
}
