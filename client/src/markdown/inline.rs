//! A line's inline markup: emphasis, code, links, bare URLs and mentions.

use super::{Inline, safe_url};

/// Parses one line's inline markup.
pub fn inline(line: &str) -> Vec<Inline> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if let Some((node, used)) = code(rest)
            .or_else(|| delimited(rest, "**", Inline::Bold))
            .or_else(|| delimited(rest, "~~", Inline::Strike))
            .or_else(|| delimited(rest, "*", Inline::Italic))
            .or_else(|| italic_underscore(rest, i == 0 || !chars[i - 1].is_alphanumeric()))
            .or_else(|| link(rest))
            .or_else(|| bare_url(rest, i == 0 || !chars[i - 1].is_alphanumeric()))
            .or_else(|| mention(rest, i == 0 || !chars[i - 1].is_alphanumeric()))
        {
            if !text.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut text)));
            }
            out.push(node);
            i += used;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

fn starts(rest: &[char], marker: &str) -> bool {
    let marker: Vec<char> = marker.chars().collect();
    rest.len() >= marker.len() && rest[..marker.len()] == marker[..]
}

fn find(rest: &[char], from: usize, marker: &str) -> Option<usize> {
    (from..rest.len()).find(|&at| starts(&rest[at..], marker))
}

fn code(rest: &[char]) -> Option<(Inline, usize)> {
    if rest.first() != Some(&'`') {
        return None;
    }
    let end = find(rest, 1, "`")?;
    (end > 1).then(|| (Inline::Code(rest[1..end].iter().collect()), end + 1))
}

/// `marker` text `marker`, not empty and not starting or ending with a space.
fn delimited(
    rest: &[char],
    marker: &str,
    wrap: fn(Vec<Inline>) -> Inline,
) -> Option<(Inline, usize)> {
    let len = marker.chars().count();
    if !starts(rest, marker) {
        return None;
    }
    let end = find(rest, len, marker)?;
    let inner: String = rest[len..end].iter().collect();
    if inner.is_empty() || inner.starts_with(' ') || inner.ends_with(' ') {
        return None;
    }
    Some((wrap(inline(&inner)), end + len))
}

fn italic_underscore(rest: &[char], at_word_start: bool) -> Option<(Inline, usize)> {
    if !at_word_start {
        return None;
    }
    let (node, used) = delimited(rest, "_", Inline::Italic)?;
    // `snake_case_names` are not emphasis: the closing `_` must end a word.
    let after = rest.get(used);
    (after.is_none_or(|c| !c.is_alphanumeric())).then_some((node, used))
}

/// `[text](url)`; an unsafe URL leaves the whole thing as text.
fn link(rest: &[char]) -> Option<(Inline, usize)> {
    if rest.first() != Some(&'[') {
        return None;
    }
    let close = find(rest, 1, "](")?;
    let end = find(rest, close + 2, ")")?;
    let text: String = rest[1..close].iter().collect();
    let href: String = rest[close + 2..end].iter().collect();
    let href = safe_url(&href)?;
    let text = if text.trim().is_empty() {
        href.clone()
    } else {
        text
    };
    Some((Inline::Link { text, href }, end + 1))
}

fn bare_url(rest: &[char], at_word_start: bool) -> Option<(Inline, usize)> {
    if !at_word_start || !(starts(rest, "https://") || starts(rest, "http://")) {
        return None;
    }
    // Where the server's link previews end it too; trailing punctuation belongs to the
    // sentence, not the link.
    let end = edgechat_core::preview::bare_link_len(rest);
    let href: String = rest[..end].iter().collect();
    let href = safe_url(&href)?;
    Some((
        Inline::Link {
            text: href.clone(),
            href,
        },
        end,
    ))
}

fn mention(rest: &[char], at_word_start: bool) -> Option<(Inline, usize)> {
    if !at_word_start || rest.first() != Some(&'@') {
        return None;
    }
    let len = rest[1..]
        .iter()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .count();
    (len > 0).then(|| (Inline::Mention(rest[1..=len].iter().collect()), len + 1))
}
