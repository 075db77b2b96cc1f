//! The room's write-behind as the object runs it: copying what D1 lacks from the alarm,
//! and keeping that one alarm armed for the soonest thing due.

use edgechat_core::Schedule;
use edgechat_protocol::Millis;
use worker::{Date, js_sys};

use super::{Room, archive, stored};

/// What one round of the write-behind copied.
#[derive(Default)]
struct Round {
    events: u64,
    messages: usize,
}

impl Room {
    /// Copies what D1 lacks, batch after batch, then compacts the log. A failure is
    /// logged and tried again from the alarm, later after each failure in a row (with
    /// jitter, so rooms that failed together do not return together); nothing waits on
    /// it, and what a failed round copied is copied again harmlessly.
    pub(super) async fn write_behind(&self, info: &edgechat_protocol::RoomInfo) {
        if self.writing_behind.replace(true) {
            return;
        }
        let start = Date::now().as_millis();
        let mut round = Round::default();
        let result = self.copy_round(info, &mut round).await;
        self.writing_behind.set(false);
        // Counted, never logged one by one: one line a round says what reached D1.
        if round.events > 0 {
            crate::log::info("write-behind")
                .with("room", info.room_id.as_str())
                .with("events", round.events)
                .with("messages", round.messages)
                .since(start)
                .emit();
        }
        match result {
            Ok(()) => {
                self.archive_failures.set(0);
                self.archive_backoff.set(None);
            }
            Err(err) => {
                // An overloaded D1 gets the longest wait at once, not a quick retry.
                let floor = if crate::storage::overloaded(&err) {
                    32
                } else {
                    0
                };
                let failures = self.archive_failures.get().saturating_add(1).max(floor);
                self.archive_failures.set(failures);
                let wait = edgechat_core::backoff::delay_ms(
                    failures,
                    self.archive_retry_ms,
                    self.archive_retry_max_ms,
                    js_sys::Math::random(),
                );
                crate::log::warn("write-behind-failed")
                    .with("room", info.room_id.as_str())
                    .with("failures", failures)
                    .with("retryInMs", wait)
                    .err(err)
                    .emit();
                self.archive_backoff
                    .set(Some(Date::now().as_millis() + wait));
            }
        }
    }

    /// One round of the write-behind: membership, the audit log, the log's batches
    /// (counted into `round`), the compaction, and the notifications owed.
    async fn copy_round(
        &self,
        info: &edgechat_protocol::RoomInfo,
        round: &mut Round,
    ) -> worker::Result<()> {
        let db = crate::storage::d1(&self.env)?;
        let store = self.store();
        // Membership first, on its own: a ban reaches D1 whatever the log's batches do.
        let synced = archive::sync_membership(&store, &db, info, Date::now().as_millis()).await;
        let forget_before = Date::now()
            .as_millis()
            .saturating_sub(self.limits.audit_ttl_ms);
        let audited = archive::copy_audit(&store, &db, info, forget_before).await;
        let copied = async {
            archive::purge(&store, &db, &crate::storage::r2(&self.env)?).await?;
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
                round.events += copied.through.saturating_sub(copied.after);
                round.messages += copied.messages.len();
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
        synced.map(drop).and(audited).and(copied).and(delivered)
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
                crate::log::error("alarm-unknown").err(err).emit();
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
            Err(err) => crate::log::error("alarm-not-set").err(err).emit(),
        }
    }
}
