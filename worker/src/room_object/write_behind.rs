//! The room's write-behind as the object runs it: copying what D1 lacks from the alarm,
//! and keeping that one alarm armed for the soonest thing due.

use edgechat_core::Schedule;
use edgechat_protocol::Millis;
use worker::Date;

use super::{Room, archive, stored};

impl Room {
    /// Copies what D1 lacks, batch after batch, then compacts the log. A failure is
    /// logged and retried from the alarm; nothing waits on it.
    pub(super) async fn write_behind(&self, info: &edgechat_protocol::RoomInfo) {
        if self.writing_behind.replace(true) {
            return;
        }
        let db = match self.env.d1("DB") {
            Ok(db) => db,
            Err(err) => {
                self.writing_behind.set(false);
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
                let copied = archive::copy_batch(
                    &store,
                    &db,
                    info,
                    self.archive_batch,
                    self.archive_batch_bytes,
                    self.faults().fail_batches,
                )
                .await?;
                self.notify(&db, info, &copied).await;
                if !copied.more {
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
        self.writing_behind.set(false);
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

    /// Sets the one alarm for what the core says is due next (its own deadlines and the
    /// write-behind's), unless the alarm already set comes first.
    pub(super) async fn arm(&self, now: Millis) {
        let schedule = Schedule {
            now,
            delay_ms: self.archive_delay_ms,
            retry_at: self.archive_backoff.get(),
            armed: self.armed.get(),
        };
        let due = match self.core.borrow().as_ref() {
            // The step before is stored already: a failure to read what is due must not
            // undo its answers; the alarm just comes back soon.
            Some(core) => core.alarm(&schedule).unwrap_or_else(|err| {
                worker::console_error!("room: next deadline unknown, retrying: {err}");
                Some(now + self.archive_retry_ms)
            }),
            None => None,
        };
        if let Some(at) = due {
            self.arm_at(at, now).await;
        }
    }

    /// Sets the alarm for `at` (what the core asked, an upgrade's next chunk, a load to
    /// try again), unless the alarm already set comes first.
    pub(super) async fn arm_at(&self, at: Millis, now: Millis) {
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
