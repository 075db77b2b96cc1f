//! docs/protocol.md documents every event, error code and close code, and its examples
//! decode.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, ServerMsg, close};

fn protocol_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    std::fs::read_to_string(path).expect("docs/protocol.md exists")
}

/// The text of the section headed "### `kind`" under the part headed `part`.
fn section<'a>(doc: &'a str, part: &str, kind: &str) -> &'a str {
    let part_start = doc.find(part).unwrap_or_else(|| panic!("no part {part}"));
    let heading = format!("\n### `{kind}`\n");
    let start = doc[part_start..]
        .find(&heading)
        .map(|i| part_start + i + heading.len())
        .unwrap_or_else(|| panic!("docs/protocol.md has no section for `{kind}` under {part}"));
    let end = doc[start..].find("\n#").map_or(doc.len(), |i| start + i);
    &doc[start..end]
}

fn example(section: &str) -> &str {
    let start = section.find("```json\n").expect("an example") + "```json\n".len();
    let end = section[start..].find("```").expect("a closed example") + start;
    section[start..end].trim()
}

#[test]
fn every_client_event_has_a_section_whose_example_decodes() {
    let doc = protocol_doc();
    for kind in ClientMsg::TYPES {
        let json = example(section(&doc, "## Client → server", kind));
        let frame: ClientFrame = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("the example of `{kind}` does not decode: {e}"));
        let back = serde_json::to_value(&frame).unwrap();
        assert_eq!(back["type"], *kind);
    }
}

#[test]
fn every_server_event_has_a_section_whose_example_decodes() {
    let doc = protocol_doc();
    for kind in ServerMsg::TYPES {
        let json = example(section(&doc, "## Server → client", kind));
        let msg: ServerMsg = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("the example of `{kind}` does not decode: {e}"));
        // A known type that fails to decode falls through to `Unknown`.
        assert!(
            !matches!(msg, ServerMsg::Unknown(_)),
            "the example of `{kind}` does not decode as `{kind}`"
        );
        assert_eq!(serde_json::to_value(&msg).unwrap()["type"], *kind);
    }
}

#[test]
fn every_section_says_which_socket_carries_it() {
    let doc = protocol_doc();
    for (part, kinds) in [
        ("## Client → server", ClientMsg::TYPES),
        ("## Server → client", ServerMsg::TYPES),
    ] {
        for kind in kinds {
            let text = section(&doc, part, kind);
            assert!(
                ["*room socket.*", "*inbox socket.*", "*either socket.*"]
                    .iter()
                    .any(|s| text.starts_with(s)),
                "`{kind}` does not say its socket"
            );
        }
    }
}

#[test]
fn every_error_code_is_in_the_table() {
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

#[test]
fn every_close_code_is_in_the_table() {
    let doc = protocol_doc();
    for (code, name) in close::ALL {
        assert!(
            doc.contains(&format!("\n| {code} | `{name}` |")),
            "docs/protocol.md has no row for close code {code} `{name}`"
        );
    }
}
