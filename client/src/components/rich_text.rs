use dioxus::prelude::*;

use crate::{
    highlight::highlight,
    markdown::{Block, Inline, parse},
};

/// A message's text with its markdown as elements. Every piece of user text is a text
/// node; the only attributes set from user input are link targets that passed
/// `markdown::safe_url`.
#[component]
pub fn RichText(text: String, me: String) -> Element {
    let blocks = parse(&text);
    rsx! {
        for (i, block) in blocks.into_iter().enumerate() {
            match block {
                Block::Lines(lines) => rsx! {
                    span { key: "{i}", class: "lines",
                        for (n, line) in lines.into_iter().enumerate() {
                            if n > 0 { br {} }
                            InlineView { nodes: line, me: me.clone() }
                        }
                    }
                },
                Block::Quote(lines) => rsx! {
                    blockquote { key: "{i}",
                        for (n, line) in lines.into_iter().enumerate() {
                            if n > 0 { br {} }
                            InlineView { nodes: line, me: me.clone() }
                        }
                    }
                },
                Block::List { start: None, items } => rsx! {
                    ul { key: "{i}", class: "list",
                        for item in items {
                            li { InlineView { nodes: item, me: me.clone() } }
                        }
                    }
                },
                Block::List { start: Some(start), items } => rsx! {
                    ol { key: "{i}", class: "list", start: "{start}",
                        for item in items {
                            li { InlineView { nodes: item, me: me.clone() } }
                        }
                    }
                },
                Block::Code { lang, code } => rsx! {
                    pre { key: "{i}", class: "code-block", "data-lang": "{lang}", tabindex: "0",
                        code {
                            for (token, run) in highlight(&lang, &code) {
                                span { class: token.class(), "{run}" }
                            }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn InlineView(nodes: Vec<Inline>, me: String) -> Element {
    rsx! {
        for node in nodes {
            match node {
                Inline::Text(text) => rsx! { "{text}" },
                Inline::Bold(inner) => rsx! { strong { InlineView { nodes: inner, me: me.clone() } } },
                Inline::Italic(inner) => rsx! { em { InlineView { nodes: inner, me: me.clone() } } },
                Inline::Strike(inner) => rsx! { s { InlineView { nodes: inner, me: me.clone() } } },
                Inline::Code(code) => rsx! { code { class: "inline-code", "{code}" } },
                Inline::Link { text, href } => rsx! {
                    a { href: "{href}", target: "_blank", rel: "noopener noreferrer nofollow", "{text}" }
                },
                Inline::Mention(name) => rsx! {
                    span { class: if name.eq_ignore_ascii_case(&me) { "mention me" } else { "mention" }, "@{name}" }
                },
            }
        }
    }
}
