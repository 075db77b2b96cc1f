//! How the timeline reads: which messages sit under one name, where "Read by" goes, and
//! counts in words.

use edgechat_protocol::{Message, Reaction, Seq};

use super::ChatState;

/// A message this soon after the one before it, from the same person, sits under that
/// one's name and avatar.
pub const GROUP_WITHIN_MS: u64 = 5 * 60_000;

/// Whether `next` continues `previous`'s group: the same author, within
/// [`GROUP_WITHIN_MS`], and not a reply (a reply shows what it answers under its own
/// name). A deleted message still holds its place in a group.
pub fn continues(previous: &Message, next: &Message) -> bool {
    previous.user_id == next.user_id
        // A bot names each message as it likes: a new label shows its own.
        && previous.username == next.username
        && next.timestamp >= previous.timestamp
        && next.timestamp - previous.timestamp < GROUP_WITHIN_MS
        && next.reply_to.is_none()
}

/// `n` and the noun for it: "1 member", "3 members".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a screen reader is told of a burst of new messages from others, once: one
/// message by its author and words, several by how many and from whom.
pub fn announcement(unheard: &[(String, String)]) -> String {
    let mut authors: Vec<&str> = Vec::new();
    for (author, _) in unheard {
        if !authors.contains(&author.as_str()) {
            authors.push(author);
        }
    }
    match unheard {
        [] => String::new(),
        [(author, text)] => format!("{author}: {text}"),
        _ => format!(
            "{} from {}",
            plural(unheard.len() as u64, "new message", "new messages"),
            authors.join(", ")
        ),
    }
}

impl ChatState {
    /// How many members other than the author have read `seq`.
    pub fn read_by(&self, seq: Seq, author: &str) -> usize {
        self.read_marks
            .iter()
            .filter(|(user, mark)| user.as_str() != author && **mark >= seq)
            .count()
    }

    /// Where "Read by N" goes: the user's newest message that someone has read, and how
    /// many have. One place in the room, not under every message.
    pub fn read_receipt(&self) -> Option<(Seq, usize)> {
        self.messages
            .iter()
            .rev()
            .filter(|m| m.user_id == self.me && !m.deleted)
            .map(|m| (m.seq, self.read_by(m.seq, &self.me)))
            .find(|(_, readers)| *readers > 0)
    }

    /// Who reacted, as a reaction's tooltip says it: "You, Bob and 2 others reacted with
    /// 👍". Names are the members this room has loaded; the rest are counted.
    pub fn reactors(&self, reaction: &Reaction) -> String {
        let mut names: Vec<String> = Vec::new();
        if reaction.user_ids.contains(&self.me) {
            names.push("You".to_owned());
        }
        names.extend(
            reaction
                .user_ids
                .iter()
                .filter(|id| **id != self.me)
                .filter_map(|id| self.users.get(id).map(|u| u.username.clone())),
        );
        let others = (reaction.count as usize).saturating_sub(names.len()) as u64;
        let who = match names.split_last() {
            None => plural(others, "person", "people"),
            Some((last, [])) if others == 0 => last.clone(),
            Some((last, rest)) if others == 0 => format!("{} and {last}", rest.join(", ")),
            Some(_) => format!(
                "{} and {}",
                names.join(", "),
                plural(others, "other", "others")
            ),
        };
        format!("{who} reacted with {}", reaction.emoji)
    }
}

#[cfg(test)]
mod tests {
    use edgechat_protocol::ServerMsg;
    use edgechat_protocol::frame;

    use super::*;

    fn message(seq: Seq, user: &str, at: u64) -> Message {
        serde_json::from_value(serde_json::json!({
            "messageId": format!("r:{seq}"), "roomId": "r", "userId": user, "username": user,
            "text": "hi", "timestamp": at, "seq": seq, "clientMsgId": format!("c{seq}"),
        }))
        .unwrap()
    }

    #[test]
    fn one_persons_messages_within_minutes_share_a_name() {
        let first = message(1, "ana", 1_000_000);
        let soon = message(2, "ana", 1_000_000 + GROUP_WITHIN_MS - 1);
        assert!(continues(&first, &soon));
        assert!(!continues(
            &soon,
            &message(3, "ana", 1_000_000 + 2 * GROUP_WITHIN_MS)
        ));
        assert!(!continues(&first, &message(2, "bob", 1_000_001)));
        let mut reply = message(2, "ana", 1_000_001);
        reply.reply_to = Some("r:1".into());
        assert!(!continues(&first, &reply), "a reply starts its own group");
    }

