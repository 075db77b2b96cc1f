//! Link previews: which link of a message gets one, and the card made of what the page
//! says about itself (Open Graph, then Twitter's tags, then `<title>` and the plain
//! description). The Worker reads a page with the runtime's `HTMLRewriter` and hands the
//! tags it met here; nothing here fetches or parses HTML.

use url::Url;

use crate::scan::{Next, Steps};

/// Longest title kept, in characters.
pub const TITLE_CHARS: usize = 200;
/// Longest description kept, in characters.
pub const DESCRIPTION_CHARS: usize = 300;
/// Longest site name kept, in characters.
pub const SITE_CHARS: usize = 80;

/// The first http(s) link of a message as the client shows links: a bare `http://` or
/// `https://` at the start of a word (ending at white space, `<`, `>` or `"`, without
/// the sentence's trailing punctuation) or the target of `[text](url)` (which holds no
/// `](` of its own). Links inside code (`` `…` `` or a fenced block) are not links.
/// Linear in the text: every marker is found by [`Next`], and no character is read by
/// more than a bounded number of attempts.
pub fn first_link(text: &str) -> Option<String> {
    scan(text, &mut Steps::default())
}

/// The work [`first_link`] does on `text`, for the tests that hold it to linear time.
pub fn first_link_steps(text: &str) -> u64 {
    let mut steps = Steps::default();
    scan(text, &mut steps);
    steps.0
}

fn scan(text: &str, steps: &mut Steps) -> Option<String> {
    let mut fenced = false;
    for line in text.lines() {
        steps.add(line.len() + 1);
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(link) = first_link_in_line(line, steps) {
            return Some(link);
        }
    }
    None
}

/// Where the markers of one line are, from any position.
pub struct Markers {
    pub ticks: Next,
    pub closes: Next,
    pub parens: Next,
    /// White space, `<`, `>` and `"`: where a bare link ends.
    pub stops: Next,
}

impl Markers {
    pub fn of(chars: &[char], steps: &mut Steps) -> Self {
        Self {
            ticks: Next::of(chars, "`", steps),
            closes: Next::of(chars, "](", steps),
            parens: Next::of(chars, ")", steps),
            stops: Next::matching(chars, steps, |rest| {
                rest.first()
                    .is_some_and(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            }),
        }
    }

    /// Where the destination of a `[text](url)` whose `](` is at `close` ends (its `)`),
    /// if it is one: a `)` follows, with no other `](` before it. So destinations never
    /// overlap, and each is read once.
    pub fn destination_end(&self, close: usize) -> Option<usize> {
        let end = self.parens.from(close + 2)?;
        match self.closes.from(close + 2) {
            Some(next) if next < end => None,
            _ => Some(end),
        }
    }

    /// Where the bare link starting at `from` ends: at white space, `<`, `>` or `"`,
    /// without the sentence's trailing punctuation. The client's markdown ends its
    /// links here too, so the link previewed is the link shown.
    pub fn bare_link_end(&self, chars: &[char], from: usize) -> usize {
        let mut end = self.stops.from(from).unwrap_or(chars.len());
        while end > from && matches!(chars[end - 1], '.' | ',' | '!' | '?' | ')' | ';' | ':') {
            end -= 1;
        }
        end
    }
}

fn first_link_in_line(line: &str, steps: &mut Steps) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    steps.add(chars.len());
    let markers = Markers::of(&chars, steps);
    // A `](` whose link was no link: every `[` before it would find it again.
    let mut rejected_close = None;
    let mut i = 0;
    let mut at_word_start = true;
    while i < chars.len() {
        steps.add(1);
        let c = chars[i];
        if c == '`'
            && let Some(close) = markers.ticks.from(i + 1)
        {
            // A code span: skip to its end (unclosed, it is only a backtick).
            i = close + 1;
            at_word_start = false;
            continue;
        }
        if c == '['
            && let Some(close) = markers.closes.from(i + 1)
            && rejected_close != Some(close)
        {
            match markdown_link(&chars, close, &markers, steps) {
                Some(href) => return Some(href),
                None => rejected_close = Some(close),
            }
        }
        if at_word_start && (starts(&chars[i..], "https://") || starts(&chars[i..], "http://")) {
            let end = markers.bare_link_end(&chars, i);
            steps.add(end - i);
            let href: String = chars[i..end].iter().collect();
            if has_host(&href) {
                return Some(href);
            }
            // Nothing else in this run of characters is a link the client would show
            // either: go past it rather than read it again from each later start.
            i = markers.stops.from(i).unwrap_or(chars.len());
            continue;
        }
        at_word_start = !c.is_alphanumeric();
        i += 1;
    }
    None
}

fn markdown_link(
    chars: &[char],
    close: usize,
    markers: &Markers,
    steps: &mut Steps,
) -> Option<String> {
    let end = markers.destination_end(close)?;
    steps.add(end - close);
    let href: String = chars[close + 2..end].iter().collect();
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
