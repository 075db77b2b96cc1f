//! docs/protocol.md documents every event, socket error code and close code, and its
//! examples decode; docs/api.md lists every error code with its HTTP status.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, ServerMsg, close};

fn protocol_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    std::fs::read_to_string(path).expect("docs/protocol.md exists")
}

fn api_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md");
    std::fs::read_to_string(path).expect("docs/api.md exists")
}

/// The text of the part headed "## Error codes", up to the next part.
fn error_codes_part(doc: &str) -> &str {
    let start = doc
        .find("\n## Error codes\n")
        .expect("a part headed `## Error codes`")
        + 1;
    let end = doc[start..].find("\n## ").map_or(doc.len(), |i| start + i);
    &doc[start..end]
}

fn wire_name(code: ErrorCode) -> String {
    let name = serde_json::to_string(&code).unwrap();
    name.trim_matches('"').to_owned()
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
fn every_error_code_a_socket_carries_is_in_the_table() {
    let doc = protocol_doc();
    let table = error_codes_part(&doc);
    for code in ErrorCode::ALL.iter().filter(|code| code.on_sockets()) {
        let name = wire_name(*code);
        assert!(
            table.contains(&format!("\n| `{name}` |")),
            "docs/protocol.md has no row for error code `{name}`"
        );
    }
}

#[test]
fn the_socket_error_table_lists_only_codes_a_socket_carries() {
    let doc = protocol_doc();
    for row in error_codes_part(&doc)
        .lines()
        .filter(|l| l.starts_with("| `"))
    {
        let name = row.split('`').nth(1).unwrap();
        let code: ErrorCode = serde_json::from_value(name.into()).unwrap();
        assert!(
            name == "unknown" || code != ErrorCode::Unknown,
            "docs/protocol.md lists `{name}`, which is not an error code"
        );
        assert!(
            code.on_sockets(),
            "docs/protocol.md lists `{name}`, which only HTTP answers carry"
        );
    }
}

#[test]
fn every_error_code_is_in_the_api_table_with_its_status() {
    let doc = api_doc();
    let table = error_codes_part(&doc);
    for code in ErrorCode::ALL {
        let (status, name) = (code.status(), wire_name(*code));
        assert!(
            table.contains(&format!("\n| {status} | `{name}` |")),
            "docs/api.md's error codes have no row `| {status} | `{name}` |`"
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

#[test]
fn the_web_push_examples_decode() {
    use edgechat_protocol::push::{PushKind, PushMessage, PushSubscription};
    let doc = protocol_doc();
    let start = doc.find("\n### Web Push\n").expect("a Web Push section");
    let push: PushMessage = serde_json::from_str(example(&doc[start..])).unwrap();
    assert_eq!(push.kind, PushKind::Mention);
    // What a browser's `PushSubscription.toJSON()` gives, extra fields and all.
    let api = api_doc();
    let start = api
        .find("\n### `POST /api/push/subscriptions`\n")
        .expect("a subscribe section");
    let subscription: PushSubscription = serde_json::from_str(example(&api[start..])).unwrap();
    assert!(subscription.endpoint.starts_with("https://"));
}
