//! Message markdown, parsed into a tree that the client renders as nodes: user text can
//! only ever become text, a few formatting elements and links whose scheme is http,
//! https or mailto. Nothing here produces HTML. Plain Rust, tested natively.
//!
//! The subset is what chat users type: `**bold**`, `*italic*` or `_italic_`,
//! `~~strike~~`, `` `code` ``, fenced code blocks with a language, `> quotes`, lists
//! (lines starting `- `, `* ` or `1. `), `[text](url)`, bare `https://` links and
//! `@mentions`.

mod inline;

pub use inline::{inline, inline_steps};

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Bold(Vec<Inline>),
    Italic(Vec<Inline>),
    Strike(Vec<Inline>),
    Code(String),
    /// A link to a URL that passed [`safe_url`]; `text` is shown as text.
    Link {
        text: String,
        href: String,
    },
    Mention(String),
}

/// A block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Lines of inline content.
    Lines(Vec<Vec<Inline>>),
    Quote(Vec<Vec<Inline>>),
    /// Consecutive list lines of one kind, an item each: numbered from `start`, or
    /// bulleted when `start` is `None`.
    List {
        start: Option<u64>,
        items: Vec<Vec<Inline>>,
    },
    Code {
        lang: String,
        code: String,
    },
}

/// What a line of a message is, outside code blocks.
enum Line<'a> {
    Plain(&'a str),
    Quote(&'a str),
    Bullet(&'a str),
    Numbered(u64, &'a str),
}

fn classify(line: &str) -> Line<'_> {
    if let Some(quoted) = line.strip_prefix('>') {
        return Line::Quote(quoted.strip_prefix(' ').unwrap_or(quoted));
    }
    let trimmed = line.trim_start();
    if let Some(item) = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
    {
        return Line::Bullet(item);
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits)
        && let Some(item) = trimmed[digits..]
            .strip_prefix(". ")
            .or_else(|| trimmed[digits..].strip_prefix(") "))
        && let Ok(n) = trimmed[..digits].parse()
    {
        return Line::Numbered(n, item);
    }
    Line::Plain(line)
}

/// Parses a message.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.trim_start().strip_prefix("```") {
            let mut code = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                code.push(inner);
            }
            blocks.push(Block::Code {
                lang: lang.trim().to_lowercase(),
                code: code.join("\n"),
            });
            continue;
        }
        // A line joins the block before it when it is of the same kind.
        match (blocks.last_mut(), classify(line)) {
            (Some(Block::Lines(lines)), Line::Plain(text))
            | (Some(Block::Quote(lines)), Line::Quote(text))
            | (
                Some(Block::List {
                    start: None,
                    items: lines,
                }),
                Line::Bullet(text),
            )
            | (
                Some(Block::List {
                    start: Some(_),
                    items: lines,
                }),
                Line::Numbered(_, text),
            ) => {
                lines.push(inline(text));
            }
            (_, Line::Plain(text)) => blocks.push(Block::Lines(vec![inline(text)])),
            (_, Line::Quote(text)) => blocks.push(Block::Quote(vec![inline(text)])),
            (_, Line::Bullet(text)) => blocks.push(Block::List {
                start: None,
                items: vec![inline(text)],
            }),
            (_, Line::Numbered(n, text)) => blocks.push(Block::List {
                start: Some(n),
                items: vec![inline(text)],
            }),
        }
    }
    blocks
}

/// The text of a message as it reads, without its markup: emphasis and code markers
/// dropped, a link as its text, lines and list items joined by spaces. For a search hit,
/// whose snippet is a piece of the raw text.
pub fn plain(text: &str) -> String {
    fn inlines(nodes: &[Inline], out: &mut String) {
        for node in nodes {
            match node {
                Inline::Text(text) | Inline::Code(text) | Inline::Link { text, .. } => {
                    out.push_str(text);
                }
                Inline::Bold(inner) | Inline::Italic(inner) | Inline::Strike(inner) => {
                    inlines(inner, out);
                }
                Inline::Mention(name) => {
                    out.push('@');
                    out.push_str(name);
                }
            }
        }
    }
    let mut out = String::new();
    for block in parse(text) {
        let lines = match block {
            Block::Lines(lines) | Block::Quote(lines) | Block::List { items: lines, .. } => lines,
            Block::Code { code, .. } => vec![vec![Inline::Code(code)]],
        };
        for line in lines {
            if !out.is_empty() {
                out.push(' ');
            }
            inlines(&line, &mut out);
        }
    }
    out
}

