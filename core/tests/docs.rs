//! docs/protocol.md lists every configurable limit.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

#[test]
fn every_limit_var_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for var in edgechat_core::Limits::VARS {
        assert!(
            doc.contains(&format!("\n| `{var}` |")),
            "{var} is not documented"
        );
    }
}
