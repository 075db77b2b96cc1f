//! What the write-behind owes besides the log: membership changes D1 must have ahead of
//! every message (they authorize its reads), and notifications for members' inboxes.

use edgechat_protocol::{Id, Millis, Role, Seq, ServerMsg};

use super::{Sql, Store, StoreError, Value, to_json};

const MEMBERSHIP_UNSYNCED: &str = "SELECT u.user_id, u.seq, m.username, m.role,
       EXISTS (SELECT 1 FROM banned b WHERE b.user_id = u.user_id),
       (SELECT t.until FROM muted t WHERE t.user_id = u.user_id)
     FROM membership_unsynced u LEFT JOIN members m ON m.user_id = u.user_id
     ORDER BY u.seq LIMIT ?";
const MEMBERSHIP_SYNCED: &str = "DELETE FROM membership_unsynced WHERE user_id = ? AND seq <= ?";
const ANY_MEMBERSHIP_UNSYNCED: &str = "SELECT 1 FROM membership_unsynced LIMIT 1";
/// A user's owed unread count: the newest seq it is as of, and the newest message to name
/// (in a conversation); the first one owed keeps its place in the queue.
const OWE_UNREAD: &str = "INSERT INTO owed (user_id, unread_seq, newest_id, newest_from, newest_excerpt)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(user_id) DO UPDATE SET unread_seq = MAX(COALESCE(owed.unread_seq, 0), excluded.unread_seq),
         newest_id = COALESCE(excluded.newest_id, owed.newest_id),
         newest_from = COALESCE(excluded.newest_from, owed.newest_from),
         newest_excerpt = COALESCE(excluded.newest_excerpt, owed.newest_excerpt)";
/// One more notification after those owed, unless as many as are kept are owed already.
const OWE_EVENT: &str =
    "INSERT INTO owed (user_id, events, event_count) VALUES (?1, json_array(json(?2)), 1)
     ON CONFLICT(user_id) DO UPDATE SET events = json_insert(owed.events, '$[#]', json(?2)),
         event_count = owed.event_count + 1
     WHERE owed.event_count < ?3";
const OWED: &str = "SELECT user_id, unread_seq, newest_id, newest_from, newest_excerpt, events
     FROM owed ORDER BY rowid LIMIT ?";
const DELIVERED: &str = "DELETE FROM owed WHERE user_id = ?";
const UNDELIVERED: &str = "UPDATE owed SET attempts = attempts + 1 WHERE user_id = ?";
const GIVE_UP: &str = "DELETE FROM owed WHERE user_id = ? AND attempts >= ?";
const ANY_OWED: &str = "SELECT 1 FROM owed LIMIT 1";

/// Deliveries to one inbox tried this often before they are given up.
pub const OUTBOX_ATTEMPTS: u64 = 5;

/// The most notifications besides the unread count (mentions, `room-created`) owed to
/// one user: past it, more are not kept. The unread count says what they missed anyway.
pub const OWED_EVENTS_PER_USER: usize = 20;

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

/// The message an unread count names, in a conversation, so a device can be pushed what
/// it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Newest {
    pub message_id: Id,
    pub from: String,
    pub excerpt: String,
}

/// What one member's inbox is owed, coalesced: the unread count (computed when it goes,
/// so it is the count then, never a stale one) and the other notifications, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    pub user_id: Id,
    /// The seq the unread count is owed as of, and the newest message to name with it,
    /// if any.
    pub unread: Option<(Seq, Option<Newest>)>,
    /// The other notifications: a JSON array of `ServerMsg`, handed to the inbox as it is.
    /// The room never decodes them, so it needs no decoder for them.
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

    /// `user_id` is owed their unread count as of `seq` (with the newest message of a
    /// conversation to name): a count already owed is replaced, so a member told after
    /// every batch has one row, however far the deliveries fall behind.
    pub fn owe_unread(
        &self,
        user_id: &str,
        seq: Seq,
        newest: Option<&Newest>,
    ) -> Result<(), StoreError> {
        let text = |field: fn(&Newest) -> &str| newest.map_or(Value::Null, |n| field(n).into());
        self.exec(
            OWE_UNREAD,
            &[
                user_id.into(),
                seq.into(),
                text(|n| &n.message_id),
                text(|n| &n.from),
                text(|n| &n.excerpt),
            ],
        )
    }

    /// Queues `events` for `user_id`'s inbox after those owed already, while fewer than
    /// [`OWED_EVENTS_PER_USER`] are.
    pub fn owe_events(&self, user_id: &str, events: &[ServerMsg]) -> Result<(), StoreError> {
        for event in events {
            self.exec(
                OWE_EVENT,
                &[
                    user_id.into(),
                    to_json(event)?.into(),
                    (OWED_EVENTS_PER_USER as u64).into(),
                ],
            )?;
        }
        Ok(())
    }

    /// The `limit` members owed longest.
    pub fn owed(&self, limit: usize) -> Result<Vec<Owed>, StoreError> {
        self.sql
            .run(OWED, &[(limit as u64).into()])?
            .iter()
            .map(|row| {
                let unread = if row.is_null(1) {
                    None
                } else {
                    let newest = if row.is_null(2) {
                        None
                    } else {
                        Some(Newest {
                            message_id: row.text(2)?.to_owned(),
                            from: row.text(3)?.to_owned(),
                            excerpt: row.text(4)?.to_owned(),
                        })
                    };
                    Some((row.uint(1)?, newest))
                };
                Ok(Owed {
                    user_id: row.text(0)?.to_owned(),
                    unread,
                    events: row.text(5)?.to_owned(),
                })
            })
            .collect()
    }

    /// What `user_id` was owed arrived, or failed: kept for another try until it has
    /// failed [`OUTBOX_ATTEMPTS`] times. Nothing is owed meanwhile: the write-behind that
    /// queues and the round that delivers take turns.
    pub fn delivered(&self, user_id: &str, arrived: bool) -> Result<(), StoreError> {
        if arrived {
            return self.exec(DELIVERED, &[user_id.into()]);
        }
        self.exec(UNDELIVERED, &[user_id.into()])?;
        self.exec(GIVE_UP, &[user_id.into(), OUTBOX_ATTEMPTS.into()])
    }

    /// Whether membership or notifications wait.
    pub(super) fn owes(&self) -> Result<bool, StoreError> {
        Ok(self.one(ANY_MEMBERSHIP_UNSYNCED, &[])?.is_some() || self.one(ANY_OWED, &[])?.is_some())
    }
}
