//! What the write-behind owes besides the log: membership changes D1 must have ahead of
//! every message (they authorize its reads), and notifications for members' inboxes.

use edgechat_protocol::{Id, Millis, Role, Seq, ServerMsg};

use super::{Sql, Store, StoreError, to_json};

const MEMBERSHIP_UNSYNCED: &str = "SELECT u.user_id, u.seq, m.username, m.role,
       EXISTS (SELECT 1 FROM banned b WHERE b.user_id = u.user_id),
       (SELECT t.until FROM muted t WHERE t.user_id = u.user_id)
     FROM membership_unsynced u LEFT JOIN members m ON m.user_id = u.user_id
     ORDER BY u.seq LIMIT ?";
const MEMBERSHIP_SYNCED: &str = "DELETE FROM membership_unsynced WHERE user_id = ? AND seq <= ?";
const ANY_MEMBERSHIP_UNSYNCED: &str = "SELECT 1 FROM membership_unsynced LIMIT 1";
const QUEUE: &str = "INSERT INTO outbox (user_id, body) VALUES (?, ?)";
const OUTBOX: &str = "SELECT id, user_id, body FROM outbox ORDER BY id LIMIT ?";
const DELIVERED: &str = "DELETE FROM outbox WHERE id = ?";
const UNDELIVERED: &str = "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?";
const GIVE_UP: &str = "DELETE FROM outbox WHERE id = ? AND attempts >= ?";
const ANY_OUTBOX: &str = "SELECT 1 FROM outbox LIMIT 1";

/// Deliveries to one inbox tried this often before they are given up.
pub const OUTBOX_ATTEMPTS: u64 = 5;

/// One member's standing in the room now, for D1, with the seq of the newest change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub user_id: Id,
    pub seq: Seq,
    /// Their name and role while a member; `None` once they are not.
    pub member: Option<(String, Role)>,
    pub banned: bool,
    pub muted_until: Option<Millis>,
}

/// Notifications waiting for one inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub id: u64,
    pub user_id: Id,
    /// The events as queued: a JSON array of `ServerMsg`, handed to the inbox as it is.
    /// The room never reads them back, so it needs no decoder for them.
    pub events: String,
}

impl<S: Sql> Store<S> {
    /// Up to `limit` members whose standing changed since D1 last had it, oldest change
    /// first, each as it stands now.
    pub fn membership_unsynced(&self, limit: usize) -> Result<Vec<Membership>, StoreError> {
        self.sql
            .run(MEMBERSHIP_UNSYNCED, &[(limit as u64).into()])?
            .iter()
            .map(|row| {
                let member = if row.is_null(2) {
                    None
                } else {
                    let role = serde_json::from_str(row.text(3)?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Some((row.text(2)?.to_owned(), role))
                };
                Ok(Membership {
                    user_id: row.text(0)?.to_owned(),
                    seq: row.uint(1)?,
                    member,
                    banned: row.uint(4)? == 1,
                    muted_until: (!row.is_null(5)).then(|| row.uint(5)).transpose()?,
                })
            })
            .collect()
    }

    /// D1 has these standings: forgotten, unless a newer change came meanwhile.
    pub fn membership_synced(&self, synced: &[Membership]) -> Result<(), StoreError> {
        for m in synced {
            self.exec(MEMBERSHIP_SYNCED, &[(&m.user_id).into(), m.seq.into()])?;
        }
        Ok(())
    }

    /// Queues `events` for `user_id`'s inbox.
    pub fn queue_notifications(
        &self,
        user_id: &str,
        events: &[ServerMsg],
    ) -> Result<(), StoreError> {
        self.exec(QUEUE, &[user_id.into(), to_json(&events)?.into()])
    }

    /// The oldest `limit` deliveries waiting.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Outgoing>, StoreError> {
        self.sql
            .run(OUTBOX, &[(limit as u64).into()])?
            .iter()
            .map(|row| {
                Ok(Outgoing {
                    id: row.uint(0)?,
                    user_id: row.text(1)?.to_owned(),
                    events: row.text(2)?.to_owned(),
                })
            })
            .collect()
    }

    /// A delivery that arrived, or failed: kept for another try until it has failed
    /// [`OUTBOX_ATTEMPTS`] times.
    pub fn delivered(&self, id: u64, arrived: bool) -> Result<(), StoreError> {
        if arrived {
            return self.exec(DELIVERED, &[id.into()]);
        }
        self.exec(UNDELIVERED, &[id.into()])?;
        self.exec(GIVE_UP, &[id.into(), OUTBOX_ATTEMPTS.into()])
    }

    /// Whether membership or notifications wait.
    pub(super) fn owes(&self) -> Result<bool, StoreError> {
        Ok(self.one(ANY_MEMBERSHIP_UNSYNCED, &[])?.is_some()
            || self.one(ANY_OUTBOX, &[])?.is_some())
    }
}
