//! What a room copies to D1, as plain operations: the Room object turns its log into these
//! and these into bound SQL. Every operation is idempotent, and replaying a batch in seq
//! order after a failure ends in the same rows.

use edgechat_protocol::{Id, Message, Millis, Role, RoomEvent};

/// One change to D1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveOp {
    /// The user is a member with this role (joined, invited, role changed).
    Member {
        user_id: Id,
        username: String,
        role: Role,
        at: Millis,
    },
    /// A member's role changed.
    Role {
        user_id: Id,
        role: Role,
    },
    /// The user is no longer a member (left, kicked, banned).
    NotMember {
        user_id: Id,
    },
    Banned {
        user_id: Id,
        banned: bool,
    },
    Muted {
        user_id: Id,
        until: Option<Millis>,
    },
    /// The whole message as it stands when copied; the events that changed it since
    /// follow it, in seq order.
    Message(Message),
    Edited {
        message_id: Id,
        text: String,
        at: Millis,
    },
    /// Text and attachments gone; a tombstone stays.
    Deleted {
        message_id: Id,
        at: Millis,
    },
    /// The full set of users with this reaction.
    Reaction {
        message_id: Id,
        emoji: String,
        user_ids: Vec<Id>,
    },
    Pinned {
        message_id: Id,
        by: Id,
        at: Millis,
        pinned: bool,
    },
    /// The room's directory row: its name, topic and capacity now.
    Room {
        name: String,
        topic: String,
        capacity: Option<u32>,
    },
}

impl ArchiveOp {
    /// Membership and moderation authorize HTTP reads, so they are written at once;
    /// everything else may wait for the next batch.
    pub fn is_write_through(&self) -> bool {
        matches!(
            self,
            ArchiveOp::Member { .. }
                | ArchiveOp::Role { .. }
                | ArchiveOp::NotMember { .. }
                | ArchiveOp::Banned { .. }
                | ArchiveOp::Muted { .. }
                | ArchiveOp::Room { .. }
        )
    }
}

/// Whether any of `event`'s operations is written through at once (without building
/// them: this is asked of every event on the send path).
pub fn writes_through(event: &RoomEvent) -> bool {
    match event {
        RoomEvent::UserJoined { .. }
        | RoomEvent::UserInvited { .. }
        | RoomEvent::RoleChanged { .. }
        | RoomEvent::UserLeft { .. }
        | RoomEvent::UserKicked { .. }
        | RoomEvent::UserBanned { .. }
        | RoomEvent::UserUnbanned { .. }
        | RoomEvent::UserMuted { .. }
        | RoomEvent::UserUnmuted { .. }
        | RoomEvent::RoomUpdated { .. } => true,
        RoomEvent::NewMessage(_)
        | RoomEvent::MessageEdited { .. }
        | RoomEvent::MessageDeleted { .. }
        | RoomEvent::ReactionUpdated { .. }
        | RoomEvent::MessagePinned { .. }
        | RoomEvent::MessageUnpinned { .. }
        | RoomEvent::SlowModeChanged { .. }
        | RoomEvent::LinkPreview { .. } => false,
    }
}

/// The D1 operations for one durable event, given when it was stored (events that carry
/// no time of their own use `at`).
pub fn ops(event: &RoomEvent, at: Millis) -> Vec<ArchiveOp> {
    use ArchiveOp as Op;
    match event.clone() {
        RoomEvent::UserJoined {
            user_id,
            username,
            role,
            ..
        } => vec![Op::Member {
            user_id,
            username,
            role,
            at,
        }],
        RoomEvent::UserInvited {
            user_id, username, ..
        } => vec![Op::Member {
            user_id,
            username,
            role: Role::Member,
            at,
        }],
        RoomEvent::RoleChanged { user_id, role, .. } => vec![Op::Role { user_id, role }],
        RoomEvent::UserLeft { user_id, .. } | RoomEvent::UserKicked { user_id, .. } => {
            vec![Op::NotMember { user_id }]
        }
        RoomEvent::UserBanned { user_id, .. } => vec![
            Op::NotMember {
                user_id: user_id.clone(),
            },
            Op::Banned {
                user_id,
                banned: true,
            },
        ],
        RoomEvent::UserUnbanned { user_id, .. } => vec![Op::Banned {
            user_id,
            banned: false,
        }],
        RoomEvent::UserMuted { user_id, until, .. } => vec![Op::Muted {
            user_id,
            until: Some(until),
        }],
        RoomEvent::UserUnmuted { user_id, .. } => vec![Op::Muted {
            user_id,
            until: None,
        }],
        RoomEvent::NewMessage(message) => vec![Op::Message(message)],
        RoomEvent::MessageEdited {
            message_id,
            new_text,
            edited_at,
            ..
        } => vec![Op::Edited {
            message_id,
            text: new_text,
            at: edited_at,
        }],
        RoomEvent::MessageDeleted { message_id, .. } => vec![Op::Deleted { message_id, at }],
        RoomEvent::ReactionUpdated {
            message_id,
            emoji,
            user_ids,
            ..
        } => vec![Op::Reaction {
            message_id,
            emoji,
            user_ids,
        }],
        RoomEvent::MessagePinned { message_id, by, .. } => vec![Op::Pinned {
            message_id,
            by,
            at,
            pinned: true,
        }],
        RoomEvent::MessageUnpinned { message_id, by, .. } => vec![Op::Pinned {
            message_id,
            by,
            at,
            pinned: false,
        }],
        // Listings read the directory: a rename shows there at once.
        RoomEvent::RoomUpdated {
            name,
            topic,
            capacity,
            ..
        } => vec![Op::Room {
            name,
            topic,
            capacity,
        }],
        // Slow mode and previews live with the room (a preview in its message's body);
        // nothing in D1 reads them. A preview's image is a file, removed as files are.
        RoomEvent::SlowModeChanged { .. } | RoomEvent::LinkPreview { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_and_moderation_are_written_through_and_messages_are_not() {
        let joined = RoomEvent::UserJoined {
            room_id: "r".into(),
            user_id: "u".into(),
            username: "U".into(),
            handle: "u".into(),
            role: Role::Member,
            seq: 1,
        };
        assert!(ops(&joined, 5).iter().all(ArchiveOp::is_write_through));
        let deleted = RoomEvent::MessageDeleted {
            message_id: "r:1".into(),
            by: String::new(),
            seq: 2,
        };
        assert_eq!(
            ops(&deleted, 9),
            vec![ArchiveOp::Deleted {
                message_id: "r:1".into(),
                at: 9
            }]
        );
        assert!(!ops(&deleted, 9)[0].is_write_through());
    }

    #[test]
    fn a_ban_ends_membership_and_records_the_ban() {
        let banned = RoomEvent::UserBanned {
            user_id: "u".into(),
            by: "a".into(),
            seq: 3,
        };
        assert_eq!(ops(&banned, 0).len(), 2);
    }

    #[test]
    fn every_durable_event_but_slow_mode_reaches_d1() {
        let slow = RoomEvent::SlowModeChanged {
            seconds: 5,
            by: "a".into(),
            seq: 1,
        };
        assert!(ops(&slow, 0).is_empty());
    }
}
