//! Every parser of untrusted input, run over arbitrary input: none may panic. The frame
//! decoder, the HTTP body and header readers, file names, ranges and types, room and
//! message ids, subprotocol offers, cookies, tokens, and names. 100,000 cases a run
//! (`PARSER_CASES` sets another count).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::{Limits, body, decode::decode_frame, files, ids};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PARSER_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// Text that is sometimes arbitrary and sometimes close to what a parser expects, so
/// the cases reach past the first check.
fn input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        r#"\{"type":"(send-message|edit-message|add-reaction|ban-user|invite-user|authenticate|ping|set-role|load-history|mark-read)"(,"[a-zA-Z]{1,12}":("[^"]{0,20}"|-?[0-9]{1,22}|true|null|\[\]|\{\}))*\}"#,
        r"bytes=[0-9,\- ]{0,20}",
        r"(dm|g)[.\-][0-9a-fA-F]{0,40}(:[0-9+\-]{0,22})?",
        r"edgechat\.v[0-9]{0,12}(, ?edgechat\.token\.[A-Za-z0-9._\-]{0,60})?",
        r"([a-z_]{1,12}=[^;]{0,20}; ?){0,4}",
        r"[A-Za-z0-9_\-]{0,40}\.[A-Za-z0-9_\-]{0,80}\.[A-Za-z0-9_\-]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_parser_panics_on_any_input(text in input(), bytes in proptest::collection::vec(any::<u8>(), 0..256), size in any::<u64>()) {
        let limits = Limits::default();
        let _ = decode_frame(&text, &limits);
        let _ = body::check_headers(Some(&text), Some(&text));
        let _ = body::decode::<serde_json::Value>(text.as_bytes());
        let _ = body::decode::<edgechat_protocol::ClientFrame>(&bytes);
        let _ = files::parse_range(Some(&text), size);
        let _ = files::clean_name(&text);
        let _ = files::content_disposition(true, &text);
        let _ = files::sniff(&bytes, bytes.len() < 128);
        let _ = ids::shape(&text);
        let _ = ids::room_slug(&text);
        let _ = ids::message_seq("lobby", &text);
        let _ = edgechat_auth::subprotocol::parse(&text);
        let _ = edgechat_auth::cookie::read(&text, edgechat_auth::cookie::REFRESH);
        let _ = edgechat_auth::token::verify(&[7; 32], &text, size);
        let _ = edgechat_auth::names::display_name(&text);
        let _ = edgechat_auth::names::status_text(&text);
        let _ = edgechat_protocol::text::without_hidden(&text);
    }
}
