//! The web client's markdown is linear in a message's text (docs/security.md, "Scanners
//! that go quadratic"): it runs in every reader's browser, for every message. Counted in
//! steps, not timed: unclosed `[`, `](`, `*`, `**`, `` ` `` and `~~` runs cost what plain
//! text of the same length costs, within a small factor, and doubling any of them at most
//! doubles the work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_client::markdown::{Inline, inline, inline_steps};

fn hostile(n: usize) -> Vec<(&'static str, String)> {
    let times = |unit: &str| unit.repeat(n / unit.len());
    vec![
        ("plain", times("a")),
        ("[", times("[")),
        ("](", times("](")),
        ("[a](b", times("[a](b")),
        ("*", times("*")),
        ("**", times("**")),
        ("*a ", times("*a ")),
        ("_a_b ", times("_a_b ")),
        ("`", times("`")),
        ("~~", times("~~")),
        ("[x](https://", times("[x](https://")),
        ("http://\u{1}", times("http://\u{1}")),
        ("@", times("@")),
    ]
}

#[test]
fn parsing_a_line_is_linear_in_its_length() {
    let plain = inline_steps(&"a".repeat(4_000));
    for (name, text) in hostile(4_000) {
        let steps = inline_steps(&text);
        assert!(
            steps <= 16 * plain,
            "{name}: {steps} steps for 4,000 characters, plain text takes {plain}"
        );
        let doubled = inline_steps(&text.repeat(2));
        assert!(
            doubled <= 2 * steps + 64,
            "{name}: {steps} steps, then {doubled} for twice the text"
        );
    }
}

#[test]
fn nested_markup_still_parses_as_before() {
    let parsed =
        inline("**bold *and* ~~gone~~** `x` [site](https://e.example) https://b.example @ana");
    assert!(
        matches!(&parsed[0], Inline::Bold(inner) if inner.len() == 4),
        "{parsed:?}"
    );
    assert!(
        parsed
            .iter()
            .any(|n| matches!(n, Inline::Code(c) if c == "x"))
    );
    assert!(parsed.iter().any(
        |n| matches!(n, Inline::Link { text, href } if text == "site" && href == "https://e.example")
    ));
    assert!(
        parsed
            .iter()
            .any(|n| matches!(n, Inline::Link { href, .. } if href == "https://b.example"))
    );
    assert!(
        parsed
            .iter()
            .any(|n| matches!(n, Inline::Mention(m) if m == "ana"))
    );
    // A refused destination leaves the text as text, and a later link still is one.
    let parsed = inline("[a](javascript:x) [b](https://ok.example)");
    assert!(matches!(&parsed[0], Inline::Text(t) if t.starts_with("[a](javascript:x)")));
    assert!(
        parsed
            .iter()
            .any(|n| matches!(n, Inline::Link { text, .. } if text == "b"))
    );
}
