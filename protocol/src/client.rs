use serde::{Deserialize, Serialize};

use crate::Id;

/// A client-to-server event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum ClientMsg {
    /// Post a message to the room this socket is joined to. `clientMsgId` is minted by the
    /// client, so a resend after a reconnect can never create a second message.
    SendMessage {
        room_id: Id,
        text: String,
        client_msg_id: String,
    },
    /// Keep-alive; the byte-exact `{"type":"ping"}` is answered without waking the room.
    Ping,
}

impl ClientMsg {
    /// Every `type` a client may send, in declaration order.
    pub const TYPES: &'static [&'static str] = &["send-message", "ping"];
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
