//! The write-behind's view of the store: what D1 still lacks, and compaction of what
//! it has.

use edgechat_protocol::{Id, Message, Millis, RoomEvent, Seq};

use super::{Sql, Store, StoreError};

const ARCHIVED: &str = "SELECT seq FROM archive WHERE key = ?";
const SET_ARCHIVED: &str = "INSERT INTO archive (key, seq) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET seq = MAX(archive.seq, excluded.seq)";
/// Both read `(after, after + limit]`: together they hold at most `limit` seqs.
const EVENTS_AFTER: &str =
    "SELECT body, at FROM events WHERE seq > ?1 AND seq <= ?1 + ?2 ORDER BY seq LIMIT ?2";
/// A message's time is when it was stored.
const MESSAGES_AFTER: &str =
    "SELECT body FROM messages WHERE seq > ?1 AND seq <= ?1 + ?2 ORDER BY seq LIMIT ?2";
const UNSYNCED_MARKS: &str = "SELECT user_id, seq FROM read_marks WHERE synced = 0 LIMIT 500";
const MARK_SYNCED: &str = "UPDATE read_marks SET synced = 1 WHERE user_id = ? AND seq = ?";
const ANY_UNSYNCED: &str = "SELECT 1 FROM read_marks WHERE synced = 0 LIMIT 1";
const ANY_DOOMED: &str = "SELECT 1 FROM doomed LIMIT 1";
const COMPACT: &str = "DELETE FROM events WHERE seq <= ?";
const LOG_TAIL: &str = "SELECT COALESCE(MIN(seq), 0) FROM events";
/// Events one compaction deletes at most, so a room just upgraded from a long log sheds
/// it over several write-behind rounds rather than in one long statement.
const COMPACT_BATCH: u64 = 10_000;
const LOG_LEN: &str = "SELECT COUNT(*) FROM events";
/// Members whose first unread message (other users', not deleted, above their read
/// mark) lies in `(after, through]`: one statement, each member's answer from the index.
const UNREAD_TRANSITIONS: &str = "SELECT user_id, first FROM (
       SELECT m.user_id AS user_id, (
         SELECT g.seq FROM messages g
         WHERE g.seq > COALESCE((SELECT r.seq FROM read_marks r WHERE r.user_id = m.user_id), 0)
           AND g.deleted = 0 AND g.user_id != m.user_id
         ORDER BY g.seq LIMIT 1
       ) AS first
       FROM members m
     ) WHERE first > ? AND first <= ?";

/// An event waiting to be copied to D1, and when it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub event: RoomEvent,
    pub at: Millis,
}

impl Pending {
    /// A message as its log entry: stored when it was sent.
    fn message(message: Message) -> Self {
        Self {
            at: message.timestamp,
            event: RoomEvent::NewMessage(message),
        }
    }
}

impl<S: Sql> Store<S> {
    /// The highest seq D1 has.
    pub fn archived(&self) -> Result<Seq, StoreError> {
        self.one(ARCHIVED, &["d1".into()])?
            .map_or(Ok(0), |row| row.uint(0))
    }

    pub fn set_archived(&self, seq: Seq) -> Result<(), StoreError> {
        self.exec(SET_ARCHIVED, &["d1".into(), seq.into()])
    }

    /// Up to `limit` events after `after`, in seq order.
    pub fn pending(&self, after: Seq, limit: usize) -> Result<Vec<Pending>, StoreError> {
        self.log_after(after, limit)
    }

    /// The room's history after `after` as durable events, up to `limit` in seq order:
    /// the log's rows and the messages' (each message as it stands now, a
    /// [`RoomEvent::NewMessage`] at its seq). Each seq is in one of the two, except a
    /// message stored by a build before schema 10, whose event as first sent the log may
    /// still hold until compaction: the message's row is taken, as it stands now.
    pub(super) fn log_after(&self, after: Seq, limit: usize) -> Result<Vec<Pending>, StoreError> {
        let bounds = [after.into(), (limit as u64).into()];
        let messages: Vec<Message> = self
            .sql
            .run(MESSAGES_AFTER, &bounds)?
            .iter()
            .map(|row| row.json(0))
            .collect::<Result<_, _>>()?;
        let mut messages = messages.into_iter().peekable();
        let mut merged = Vec::new();
        for row in self.sql.run(EVENTS_AFTER, &bounds)? {
            let event: RoomEvent = row.json(0)?;
            let seq = event.seq();
            while let Some(message) = messages.next_if(|m| m.seq < seq) {
                merged.push(Pending::message(message));
            }
            // A message's row stands for it, rather than the log's old copy of its send.
            match messages.next_if(|m| m.seq == seq) {
                Some(message) => merged.push(Pending::message(message)),
                None => merged.push(Pending {
                    event,
                    at: row.uint(1)?,
                }),
            }
        }
        merged.extend(messages.map(Pending::message));
        merged.truncate(limit);
        Ok(merged)
    }

    /// Read marks D1 does not have yet (a batch of them).
    pub fn unsynced_read_marks(&self) -> Result<Vec<(Id, Seq)>, StoreError> {
        self.sql
            .run(UNSYNCED_MARKS, &[])?
            .iter()
            .map(|row| Ok((row.text(0)?.to_owned(), row.uint(1)?)))
            .collect()
    }

    /// Marks read marks as in D1, unless they moved on meanwhile.
    pub fn read_marks_synced(&self, marks: &[(Id, Seq)]) -> Result<(), StoreError> {
        for (user_id, seq) in marks {
            self.exec(MARK_SYNCED, &[user_id.into(), (*seq).into()])?;
        }
        Ok(())
    }

    /// Whether anything waits for D1 (or R2).
    pub fn has_pending(&self) -> Result<bool, StoreError> {
        Ok(self.archived()? < self.head()?
            || self.one(ANY_UNSYNCED, &[])?.is_some()
            || self.one(ANY_DOOMED, &[])?.is_some()
            || self.one(super::audit::ANY_AUDIT, &[])?.is_some()
            || self.owes()?)
    }

    /// Deletes the log's events that D1 has and that are older than the newest
    /// `keep` (the replay window): the log then grows with what is recent, not with
    /// every edit and reaction ever made; at most `COMPACT_BATCH` events a call. Returns
    /// the seq compacted through.
    pub fn compact(&self, keep: usize) -> Result<Seq, StoreError> {
        // A log still being folded into the tables is the only copy of its events.
        if self.migration()? != super::schema::Migration::Done {
            return Ok(0);
        }
        // The newest event of the log always stays: the head is the newest of it and of
        // the messages, which are never compacted.
        let oldest = self.one(LOG_TAIL, &[])?.map_or(Ok(0), |row| row.uint(0))?;
        let through = self
            .archived()?
            .min(self.head()?.saturating_sub(keep.max(1) as u64))
            .min(oldest.saturating_add(COMPACT_BATCH));
        if through >= oldest && through > 0 {
            self.exec(COMPACT, &[through.into()])?;
        }
        Ok(through)
    }

    /// How many events the log holds now.
    pub fn log_len(&self) -> Result<u64, StoreError> {
        self.one(LOG_LEN, &[])?.map_or(Ok(0), |row| row.uint(0))
    }

    /// Members whose first unread message is in `(after, through]`, with its seq.
    pub fn unread_transitions(
        &self,
        after: Seq,
        through: Seq,
    ) -> Result<Vec<(Id, Seq)>, StoreError> {
        self.sql
            .run(UNREAD_TRANSITIONS, &[after.into(), through.into()])?
            .iter()
            .map(|row| Ok((row.text(0)?.to_owned(), row.uint(1)?)))
            .collect()
    }
}
