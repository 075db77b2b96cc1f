//! The server's link finder is linear in a message's text (docs/security.md, "Scanners
//! that go quadratic"): it runs on every message and edit, in the room's one thread.
//! Counted in steps, not timed: unclosed `[`, `](`, `*`, `**`, `` ` `` and `~~` runs, and
//! failed links, cost what plain text of the same length costs, within a small factor,
//! and doubling any of them at most doubles the work.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::preview::{first_link, first_link_steps};

/// Texts of about `n` characters each, of the shapes that made a rescanning parser
/// quadratic.
pub fn hostile(n: usize) -> Vec<(&'static str, String)> {
    let times = |unit: &str| unit.repeat(n / unit.len());
    vec![
        ("plain", times("a")),
        ("[", times("[")),
        ("](", times("](")),
        ("[a](b", times("[a](b")),
        ("*", times("*")),
        ("**", times("**")),
        ("`", times("`")),
        ("~~", times("~~")),
        ("[x](https://", times("[x](https://")),
        ("http://-", times("http://-")),
        ("[https://a", times("[https://a")),
    ]
}

#[test]
fn finding_the_first_link_is_linear_in_the_text() {
    let plain = first_link_steps(&"a".repeat(4_000));
    for (name, text) in hostile(4_000) {
        let steps = first_link_steps(&text);
        assert!(
            steps <= 8 * plain,
            "{name}: {steps} steps for 4,000 characters, plain text takes {plain}"
        );
        let doubled = first_link_steps(&text.repeat(2));
        assert!(
            doubled <= 2 * steps + 16,
            "{name}: {steps} steps, then {doubled} for twice the text"
        );
    }
}

#[test]
fn the_links_found_are_the_same_as_before() {
    for (text, link) in [
        ("see https://example.com/a.", Some("https://example.com/a")),
        (
            "[docs](https://example.com/d) and https://b.example",
            Some("https://example.com/d"),
        ),
        (
            "`https://in.code` then http://after.example",
            Some("http://after.example"),
        ),
        ("[a](b](https://x.example)", Some("https://x.example")),
        ("[[[x](https://y.example)", Some("https://y.example")),
        ("http://-http://-", Some("http://-http://-")),
        ("x https://", None),
        (
            "```\nhttps://fenced.example\n```\nhttps://after.example",
            Some("https://after.example"),
        ),
    ] {
        assert_eq!(first_link(text).as_deref(), link, "{text:?}");
    }
}
