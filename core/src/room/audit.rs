//! The audit log as the room writes it (docs/api.md, "Audit log"): every moderation and
//! administration act, recorded in the step that does it, with who, what, whom, when and
//! how it came ([`Via`]). Most acts are durable events, recorded by `publish` through
//! [`audited`], which names every event (no `_ =>`), so a new event must say whether it
//! is an act; hooks, exports and imports, which are not events, record themselves.

use edgechat_protocol::{Id, RoomEvent};
use serde_json::{Value, json};

use super::Room;
use crate::store::{AuditRow, Sql, StoreError};

/// How the act being carried out came to the room: an HTTP request (its id), or a
/// socket's frame (the connection's id and the frame's `reqId`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Via {
    pub request_id: String,
    pub conn: String,
    pub req_id: String,
}

impl Via {
    /// An act asked for over HTTP, in the request `request_id`.
    pub fn request(request_id: &str) -> Self {
        Self {
            request_id: request_id.to_owned(),
            ..Self::default()
        }
    }

    /// An act asked for by a frame on socket `conn`.
    pub(super) fn frame(conn: &str, req_id: Option<&str>) -> Self {
        Self {
            conn: conn.to_owned(),
            req_id: req_id.unwrap_or_default().to_owned(),
            ..Self::default()
        }
    }
}

/// The act `event` records, if it is one: its action (the event's `type`), who did it,
/// to whom, and its particulars. A deletion by its author, and every event that is not
/// a moderator's or an admin's, records nothing.
fn audited(event: &RoomEvent) -> Option<(&'static str, Id, Id, Value)> {
    Some(match event {
        RoomEvent::UserMuted {
            user_id, until, by, ..
        } => (
            "user-muted",
            by.clone(),
            user_id.clone(),
            json!({ "until": until }),
        ),
        RoomEvent::UserUnmuted { user_id, by, .. } => {
            ("user-unmuted", by.clone(), user_id.clone(), json!({}))
        }
        RoomEvent::UserBanned { user_id, by, .. } => {
            ("user-banned", by.clone(), user_id.clone(), json!({}))
        }
        RoomEvent::UserUnbanned { user_id, by, .. } => {
            ("user-unbanned", by.clone(), user_id.clone(), json!({}))
        }
        RoomEvent::UserKicked { user_id, by, .. } => {
            ("user-kicked", by.clone(), user_id.clone(), json!({}))
        }
        RoomEvent::RoleChanged {
            user_id, role, by, ..
        } => (
            "role-changed",
            by.clone(),
            user_id.clone(),
            json!({ "role": role }),
        ),
        RoomEvent::SlowModeChanged { seconds, by, .. } => (
            "slow-mode-changed",
            by.clone(),
            String::new(),
            json!({ "seconds": seconds }),
        ),
        RoomEvent::RoomUpdated {
            name,
            topic,
            capacity,
            by,
            ..
        } => (
            "room-updated",
            by.clone(),
            String::new(),
            json!({ "name": name, "topic": topic, "capacity": capacity }),
        ),
        RoomEvent::MessagePinned { message_id, by, .. } => (
            "message-pinned",
            by.clone(),
            String::new(),
            json!({ "messageId": message_id }),
        ),
        RoomEvent::MessageUnpinned { message_id, by, .. } => (
            "message-unpinned",
            by.clone(),
            String::new(),
            json!({ "messageId": message_id }),
        ),
        // The author is filled in by `audit_event`, which can read the message.
        RoomEvent::MessageDeleted { message_id, by, .. } if !by.is_empty() => (
            "message-deleted",
            by.clone(),
            String::new(),
            json!({ "messageId": message_id }),
        ),
        RoomEvent::MessageDeleted { .. }
        | RoomEvent::NewMessage(_)
        | RoomEvent::UserJoined { .. }
        | RoomEvent::UserLeft { .. }
        | RoomEvent::MessageEdited { .. }
        | RoomEvent::ReactionUpdated { .. }
        | RoomEvent::UserInvited { .. }
        | RoomEvent::LinkPreview { .. } => return None,
    })
}

impl<S: Sql> Room<S> {
    /// Says how the acts that follow came (the door, before an HTTP call reaches the
    /// room; each frame sets its own).
    pub fn acting(&mut self, via: Via) {
        self.via = via;
    }

    /// Records the act `event` is, if it is one, before it is stored.
    pub(super) fn audit_event(&mut self, event: &RoomEvent) -> Result<(), StoreError> {
        let Some((action, actor, mut target, detail)) = audited(event) else {
            return Ok(());
        };
        if let RoomEvent::MessageDeleted { message_id, .. } = event {
            // Whose words a moderator deleted: the message is still there to ask.
            target = self
                .store
                .message(message_id)?
                .map(|m| m.user_id)
                .unwrap_or_default();
        }
        self.audit(&actor, action, &target, detail)
    }

    /// Records an act: `actor` did `action` to `target`, with `detail`.
    pub(super) fn audit(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        detail: Value,
    ) -> Result<(), StoreError> {
        self.store.add_audit(&AuditRow {
            id: 0,
            at: self.now,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail: detail.to_string(),
            request_id: self.via.request_id.clone(),
            conn: self.via.conn.clone(),
            req_id: self.via.req_id.clone(),
        })
    }
}
