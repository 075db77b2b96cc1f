//! What the Worker's calls to a room carry besides their kind: a creation, a socket
//! opening, a hook's post or answer, and what is asked of exports and imports.

use edgechat_core::{Identity, room::HookPost};
use edgechat_protocol::{RoomInfo, Seq};
use serde::{Deserialize, Serialize};

/// What the room object needs to create itself.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Creation {
    pub info: RoomInfo,
    pub creator: Identity,
    pub members: Vec<(String, String)>,
}

/// A socket opening, as the door let it in: `protocol` is the subprotocol to answer
/// with, `origin` the Worker's as the door was reached (a command's `response_url`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub room: String,
    pub who: Identity,
    pub since: Option<Seq>,
    pub protocol: Option<String>,
    #[serde(default)]
    pub origin: String,
}

/// A post through an incoming hook, as the door read it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookCall {
    pub hook_id: String,
    pub secret: String,
    pub post: HookPost,
}

/// A later answer through a command's `response_url`: its token, and the answer (none
/// when it shows nothing) with whether it is for the asker alone.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseCall {
    pub token: String,
    pub answer: Option<(HookPost, bool)>,
}

/// What the door asks of a room's exports.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportCall {
    /// Start this one.
    Start(String),
    /// How far this one is.
    View(String),
    /// The caller's newest export of the room, if any.
    Latest,
}

/// What the door asks of a room's import.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum ImportCall {
    /// May `who` import into this room now? If so it is recorded, waiting for its bytes.
    Begin,
    /// The archive is in R2, `size` bytes.
    Stored { size: u64 },
    /// How far it is.
    View,
}
