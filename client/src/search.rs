//! Search results as the panel shows them. Plain Rust, tested natively.

use edgechat_protocol::{Millis, Seq};
use serde::Deserialize;

/// One hit of `GET /api/search`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub message_id: String,
    pub room_id: String,
    pub seq: Seq,
    pub username: String,
    pub timestamp: Millis,
    pub snippet: String,
    /// A program posted it: shown with the bot mark.
    #[serde(default)]
    pub bot: bool,
}

/// The snippet in runs of text, each marked or not: the server puts matches between
/// U+0002 and U+0003, which user text never contains. The parts are shown as text, the
/// message's markup dropped (`**deploy**` reads "deploy").
pub fn snippet_parts(snippet: &str) -> Vec<(bool, String)> {
    let snippet = crate::markdown::plain(snippet);
    let mut parts = Vec::new();
    let mut marked = false;
    let mut run = String::new();
    for c in snippet.chars() {
        match c {
            '\u{2}' | '\u{3}' => {
                if !run.is_empty() {
                    parts.push((marked, std::mem::take(&mut run)));
                }
                marked = c == '\u{2}';
            }
            _ => run.push(c),
        }
    }
    if !run.is_empty() {
        parts.push((marked, run));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_words_are_split_out_as_text() {
        assert_eq!(
            snippet_parts("the \u{2}quick\u{3} brown <b>\u{2}fox\u{3}"),
            vec![
                (false, "the ".to_owned()),
                (true, "quick".to_owned()),
                (false, " brown <b>".to_owned()),
                (true, "fox".to_owned()),
            ]
        );
        assert!(snippet_parts("").is_empty());
    }
}
