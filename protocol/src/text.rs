//! Characters that make a name or a short text read as something it is not: the bidi
//! controls that reorder what follows them (a name ending in "gnp.exe" shown as
//! "exe.png"), and zero-width characters that make two names look alike. Names, room
//! names and status texts are stored without them; message text keeps them (an emoji
//! sequence needs its joiners) and is shown in its own direction instead.

/// Whether `c` is a bidi control or an invisible character.
pub fn hides_or_reorders(c: char) -> bool {
    matches!(
        c,
        // Arabic letter mark; left-to-right and right-to-left marks.
        '\u{061C}' | '\u{200E}' | '\u{200F}'
        // Embeddings, overrides and their end.
        | '\u{202A}'..='\u{202E}'
        // Isolates and their end.
        | '\u{2066}'..='\u{2069}'
        // Zero width space, non-joiner, joiner; word joiner and invisible operators;
        // the byte order mark; the Mongolian vowel separator.
        | '\u{200B}'..='\u{200D}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{180E}'
        // Hangul fillers, which render blank.
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
    )
}

/// `text` without any character [`hides_or_reorders`] finds.
pub fn without_hidden(text: &str) -> String {
    text.chars().filter(|c| !hides_or_reorders(*c)).collect()
}

/// `text` as one line of a name or a topic: without hidden characters, every run of
/// white space or control characters one space, trimmed.
pub fn one_line(text: &str) -> String {
    let visible = without_hidden(text);
    let words: Vec<&str> = visible
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_lines_and_collapses_white_space() {
        assert_eq!(
            one_line("  Release\n\tplanning \u{202E} room  "),
            "Release planning room"
        );
        assert_eq!(one_line("\u{200B}\n "), "");
    }

    #[test]
    fn bidi_controls_and_zero_width_characters_are_removed() {
        assert_eq!(without_hidden("Ana\u{202E}gnp.exe"), "Anagnp.exe");
        assert_eq!(
            without_hidden("a\u{200B}d\u{2066}m\u{2069}in\u{FEFF}"),
            "admin"
        );
        assert_eq!(without_hidden("\u{3164}"), "");
    }

    #[test]
    fn visible_text_in_any_script_is_kept() {
        for kept in ["Zoë", "محمد", "עברית", "日本語", "🙂", "a b-c_d"] {
            assert_eq!(without_hidden(kept), kept);
        }
    }
}

/// Whether `name` names a command: `/` then 1 to 32 of `a-z`, `0-9`, `_`, `-`.
pub fn is_command(name: &str) -> bool {
    name.strip_prefix('/').is_some_and(|rest| {
        (1..=32).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
    })
}

/// A composer's text that runs a command: its name (`/deploy`) and, after white space,
/// its text. `None` for anything else, which is a message: `/usr/bin is full` is not a
/// command (its first word has a second `/`).
pub fn command(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let (name, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    is_command(name).then(|| (name, rest.trim()))
}

#[cfg(test)]
mod command_tests {
    use super::command;

    #[test]
    fn a_slash_and_a_name_is_a_command_and_a_path_is_not() {
        assert_eq!(command("/deploy prod now"), Some(("/deploy", "prod now")));
        assert_eq!(command("/shrug"), Some(("/shrug", "")));
        assert_eq!(command("/usr/bin is full"), None);
        assert_eq!(command("/Deploy"), None);
        assert_eq!(command("hello /deploy"), None);
        assert_eq!(command("/"), None);
    }
}
