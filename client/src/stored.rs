//! What this browser keeps for a user's rooms across reloads, in `localStorage`: each
//! room's outbox (messages not yet acknowledged) and its draft (what the composer held),
//! and the room the user last had open, which `/` opens again.

use crate::state::Pending;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn outbox_key(user_id: &str, room: &str) -> String {
    format!("edgechat.outbox.{user_id}.{room}")
}

fn draft_key(user_id: &str, room: &str) -> String {
    format!("edgechat.draft.{user_id}.{room}")
}

pub fn outbox(user_id: &str, room: &str) -> Vec<Pending> {
    storage()
        .and_then(|s| s.get_item(&outbox_key(user_id, room)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

pub fn save_outbox(user_id: &str, room: &str, outbox: &[Pending]) {
    let Some(storage) = storage() else {
        return;
    };
    let key = outbox_key(user_id, room);
    let _ = if outbox.is_empty() {
        storage.remove_item(&key)
    } else {
        match serde_json::to_string(outbox) {
            Ok(json) => storage.set_item(&key, &json),
            Err(_) => Ok(()),
        }
    };
}

/// The rooms whose outbox holds something for `user_id`.
pub fn rooms_with_outbox(user_id: &str) -> Vec<String> {
    let Some(storage) = storage() else {
        return Vec::new();
    };
    let prefix = outbox_key(user_id, "");
    (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|key| key.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

pub fn draft(user_id: &str, room: &str) -> String {
    storage()
        .and_then(|s| s.get_item(&draft_key(user_id, room)).ok().flatten())
        .unwrap_or_default()
}

pub fn save_draft(user_id: &str, room: &str, text: &str) {
    if let Some(storage) = storage() {
        let key = draft_key(user_id, room);
        let _ = if text.is_empty() {
            storage.remove_item(&key)
        } else {
            storage.set_item(&key, text)
        };
    }
}

fn last_room_key(user_id: &str) -> String {
    format!("edgechat.last.{user_id}")
}

/// The room `user_id` last had open in this browser.
pub fn last_room(user_id: &str) -> Option<String> {
    storage()?.get_item(&last_room_key(user_id)).ok().flatten()
}

pub fn save_last_room(user_id: &str, room: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&last_room_key(user_id), room);
    }
}
