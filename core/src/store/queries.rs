//! What a step reads of the room's state, and the writes that are not events (read
//! marks, the room's info). Every read is by key or a bounded range of an index.

use std::collections::BTreeMap;

use edgechat_protocol::{Id, Message, Millis, RoomEvent, RoomInfo, Seq};

use super::{Sql, Store, StoreError, schema, to_json};

const GET_INFO: &str = "SELECT value FROM room WHERE key = ?";
const SET_INFO: &str = "INSERT INTO room (key, value) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";
/// The same expression as the partial index `messages_pinned`, which it reads alone.
const PINNED: &str = "SELECT body FROM messages WHERE json_extract(body, '$.pinned') = 1
     ORDER BY seq LIMIT ?";
const PINNED_COUNT: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM messages
     WHERE json_extract(body, '$.pinned') = 1 LIMIT ?)";
const MESSAGE: &str = "SELECT body FROM messages WHERE seq = ?";
const MESSAGES_BEFORE: &str = "SELECT body FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?";
const BY_CLIENT_ID: &str = "SELECT seq FROM messages WHERE user_id = ? AND client_msg_id = ?";
const READ_MARK: &str = "SELECT seq FROM read_marks WHERE user_id = ?";
const FURTHEST_READ_MARKS: &str = "SELECT r.user_id, r.seq FROM read_marks r
     JOIN members m ON m.user_id = r.user_id ORDER BY r.seq DESC LIMIT ?";
const SAVE_READ_MARK: &str = "INSERT INTO read_marks (user_id, seq) VALUES (?, ?)
     ON CONFLICT(user_id) DO UPDATE SET seq = MAX(read_marks.seq, excluded.seq), synced = 0";
const UNREAD_COUNT: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM messages
     WHERE seq > ? AND deleted = 0 AND user_id != ? ORDER BY seq LIMIT ?)";
const FIRST_UNREAD: &str = "SELECT seq FROM messages
     WHERE seq > ? AND deleted = 0 AND user_id != ? ORDER BY seq LIMIT 1";
const APPEND: &str = "INSERT INTO events (seq, body, at) VALUES (?, ?, ?)";

/// Everything a send checks about its sender, in one statement, read once per sender
/// after a wake (the room keeps it in memory from then on): their mute, their role,
/// their latest message (by the index `messages_by_sender`) and the room's slow mode.
const SENDER: &str = "SELECT
       (SELECT until FROM muted WHERE user_id = ?1),
       (SELECT role FROM members WHERE user_id = ?1),
       (SELECT body FROM messages WHERE user_id = ?1 ORDER BY seq DESC LIMIT 1),
       (SELECT value FROM counters WHERE key = ?2)";

/// What a send needs to know about its sender and the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Until when the sender was muted (maybe in the past).
    pub mute: Option<Millis>,
    /// Their role; `None` for someone who is not a member.
    pub role: Option<edgechat_protocol::Role>,
    /// Their latest message as it stands now.
    pub last: Option<Message>,
    /// The room's slow mode in seconds; 0 when off.
    pub slow_mode: u32,
}

/// `unreadCount` stops counting here, so no count scans a whole history.
pub const UNREAD_COUNT_CAP: u64 = 1_000;

impl<S: Sql> Store<S> {
    pub fn info(&self) -> Result<Option<RoomInfo>, StoreError> {
        self.one(GET_INFO, &["info".into()])?
            .map(|row| row.json(0))
            .transpose()
    }

    pub fn save_info(&self, info: &RoomInfo) -> Result<(), StoreError> {
        self.exec(SET_INFO, &["info".into(), to_json(info)?.into()])
    }

    /// Seconds between one member's messages; 0 when slow mode is off.
    pub fn slow_mode(&self) -> Result<u32, StoreError> {
        Ok(self.counter(schema::SLOW_MODE)?.min(u64::from(u32::MAX)) as u32)
    }

    /// The pinned messages, oldest first: up to `limit`.
    pub fn pinned(&self, limit: usize) -> Result<Vec<Message>, StoreError> {
        self.sql
            .run(PINNED, &[(limit as u64).into()])?
            .iter()
            .map(|row| row.json(0))
            .collect()
    }

