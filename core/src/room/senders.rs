//! What a send checks of its sender (their mute, their role, their latest message) and
//! of the room (slow mode), kept in memory so a send reads nothing: read in one
//! statement the first time a sender sends after a wake, then kept up to date by the
//! events the room stores itself.

use edgechat_protocol::{Id, Millis, Role, RoomEvent};

use super::Room;
use crate::store::{Sql, StoreError, membership_of};

/// At most this many senders are kept; past it the room forgets them all and reads each
/// again as they next send, so memory follows recent activity, not the member list. (A
/// list, searched in order: a map here cost the Worker 3 KiB of WebAssembly.)
const KEPT: usize = 256;

/// One sender, as a send checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sender {
    /// Until when they were muted (maybe in the past).
    pub mute: Option<Millis>,
    /// Their role in the room (a plain member when they are none).
    pub role: Role,
    /// Their latest message as it stands now: its id, when it was sent, its text.
    pub last: Option<Last>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Last {
    pub message_id: Id,
    pub at: Millis,
    pub text: String,
}

/// The senders known since the room loaded, and the room's slow mode once read.
#[derive(Debug, Clone, Default)]
pub(super) struct Senders {
    known: Vec<(Id, Sender)>,
    slow_mode: Option<u32>,
}

impl Senders {
    /// Follows `event`, just stored, so what is kept stays what storage says.
    pub fn stored(&mut self, event: &RoomEvent) {
        match event {
            RoomEvent::NewMessage(message) => {
                if let Some(sender) = self.get_mut(&message.user_id) {
                    sender.last = Some(Last {
                        message_id: message.message_id.clone(),
                        at: message.timestamp,
                        text: message.text.clone(),
                    });
                }
            }
            RoomEvent::MessageEdited {
                message_id,
                new_text,
                ..
            } => self.rewrite(message_id, new_text),
            RoomEvent::MessageDeleted { message_id, .. } => self.rewrite(message_id, ""),
            RoomEvent::SlowModeChanged { seconds, .. } => self.slow_mode = Some(*seconds),
            other => {
                if let Some(user_id) = membership_of(other) {
                    self.known.retain(|(known, _)| known != user_id);
                }
            }
        }
    }

    /// A sender's latest message changed its text (an edit; a delete leaves none).
    fn rewrite(&mut self, message_id: &str, text: &str) {
        for (_, sender) in &mut self.known {
            if let Some(last) = sender.last.as_mut().filter(|l| l.message_id == message_id) {
                text.clone_into(&mut last.text);
            }
        }
    }

    fn get_mut(&mut self, user_id: &str) -> Option<&mut Sender> {
        self.known
            .iter_mut()
            .find_map(|(known, sender)| (known == user_id).then_some(sender))
    }

    /// Forgets everything: after a step that failed, whose events were rolled back.
    pub fn forget(&mut self) {
        *self = Self::default();
    }
}

impl<S: Sql> Room<S> {
    /// What a send by `user_id` checks, and the room's slow mode: from memory, or read
    /// once.
    pub(super) fn sender(&mut self, user_id: &str) -> Result<(Sender, u32), StoreError> {
        let senders = &mut self.senders;
        if let Some(slow_mode) = senders.slow_mode
            && let Some(sender) = senders.get_mut(user_id)
        {
            return Ok((sender.clone(), slow_mode));
        }
        let read = self.store.sender(user_id)?;
        if senders.known.len() >= KEPT {
            senders.known.clear();
        }
        let sender = Sender {
            mute: read.mute,
            role: read.role.unwrap_or(Role::Member),
            last: read.last.map(|message| Last {
                message_id: message.message_id,
                at: message.timestamp,
                text: message.text,
            }),
        };
        let sender = match senders.get_mut(user_id) {
            Some(known) => known.clone(),
            None => {
                senders.known.push((user_id.to_owned(), sender.clone()));
                sender
            }
        };
        Ok((sender, *senders.slow_mode.get_or_insert(read.slow_mode)))
    }
}
