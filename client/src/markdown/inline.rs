//! A line's inline markup: emphasis, code, links, bare URLs and mentions. Linear in the
//! line, since it runs in every reader's browser for every message: where each marker
//! next occurs is known from any position (`edgechat_core::scan::Next`) instead of being
//! searched for from each opening one, a `](` whose link was refused is not tried again
//! by every `[` before it, and what is read is read by a bounded number of attempts.

use std::cell::Cell;

use edgechat_core::{
    preview::Markers,
    scan::{Next, Steps},
};

use super::{Inline, safe_url};

/// Parses one line's inline markup.
pub fn inline(line: &str) -> Vec<Inline> {
    Line::new(line, &Cell::new(0)).parse()
}

/// The work [`inline`] does on `line`, for the tests that hold it to linear time.
pub fn inline_steps(line: &str) -> u64 {
    let steps = Cell::new(0);
    Line::new(line, &steps).parse();
    steps.get()
}

/// One line with where its markers are.
struct Line<'a> {
    chars: Vec<char>,
    markers: Markers,
    bold: Next,
    strike: Next,
    star: Next,
    underscore: Next,
    controls: Next,
    steps: &'a Cell<u64>,
    /// A `](` whose link was no link, so the `[`s before it need not try it again.
    rejected_close: Cell<Option<usize>>,
}

impl<'a> Line<'a> {
    fn new(line: &str, steps: &'a Cell<u64>) -> Self {
        let chars: Vec<char> = line.chars().collect();
        let mut counted = Steps(chars.len() as u64);
        let markers = Markers::of(&chars, &mut counted);
        let bold = Next::of(&chars, "**", &mut counted);
        let strike = Next::of(&chars, "~~", &mut counted);
        let star = Next::of(&chars, "*", &mut counted);
        let underscore = Next::of(&chars, "_", &mut counted);
        let controls = Next::matching(&chars, &mut counted, |rest| {
            rest.first().is_some_and(|c| c.is_control())
        });
        steps.set(steps.get() + counted.0);
        Self {
            chars,
            markers,
            bold,
            strike,
            star,
            underscore,
            controls,
            steps,
            rejected_close: Cell::new(None),
        }
    }

    fn step(&self, n: usize) {
        self.steps.set(self.steps.get() + n as u64);
    }

    /// The characters `from..to`, counted as read.
    fn text(&self, from: usize, to: usize) -> String {
        self.step(to - from);
        self.chars[from..to].iter().collect()
    }

    fn parse(&self) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < self.chars.len() {
            self.step(1);
            let word_start = i == 0 || !self.chars[i - 1].is_alphanumeric();
            if let Some((node, used)) = self
                .code(i)
                .or_else(|| self.delimited(i, "**", &self.bold, Inline::Bold))
                .or_else(|| self.delimited(i, "~~", &self.strike, Inline::Strike))
                .or_else(|| self.delimited(i, "*", &self.star, Inline::Italic))
                .or_else(|| self.italic_underscore(i, word_start))
                .or_else(|| self.link(i))
                .or_else(|| self.bare_url(i, word_start))
                .or_else(|| self.mention(i, word_start))
            {
                if !text.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut text)));
                }
                out.push(node);
                i += used;
            } else {
                text.push(self.chars[i]);
                i += 1;
            }
        }
        if !text.is_empty() {
            out.push(Inline::Text(text));
        }
        out
    }

    fn starts(&self, at: usize, marker: &str) -> bool {
        let rest = &self.chars[at..];
        marker.chars().count() <= rest.len() && marker.chars().zip(rest).all(|(a, b)| a == *b)
    }

    fn code(&self, i: usize) -> Option<(Inline, usize)> {
        if self.chars[i] != '`' {
            return None;
        }
        let end = self.markers.ticks.from(i + 1)?;
        (end > i + 1).then(|| (Inline::Code(self.text(i + 1, end)), end + 1 - i))
    }

    /// Where `marker` text `marker` at `i` ends (past its closing marker), its text not
    /// empty and not starting or ending with a space.
    fn span(&self, i: usize, marker: &str, next: &Next) -> Option<usize> {
        if !self.starts(i, marker) {
            return None;
        }
        let len = marker.chars().count();
        let end = next.from(i + len)?;
        let (first, last) = (
            self.chars.get(i + len)?,
            self.chars.get(end.checked_sub(1)?)?,
        );
        (end > i + len && *first != ' ' && *last != ' ').then_some(end + len)
    }

    /// The span at `i`, its inside parsed again (nesting is bounded: the inside of a
    /// marker never holds that marker).
    fn wrapped(&self, i: usize, len: usize, end: usize, wrap: fn(Vec<Inline>) -> Inline) -> Inline {
        let inner = self.text(i + len, end - len);
        wrap(Line::new(&inner, self.steps).parse())
    }

    fn delimited(
        &self,
        i: usize,
        marker: &str,
        next: &Next,
        wrap: fn(Vec<Inline>) -> Inline,
    ) -> Option<(Inline, usize)> {
        let end = self.span(i, marker, next)?;
        Some((self.wrapped(i, marker.len(), end, wrap), end - i))
    }

    fn italic_underscore(&self, i: usize, at_word_start: bool) -> Option<(Inline, usize)> {
        if !at_word_start {
            return None;
        }
        let end = self.span(i, "_", &self.underscore)?;
        // `snake_case_names` are not emphasis: the closing `_` must end a word.
        if self.chars.get(end).is_some_and(|c| c.is_alphanumeric()) {
            return None;
        }
        Some((self.wrapped(i, 1, end, Inline::Italic), end - i))
    }

    /// `[text](url)`; an unsafe URL leaves the whole thing as text.
    fn link(&self, i: usize) -> Option<(Inline, usize)> {
        if self.chars[i] != '[' {
            return None;
        }
        let close = self.markers.closes.from(i + 1)?;
        if self.rejected_close.get() == Some(close) {
            return None;
        }
        let href = self
            .markers
            .destination_end(close)
            .and_then(|end| Some((end, safe_url(&self.text(close + 2, end))?)));
        let Some((end, href)) = href else {
            self.rejected_close.set(Some(close));
            return None;
        };
        let text = self.text(i + 1, close);
        let text = if text.trim().is_empty() {
            href.clone()
        } else {
            text
        };
        Some((Inline::Link { text, href }, end + 1 - i))
    }

    fn bare_url(&self, i: usize, at_word_start: bool) -> Option<(Inline, usize)> {
        let scheme = if self.starts(i, "https://") {
            8
        } else if self.starts(i, "http://") {
            7
        } else {
            return None;
        };
        if !at_word_start {
            return None;
        }
        // Where the server's link previews end it too; trailing punctuation belongs to the
        // sentence, not the link. What `safe_url` refuses is known without reading it.
        let end = self.markers.bare_link_end(&self.chars, i);
        if end <= i + scheme || self.controls.from(i).is_some_and(|c| c < end) {
            return None;
        }
        let href = safe_url(&self.text(i, end))?;
        Some((
            Inline::Link {
                text: href.clone(),
                href,
            },
            end - i,
        ))
    }

    fn mention(&self, i: usize, at_word_start: bool) -> Option<(Inline, usize)> {
        if !at_word_start || self.chars[i] != '@' {
            return None;
        }
        let len = self.chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .count();
        self.step(len);
        (len > 0).then(|| (Inline::Mention(self.text(i + 1, i + 1 + len)), len + 1))
    }
}