    #[test]
    fn a_bots_message_under_another_label_shows_its_own() {
        let first = message(1, "hk-1", 1_000_000);
        let mut relabelled = message(2, "hk-1", 1_000_001);
        relabelled.username = "deploy-bot".into();
        assert!(!continues(&first, &relabelled));
        assert!(continues(&first, &message(2, "hk-1", 1_000_001)));
    }

    #[test]
    fn read_by_goes_under_the_users_newest_message_someone_read() {
        let mut state = ChatState::for_user("r", "ana");
        state.messages = vec![
            message(1, "ana", 1),
            message(2, "ana", 2),
            message(3, "bob", 3),
            message(4, "ana", 4),
        ];
        assert_eq!(state.read_receipt(), None);
        for (user, seq) in [("bob", 2), ("cyd", 3)] {
            state.apply(ServerMsg::ReadReceipt(frame::ReadReceipt {
                user_id: user.into(),
                seq,
            }));
        }
        assert_eq!(state.read_receipt(), Some((2, 2)), "seq 4 unread by anyone");
        state.apply(ServerMsg::ReadReceipt(frame::ReadReceipt {
            user_id: "bob".into(),
            seq: 4,
        }));
        assert_eq!(state.read_receipt(), Some((4, 1)));
    }

    #[test]
    fn a_reaction_names_who_reacted_and_counts_the_rest() {
        let mut state = ChatState::for_user("r", "ana");
        for (id, name) in [("bob", "Bob Brown"), ("cyd", "Cyd")] {
            state.users.insert(
                id.into(),
                serde_json::from_value(serde_json::json!({
                    "userId": id, "username": name, "online": true, "role": "member",
                }))
                .unwrap(),
            );
        }
        let reaction = |count, ids: &[&str]| Reaction {
            emoji: "👍".into(),
            count,
            user_ids: ids.iter().map(|id| (*id).into()).collect(),
        };
        let said = |count, ids: &[&str]| state.reactors(&reaction(count, ids));
        assert_eq!(said(1, &["bob"]), "Bob Brown reacted with 👍");
        assert_eq!(said(2, &["cyd", "ana"]), "You and Cyd reacted with 👍");
        assert_eq!(
            said(3, &["bob", "cyd", "ana"]),
            "You, Bob Brown and Cyd reacted with 👍"
        );
        assert_eq!(
            said(4, &["bob", "zed"]),
            "Bob Brown and 3 others reacted with 👍",
            "a member not loaded, and ids past those carried, are counted"
        );
        assert_eq!(said(1, &["zed"]), "1 person reacted with 👍");
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(plural(1, "member", "members"), "1 member");
        assert_eq!(plural(0, "member", "members"), "0 members");
        assert_eq!(plural(12, "new message", "new messages"), "12 new messages");
    }

    #[test]
    fn the_new_messages_line_marks_only_what_arrived_while_the_user_looked_away() {
        let mut state = ChatState::for_user("r", "ana");
        state.read_at_open = Some(2);
        state.messages = vec![message(1, "bob", 1), message(2, "bob", 2)];
        // Seen as it arrives: no line.
        state.saw_arrive(3);
        state.messages.push(message(3, "bob", 3));
        assert_eq!(state.first_new(), None);
        // Arrived unseen (nothing moves the mark): the line goes above it, and stays
        // there while later ones are seen.
        state.messages.push(message(4, "bob", 4));
        assert_eq!(state.first_new(), Some(4));
        state.saw_arrive(5);
        state.messages.push(message(5, "bob", 5));
        assert_eq!(state.first_new(), Some(4));
    }

    #[test]
    fn a_burst_of_messages_is_announced_once_by_count_and_authors() {
        let said = |who: &[(&str, &str)]| {
            let unheard: Vec<(String, String)> = who
                .iter()
                .map(|(a, t)| ((*a).to_owned(), (*t).to_owned()))
                .collect();
            announcement(&unheard)
        };
        assert_eq!(said(&[]), "");
        assert_eq!(said(&[("Bob", "lunch?")]), "Bob: lunch?");
        assert_eq!(
            said(&[("Bob", "a"), ("Bob", "b")]),
            "2 new messages from Bob"
        );
        assert_eq!(
            said(&[("Bob", "a"), ("Cyd", "b"), ("Bob", "c")]),
            "3 new messages from Bob, Cyd"
        );
    }
}
