//! What a room tells its members' inboxes after each write-behind batch: the core decides
//! who is owed what; this resolves mentions in D1 and carries the deliveries out.

use worker::Result;

use super::{Room, archive::Copied};
use crate::stubs::InboxStub;
use edgechat_protocol::frame;

/// Delivery rounds one alarm runs while each fills up and every delivery arrives: the
/// members of a busy room are all told within a second of the batch, and a round that
/// fails leaves the rest to the next alarm.
const ROUNDS_PER_ALARM: usize = 5;

impl Room {
    /// Records what the batch owes members' inboxes (the core decides who is owed what);
    /// the mentions it needs are resolved by D1. A failure only costs a notification.
    pub(super) async fn notify(
        &self,
        db: &worker::D1Database,
        info: &edgechat_protocol::RoomInfo,
        copied: &Copied,
    ) {
        let mentions = if copied.messages.is_empty() {
            Vec::new()
        } else {
            mentions(db, &copied.messages).await
        };
        let batch = edgechat_core::Batch {
            after: copied.after,
            through: copied.through,
            messages: &copied.messages,
            welcomed: &copied.welcomed,
            mentions: &mentions,
        };
        if let Some(core) = self.core.borrow().as_ref()
            && let Err(err) = core.owe_notifications(&batch)
        {
            crate::log::error("notify-unknown")
                .with("room", info.room_id.as_str())
                .err(err)
                .emit();
        }
    }

    /// Delivers what the members owed longest are owed, `NOTIFY_PER_ROUND` inboxes at once
    /// a round, round after round while every delivery arrives (at most
    /// [`ROUNDS_PER_ALARM`]); the alarm comes back for the rest. A failed delivery is tried
    /// again in a later alarm, a few times.
    pub(super) async fn deliver_outbox(&self) -> Result<()> {
        let mut statuses = Vec::new();
        for _ in 0..ROUNDS_PER_ALARM {
            let due = match self.core.borrow().as_ref() {
                Some(core) => core
                    .notifications_due(self.notify_per_round)
                    .map_err(super::stored)?,
                None => return Ok(()),
            };
            let full = due.len() >= self.notify_per_round;
            let deliveries = due.into_iter().map(|(user_id, events)| async move {
                let outcome = self.deliver(&user_id, events).await;
                (user_id, outcome)
            });
            let store = self.store();
            let mut failed = false;
            for (user_id, outcome) in futures_util::future::join_all(deliveries).await {
                let arrived = match outcome {
                    Ok(status) => {
                        statuses.extend(status);
                        true
                    }
                    Err(err) => {
                        crate::log::warn("notify-failed")
                            .with("userId", user_id.as_str())
                            .err(err)
                            .emit();
                        failed = true;
                        false
                    }
                };
                store.delivered(&user_id, arrived).map_err(super::stored)?;
            }
            if !full || failed {
                break;
            }
        }
        // Each inbox answers with the user's status: a room that had not heard it (an
        // invitee, a relay that missed the room) learns here whether their room list is
        // open, and so whether later batches tell them the count.
        let room = self.room_id();
        for status in statuses {
            // Boxed: a step may run the write-behind, and that delivers.
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
            .filter(|msg| {
                matches!(
                    msg,
                    edgechat_protocol::ServerMsg::UserStatus(frame::UserStatus { .. })
                )
            }))
    }
}

/// Who the new `messages` mention, as `(message id, user id)`, from the mention rows the
/// batch just wrote to D1; none when D1 cannot say.
async fn mentions(
    db: &worker::D1Database,
    messages: &[edgechat_protocol::Message],
) -> Vec<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Mention {
        message_id: String,
        user_id: String,
    }
    let ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    let Ok(ids) = serde_json::to_string(&ids) else {
        return Vec::new();
    };
    let statement = db
        .prepare("SELECT message_id, user_id FROM mentions WHERE message_id IN (SELECT value FROM json_each(?1))")
        .bind(&[wasm_bindgen::JsValue::from_str(&ids)]);
    let found: Vec<Mention> = match statement {
        Ok(statement) => match statement.all().await {
            Ok(result) => result.results().unwrap_or_default(),
            Err(_) => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    found
        .into_iter()
        .map(|m| (m.message_id, m.user_id))
        .collect()
}