/// The host a link goes to, as the server normalized the URL (`https://host:port/…`):
/// what lies between the scheme and the path, without any user name.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// `href` if it is a link a message may carry: http, https or mailto, and nothing a
/// browser would run or render as a document (`javascript:`, `data:`, `vbscript:` …).
pub fn safe_url(href: &str) -> Option<String> {
    let href = href.trim();
    if href.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let lower = href.to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
        .then(|| href.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn emphasis_code_and_mentions() {
        assert_eq!(
            inline("**bold** and *it* or _it_, ~~no~~ `x<y>` @ana"),
            vec![
                Inline::Bold(vec![text("bold")]),
                text(" and "),
                Inline::Italic(vec![text("it")]),
                text(" or "),
                Inline::Italic(vec![text("it")]),
                text(", "),
                Inline::Strike(vec![text("no")]),
                text(" "),
                Inline::Code("x<y>".into()),
                text(" "),
                Inline::Mention("ana".into()),
            ]
        );
        assert_eq!(inline("snake_case_name"), vec![text("snake_case_name")]);
        assert_eq!(inline("2 * 3 * 4"), vec![text("2 * 3 * 4")]);
        assert_eq!(inline("ana@example.com"), vec![text("ana@example.com")]);
    }

    #[test]
    fn links_only_for_http_https_and_mailto() {
        assert_eq!(
            inline("[docs](https://example.com/a?b=1) see https://x.dev/p."),
            vec![
                Inline::Link {
                    text: "docs".into(),
                    href: "https://example.com/a?b=1".into()
                },
                text(" see "),
                Inline::Link {
                    text: "https://x.dev/p".into(),
                    href: "https://x.dev/p".into()
                },
                text("."),
            ]
        );
        for hostile in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](data:text/html,<script>alert(1)</script>)",
            "[x](vbscript:msgbox)",
            "[x](//evil.example)",
            "javascript:alert(1)",
        ] {
            assert!(
                !inline(hostile)
                    .iter()
                    .any(|n| matches!(n, Inline::Link { .. })),
                "{hostile}"
            );
        }
        assert_eq!(
            safe_url("mailto:ana@example.com").as_deref(),
            Some("mailto:ana@example.com")
        );
    }

    #[test]
    fn markup_stays_text() {
        assert_eq!(
            inline("<img src=x onerror=alert(1)>"),
            vec![text("<img src=x onerror=alert(1)>")]
        );
    }

    #[test]
    fn blocks_code_and_quotes() {
        let blocks = parse("hi\n> quoted *text*\n```rust\nfn main() {}\n```\nbye");
        assert_eq!(
            blocks,
            vec![
                Block::Lines(vec![vec![text("hi")]]),
                Block::Quote(vec![vec![
                    text("quoted "),
                    Inline::Italic(vec![text("text")])
                ]]),
                Block::Code {
                    lang: "rust".into(),
                    code: "fn main() {}".into()
                },
                Block::Lines(vec![vec![text("bye")]]),
            ]
        );
        // An unclosed fence runs to the end, as in most chat apps.
        assert!(matches!(&parse("```\nopen")[..], [Block::Code { code, .. }] if code == "open"));
    }

    #[test]
    fn lines_typed_as_lists_are_lists() {
        let blocks = parse("Plan:\n- one\n* **two**\n  - three\n3. four\n4) five\nthanks");
        assert_eq!(
            blocks,
            vec![
                Block::Lines(vec![vec![text("Plan:")]]),
                Block::List {
                    start: None,
                    items: vec![
                        vec![text("one")],
                        vec![Inline::Bold(vec![text("two")])],
                        vec![text("three")],
                    ]
                },
                Block::List {
                    start: Some(3),
                    items: vec![vec![text("four")], vec![text("five")]]
                },
                Block::Lines(vec![vec![text("thanks")]]),
            ]
        );
        // Not lists: no space after the marker, emphasis, a number too long, a sum.
        for line in ["-no", "*it*", "1234567890. x", "2 * 3", "1.5 cups"] {
            assert!(matches!(&parse(line)[..], [Block::Lines(_)]), "{line}");
        }
    }

    #[test]
    fn a_links_host_is_where_it_goes_whatever_comes_before_or_after() {
        assert_eq!(host_of("https://example.com/a?b#c"), "example.com");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(
            host_of("https://paypal.com@evil.example/login"),
            "evil.example"
        );
    }

    #[test]
    fn plain_text_drops_the_markup() {
        assert_eq!(
            plain("**\u{2}deploy\u{3}** at `5` see [the docs](https://x.dev)\n- one\n> two"),
            "\u{2}deploy\u{3} at 5 see the docs one two"
        );
    }
}
