//! The objects' glue carries out what the core decides: read off its sources, the error
//! codes `worker/src/room_object/` and `worker/src/inbox_object/` may name are the ones
//! only the glue can know (`internal`: storage or a binding failed; `not-found`: the room
//! does not exist, or was not reached through the Worker; `unavailable`: the room is not
//! ready). Every other refusal is the core's, carried out as it comes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    fs,
    path::{Path, PathBuf},
};

use edgechat_protocol::ErrorCode;

const GLUE: [&str; 2] = ["worker/src/room_object", "worker/src/inbox_object"];
const ALLOWED: [ErrorCode; 3] = [
    ErrorCode::Internal,
    ErrorCode::NotFound,
    ErrorCode::Unavailable,
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn glue() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in GLUE {
        sources(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10, "the glue's sources are found: {files:?}");
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// The variant names after every `ErrorCode::` in `text`.
fn named_codes(text: &str) -> Vec<String> {
    text.match_indices("ErrorCode::")
        .map(|(at, found)| {
            text[at + found.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

fn wire(code: ErrorCode) -> String {
    serde_json::to_string(&code).unwrap()
}

#[test]
fn the_glue_names_only_the_codes_only_it_can_know() {
    let allowed: Vec<String> = ALLOWED.iter().map(|code| format!("{code:?}")).collect();
    let mut strays = Vec::new();
    for (path, text) in glue() {
        for name in named_codes(&text) {
            if !allowed.contains(&name) {
                strays.push(format!("{}: ErrorCode::{name}", path.display()));
            }
        }
        // A code spelled as its wire string is a refusal all the same.
        for code in ErrorCode::ALL.iter().filter(|code| !ALLOWED.contains(code)) {
            if text.contains(&wire(*code)) {
                strays.push(format!("{}: {}", path.display(), wire(*code)));
            }
        }
    }
    assert!(
        strays.is_empty(),
        "refusals decided in the glue, which belong in the core: {strays:#?}"
    );
}

#[test]
fn the_scan_sees_a_code_named_either_way() {
    let text =
        "http::error(ErrorCode::RateLimited, \"slow down\"); json!({\"code\":\"forbidden\"})";
    assert_eq!(named_codes(text), ["RateLimited"]);
    assert!(text.contains(&wire(ErrorCode::Forbidden)));
    assert!(!ALLOWED.contains(&ErrorCode::RateLimited));
}
