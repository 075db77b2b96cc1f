//! What a room tells its members' inboxes after each write-behind batch.

use worker::Result;

use super::{Room, archive::Flushed};
use crate::stubs::InboxStub;

impl Room {
    /// Tells the inboxes of members who are not here what the batch means for them: the
    /// room went unread or has more unread (with the count), or a message mentions
    /// them; and welcomes new members. Batched per
    /// user, bounded per flush; a failure only costs a notification.
    pub(super) async fn notify(
        &self,
        db: &worker::D1Database,
        info: &edgechat_protocol::RoomInfo,
        flushed: &Flushed,
    ) {
        use std::collections::BTreeMap;

        use edgechat_protocol::{NotificationKind, ServerMsg};
        let mut outbox: BTreeMap<String, Vec<ServerMsg>> = BTreeMap::new();
        for user_id in &flushed.welcomed {
            outbox
                .entry(user_id.clone())
                .or_default()
                .push(ServerMsg::RoomCreated { room: info.clone() });
        }
        type Counts = Vec<(String, u64, u64)>;
        let (unread, here): (Counts, std::collections::BTreeSet<String>) = match self
            .core
            .borrow()
            .as_ref()
        {
            Some(core) => (
                core.unread_counts(flushed.after, flushed.through, !flushed.messages.is_empty())
                    .unwrap_or_else(|err| {
                        worker::console_error!("room: unread counts: {err}");
                        Vec::new()
                    }),
                core.connected(),
            ),
            None => (Vec::new(), Default::default()),
        };
        // In a conversation (direct or group) the newest message from someone else rides
        // along, so the user's devices can be pushed what it says.
        let conversation = matches!(
            info.kind,
            edgechat_protocol::RoomKind::Direct | edgechat_protocol::RoomKind::Group
        );
        for (user_id, seq, count) in unread {
            let newest = flushed
                .messages
                .iter()
                .rev()
                .find(|m| conversation && m.user_id != user_id);
            outbox
                .entry(user_id)
                .or_default()
                .push(ServerMsg::Notification {
                    room_id: info.room_id.clone(),
                    kind: NotificationKind::Unread,
                    seq,
                    message_id: newest.map(|m| m.message_id.clone()),
                    from: newest.map(|m| m.username.clone()),
                    excerpt: newest.map(|m| m.text.chars().take(140).collect()),
                    unread_count: Some(count),
                });
        }
        if !flushed.messages.is_empty() {
            #[derive(serde::Deserialize)]
            struct Mention {
                message_id: String,
                user_id: String,
            }
            let ids: Vec<&str> = flushed
                .messages
                .iter()
                .map(|m| m.message_id.as_str())
                .collect();
            let mentions: Vec<Mention> = match db
                .prepare("SELECT message_id, user_id FROM mentions WHERE message_id IN (SELECT value FROM json_each(?1))")
                .bind(&[wasm_bindgen::JsValue::from_str(&serde_json::to_string(&ids).unwrap_or_default())])
            {
                Ok(statement) => match statement.all().await {
                    Ok(result) => result.results().unwrap_or_default(),
                    Err(_) => Vec::new(),
                },
                Err(_) => Vec::new(),
            };
            for mention in mentions {
                let Some(message) = flushed
                    .messages
                    .iter()
                    .find(|m| m.message_id == mention.message_id)
                else {
                    continue;
                };
                if here.contains(&mention.user_id) || mention.user_id == message.user_id {
                    continue;
                }
                outbox
                    .entry(mention.user_id)
                    .or_default()
                    .push(ServerMsg::Notification {
                        room_id: info.room_id.clone(),
                        kind: NotificationKind::Mention,
                        seq: message.seq,
                        message_id: Some(message.message_id.clone()),
                        from: Some(message.username.clone()),
                        excerpt: Some(message.text.chars().take(140).collect()),
                        unread_count: None,
                    });
            }
        }
        // Queued in the room's storage, however many: delivered a bounded number per
        // round by `deliver_outbox`, so none is dropped and no round grows with them.
        let store = self.store();
        for (user_id, events) in outbox {
            if let Err(err) = store.queue_notifications(&user_id, &events) {
                worker::console_error!("room {}: queueing for {user_id}: {err}", info.room_id);
            }
        }
    }

    /// Delivers up to `NOTIFY_PER_ROUND` queued notifications to their inboxes; the
    /// alarm comes back for the rest. A failed delivery is tried again in a later round,
    /// a few times.
    pub(super) async fn deliver_outbox(&self) -> Result<()> {
        let store = self.store();
        let due = store.outbox(self.notify_per_round).map_err(super::stored)?;
        let mut statuses = Vec::new();
        for outgoing in due {
            let arrived = match self.deliver(&outgoing.user_id, outgoing.events).await {
                Ok(status) => {
                    statuses.extend(status);
                    true
                }
                Err(err) => {
                    worker::console_warn!("room: notifying {} failed: {err}", outgoing.user_id);
                    false
                }
            };
            store
                .delivered(outgoing.id, arrived)
                .map_err(super::stored)?;
        }
        // Each inbox answers with the user's status: a room that had not heard it (an
        // invitee, a relay that missed the room) learns here whether their room list is
        // open, and so whether later batches tell them the count.
        let room = self.room_id();
        for status in statuses {
            // Boxed: a step may flush, and a flush delivers.
            Box::pin(self.run(
                &room,
                None,
                edgechat_core::Command::Status(status),
                worker::Date::now().as_millis(),
            ))
            .await;
        }
        Ok(())
    }

    /// Hands `events` to the inbox of `user_id`; its answer is the user's status.
    async fn deliver(
        &self,
        user_id: &str,
        events: String,
    ) -> Result<Option<edgechat_protocol::ServerMsg>> {
        let mut response = InboxStub::new(&self.env, user_id)?
            .deliver(user_id, events)
            .await?;
        if response.status_code() >= 300 {
            return Err(worker::Error::RustError(format!(
                "the inbox answered {}",
                response.status_code()
            )));
        }
        Ok(response
            .json::<crate::stubs::Carried>()
            .await
            .ok()
            .map(|carried| carried.0)
            .filter(|msg| matches!(msg, edgechat_protocol::ServerMsg::UserStatus { .. })))
    }
}
