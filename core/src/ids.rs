//! What a room name and a display name may look like.

/// Room names travel in URLs and name Durable Objects: 1 to 64 characters of lowercase
/// ASCII letters, digits, `-` and `_`.
pub fn is_valid_room_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A display name as people type it: cleaned of control characters, every run of white
/// space made one space, at most 32 characters; `None` when nothing is left.
pub fn clean_display_name(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let joined: String = words.join(" ").chars().take(32).collect();
    let name = joined.trim_end();
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names_are_short_lowercase_slugs() {
        assert!(is_valid_room_name("lobby"));
        assert!(is_valid_room_name("team-7_ops"));
        assert!(!is_valid_room_name(""));
        assert!(!is_valid_room_name("Lobby"));
        assert!(!is_valid_room_name("a/b"));
        assert!(!is_valid_room_name("a b"));
        assert!(!is_valid_room_name(&"x".repeat(65)));
    }

    #[test]
    fn display_names_are_cleaned_and_capped() {
        assert_eq!(
            clean_display_name("  Ana\u{0} \n Lima "),
            Some("Ana Lima".into())
        );
        assert_eq!(
            clean_display_name(&"é".repeat(40)).map(|n| n.chars().count()),
            Some(32)
        );
        assert_eq!(clean_display_name(" \u{7} "), None);
    }
}
