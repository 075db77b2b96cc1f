use serde::{Deserialize, Serialize};

/// A user's global status, owned by their inbox and relayed to their rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Online,
    Away,
    Offline,
}

/// Why the inbox tells the user about a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// The room went from read to unread.
    Unread,
    /// A message mentions the user.
    Mention,
}
