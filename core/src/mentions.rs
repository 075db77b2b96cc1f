//! `@username` mentions in message text.

/// The lowercased usernames a text mentions, each once, in order of first appearance. A
/// mention is `@` at the start or after a character that is not part of a name, followed
/// by a valid username (3 to 32 letters, digits, `.`, `_`, `-`).
pub fn handles(text: &str) -> Vec<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (is_name(chars[i - 1]) || chars[i - 1] == '@')) {
            continue;
        }
        let name: String = chars[i + 1..].iter().take_while(|c| is_name(**c)).collect();
        // A sentence may end right after a mention: "thanks @ana."
        let name = name.trim_end_matches(['.', '-']).to_ascii_lowercase();
        let valid =
            (3..=32).contains(&name.len()) && name.starts_with(|c: char| c.is_ascii_alphanumeric());
        if valid && !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::handles;

    #[test]
    fn mentions_are_found_once_each_without_case() {
        assert_eq!(handles("@ana and @Bob, thanks @ana."), ["ana", "bob"]);
    }

    #[test]
    fn emails_and_short_or_bare_ats_are_not_mentions() {
        assert!(handles("mail ana@example.com or @ab or @ or @@ana").is_empty());
    }

    #[test]
    fn a_mention_may_end_a_sentence_or_sit_in_brackets() {
        assert_eq!(handles("(@ana.lima) ping @bo_b-"), ["ana.lima", "bo_b"]);
    }
}
