//! What the client knows, changed only by [`ChatState::apply`] and the few user actions
//! below, so it is plain Rust and tested natively.

use edgechat_protocol::{Message, ServerMsg};

/// The state of the room socket, shown in the connection banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connection {
    #[default]
    Connecting,
    Connected,
    Disconnected,
}

/// A message the user sent that the server has not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_msg_id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChatState {
    pub room: String,
    pub connection: Connection,
    /// Messages in seq order, each once.
    pub messages: Vec<Message>,
    pub pending: Vec<Pending>,
    /// The latest error the server reported, until the next successful send.
    pub last_error: Option<String>,
}

impl ChatState {
    pub fn new(room: impl Into<String>) -> Self {
        Self {
            room: room.into(),
            ..Self::default()
        }
    }

    pub fn apply(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::RoomJoined {
                room_id,
                message_history,
                ..
            } if room_id == self.room => {
                self.connection = Connection::Connected;
                for message in message_history {
                    self.insert(message);
                }
            }
            ServerMsg::Resync { room_id, .. } if room_id == self.room => self.messages.clear(),
            ServerMsg::NewMessage(message) => {
                self.pending
                    .retain(|p| p.client_msg_id != message.client_msg_id);
                self.insert(message);
            }
            ServerMsg::MessageAck { client_msg_id, .. } => {
                self.pending.retain(|p| p.client_msg_id != client_msg_id);
                self.last_error = None;
            }
            ServerMsg::MessageEdited {
                message_id,
                new_text,
                edited_at,
                ..
            } => {
                if let Some(m) = self.message_mut(&message_id) {
                    m.text = new_text;
                    m.edited_at = Some(edited_at);
                }
            }
            ServerMsg::MessageDeleted { message_id, .. } => {
                if let Some(m) = self.message_mut(&message_id) {
                    m.deleted = true;
                    m.text.clear();
                    m.attachments.clear();
                    m.reactions.clear();
                }
            }
            ServerMsg::Error { message, .. } => self.last_error = Some(message),
            // The rest of the protocol reaches the screen with the full client.
            _ => {}
        }
    }

    fn message_mut(&mut self, message_id: &str) -> Option<&mut Message> {
        self.messages
            .iter_mut()
            .find(|m| m.message_id == message_id)
    }

    /// Records a message the user just sent, shown as pending until acknowledged.
    pub fn sent(&mut self, client_msg_id: String, text: String) {
        self.pending.push(Pending {
            client_msg_id,
            text,
        });
    }

    pub fn set_connection(&mut self, connection: Connection) {
        self.connection = connection;
    }

    fn insert(&mut self, message: Message) {
        if message.room_id != self.room {
            return;
        }
        match self.messages.binary_search_by_key(&message.seq, |m| m.seq) {
            Ok(_) => {}
            Err(at) => self.messages.insert(at, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: u64) -> Message {
        Message {
            message_id: format!("lobby:{seq}"),
            room_id: "lobby".into(),
            user_id: "u".into(),
            username: "Ana".into(),
            text: format!("m{seq}"),
            timestamp: seq,
            attachments: vec![],
            reply_to: None,
            seq,
            client_msg_id: format!("c-{seq}"),
            edited_at: None,
            deleted: false,
            pinned: false,
            reactions: vec![],
        }
    }

    #[test]
    fn messages_are_kept_in_seq_order_whatever_order_they_arrive_in() {
        let mut state = ChatState::new("lobby");
        for seq in [3, 1, 2] {
            state.apply(ServerMsg::NewMessage(message(seq)));
        }
        let seqs: Vec<u64> = state.messages.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }

    #[test]
    fn a_message_delivered_twice_is_shown_once() {
        let mut state = ChatState::new("lobby");
        state.apply(ServerMsg::NewMessage(message(1)));
        state.apply(ServerMsg::NewMessage(message(1)));
        assert_eq!(state.messages.len(), 1);
    }

    #[test]
    fn a_message_for_another_room_is_ignored() {
        let mut state = ChatState::new("elsewhere");
        state.apply(ServerMsg::NewMessage(message(1)));
        assert!(state.messages.is_empty());
    }

    #[test]
    fn an_ack_clears_the_pending_message_and_the_last_error() {
        let mut state = ChatState::new("lobby");
        state.sent("c-1".into(), "hi".into());
        state.apply(ServerMsg::error(
            edgechat_protocol::ErrorCode::TooLong,
            "too long",
            None,
        ));
        state.apply(ServerMsg::MessageAck {
            req_id: None,
            client_msg_id: "c-1".into(),
            message_id: "lobby:1".into(),
            seq: 1,
        });
        assert!(state.pending.is_empty());
        assert_eq!(state.last_error, None);
    }

    #[test]
    fn edits_and_deletes_change_the_shown_message() {
        let mut state = ChatState::new("lobby");
        state.apply(ServerMsg::NewMessage(message(1)));
        state.apply(ServerMsg::MessageEdited {
            message_id: "lobby:1".into(),
            new_text: "fixed".into(),
            edited_at: 5,
            seq: 2,
        });
        assert_eq!(state.messages[0].text, "fixed");
        state.apply(ServerMsg::MessageDeleted {
            message_id: "lobby:1".into(),
            seq: 3,
        });
        assert!(state.messages[0].deleted);
        assert_eq!(state.messages[0].text, "");
    }

    #[test]
    fn a_new_message_with_a_pending_client_id_settles_it() {
        let mut state = ChatState::new("lobby");
        state.sent("c-1".into(), "m1".into());
        state.apply(ServerMsg::NewMessage(message(1)));
        assert!(state.pending.is_empty());
    }

    #[test]
    fn room_joined_loads_history_and_marks_the_socket_connected() {
        let mut state = ChatState::new("lobby");
        state.apply(ServerMsg::NewMessage(message(2)));
        let room = edgechat_protocol::RoomInfo {
            room_id: "lobby".into(),
            name: "lobby".into(),
            kind: edgechat_protocol::RoomKind::Public,
            capacity: None,
            created_by: "u".into(),
            created_at: 0,
        };
        state.apply(ServerMsg::RoomJoined {
            room_id: "lobby".into(),
            room,
            users: vec![],
            message_history: vec![message(1), message(2)],
            your_role: edgechat_protocol::Role::Member,
            head_seq: 2,
            last_read_seq: 0,
            unread_count: 2,
            read_marks: Default::default(),
            slow_mode: 0,
            req_id: None,
        });
        assert_eq!(state.connection, Connection::Connected);
        assert_eq!(state.messages.len(), 2);
    }
}
