//! Quiet lines in the timeline for who joined, left, was added, removed, banned or muted,
//! role changes and the room's settings; and what the user is told when it happens to
//! them.

use edgechat_protocol::{Millis, Role, RoomEvent, Seq};

use super::ChatState;

/// A line of the timeline that is not a message. Seen live (a history page carries only
/// messages), placed by its seq among the messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub seq: Seq,
    pub text: String,
    /// A mute's end, which the screen shows in local time.
    pub until: Option<Millis>,
}

/// What a moderator did to the user here, and who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderated {
    Kicked { by: String },
    Banned { by: String },
    Muted { by: String, until: Millis },
}

impl ChatState {
    /// The name of `user_id` as this room shows it.
    fn name_of(&self, user_id: &str) -> String {
        self.users
            .get(user_id)
            .map_or_else(|| "someone".to_owned(), |u| u.username.clone())
    }

    /// `username` as an event carried it, or, when it carried none (an older server),
    /// the name this room shows for `user_id`.
    fn name_or(&self, username: &str, user_id: &str) -> String {
        if username.is_empty() {
            self.name_of(user_id)
        } else {
            username.to_owned()
        }
    }

    /// Notes `event` (before it changes the members, whose names it needs), and what it
    /// does to the user.
    pub(super) fn note(&mut self, event: &RoomEvent) {
        let me = |id: &str| id == self.me;
        let (seq, text, until) = match event {
            RoomEvent::UserJoined { username, seq, .. } => {
                (*seq, format!("{username} joined"), None)
            }
            RoomEvent::UserLeft {
                user_id,
                username,
                seq,
                ..
            } => {
                let name = self.name_or(username, user_id);
                (*seq, format!("{name} left"), None)
            }
            RoomEvent::UserInvited {
                username, by, seq, ..
            } => (*seq, format!("{} added {username}", self.name_of(by)), None),
            RoomEvent::UserKicked { user_id, by, seq } => {
                let by = self.name_of(by);
                if me(user_id) {
                    self.moderated = Some(Moderated::Kicked { by: by.clone() });
                }
                (
                    *seq,
                    format!("{} was removed by {by}", self.name_of(user_id)),
                    None,
                )
            }
            RoomEvent::UserBanned { user_id, by, seq } => {
                let by = self.name_of(by);
                if me(user_id) {
                    self.moderated = Some(Moderated::Banned { by: by.clone() });
                    // The room is closed to them: what it said goes from the screen too.
                    self.messages.clear();
                    self.notes.clear();
                    self.has_more = false;
                }
                (
                    *seq,
                    format!("{} was banned by {by}", self.name_of(user_id)),
                    None,
                )
            }
            RoomEvent::UserUnbanned {
                user_id,
                username,
                by,
                seq,
            } => {
                let name = self.name_or(username, user_id);
                (
                    *seq,
                    format!("{name} was unbanned by {}", self.name_of(by)),
                    None,
                )
            }
            RoomEvent::UserMuted {
                user_id,
                until,
                by,
                seq,
            } => {
                let by = self.name_of(by);
                if me(user_id) {
                    self.moderated = Some(Moderated::Muted {
                        by: by.clone(),
                        until: *until,
                    });
                }
                (
                    *seq,
                    format!("{} was muted by {by}", self.name_of(user_id)),
                    Some(*until),
                )
            }
            RoomEvent::UserUnmuted { user_id, by, seq } => {
                if me(user_id) && matches!(self.moderated, Some(Moderated::Muted { .. })) {
                    self.moderated = None;
                }
                (
                    *seq,
                    format!(
                        "{} was unmuted by {}",
                        self.name_of(user_id),
                        self.name_of(by)
                    ),
                    None,
                )
            }
            RoomEvent::RoleChanged {
                user_id,
                role,
                by,
                seq,
            } => {
                let role = match role {
                    Role::Admin => "an admin",
                    Role::Moderator => "a moderator",
                    Role::Member => "a member",
                };
                (
                    *seq,
                    format!("{} made {} {role}", self.name_of(by), self.name_of(user_id)),
                    None,
                )
            }
            RoomEvent::RoomUpdated {
                name,
                topic,
                capacity,
                by,
                seq,
            } => {
                let by = self.name_of(by);
                let before = self.settings.info.as_ref();
                // Each change the update made, in one line: a form saves several at once.
                let mut changes = Vec::new();
                if before.is_some_and(|b| &b.name != name) {
                    changes.push(format!("renamed the room to {name}"));
                }
                if before.is_some_and(|b| &b.topic != topic) {
                    changes.push(if topic.is_empty() {
                        "cleared the topic".to_owned()
                    } else {
                        format!("set the topic: {topic}")
                    });
                }
                if before.is_none_or(|b| &b.capacity != capacity) {
                    changes.push(match capacity {
                        Some(cap) => format!("limited the room to {cap} members"),
                        None => "removed the member limit".to_owned(),
                    });
                }
                (*seq, format!("{by} {}", changes.join("; ")), None)
            }
            RoomEvent::SlowModeChanged { seconds, by, seq } => {
                let by = self.name_of(by);
                let text = if *seconds == 0 {
                    format!("{by} turned slow mode off")
                } else {
                    format!("{by} turned slow mode on: one message every {seconds} s")
                };
                (*seq, text, None)
            }
            _ => return,
        };
        if !self.notes.iter().any(|n| n.seq == seq) {
            self.notes.push(Note { seq, text, until });
        }
    }
}