    /// How many messages are pinned, counting no further than `cap`.
    pub fn pinned_count(&self, cap: usize) -> Result<u64, StoreError> {
        self.one(PINNED_COUNT, &[(cap as u64).into()])?
            .map_or(Ok(0), |row| row.uint(0))
    }

    /// The message `message_id` of this room as stored, tombstones included.
    pub fn stored_message(&self, message_id: &str) -> Result<Option<Message>, StoreError> {
        let Some(seq) = crate::ids::message_seq(&self.room_id, message_id) else {
            return Ok(None);
        };
        self.one(MESSAGE, &[seq.into()])?
            .map(|row| row.json(0))
            .transpose()
    }

    /// The live message `message_id`, if it exists and is not deleted.
    pub fn message(&self, message_id: &str) -> Result<Option<Message>, StoreError> {
        Ok(self.stored_message(message_id)?.filter(|m| !m.deleted))
    }

    /// Up to `limit` messages with seq below `before`, oldest first, and whether older
    /// ones exist.
    pub fn messages_before(
        &self,
        before: Seq,
        limit: usize,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        let rows = self
            .sql
            .run(MESSAGES_BEFORE, &[before.into(), (limit as u64 + 1).into()])?;
        let mut page = rows
            .iter()
            .map(|row| row.json(0))
            .collect::<Result<Vec<Message>, _>>()?;
        let has_more = page.len() > limit;
        page.truncate(limit);
        page.reverse();
        Ok((page, has_more))
    }

    /// The seq of the message `user_id` sent with `client_msg_id`, if any ever was.
    pub fn sent_with(&self, user_id: &str, client_msg_id: &str) -> Result<Option<Seq>, StoreError> {
        self.one(BY_CLIENT_ID, &[user_id.into(), client_msg_id.into()])?
            .map(|row| row.uint(0))
            .transpose()
    }

    /// What a send by `user_id` checks, in one read.
    pub fn sender(&self, user_id: &str) -> Result<Sender, StoreError> {
        let row = self
            .one(SENDER, &[user_id.into(), schema::SLOW_MODE.into()])?
            .ok_or_else(|| StoreError::Corrupt("the sender query returned no row".into()))?;
        Ok(Sender {
            mute: (!row.is_null(0)).then(|| row.uint(0)).transpose()?,
            role: (!row.is_null(1))
                .then(|| super::members::stored_role(row.text(1)?))
                .transpose()?,
            last: (!row.is_null(2)).then(|| row.json(2)).transpose()?,
            slow_mode: row.uint(3)?.min(u64::from(u32::MAX)) as u32,
        })
    }

    pub fn read_mark(&self, user_id: &str) -> Result<Seq, StoreError> {
        self.one(READ_MARK, &[user_id.into()])?
            .map_or(Ok(0), |row| row.uint(0))
    }

    /// The `limit` furthest read marks of members. "Read by N" under a message counts the
    /// marks at or past it, so these count exactly up to `limit` readers.
    pub fn furthest_read_marks(&self, limit: usize) -> Result<BTreeMap<Id, Seq>, StoreError> {
        self.sql
            .run(FURTHEST_READ_MARKS, &[(limit as u64).into()])?
            .iter()
            .map(|row| Ok((row.text(0)?.to_owned(), row.uint(1)?)))
            .collect()
    }

    /// Read marks only move forward.
    pub fn save_read_mark(&self, user_id: &str, seq: Seq) -> Result<(), StoreError> {
        self.exec(SAVE_READ_MARK, &[user_id.into(), seq.into()])
    }

    /// Other users' messages, not deleted, above the member's read mark (counted up to
    /// [`UNREAD_COUNT_CAP`]).
    pub fn unread_count(&self, user_id: &str) -> Result<u64, StoreError> {
        let read = self.read_mark(user_id)?;
        self.one(
            UNREAD_COUNT,
            &[read.into(), user_id.into(), UNREAD_COUNT_CAP.into()],
        )?
        .map_or(Ok(0), |row| row.uint(0))
    }

