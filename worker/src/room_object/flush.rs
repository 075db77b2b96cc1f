//! The room's write-behind as the object runs it: copying what D1 lacks from the alarm,
//! and keeping that one alarm armed for the soonest thing due.

use edgechat_protocol::Millis;
use worker::Date;

use super::{Room, archive, stored};

impl Room {
    /// Copies what D1 lacks, batch after batch, then compacts the log. A failure is
    /// logged and retried from the alarm; nothing waits on it.
    pub(super) async fn archive(&self, info: &edgechat_protocol::RoomInfo) {
        if self.flushing.replace(true) {
            return;
        }
        let db = match self.env.d1("DB") {
            Ok(db) => db,
            Err(err) => {
                self.flushing.set(false);
                worker::console_error!("room {}: no D1: {err}", info.room_id);
                return;
            }
        };
        let store = self.store();
        // Membership first, on its own: a ban reaches D1 whatever the log's batches do.
        let synced = archive::sync_membership(&store, &db, info, Date::now().as_millis()).await;
        let copied = async {
            archive::purge(&store, &db, &self.env.bucket("FILES")?).await?;
            for _ in 0..20 {
                let flushed = archive::flush(
                    &store,
                    &db,
                    info,
                    self.archive_batch,
                    self.archive_batch_bytes,
                    self.faults.get().fail_batches,
                )
                .await?;
                self.notify(&db, info, &flushed).await;
                if !flushed.more {
                    break;
                }
                // A ban stored while that batch was on its way goes ahead of the next.
                archive::sync_membership(&store, &db, info, Date::now().as_millis()).await?;
            }
            // What D1 has, beyond the replay window, leaves the log.
            store.compact(self.limits.max_replay).map_err(stored)?;
            Ok::<_, worker::Error>(())
        }
        .await;
        let delivered = self.deliver_outbox().await;
        let result = synced.map(drop).and(copied).and(delivered);
        self.flushing.set(false);
        match result {
            Ok(()) => self.archive_backoff.set(None),
            Err(err) => {
                worker::console_error!(
                    "room {}: D1 write-behind failed, will retry: {err}",
                    info.room_id
                );
                self.archive_backoff
                    .set(Some(Date::now().as_millis() + self.archive_retry_ms));
            }
        }
    }

    pub(super) async fn arm(&self, deadline: Option<Millis>, now: Millis) {
        // Under load the alarm is already set within the write-behind's delay: then
        // nothing below could set it sooner, and storage need not be asked.
        let soonest = deadline
            .into_iter()
            .chain(self.archive_backoff.get())
            .fold(now + self.archive_delay_ms, Millis::min);
        if self.armed.get().is_some_and(|armed| armed <= soonest) {
            return;
        }
        let archive_due = match self.store().has_pending() {
            Ok(true) => Some(
                self.archive_backoff
                    .get()
                    .unwrap_or(now + self.archive_delay_ms),
            ),
            _ => None,
        };
        let Some(at) = deadline.into_iter().chain(archive_due).min() else {
            return;
        };
        if self.armed.get().is_some_and(|armed| armed <= at) {
            return;
        }
        let offset = at.saturating_sub(now) as i64;
        match self.state.storage().set_alarm(offset).await {
            Ok(()) => self.armed.set(Some(at)),
            Err(err) => worker::console_error!("room: cannot set alarm: {err}"),
        }
    }
}
