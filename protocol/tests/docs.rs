//! docs/protocol.md documents every event and every error code.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_protocol::{ClientMsg, ErrorCode, ServerMsg};

fn protocol_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    std::fs::read_to_string(path).expect("docs/protocol.md exists")
}

#[test]
fn every_event_has_a_section_in_the_protocol_doc() {
    let doc = protocol_doc();
    for kind in ClientMsg::TYPES.iter().chain(ServerMsg::TYPES) {
        assert!(
            doc.contains(&format!("\n### `{kind}`\n")),
            "docs/protocol.md has no section for `{kind}`"
        );
    }
}

#[test]
fn every_error_code_is_in_the_protocol_doc_table() {
    let doc = protocol_doc();
    for code in ErrorCode::ALL {
        let name = serde_json::to_string(code).unwrap();
        let name = name.trim_matches('"');
        assert!(
            doc.contains(&format!("\n| `{name}` |")),
            "docs/protocol.md has no row for error code `{name}`"
        );
    }
}