    /// The first of other users' live messages above the member's read mark.
    pub fn first_unread(&self, user_id: &str) -> Result<Option<Seq>, StoreError> {
        let read = self.read_mark(user_id)?;
        self.one(FIRST_UNREAD, &[read.into(), user_id.into()])?
            .map(|row| row.uint(0))
            .transpose()
    }

    /// Stores a new durable event: folded into the tables and, unless it is a new
    /// message, appended to the log, in the same step, so both change or neither does. A
    /// new message is one row of `messages` (its seq, body and ack key together): one
    /// write. `false` when its ack key is taken, which makes it a resend, and nothing was
    /// stored.
    pub fn append(&self, event: &RoomEvent, at: Millis) -> Result<bool, StoreError> {
        if let RoomEvent::NewMessage(message) = event {
            return super::fold::new_message(self, message);
        }
        self.exec(
            APPEND,
            &[event.seq().into(), to_json(event)?.into(), at.into()],
        )?;
        super::apply(self, event)?;
        Ok(true)
    }

    /// The durable events after `since`, when every one of them is still in the log and
    /// they are at most `max` (the replay window); `None` asks the client to resync.
    /// Messages are sent as they stand now (see docs/protocol.md, *Resuming*).
    pub fn replay_after(
        &self,
        since: Seq,
        max: usize,
    ) -> Result<Option<Vec<RoomEvent>>, StoreError> {
        let head = self.head()?;
        if since > head || head - since > max as u64 {
            return Ok(None);
        }
        let events: Vec<RoomEvent> = self
            .log_after(since, max)?
            .into_iter()
            .map(|pending| pending.event)
            .collect();
        // The log was compacted past `since`: a gap cannot be replayed.
        let whole = events.first().is_none_or(|e| e.seq() == since + 1)
            && events.len() as u64 == head - since;
        Ok(whole.then_some(events))
    }

    /// The first `max` durable events after `after`, for a shard catching up a page at a
    /// time (however far behind it fell, where a client may only be `max` behind);
    /// `None` when the log was compacted past `after`, and its sockets must resync.
    pub fn replay_page(
        &self,
        after: Seq,
        max: usize,
    ) -> Result<Option<Vec<RoomEvent>>, StoreError> {
        let head = self.head()?;
        if after > head {
            return Ok(None);
        }
        let events: Vec<RoomEvent> = self
            .log_after(after, max)?
            .into_iter()
            .map(|pending| pending.event)
            .collect();
        let whole = match events.first() {
            Some(first) => first.seq() == after + 1,
            None => after == head,
        };
        Ok(whole.then_some(events))
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::store::{Value, sqlite::Sqlite};

    /// The plan SQLite picks for `sql`, in one line.
    fn plan(store: &Store<Sqlite>, sql: &str) -> String {
        // Statements are constants; a test may leak the few it makes.
        let explain: &'static str = format!("EXPLAIN QUERY PLAN {sql}").leak();
        let params: Vec<Value> = (0..sql.matches('?').count())
            .map(|_| Value::from(1u64))
            .collect();
        let rows = match store.sql.run(explain, &params) {
            Ok(rows) => rows,
            Err(err) => panic!("{sql}: {err}"),
        };
        rows.iter()
            .filter_map(|row| row.text(3).ok().map(str::to_owned))
            .collect::<Vec<_>>()
            .join("; ")
    }

    #[test]
    fn the_pins_and_the_ban_list_read_an_index_not_the_history() {
        let store = Store::new(Sqlite::memory());
        store.prepare().ok();
        for sql in [PINNED, PINNED_COUNT] {
            let plan = plan(&store, sql);
            assert!(plan.contains("messages_pinned"), "{sql}: {plan}");
        }
        let plan = plan(&store, super::super::members::BANNED_AFTER);
        assert!(
            plan.contains("USING INDEX") || plan.contains("PRIMARY KEY"),
            "{plan}"
        );
    }
}
