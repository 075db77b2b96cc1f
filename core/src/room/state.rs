//! The part of a room that its log determines.

use std::collections::{BTreeMap, BTreeSet};

use edgechat_protocol::{Id, Message, Millis, Role, RoomEvent, Seq};

/// One member's standing in the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub username: String,
    pub role: Role,
}

/// A fold over the room's durable events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durable {
    pub room_id: Id,
    pub head_seq: Seq,
    pub members: BTreeMap<Id, Member>,
    pub banned: BTreeSet<Id>,
    /// Muted users and until when; kept apart from membership so leaving and rejoining
    /// does not lift a mute.
    pub muted: BTreeMap<Id, Millis>,
    pub slow_mode: u32,
    /// Every message by seq, tombstones included.
    pub messages: BTreeMap<Seq, Message>,
    /// (user, clientMsgId) → seq of the message it created, for good.
    pub client_ids: BTreeMap<(Id, String), Seq>,
    /// Each user's latest message: when, and its text (slow mode, duplicates).
    pub last_sent: BTreeMap<Id, (Millis, String)>,
    /// Files attached to a live message: never attached twice, never expired.
    pub attached: BTreeSet<Id>,
    /// How far each member has read. Not in the log: stored beside it.
    pub read: BTreeMap<Id, Seq>,
}

impl Durable {
    pub fn new(room_id: &str) -> Self {
        Self {
            room_id: room_id.to_owned(),
            head_seq: 0,
            members: BTreeMap::new(),
            banned: BTreeSet::new(),
            muted: BTreeMap::new(),
            slow_mode: 0,
            messages: BTreeMap::new(),
            client_ids: BTreeMap::new(),
            last_sent: BTreeMap::new(),
            attached: BTreeSet::new(),
            read: BTreeMap::new(),
        }
    }

    /// Applies one durable event. Events come from this room's own handlers, so each is
    /// valid here; an event that names something missing changes nothing beyond the seq.
    pub fn apply(&mut self, event: &RoomEvent) {
        self.head_seq = self.head_seq.max(event.seq());
        match event {
            RoomEvent::UserJoined {
                user_id,
                username,
                role,
                ..
            } => {
                self.members
                    .insert(user_id.clone(), member(username, *role));
            }
            RoomEvent::UserInvited {
                user_id, username, ..
            } => {
                self.members
                    .insert(user_id.clone(), member(username, Role::Member));
            }
            RoomEvent::UserLeft { user_id, .. } | RoomEvent::UserKicked { user_id, .. } => {
                self.members.remove(user_id);
            }
            RoomEvent::UserBanned { user_id, .. } => {
                self.members.remove(user_id);
                self.banned.insert(user_id.clone());
            }
            RoomEvent::UserUnbanned { user_id, .. } => {
                self.banned.remove(user_id);
            }
            RoomEvent::UserMuted { user_id, until, .. } => {
                self.muted.insert(user_id.clone(), *until);
            }
            RoomEvent::UserUnmuted { user_id, .. } => {
                self.muted.remove(user_id);
            }
            RoomEvent::RoleChanged { user_id, role, .. } => {
                if let Some(m) = self.members.get_mut(user_id) {
                    m.role = *role;
                }
            }
            RoomEvent::SlowModeChanged { seconds, .. } => self.slow_mode = *seconds,
            RoomEvent::NewMessage(message) => {
                self.client_ids.insert(
                    (message.user_id.clone(), message.client_msg_id.clone()),
                    message.seq,
                );
                self.last_sent.insert(
                    message.user_id.clone(),
                    (message.timestamp, message.text.clone()),
                );
                self.attached
                    .extend(message.attachments.iter().map(|a| a.file_id.clone()));
                self.messages.insert(message.seq, message.clone());
            }
            RoomEvent::MessageDeleted { message_id, .. } => {
                if let Some(m) = self.message_mut(message_id) {
                    let files: Vec<Id> = m.attachments.iter().map(|a| a.file_id.clone()).collect();
                    event.apply_to(m);
                    for file in files {
                        self.attached.remove(&file);
                    }
                }
            }
            RoomEvent::MessageEdited { message_id, .. }
            | RoomEvent::ReactionUpdated { message_id, .. }
            | RoomEvent::MessagePinned { message_id, .. }
            | RoomEvent::MessageUnpinned { message_id, .. } => {
                if let Some(m) = self.message_mut(message_id) {
                    event.apply_to(m);
                }
            }
        }
    }

    /// The live message `message_id` of this room, if it exists and is not deleted.
    pub fn message(&self, message_id: &str) -> Option<&Message> {
        let seq = crate::ids::message_seq(&self.room_id, message_id)?;
        self.messages.get(&seq).filter(|m| !m.deleted)
    }

    fn message_mut(&mut self, message_id: &str) -> Option<&mut Message> {
        let seq = crate::ids::message_seq(&self.room_id, message_id)?;
        self.messages.get_mut(&seq)
    }

    /// Other users' messages, not deleted, above the member's read mark.
    pub fn unread_count(&self, user_id: &str) -> u64 {
        let read = self.read.get(user_id).copied().unwrap_or(0);
        self.messages
            .range(read + 1..)
            .filter(|(_, m)| !m.deleted && m.user_id != user_id)
            .count() as u64
    }

    /// Until when `user_id` is muted, if they are at `now`.
    pub fn muted_until(&self, user_id: &str, now: Millis) -> Option<Millis> {
        self.muted
            .get(user_id)
            .copied()
            .filter(|until| *until > now)
    }

    /// The first of other users' live messages above the member's read mark.
    pub fn first_unread(&self, user_id: &str) -> Option<Seq> {
        let read = self.read.get(user_id).copied().unwrap_or(0);
        self.messages
            .range(read + 1..)
            .find(|(_, m)| !m.deleted && m.user_id != user_id)
            .map(|(seq, _)| *seq)
    }

    pub fn last_read(&self, user_id: &str) -> Seq {
        self.read.get(user_id).copied().unwrap_or(0)
    }
}

fn member(username: &str, role: Role) -> Member {
    Member {
        username: username.to_owned(),
        role,
    }
}
