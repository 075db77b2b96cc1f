//! `@` mentions in the client: what the composer offers while the user types one, what
//! picking one writes, and whether a message mentions the user. Mentions match account
//! names (`handle`), which members carry beside the names shown. Plain Rust, tested
//! natively.

use edgechat_protocol::{Message, RoomUser};

/// A member the composer offers for an `@` being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// What the mention writes, and what the server matches.
    pub handle: String,
    /// The name others see, to tell members apart.
    pub name: String,
}

/// The mention the draft ends with, as typed so far (the text after its `@`): an `@` at
/// the start or after a space, followed only by characters of a name.
pub fn typing_mention(draft: &str) -> Option<&str> {
    let at = draft.rfind('@')?;
    let before = draft[..at].chars().next_back();
    if before.is_some_and(|c| !c.is_whitespace() && !matches!(c, '(' | '[' | '"' | '\'')) {
        return None;
    }
    let partial = &draft[at + 1..];
    partial
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .then_some(partial)
}

/// Members other than `me` whose account name or shown name starts with `partial` (in
/// any case), account-name matches first, at most `limit`. Members whose account name
/// is not known yet are left out: a mention of them would match nobody.
pub fn suggestions<'a>(
    users: impl IntoIterator<Item = &'a RoomUser>,
    me: &str,
    partial: &str,
    limit: usize,
) -> Vec<Suggestion> {
    let partial = partial.to_lowercase();
    let mut found: Vec<(bool, Suggestion)> = users
        .into_iter()
        .filter(|u| u.user_id != me && !u.handle.is_empty())
        .filter_map(|u| {
            let by_handle = u.handle.to_lowercase().starts_with(&partial);
            let by_name = u
                .username
                .to_lowercase()
                .split_whitespace()
                .any(|word| word.starts_with(&partial));
            (by_handle || by_name).then(|| {
                (
                    !by_handle,
                    Suggestion {
                        handle: u.handle.clone(),
                        name: u.username.clone(),
                    },
                )
            })
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.handle.cmp(&b.1.handle)));
    found.into_iter().take(limit).map(|(_, s)| s).collect()
}

/// The draft with the mention it ends with completed to `@handle` and a space.
pub fn complete(draft: &str, handle: &str) -> String {
    let start = typing_mention(draft).map_or(draft.len(), |partial| draft.len() - partial.len());
    format!("{}{handle} ", &draft[..start])
}

/// Whether `text` mentions the account `handle`, as the server decides it.
pub fn mentions(text: &str, handle: &str) -> bool {
    !handle.is_empty()
        && edgechat_core::mentions::handles(text)
            .iter()
            .any(|h| h.eq_ignore_ascii_case(handle))
}

/// Whether a message arriving in the open room should alert the user (a desktop
/// notification and the chime): it is someone else's, the user is not looking (the tab
/// hidden or the window unfocused), and it mentions them or the room is direct.
pub fn alerts(message: &Message, me: &str, handle: &str, direct: bool, looking: bool) -> bool {
    message.user_id != me && !looking && (direct || mentions(&message.text, handle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgechat_protocol::{Role, Status};

    fn user(id: &str, handle: &str, name: &str) -> RoomUser {
        RoomUser {
            user_id: id.into(),
            username: name.into(),
            handle: handle.into(),
            role: Role::Member,
            online: false,
            status: Status::Offline,
            last_seen: None,
            status_text: None,
        }
    }

    #[test]
    fn a_mention_is_being_typed_only_after_a_space_or_at_the_start() {
        assert_eq!(typing_mention("@"), Some(""));
        assert_eq!(typing_mention("hi @bo"), Some("bo"));
        assert_eq!(typing_mention("(@bo"), Some("bo"));
        assert_eq!(typing_mention("mail ana@example"), None);
        assert_eq!(typing_mention("hi @bo and"), None);
        assert_eq!(typing_mention("no at"), None);
    }

    #[test]
    fn suggestions_match_account_and_shown_names_and_complete_to_the_account_name() {
        let users = [
            user("u1", "ana", "Ana Lima"),
            user("u2", "bob", "Robert"),
            user("u3", "rob_k", "Rob K"),
            user("u4", "", "Invited"),
        ];
        let handles = |partial: &str| -> Vec<String> {
            suggestions(&users, "u1", partial, 5)
                .into_iter()
                .map(|s| s.handle)
                .collect()
        };
        assert_eq!(handles("ro"), ["rob_k", "bob"], "account names first");
        assert_eq!(handles("AN"), Vec::<String>::new(), "never the user");
        assert_eq!(
            handles(""),
            ["bob", "rob_k"],
            "none without an account name"
        );
        assert_eq!(suggestions(&users, "u2", "", 1).len(), 1);
        assert_eq!(complete("thanks @ro", "rob_k"), "thanks @rob_k ");
        assert_eq!(complete("@", "bob"), "@bob ");
    }

    #[test]
    fn a_message_alerts_when_the_user_is_away_from_the_page_and_is_mentioned_or_in_a_direct_room() {
        let message = |from: &str, text: &str| {
            Message {
            user_id: from.into(),
            text: text.into(),
            ..serde_json::from_str(
                r#"{"messageId":"m","roomId":"r","seq":1,"userId":"x","username":"X","text":"","timestamp":0,"clientMsgId":"c"}"#,
            )
            .unwrap()
        }
        };
        assert!(alerts(
            &message("u2", "hey @Ana."),
            "u1",
            "ana",
            false,
            false
        ));
        assert!(!alerts(
            &message("u2", "hey @Ana."),
            "u1",
            "ana",
            false,
            true
        ));
        assert!(!alerts(
            &message("u2", "hey ana"),
            "u1",
            "ana",
            false,
            false
        ));
        assert!(alerts(&message("u2", "hey"), "u1", "ana", true, false));
        assert!(!alerts(&message("u1", "@ana"), "u1", "ana", true, false));
    }
}
