use serde::{Deserialize, Deserializer, Serialize};

use crate::{Id, Millis, Role, Seq, Status};

/// Declares [`ClientMsg`] from its table: one row a request, `Variant = "type", since N
/// { fields }`, each field with its wire attributes written once. From the rows come the
/// enum (with serde's derives, for tools and tests), [`ClientMsg::TYPES`],
/// [`ClientMsg::needs_version`] and the server's decoder of each, which reads a frame
/// whose `type` may be anywhere in it (`ClientMsg::decode_row`).
macro_rules! client_frames {
    ($(
        $(#[doc = $doc:literal])*
        $Variant:ident = $name:literal, since $version:literal {
            $( $(#[$field_attr:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    )*) => {
        /// A client-to-server event. Which socket takes which event is in
        /// docs/protocol.md: room events go to the room's socket, user-level ones to the
        /// inbox socket.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum ClientMsg {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $name, rename_all = "camelCase")]
                $Variant { $( $(#[$field_attr])* $field: $ty ),* },
            )*
        }

        impl ClientMsg {
            /// Every `type` a client may send, in declaration order.
            pub const TYPES: &'static [&'static str] = &[$($name),*];

            /// The wire version whose answer to this request is a frame kind of its own:
            /// a socket of an older version could not read the answer, so it is refused
            /// before any work (`version-required`). 1 for requests every version
            /// understands.
            pub fn needs_version(&self) -> u32 {
                match self {
                    $(ClientMsg::$Variant { .. } => $version,)*
                }
            }

            /// The request of type `kind` (read first, wherever `type` stands in the
            /// frame), decoded from the whole frame `fields`, which may hold `type`,
            /// `reqId` and fields of no request: they are passed over. `None` for a type
            /// no row has. Straight into the request's fields, with no buffer.
            pub fn decode_row<'de, D: Deserializer<'de>>(
                kind: &str,
                fields: D,
            ) -> Result<Option<ClientMsg>, D::Error> {
                match kind {
                    $(
                        $name => {
                            #[derive(Deserialize)]
                            #[serde(rename_all = "camelCase")]
                            struct Fields { $( $(#[$field_attr])* $field: $ty ),* }
                            // A request with no fields (`ping`) reads none of them.
                            #[allow(unused_variables)]
                            let fields = Fields::deserialize(fields)?;
                            Ok(Some(ClientMsg::$Variant { $( $field: fields.$field ),* }))
                        }
                    )*
                    _ => Ok(None),
                }
            }
        }
    };
}

client_frames! {
    /// Swap a fresh access token into a live socket before the old one expires.
    Authenticate = "authenticate", since 1 {
        token: String,
    }
    /// Ask for the room's `room-joined` snapshot again (opening the socket joins).
    JoinRoom = "join-room", since 1 {
        room_id: Id,
    }
    /// Leave the room: membership ends, every device's socket to it closes.
    LeaveRoom = "leave-room", since 1 {
        room_id: Id,
    }
    /// Create a room (inbox socket).
    CreateRoom = "create-room", since 1 {
        room_name: String,
        is_private: bool,
        #[serde(default)]
        members: Vec<Id>,
    }
    /// Post a message. `clientMsgId` is minted by the client and unique for good per
    /// (room, user): resending it returns the original `message-ack` and creates nothing.
    SendMessage = "send-message", since 1 {
        room_id: Id,
        text: String,
        #[serde(default)]
        attachments: Vec<Id>,
        #[serde(default)]
        reply_to: Option<Id>,
        client_msg_id: String,
    }
    /// Run the room's registered command `command` (`/deploy`) with `text`: its program
    /// is called, and answers in the room or, in an `ephemeral`, to the asker alone.
    RunCommand = "run-command", since 8 {
        room_id: Id,
        command: String,
        #[serde(default)]
        text: String,
    }
    EditMessage = "edit-message", since 1 {
        message_id: Id,
        new_text: String,
    }
    DeleteMessage = "delete-message", since 1 {
        message_id: Id,
    }
    TypingStart = "typing-start", since 1 {
        room_id: Id,
    }
    TypingStop = "typing-stop", since 1 {
        room_id: Id,
    }
    /// Set the user's global status (inbox socket).
    StatusChange = "status-change", since 1 {
        status: Status,
        #[serde(default)]
        status_text: Option<String>,
    }
    AddReaction = "add-reaction", since 1 {
        message_id: Id,
        emoji: String,
    }
    RemoveReaction = "remove-reaction", since 1 {
        message_id: Id,
        emoji: String,
    }
    PinMessage = "pin-message", since 1 {
        message_id: Id,
    }
    UnpinMessage = "unpin-message", since 1 {
        message_id: Id,
    }
    /// The author takes the link preview off their message.
    RemovePreview = "remove-preview", since 1 {
        message_id: Id,
    }
    /// Everything up to and including `seq` has been read.
    MarkRead = "mark-read", since 1 {
        seq: Seq,
    }
    /// Older messages: up to `limit` with seq below `beforeSeq`.
    LoadHistory = "load-history", since 1 {
        before_seq: Seq,
        #[serde(default)]
        limit: Option<u32>,
    }
    /// The next page of members, by id after `after` (from the start without it).
    ListMembers = "list-members", since 3 {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Id>,
    }
    Ping = "ping", since 1 {}
    /// Silence a user until a time (ms since the epoch).
    MuteUser = "mute-user", since 1 {
        user_id: Id,
        until: Millis,
    }
    UnmuteUser = "unmute-user", since 1 {
        user_id: Id,
    }
    BanUser = "ban-user", since 1 {
        user_id: Id,
    }
    UnbanUser = "unban-user", since 1 {
        user_id: Id,
    }
    KickUser = "kick-user", since 1 {
        user_id: Id,
    }
    SetRole = "set-role", since 1 {
        user_id: Id,
        role: Role,
    }
    /// One message per `seconds` per member; 0 turns slow mode off.
    SetSlowMode = "set-slow-mode", since 1 {
        seconds: u32,
    }
    InviteUser = "invite-user", since 1 {
        user_id: Id,
    }
    /// Change the room's settings: each field given is set, the rest stay as they are.
    /// The name and the capacity need an admin, the topic a moderator; a direct room has
    /// none to change.
    UpdateRoom = "update-room", since 1 {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// One line; empty clears it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        /// Most members the room takes; 0 for no limit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
    }
    /// The next page of banned users, by id after `after` (admins only).
    ListBans = "list-bans", since 4 {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Id>,
    }
    /// Every pinned message of the room (there are at most a few dozen).
    ListPins = "list-pins", since 4 {}
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
