//! Web Push: what a browser hands over to subscribe, and what a push carries to the
//! client's service worker (encrypted for that browser alone, RFC 8291).

use serde::{Deserialize, Serialize};

use crate::Id;

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it:
/// `POST /api/push/subscriptions` takes it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushSubscription {
    /// The push service's address for this browser (https).
    pub endpoint: String,
    pub keys: PushKeys,
}

/// The browser's keys, base64url: its P-256 public key (65 bytes, uncompressed) and its
/// 16-byte authentication secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// Why the user is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PushKind {
    /// A message mentions them.
    Mention,
    /// A new message in a direct or group conversation they are in.
    Direct,
}

/// The plaintext of a push: enough for the service worker to show a notification and
/// open the room when it is clicked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushMessage {
    pub kind: PushKind,
    pub room_id: Id,
    pub message_id: Id,
    /// The sender's display name.
    pub from: String,
    /// The message's first 140 characters.
    pub excerpt: String,
}
