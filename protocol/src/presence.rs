use serde::{Deserialize, Serialize};

/// A user's global status, owned by their inbox and relayed to their rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Online,
    Away,
    Offline,
}
