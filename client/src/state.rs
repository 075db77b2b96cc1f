//! What the client knows, changed only by [`ChatState::apply`] and the few user actions
//! below, so it is plain Rust and tested natively.

use edgechat_protocol::{ClientMsg, Message, Seq, ServerMsg};
use serde::{Deserialize, Serialize};

/// The state of the room socket, shown in the connection banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connection {
    #[default]
    Connecting,
    Connected,
    /// Lost; a reconnect is scheduled.
    Disconnected,
    /// Closed by the server for a reason retrying cannot change (banned, replaced).
    Closed,
}

/// A message the user sent that the server has not yet acknowledged: the outbox, kept in
/// browser storage so it survives a reload, and sent again with the same client id after
/// every reconnect until acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    pub client_msg_id: String,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl Pending {
    pub fn to_msg(&self, room: &str) -> ClientMsg {
        ClientMsg::SendMessage {
            room_id: room.to_owned(),
            text: self.text.clone(),
            attachments: self.attachments.clone(),
            reply_to: None,
            client_msg_id: self.client_msg_id.clone(),
        }
    }
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
    /// The highest durable seq seen, to resume after a reconnect.
    seen: Seq,
}

impl ChatState {
    pub fn new(room: impl Into<String>) -> Self {
        Self {
            room: room.into(),
            ..Self::default()
        }
    }

    pub fn apply(&mut self, msg: ServerMsg) {
        if let Some(seq) = msg.seq() {
            self.seen = self.seen.max(seq);
        }
        match msg {
            ServerMsg::RoomJoined {
                room_id,
                message_history,
                head_seq,
                ..
            } if room_id == self.room => {
                self.connection = Connection::Connected;
                self.seen = self.seen.max(head_seq);
                for message in message_history {
                    self.insert(message);
                }
            }
            ServerMsg::Resync { room_id, .. } if room_id == self.room => {
                self.messages.clear();
                self.seen = 0;
            }
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

    /// Records a message the user just sent (or typed offline), shown as pending until
    /// acknowledged.
    pub fn sent(&mut self, client_msg_id: String, text: String, attachments: Vec<String>) {
        self.pending.push(Pending {
            client_msg_id,
            text,
            attachments,
        });
    }

    /// The outbox a previous page left in storage: kept unless already delivered.
    pub fn restore_outbox(&mut self, outbox: Vec<Pending>) {
        for pending in outbox {
            let delivered = self
                .messages
                .iter()
                .any(|m| m.client_msg_id == pending.client_msg_id);
            let known = self
                .pending
                .iter()
                .any(|p| p.client_msg_id == pending.client_msg_id);
            if !delivered && !known {
                self.pending.push(pending);
            }
        }
    }

    /// The seq to resume after: `None` before anything was seen.
    pub fn seen_seq(&self) -> Option<Seq> {
        (self.seen > 0).then_some(self.seen)
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
        state.sent("c-1".into(), "hi".into(), vec![]);
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
        state.sent("c-1".into(), "m1".into(), vec![]);
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

    #[test]
    fn the_resume_point_is_the_highest_seq_seen_and_resets_on_resync() {
        let mut state = ChatState::new("lobby");
        assert_eq!(state.seen_seq(), None);
        state.apply(ServerMsg::NewMessage(message(4)));
        state.apply(ServerMsg::MessageDeleted {
            message_id: "lobby:4".into(),
            seq: 7,
        });
        assert_eq!(state.seen_seq(), Some(7));
        state.apply(ServerMsg::Resync {
            room_id: "lobby".into(),
            head_seq: 9,
        });
        assert_eq!(state.seen_seq(), None);
        assert!(state.messages.is_empty());
    }

    #[test]
    fn an_outbox_from_storage_keeps_only_what_was_not_delivered() {
        let mut state = ChatState::new("lobby");
        state.apply(ServerMsg::NewMessage(message(1)));
        state.sent("c-2".into(), "typed".into(), vec![]);
        let stored: Vec<Pending> = serde_json::from_str(
            r#"[{"clientMsgId":"c-1","text":"m1"},{"clientMsgId":"c-2","text":"typed"},{"clientMsgId":"c-3","text":"offline","attachments":["f-1"]}]"#,
        )
        .unwrap();
        state.restore_outbox(stored);
        let ids: Vec<&str> = state
            .pending
            .iter()
            .map(|p| p.client_msg_id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["c-2", "c-3"],
            "c-1 was delivered, c-2 is already pending"
        );
        assert!(matches!(
            state.pending[1].to_msg("lobby"),
            ClientMsg::SendMessage { attachments, .. } if attachments == ["f-1"]
        ));
    }
}
