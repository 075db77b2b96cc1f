use serde::{Deserialize, Serialize};

use crate::{Id, Millis, Role, Seq, Status};

/// A client-to-server event. Which socket takes which event is in docs/protocol.md: room
/// events go to the room's socket, user-level ones to the inbox socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum ClientMsg {
    /// Swap a fresh access token into a live socket before the old one expires.
    Authenticate {
        token: String,
    },
    /// Ask for the room's `room-joined` snapshot again (opening the socket joins).
    JoinRoom {
        room_id: Id,
    },
    /// Leave the room: membership ends, every device's socket to it closes.
    LeaveRoom {
        room_id: Id,
    },
    /// Create a room (inbox socket).
    CreateRoom {
        room_name: String,
        is_private: bool,
        #[serde(default)]
        members: Vec<Id>,
    },
    /// Post a message. `clientMsgId` is minted by the client and unique for good per
    /// (room, user): resending it returns the original `message-ack` and creates nothing.
    SendMessage {
        room_id: Id,
        text: String,
        #[serde(default)]
        attachments: Vec<Id>,
        #[serde(default)]
        reply_to: Option<Id>,
        client_msg_id: String,
    },
    EditMessage {
        message_id: Id,
        new_text: String,
    },
    DeleteMessage {
        message_id: Id,
    },
    TypingStart {
        room_id: Id,
    },
    TypingStop {
        room_id: Id,
    },
    /// Set the user's global status (inbox socket).
    StatusChange {
        status: Status,
        #[serde(default)]
        status_text: Option<String>,
    },
    AddReaction {
        message_id: Id,
        emoji: String,
    },
    RemoveReaction {
        message_id: Id,
        emoji: String,
    },
    PinMessage {
        message_id: Id,
    },
    UnpinMessage {
        message_id: Id,
    },
    /// The author takes the link preview off their message.
    RemovePreview {
        message_id: Id,
    },
    /// Everything up to and including `seq` has been read.
    MarkRead {
        seq: Seq,
    },
    /// Older messages: up to `limit` with seq below `beforeSeq`.
    LoadHistory {
        before_seq: Seq,
        #[serde(default)]
        limit: Option<u32>,
    },
    /// The next page of members, by id after `after` (from the start without it).
    ListMembers {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Id>,
    },
    Ping,
    /// Silence a user until a time (ms since the epoch).
    MuteUser {
        user_id: Id,
        until: Millis,
    },
    UnmuteUser {
        user_id: Id,
    },
    BanUser {
        user_id: Id,
    },
    UnbanUser {
        user_id: Id,
    },
    KickUser {
        user_id: Id,
    },
    SetRole {
        user_id: Id,
        role: Role,
    },
    /// One message per `seconds` per member; 0 turns slow mode off.
    SetSlowMode {
        seconds: u32,
    },
    InviteUser {
        user_id: Id,
    },
    /// Change the room's settings: each field given is set, the rest stay as they are.
    /// The name and the capacity need an admin, the topic a moderator; a direct room has
    /// none to change.
    UpdateRoom {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// One line; empty clears it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        /// Most members the room takes; 0 for no limit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
    },
    /// The next page of banned users, by id after `after` (admins only).
    ListBans {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Id>,
    },
    /// Every pinned message of the room (there are at most a few dozen).
    ListPins,
}

impl ClientMsg {
    /// A `send-message` with text only: no attachments, not a reply.
    pub fn text(
        room_id: impl Into<Id>,
        text: impl Into<String>,
        client_msg_id: impl Into<String>,
    ) -> Self {
        ClientMsg::SendMessage {
            room_id: room_id.into(),
            text: text.into(),
            attachments: Vec::new(),
            reply_to: None,
            client_msg_id: client_msg_id.into(),
        }
    }

    /// The wire version whose answer to this request is a frame kind of its own: a socket
    /// of an older version could not read the answer, so it is refused before any work
    /// (`version-required`). 1 for requests every version understands.
    pub fn needs_version(&self) -> u32 {
        match self {
            ClientMsg::ListMembers { .. } => 3,
            ClientMsg::ListBans { .. } | ClientMsg::ListPins => 4,
            _ => 1,
        }
    }

    /// Every `type` a client may send, in declaration order.
    pub const TYPES: &'static [&'static str] = &[
        "authenticate",
        "join-room",
        "leave-room",
        "create-room",
        "send-message",
        "edit-message",
        "delete-message",
        "typing-start",
        "typing-stop",
        "status-change",
        "add-reaction",
        "remove-reaction",
        "pin-message",
        "unpin-message",
        "remove-preview",
        "mark-read",
        "load-history",
        "list-members",
        "ping",
        "mute-user",
        "unmute-user",
        "ban-user",
        "unban-user",
        "kick-user",
        "set-role",
        "set-slow-mode",
        "invite-user",
        "update-room",
        "list-bans",
        "list-pins",
    ];
}

/// A [`ClientMsg`] together with the optional `reqId` that the server echoes in its reply
/// or `error`, so a client can match answers to requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientFrame {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
    #[serde(flatten)]
    pub msg: ClientMsg,
}

impl From<ClientMsg> for ClientFrame {
    fn from(msg: ClientMsg) -> Self {
        Self { req_id: None, msg }
    }
}
