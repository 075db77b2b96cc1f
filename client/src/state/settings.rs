//! What the room settings panel shows: the room's name, topic, capacity and slow mode, the
//! ban list and the pins, kept current by the room's events once loaded.

use edgechat_protocol::{BannedUser, Message, RoomEvent, RoomInfo};

/// The room's settings as this client last heard them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    /// The room as `room-joined` described it, renames applied.
    pub info: Option<RoomInfo>,
    /// Seconds between one member's messages; 0 when off.
    pub slow_mode: u32,
    /// The banned users loaded so far (admins only); `None` until asked for.
    pub bans: Option<Vec<BannedUser>>,
    /// More banned users follow the last one loaded.
    pub more_bans: bool,
    /// The pinned messages, oldest first; `None` until asked for.
    pub pins: Option<Vec<Message>>,
}

impl Settings {
    /// Applies one durable event; `message` is the event's message if it is loaded, for a
    /// pin, and `name` the banned user's name if known.
    pub(super) fn apply(&mut self, event: &RoomEvent, message: Option<&Message>, name: &str) {
        match event {
            RoomEvent::RoomUpdated {
                name,
                topic,
                capacity,
                ..
            } => {
                if let Some(info) = &mut self.info {
                    info.name.clone_from(name);
                    info.topic.clone_from(topic);
                    info.capacity = *capacity;
                }
            }
            RoomEvent::SlowModeChanged { seconds, .. } => self.slow_mode = *seconds,
            RoomEvent::UserBanned { user_id, .. } => {
                if let Some(bans) = &mut self.bans
                    && !bans.iter().any(|b| &b.user_id == user_id)
                {
                    bans.push(BannedUser {
                        user_id: user_id.clone(),
                        username: name.to_owned(),
                    });
                }
            }
            RoomEvent::UserUnbanned { user_id, .. } => {
                if let Some(bans) = &mut self.bans {
                    bans.retain(|b| &b.user_id != user_id);
                }
            }
            RoomEvent::MessagePinned { message_id, .. } => {
                // A pin of a message not loaded here shows when the list is asked again.
                if let (Some(pins), Some(message)) = (&mut self.pins, message)
                    && !pins.iter().any(|m| &m.message_id == message_id)
                {
                    let mut pinned = message.clone();
                    pinned.pinned = true;
                    let at = pins.partition_point(|m| m.seq < pinned.seq);
                    pins.insert(at, pinned);
                }
            }
            RoomEvent::MessageUnpinned { message_id, .. }
            | RoomEvent::MessageDeleted { message_id, .. } => {
                if let Some(pins) = &mut self.pins {
                    pins.retain(|m| &m.message_id != message_id);
                }
            }
            RoomEvent::MessageEdited { message_id, .. } => {
                if let Some(pin) = self
                    .pins
                    .as_mut()
                    .and_then(|pins| pins.iter_mut().find(|m| &m.message_id == message_id))
                {
                    event.apply_to(pin);
                }
            }
            RoomEvent::NewMessage(_)
            | RoomEvent::UserJoined { .. }
            | RoomEvent::UserLeft { .. }
            | RoomEvent::ReactionUpdated { .. }
            | RoomEvent::UserMuted { .. }
            | RoomEvent::UserUnmuted { .. }
            | RoomEvent::UserKicked { .. }
            | RoomEvent::RoleChanged { .. }
            | RoomEvent::UserInvited { .. }
            | RoomEvent::LinkPreview { .. } => {}
        }
    }

    /// A page of `ban-page`, added to what was loaded (asking again from the start clears
    /// `bans` first).
    pub(super) fn banned(&mut self, users: Vec<BannedUser>, more: bool) {
        let bans = self.bans.get_or_insert_with(Vec::new);
        for user in users {
            if !bans.iter().any(|b| b.user_id == user.user_id) {
                bans.push(user);
            }
        }
        self.more_bans = more;
    }
}

#[cfg(test)]
mod tests {
    use edgechat_protocol::frame;
    use edgechat_protocol::{Role, ServerMsg};

    use super::*;
    use crate::state::ChatState;

    fn message(seq: u64, text: &str) -> Message {
        Message {
            message_id: format!("r:{seq}"),
            room_id: "r".into(),
            user_id: "bob".into(),
            username: "Bob".into(),
            text: text.into(),
            timestamp: seq,
            attachments: vec![],
            reply_to: None,
            seq,
            client_msg_id: format!("c{seq}"),
            edited_at: None,
            deleted: false,
            pinned: false,
            reactions: vec![],
            preview: None,
            bot: None,
        }
    }

    fn event(state: &mut ChatState, event: RoomEvent) {
        state.apply(ServerMsg::Event(event));
    }

    #[test]
    fn loaded_pins_follow_pins_unpins_edits_and_deletes() {
        let mut state = ChatState::for_user("r", "ana");
        event(&mut state, RoomEvent::NewMessage(message(1, "first")));
        event(&mut state, RoomEvent::NewMessage(message(2, "second")));
        state.apply(ServerMsg::PinList(frame::PinList {
            room_id: "r".into(),
            messages: vec![Message {
                pinned: true,
                ..message(2, "second")
            }],
            req_id: None,
        }));
        event(
            &mut state,
            RoomEvent::MessagePinned {
                message_id: "r:1".into(),
                by: "ana".into(),
                seq: 3,
            },
        );
        let texts = |state: &ChatState| -> Vec<String> {
            let pins = state.settings.pins.clone().unwrap_or_default();
            pins.into_iter().map(|m| m.text).collect()
        };
        assert_eq!(texts(&state), ["first", "second"]);
        event(
            &mut state,
            RoomEvent::MessageEdited {
                message_id: "r:2".into(),
                new_text: "second, edited".into(),
                edited_at: 9,
                seq: 4,
            },
        );
        event(
            &mut state,
            RoomEvent::MessageUnpinned {
                message_id: "r:1".into(),
                by: "ana".into(),
                seq: 5,
            },
        );
        assert_eq!(texts(&state), ["second, edited"]);
        event(
            &mut state,
            RoomEvent::MessageDeleted {
                message_id: "r:2".into(),
                by: String::new(),
                seq: 6,
            },
        );
        assert_eq!(texts(&state), Vec::<String>::new());
    }

    #[test]
    fn the_ban_list_follows_bans_and_unbans_with_names() {
        let mut state = ChatState::for_user("r", "ana");
        event(
            &mut state,
            RoomEvent::UserJoined {
                room_id: "r".into(),
                user_id: "cy".into(),
                username: "Cy".into(),
                handle: "cy".into(),
                role: Role::Member,
                seq: 1,
            },
        );
        state.apply(ServerMsg::BanPage(frame::BanPage {
            room_id: "r".into(),
            users: vec![BannedUser {
                user_id: "zed".into(),
                username: String::new(),
            }],
            has_more: false,
            req_id: None,
        }));
        event(
            &mut state,
            RoomEvent::UserBanned {
                user_id: "cy".into(),
                by: "ana".into(),
                seq: 2,
            },
        );
        event(
            &mut state,
            RoomEvent::UserUnbanned {
                user_id: "zed".into(),
                username: String::new(),
                by: "ana".into(),
                seq: 3,
            },
        );
        assert_eq!(
            state.settings.bans,
            Some(vec![BannedUser {
                user_id: "cy".into(),
                username: "Cy".into()
            }])
        );
    }
}
