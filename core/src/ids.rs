//! What a room name and a display name may look like.

/// Room ids travel in URLs and name Durable Objects. A named room's id is a slug: 1 to 64
/// characters of lowercase ASCII letters, digits, `-` and `_`. Direct and group rooms get
/// ids no name can slug to: [`DIRECT_PREFIX`] or [`GROUP_PREFIX`], whose `.` no slug has,
/// then lowercase hex.
pub fn is_valid_room_name(name: &str) -> bool {
    shape(name) != IdShape::Invalid
}

/// Direct rooms: `dm.` and 24 hex digits, from the two members' ids.
pub const DIRECT_PREFIX: &str = "dm.";
/// Group conversations: `g.` and 32 random hex digits.
pub const GROUP_PREFIX: &str = "g.";

/// What a room id says about how the room was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// A slug of a name (public and private rooms, and direct rooms made before the
    /// prefixes, whose ids began `dm-`).
    Named,
    Direct,
    Group,
    Invalid,
}

/// The shape of `id`.
pub fn shape(id: &str) -> IdShape {
    let hex = |rest: &str, len: usize| {
        rest.len() == len
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if let Some(rest) = id.strip_prefix(DIRECT_PREFIX) {
        if hex(rest, 24) {
            IdShape::Direct
        } else {
            IdShape::Invalid
        }
    } else if let Some(rest) = id.strip_prefix(GROUP_PREFIX) {
        if hex(rest, 32) {
            IdShape::Group
        } else {
            IdShape::Invalid
        }
    } else if is_slug(id) {
        IdShape::Named
    } else {
        IdShape::Invalid
    }
}

fn is_slug(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The id a named room gets: its name lowercased, runs of anything but letters and digits
/// made one `-`, trimmed of `-`, at most 48 characters. Like a channel name, it is unique.
pub fn room_slug(name: &str) -> Option<String> {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(48).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    (!slug.is_empty()).then_some(slug)
}

/// The one room two users share: the same id whoever asks first, so it is found again
/// rather than duplicated; no room name slugs to it.
pub fn direct_room_id(a: &str, b: &str) -> String {
    format!("{DIRECT_PREFIX}{}", pair_hash(a, b))
}

/// The id direct rooms had before [`DIRECT_PREFIX`]: a slug, so a public room could take
/// it first. Such a room is used only when it is stored as direct, with both as members.
pub fn legacy_direct_room_id(a: &str, b: &str) -> String {
    format!("dm-{}", pair_hash(a, b))
}

fn pair_hash(a: &str, b: &str) -> String {
    use sha2::{Digest, Sha256};
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let digest = Sha256::digest(format!("{low}\u{0}{high}").as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// A group conversation's id from 16 random bytes.
pub fn group_room_id(random: [u8; 16]) -> String {
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{GROUP_PREFIX}{hex}")
}

/// A message's id: its room and its seq, so it is unique everywhere without a random
/// source, and the room finds the message from the id alone.
pub fn message_id(room_id: &str, seq: u64) -> String {
    format!("{room_id}:{seq}")
}

/// The seq of a message id minted by [`message_id`] for `room_id`; `None` for an id of
/// another room or not of that form.
pub fn message_seq(room_id: &str, message_id: &str) -> Option<u64> {
    let (room, seq) = message_id.rsplit_once(':')?;
    if room != room_id || seq.starts_with('+') {
        return None;
    }
    seq.parse().ok()
}

/// A user id as the core accepts it in an event: 1 to 64 visible characters.
pub fn is_valid_user_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && !id.chars().any(|c| c.is_control() || c.is_whitespace())
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
    fn room_slugs_read_like_channel_names() {
        assert_eq!(room_slug("Design Team!").as_deref(), Some("design-team"));
        assert_eq!(
            room_slug("  ops__on-call ").as_deref(),
            Some("ops__on-call")
        );
        assert_eq!(room_slug("Café Órbita").as_deref(), Some("caf-rbita"));
        assert_eq!(room_slug("!!!"), None);
        let long = room_slug(&"x".repeat(100)).unwrap();
        assert_eq!(long.len(), 48);
        assert!(is_valid_room_name(&long));
    }

    #[test]
    fn a_direct_room_is_the_same_whoever_opens_it() {
        let id = direct_room_id("u_a", "u_b");
        assert_eq!(id, direct_room_id("u_b", "u_a"));
        assert_ne!(id, direct_room_id("u_a", "u_c"));
        assert!(is_valid_room_name(&id));
        assert_eq!(shape(&id), IdShape::Direct);
        assert_eq!(
            legacy_direct_room_id("u_a", "u_b").replacen('-', ".", 1),
            id
        );
    }

    #[test]
    fn no_name_slugs_to_a_direct_or_group_id() {
        let direct = direct_room_id("u_a", "u_b");
        let group = group_room_id([7; 16]);
        assert_eq!(shape(&group), IdShape::Group);
        for name in [direct.as_str(), group.as_str(), "dm.x", "g..", "DM.abc"] {
            let slug = room_slug(name).unwrap();
            assert_eq!(shape(&slug), IdShape::Named, "{name} slugs to {slug}");
        }
        // A prefix without its exact hex is no room id at all.
        for bad in [
            "dm.",
            "dm.abc",
            "g.xyz",
            &format!("{direct}0"),
            "dm.ABCDEF0123456789ABCDEF01",
        ] {
            assert_eq!(shape(bad), IdShape::Invalid, "{bad}");
            assert!(!is_valid_room_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_message_id_names_its_room_and_seq() {
        let id = message_id("lobby", 42);
        assert_eq!(message_seq("lobby", &id), Some(42));
        assert_eq!(message_seq("other", &id), None);
        assert_eq!(message_seq("lobby", "lobby:x"), None);
        assert_eq!(message_seq("lobby", "lobby:+4"), None);
        assert_eq!(message_seq("lobby", "lobby"), None);
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
