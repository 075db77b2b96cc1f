//! What a room owes its members' inboxes after each write-behind batch, and what a round
//! delivers of it. Owed per member, coalesced: a member told after every batch has one
//! row, whose unread count is counted as it goes, so deliveries that fall behind catch up
//! instead of carrying stale counts.

use std::collections::BTreeMap;

use super::{LIVE_COUNTS, Room};
use crate::store::{Newest, Sql, StoreError};
use edgechat_protocol::frame;
use edgechat_protocol::{Id, Message, NotificationKind, RoomKind, Seq, ServerMsg};

/// How much of a message a notification quotes, in characters.
pub const EXCERPT_CHARS: usize = 140;

/// A write-behind batch, as far as notifications need it.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The batch covered the seqs `(after, through]`.
    pub after: Seq,
    pub through: Seq,
    /// The new messages in it.
    pub messages: &'a [Message],
    /// Users who became members by the room's creation or an invitation.
    pub welcomed: &'a [Id],
    /// Who each of those messages mentions, as `(message id, user id)` (the door
    /// resolves names to accounts).
    pub mentions: &'a [(Id, Id)],
}

/// The start of `text` a notification quotes.
pub fn excerpt(text: &str) -> String {
    text.chars().take(EXCERPT_CHARS).collect()
}

impl<S: Sql> Room<S> {
    /// Records what `batch` means for members not here: the room went unread or has more
    /// unread (owed as a count, counted when it goes), a message mentions them, or they
    /// were welcomed to it. One atomic step.
    pub fn owe_notifications(&self, batch: &Batch) -> Result<(), StoreError> {
        // Imported messages notify nobody: the batch starts after them.
        let imported = self.store.imported_through()?;
        if imported > batch.after {
            let messages: Vec<Message> = batch
                .messages
                .iter()
                .filter(|m| m.seq > imported)
                .cloned()
                .collect();
            let mentions: Vec<(Id, Id)> = batch
                .mentions
                .iter()
                .filter(|(id, _)| messages.iter().any(|m| &m.message_id == id))
                .cloned()
                .collect();
            let later = Batch {
                after: imported.min(batch.through),
                messages: &messages,
                mentions: &mentions,
                ..*batch
            };
            return self.owe_unimported(&later);
        }
        self.owe_unimported(batch)
    }

    fn owe_unimported(&self, batch: &Batch) -> Result<(), StoreError> {
        let sql = self.store.sql().clone();
        sql.atomically(|| {
            for user_id in batch.welcomed {
                let created = ServerMsg::RoomCreated(frame::RoomCreated {
                    room: self.info.clone(),
                });
                self.store.owe_events(user_id, &[created])?;
            }
            // In a conversation (direct or group) the newest message from someone else
            // rides along, so the user's devices can be pushed what it says.
            let conversation = matches!(self.info.kind, RoomKind::Direct | RoomKind::Group);
            for (user_id, seq) in self.unread_owed(batch)? {
                let newest = batch
                    .messages
                    .iter()
                    .rev()
                    .find(|m| conversation && m.user_id != user_id && !m.deleted)
                    .map(|m| Newest {
                        message_id: m.message_id.clone(),
                        from: m.username.clone(),
                        excerpt: excerpt(&m.text),
                    });
                self.store.owe_unread(&user_id, seq, newest.as_ref())?;
            }
            let here = self.connected();
            for (message_id, user_id) in batch.mentions {
                let Some(message) = batch.messages.iter().find(|m| &m.message_id == message_id)
                else {
                    continue;
                };
                if here.contains(user_id) || *user_id == message.user_id {
                    continue;
                }
                let mention = ServerMsg::Notification(frame::Notification {
                    room_id: self.info.room_id.clone(),
                    kind: NotificationKind::Mention,
                    seq: message.seq,
                    message_id: Some(message.message_id.clone()),
                    from: Some(message.username.clone()),
                    excerpt: Some(excerpt(&message.text)),
                    unread_count: None,
                });
                self.store.owe_events(user_id, &[mention])?;
            }
            Ok(())
        })
    }

    /// Who is owed their unread count after `batch`, as of which seq: members with no
    /// socket here whose first unread message is in it (told once per transition, from
    /// read marks, nothing remembered) and, when it brought new messages, those whose
    /// inbox is open elsewhere (at most [`LIVE_COUNTS`]), so a badge counts every message,
    /// not only the first; in a direct room, both members whenever it brought messages.
    fn unread_owed(&self, batch: &Batch) -> Result<BTreeMap<Id, Seq>, StoreError> {
        let mut owed: BTreeMap<Id, Seq> = self
            .store
            .unread_transitions(batch.after, batch.through)?
            .into_iter()
            .collect();
        if !batch.messages.is_empty() {
            for user_id in self.store.live_members(LIVE_COUNTS)? {
                owed.entry(user_id).or_insert(batch.through);
            }
            // In a direct conversation each new message is news (and may be pushed):
            // both members are told, not only one whose room just went unread.
            if self.info.kind == RoomKind::Direct {
                for member in self.store.members_after("", 2)?.0 {
                    owed.entry(member.user_id).or_insert(batch.through);
                }
            }
        }
        let here = self.connected();
        owed.retain(|user_id, _| !here.contains(user_id));
        Ok(owed)
    }

    /// What the `limit` members owed longest are to be sent now, each a JSON array of
    /// `ServerMsg` for their inbox: the notifications queued for them, then their unread
    /// count as it is now (left out when it is 0, or when they have come back to the
    /// room). A member left with nothing to send is forgotten here.
    pub fn notifications_due(&self, limit: usize) -> Result<Vec<(Id, String)>, StoreError> {
        let here = self.connected();
        let mut due = Vec::new();
        for owed in self.store.owed(limit)? {
            let mut events = owed.events;
            if let Some((seq, newest)) = owed.unread
                && !here.contains(&owed.user_id)
            {
                let count = self.store.unread_count(&owed.user_id)?;
                if count > 0 {
                    let unread = ServerMsg::Notification(frame::Notification {
                        room_id: self.info.room_id.clone(),
                        kind: NotificationKind::Unread,
                        seq,
                        message_id: newest.as_ref().map(|n| n.message_id.clone()),
                        from: newest.as_ref().map(|n| n.from.clone()),
                        excerpt: newest.map(|n| n.excerpt),
                        unread_count: Some(count),
                    });
                    events = appended(&events, &crate::store::to_json(&unread)?);
                }
            }
            if events == "[]" {
                self.store.delivered(&owed.user_id, true)?;
            } else {
                due.push((owed.user_id, events));
            }
        }
        Ok(due)
    }
}

/// The JSON array `array` with the JSON value `item` after its last element.
fn appended(array: &str, item: &str) -> String {
    let trimmed = array.trim_end();
    let body = trimmed.strip_suffix(']').unwrap_or(trimmed).trim_end();
    if body.trim_start() == "[" {
        format!("[{item}]")
    } else {
        format!("{body},{item}]")
    }
}

#[cfg(test)]
mod tests {
    use super::appended;

    #[test]
    fn an_item_goes_after_the_last_element() {
        assert_eq!(appended("[]", "1"), "[1]");
        assert_eq!(appended("[1,2]", "3"), "[1,2,3]");
        assert_eq!(appended(r#"[{"a":[]}]"#, "{}"), r#"[{"a":[]},{}]"#);
        assert_eq!(appended("[[1]]", "2"), "[[1],2]");
    }
}
