//! Turning a raw frame into a [`ClientFrame`], or into the error a client is told.

use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode};
use serde::Deserialize;

use crate::Limits;

/// Why a frame was refused: the code and text of the `error` event the sender gets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct Rejection {
    pub code: ErrorCode,
    pub message: String,
    pub req_id: Option<String>,
}

/// Just enough of a frame to tell an unknown type from a malformed known one, and to
/// echo the `reqId` either way.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    req_id: Option<serde_json::Value>,
}

/// Decodes one text frame. Never panics, whatever the input.
pub fn decode_frame(raw: &str, limits: &Limits) -> Result<ClientFrame, Rejection> {
    if raw.len() > limits.max_frame_bytes {
        return Err(Rejection {
            code: ErrorCode::TooLarge,
            message: format!(
                "frames are limited to {} bytes; this one has {}",
                limits.max_frame_bytes,
                raw.len()
            ),
            req_id: None,
        });
    }
    let envelope: Envelope = serde_json::from_str(raw).map_err(|_| Rejection {
        code: ErrorCode::BadFrame,
        message: "a frame must be a JSON object with a \"type\"".into(),
        req_id: None,
    })?;
    let req_id = match envelope.req_id {
        Some(serde_json::Value::String(id)) => Some(id),
        _ => None,
    };
    let Some(kind) = envelope.kind else {
        return Err(Rejection {
            code: ErrorCode::BadFrame,
            message: "a frame must have a \"type\"".into(),
            req_id,
        });
    };
    // The frame again, straight into the fields of its type's row (`type` may stand
    // anywhere in it, so it was read first, above).
    let mut fields = serde_json::Deserializer::from_str(raw);
    match ClientMsg::decode_row(&kind, &mut fields) {
        Ok(Some(msg)) => Ok(ClientFrame { req_id, msg }),
        Ok(None) => Err(Rejection {
            code: ErrorCode::UnknownType,
            message: format!("unknown event type {kind:?}"),
            req_id,
        }),
        Err(e) => Err(Rejection {
            code: ErrorCode::BadFrame,
            message: format!("malformed {kind:?} event: {e}"),
            req_id,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(raw: &str) -> ErrorCode {
        match decode_frame(raw, &Limits::default()) {
            Ok(frame) => panic!("{raw:?} decoded to {frame:?}"),
            Err(rejection) => rejection.code,
        }
    }

    #[test]
    fn a_valid_send_message_decodes_with_its_req_id() {
        let frame = decode_frame(
            r#"{"type":"send-message","roomId":"r","text":"hi","clientMsgId":"c1","reqId":"7"}"#,
            &Limits::default(),
        )
        .expect("valid frame");
        assert_eq!(frame.req_id.as_deref(), Some("7"));
        assert!(matches!(frame.msg, ClientMsg::SendMessage { .. }));
    }

    #[test]
    fn type_may_stand_anywhere_in_a_client_frame() {
        // The docs' own example puts `reqId` first; tools send any order.
        for raw in [
            r#"{"reqId":"7","roomId":"r","text":"hi","clientMsgId":"c1","type":"send-message"}"#,
            r#"{"text":"hi","type":"send-message","clientMsgId":"c1","roomId":"r","reqId":"7"}"#,
        ] {
            let frame = decode_frame(raw, &Limits::default()).expect("valid frame");
            assert_eq!(frame.req_id.as_deref(), Some("7"));
            assert_eq!(frame.msg, ClientMsg::text("r", "hi", "c1"));
        }
        let ping = decode_frame(r#"{"reqId":"p","type":"ping"}"#, &Limits::default());
        assert_eq!(ping.map(|f| f.msg), Ok(ClientMsg::Ping {}));
    }

    #[test]
    fn text_that_is_not_json_is_a_bad_frame() {
        assert_eq!(code_of("hello"), ErrorCode::BadFrame);
        assert_eq!(code_of(""), ErrorCode::BadFrame);
        assert_eq!(code_of("[1,2]"), ErrorCode::BadFrame);
    }

    #[test]
    fn a_frame_without_a_type_is_a_bad_frame() {
        assert_eq!(code_of(r#"{"text":"hi"}"#), ErrorCode::BadFrame);
    }

    #[test]
    fn an_unknown_type_is_reported_as_such() {
        assert_eq!(
            code_of(r#"{"type":"launch-rockets"}"#),
            ErrorCode::UnknownType
        );
    }

    #[test]
    fn a_known_type_with_missing_fields_is_a_bad_frame_that_keeps_its_req_id() {
        let rejection = decode_frame(r#"{"type":"send-message","reqId":"9"}"#, &Limits::default())
            .expect_err("missing fields");
        assert_eq!(rejection.code, ErrorCode::BadFrame);
        assert_eq!(rejection.req_id.as_deref(), Some("9"));
    }

    #[test]
    fn an_oversized_frame_is_refused_before_parsing() {
        let limits = Limits {
            max_frame_bytes: 10,
            ..Limits::default()
        };
        let rejection =
            decode_frame(r#"{"type":"ping","pad":"xxxxxxxx"}"#, &limits).expect_err("too large");
        assert_eq!(rejection.code, ErrorCode::TooLarge);
    }
}
