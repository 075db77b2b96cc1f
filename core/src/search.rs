//! Turning what a person types into a safe FTS5 query.

/// Each word becomes a quoted FTS5 string (so no operator or syntax error can come from
/// input), all of them required; the last one also matches as a prefix, for searching as
/// one types. `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | '_'))
                .take(64)
                .collect::<String>()
        })
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(8)
        .collect();
    let last = words.len().checked_sub(1)?;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let quoted = format!("\"{}\"", w.replace('"', "\"\""));
                if i == last {
                    format!("{quoted}*")
                } else {
                    quoted
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Where a search snippet's highlighted words start and end: control characters that
/// user text never contains (it is cleaned of them), so a client can split on them and
/// render the parts as text.
pub const HIGHLIGHT_START: char = '\u{2}';
pub const HIGHLIGHT_END: char = '\u{3}';

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(
            fts_query("quick fox").as_deref(),
            Some("\"quick\" \"fox\"*")
        );
    }

    #[test]
    fn operators_and_quotes_cannot_reach_fts() {
        assert_eq!(
            fts_query("a\" OR 1=1 NEAR(").as_deref(),
            Some("\"a\" \"OR\" \"11\" \"NEAR\"*")
        );
        assert_eq!(fts_query("  ** () \"\" "), None);
    }

    #[test]
    fn long_input_is_bounded() {
        let q = fts_query(&"word ".repeat(100)).unwrap();
        assert_eq!(q.matches('"').count(), 16);
    }
}
