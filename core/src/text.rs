//! Cleaning user text before it is stored.

/// Removes control characters (keeping newlines and tabs), normalises `\r\n` to `\n`,
/// and trims surrounding white space.
pub fn clean(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    kept.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn control_characters_are_removed_but_newlines_stay() {
        assert_eq!(clean("a\u{0}b\u{7}c\r\nd\te\u{1b}[31m"), "abc\nd\te[31m");
    }

    #[test]
    fn surrounding_white_space_is_trimmed() {
        assert_eq!(clean("  \n hello there \t\n"), "hello there");
    }

    #[test]
    fn markup_is_kept_verbatim_as_text() {
        assert_eq!(clean("<b>hi</b> & 'x'"), "<b>hi</b> & 'x'");
    }
}
