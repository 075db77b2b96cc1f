use serde::{Deserialize, Serialize};

use crate::{Id, Millis, Status};

/// A member's role in one room, lowest first. A global admin outranks every room role.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    #[default]
    Member,
    Moderator,
    Admin,
}

impl Role {
    /// The role's name as the wire spells it (`member`, `moderator`, `admin`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }
}

/// What kind of room this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomKind {
    /// Anyone may join.
    Public,
    /// Members and invitees only.
    Private,
    /// Two users, found again rather than duplicated.
    Direct,
    /// A small invite-only conversation without a name of its own.
    Group,
}

impl RoomKind {
    /// Whether a user who is not a member may join by opening the room.
    pub fn open_to_all(self) -> bool {
        self == RoomKind::Public
    }
}

/// A room as listings and `room-created` describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomInfo {
    pub room_id: Id,
    pub name: String,
    pub kind: RoomKind,
    /// Most members the room takes; `None` for no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    pub created_by: Id,
    pub created_at: Millis,
    /// What the room is about, in one line; empty for none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic: String,
}

/// A user banned from a room, as `ban-page` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BannedUser {
    pub user_id: Id,
    /// The name they had as a member; empty for a ban stored before names were kept, or
    /// of someone banned before they ever joined.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
}

/// A member as the room's member list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomUser {
    pub user_id: Id,
    /// The name others see (the display name).
    pub username: String,
    /// The account name, which `@mentions` match; empty until the member's first
    /// arrival after it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handle: String,
    pub role: Role,
    /// Has at least one socket open to the room now.
    pub online: bool,
    /// The member's global status as their inbox last relayed it (offline when the room
    /// never heard).
    #[serde(default = "offline")]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
}

fn offline() -> Status {
    Status::Offline
}
