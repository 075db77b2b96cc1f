//! Which strings are accepted as reactions.

/// The reactions offered first in the picker.
pub const QUICK_REACTIONS: &[&str] = &["👍", "❤️", "😂", "😮", "😢", "🎉"];

/// A single emoji: one pictograph, optionally with skin-tone modifiers, variation
/// selectors and zero-width joiners (family and profession sequences), or a pair
/// of regional indicators (a flag). No letters, digits, spaces or control characters.
pub fn is_single_emoji(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() || chars.len() > 10 || s.len() > 40 {
        return false;
    }
    let pictographs = chars.iter().filter(|c| is_pictograph(**c)).count();
    let joiners = chars.iter().filter(|c| **c == '\u{200D}').count();
    let flags = chars.iter().filter(|c| is_regional_indicator(**c)).count();
    let all_allowed = chars
        .iter()
        .all(|c| is_pictograph(*c) || is_modifier(*c) || is_regional_indicator(*c));
    let flag = flags == 2 && chars.len() == 2;
    let sequence = flags == 0 && pictographs >= 1 && pictographs == joiners + 1;
    all_allowed && (flag || sequence)
}

fn is_pictograph(c: char) -> bool {
    !is_modifier(c)
        && matches!(c as u32,
        0x1F300..=0x1F5FF | 0x1F600..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF | 0x2600..=0x26FF | 0x2700..=0x27BF | 0x2B00..=0x2BFF
        | 0x2190..=0x21FF | 0x2300..=0x23FF | 0x1F000..=0x1F2FF | 0x3030 | 0x303D
        | 0x3297 | 0x3299 | 0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139)
}

fn is_modifier(c: char) -> bool {
    matches!(c as u32,
        0x200D | 0xFE0E | 0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_reactions_are_emoji() {
        for emoji in QUICK_REACTIONS {
            assert!(is_single_emoji(emoji), "{emoji}");
        }
    }

    #[test]
    fn sequences_skin_tones_and_flags_are_single_emoji() {
        for emoji in ["👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🇵🇹", "🏳️‍🌈", "✨", "🦀"]
        {
            assert!(is_single_emoji(emoji), "{emoji}");
        }
    }

    #[test]
    fn text_and_several_emoji_are_not() {
        for bad in [
            "",
            "a",
            "👍👍",
            "👍 ",
            "ok👍",
            "🇵",
            "🇵🇹🇧🇷",
            "\u{200D}",
            "<b>",
            "👍\u{0}",
        ] {
            assert!(!is_single_emoji(bad), "{bad:?}");
        }
    }
}
