//! Link previews: which link of a message gets one, and the card made of what the page
//! says about itself (Open Graph, then Twitter's tags, then `<title>` and the plain
//! description). The Worker reads a page with the runtime's `HTMLRewriter` and hands the
//! tags it met here; nothing here fetches or parses HTML.

use url::Url;

/// Longest title kept, in characters.
pub const TITLE_CHARS: usize = 200;
/// Longest description kept, in characters.
pub const DESCRIPTION_CHARS: usize = 300;
/// Longest site name kept, in characters.
pub const SITE_CHARS: usize = 80;

/// The first http(s) link of a message as the client shows links: a bare `http://` or
/// `https://` at the start of a word (ending at white space, `<`, `>` or `"`, without
/// the sentence's trailing punctuation) or the target of `[text](url)`. Links inside
/// code (`` `…` `` or a fenced block) are not links.
pub fn first_link(text: &str) -> Option<String> {
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(link) = first_link_in_line(line) {
            return Some(link);
        }
    }
    None
}

fn first_link_in_line(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut at_word_start = true;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest[0] == '`' {
            // A code span: skip to its end (or, unclosed, it is only a backtick).
            if let Some(close) = rest[1..].iter().position(|c| *c == '`') {
                i += close + 2;
                at_word_start = false;
                continue;
            }
        }
        if rest[0] == '['
            && let Some(href) = markdown_link(rest)
        {
            return Some(href);
        }
        if at_word_start && (starts(rest, "https://") || starts(rest, "http://")) {
            let href: String = rest[..bare_link_len(rest)].iter().collect();
            if has_host(&href) {
                return Some(href);
            }
        }
        at_word_start = !rest[0].is_alphanumeric();
        i += 1;
    }
    None
}

/// How long the bare link at the start of `rest` is: up to white space, `<`, `>` or
/// `"`, without the sentence's trailing punctuation. The client's markdown ends its links
/// here too, so the link previewed is the link shown.
pub fn bare_link_len(rest: &[char]) -> usize {
    let mut end = rest
        .iter()
        .position(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(rest.len());
    while end > 0 && matches!(rest[end - 1], '.' | ',' | '!' | '?' | ')' | ';' | ':') {
        end -= 1;
    }
    end
}

fn markdown_link(rest: &[char]) -> Option<String> {
    let close = find(rest, 1, "](")?;
    let end = find(rest, close + 2, ")")?;
    let href: String = rest[close + 2..end].iter().collect();
    let href = href.trim();
    ((href.starts_with("https://") || href.starts_with("http://")) && has_host(href))
        .then(|| href.to_owned())
}

fn has_host(href: &str) -> bool {
    Url::parse(href).is_ok_and(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

fn starts(rest: &[char], marker: &str) -> bool {
    marker.chars().count() <= rest.len() && marker.chars().zip(rest).all(|(a, b)| a == *b)
}

fn find(rest: &[char], from: usize, marker: &str) -> Option<usize> {
    (from..rest.len()).find(|&i| starts(&rest[i..], marker))
}

/// What a page said about itself, as the Worker's `HTMLRewriter` met it: each `<meta>`'s
/// `property` or `name` with its `content` (raw, entities and all), and the text of
/// `<title>`.
#[derive(Debug, Default, Clone)]
pub struct PageMeta {
    pub tags: Vec<(String, String)>,
    pub title: String,
}

impl PageMeta {
    /// Keeps a `<meta>` tag that a card may use; the first of each name wins.
    pub fn meta(&mut self, name: &str, content: &str) {
        let name = name.trim().to_ascii_lowercase();
        let used = [
            "og:title",
            "og:description",
            "og:site_name",
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:title",
            "twitter:description",
            "twitter:image",
            "description",
        ];
        if used.contains(&name.as_str())
            && !self.tags.iter().any(|(n, _)| *n == name)
            && self.tags.len() < used.len()
        {
            self.tags
                .push((name, content.chars().take(4 * DESCRIPTION_CHARS).collect()));
        }
    }

    /// Text met inside `<title>`, kept up to a bound.
    pub fn title_text(&mut self, text: &str) {
        if self.title.len() < 4 * TITLE_CHARS {
            self.title.push_str(text);
        }
    }

    fn tag(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|name| {
            self.tags
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .map(clean)
                .filter(|v| !v.is_empty())
        })
    }
}

/// A preview's text and where its image is, before the image is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The page the preview is of (after redirects).
    pub url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    /// The image the page names, absolute; still to pass the outbound policy.
    pub image: Option<Url>,
}

/// The card for the page at `page` with `meta`, or `None` when the page says nothing a
/// card could show (no title and no description).
pub fn card(page: &Url, meta: &PageMeta) -> Option<Card> {
    let title = meta
        .tag(&["og:title", "twitter:title"])
        .or_else(|| Some(clean(&meta.title)).filter(|t| !t.is_empty()))
        .map(|t| bounded(&t, TITLE_CHARS));
    let description = meta
        .tag(&["og:description", "twitter:description", "description"])
        .map(|d| bounded(&d, DESCRIPTION_CHARS));
    if title.is_none() && description.is_none() {
        return None;
    }
    let site_name = meta
        .tag(&["og:site_name"])
        .or_else(|| {
            page.host_str()
                .map(|h| h.trim_start_matches("www.").to_owned())
        })
        .map(|s| bounded(&s, SITE_CHARS));
    let image = meta
        .tag(&[
            "og:image:secure_url",
            "og:image:url",
            "og:image",
            "twitter:image",
        ])
        .and_then(|src| page.join(&src).ok());
    Some(Card {
        url: page.to_string(),
        title,
        description,
        site_name,
        image,
    })
}

fn bounded(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(chars - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Raw HTML text as plain text: character references decoded, runs of white space made
/// one space, control characters dropped, and the bidi controls and invisible characters
/// that names may not hold dropped too (a title that reads backwards, or a site name that
/// looks like another's). The result is only ever shown as text.
pub fn clean(raw: &str) -> String {
    let decoded = decode_entities(raw);
    let mut out = String::with_capacity(decoded.len());
    for word in decoded.split_whitespace() {
        let visible = word
            .chars()
            .filter(|c| !c.is_control() && !edgechat_protocol::text::hides_or_reorders(*c));
        let start = out.len();
        let spaced = !out.is_empty();
        if spaced {
            out.push(' ');
        }
        out.extend(visible);
        if spaced && out.len() == start + 1 {
            // Nothing of the word was visible: no space for it either.
            out.truncate(start);
        }
    }
    out
}

fn decode_entities(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