#[cfg(test)]
mod tests {
    use edgechat_protocol::ServerMsg;

    use super::*;

    fn joined(state: &mut ChatState, id: &str, name: &str, seq: Seq) {
        state.apply(ServerMsg::Event(RoomEvent::UserJoined {
            room_id: "r".into(),
            user_id: id.into(),
            username: name.into(),
            handle: name.to_lowercase(),
            role: Role::Member,
            seq,
        }));
    }

    #[test]
    fn membership_and_moderation_leave_quiet_lines_and_tell_the_user() {
        let mut state = ChatState::for_user("r", "ana");
        joined(&mut state, "ana", "Ana", 1);
        joined(&mut state, "bob", "Bob", 2);
        state.apply(ServerMsg::Event(RoomEvent::RoleChanged {
            user_id: "bob".into(),
            role: Role::Moderator,
            by: "ana".into(),
            seq: 3,
        }));
        state.apply(ServerMsg::Event(RoomEvent::UserMuted {
            user_id: "ana".into(),
            until: 9_000,
            by: "bob".into(),
            seq: 4,
        }));
        state.apply(ServerMsg::Event(RoomEvent::UserKicked {
            user_id: "ana".into(),
            by: "bob".into(),
            seq: 5,
        }));
        let lines: Vec<&str> = state.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            lines,
            [
                "Ana joined",
                "Bob joined",
                "Ana made Bob a moderator",
                "Ana was muted by Bob",
                "Ana was removed by Bob"
            ]
        );
        assert_eq!(state.notes[3].until, Some(9_000));
        assert_eq!(
            state.moderated,
            Some(Moderated::Kicked { by: "Bob".into() })
        );
        assert!(
            !state.notes.is_empty(),
            "a kicked member may come back: the lines stay"
        );
    }

    #[test]
    fn a_banned_user_no_longer_sees_the_rooms_history() {
        let mut state = ChatState::for_user("r", "ana");
        joined(&mut state, "ana", "Ana", 1);
        joined(&mut state, "bob", "Bob", 2);
        state.messages = vec![
            serde_json::from_value(serde_json::json!({
                "messageId": "r:3", "roomId": "r", "userId": "bob", "username": "Bob",
                "text": "hi", "timestamp": 3, "seq": 3, "clientMsgId": "c3",
            }))
            .unwrap(),
        ];
        state.has_more = true;
        state.apply(ServerMsg::Event(RoomEvent::UserBanned {
            user_id: "ana".into(),
            by: "bob".into(),
            seq: 4,
        }));
        assert!(state.messages.is_empty() && !state.has_more);
        let lines: Vec<&str> = state.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            lines,
            ["Ana was banned by Bob"],
            "only what happened to her"
        );
        assert_eq!(
            state.moderated,
            Some(Moderated::Banned { by: "Bob".into() })
        );
    }
}
