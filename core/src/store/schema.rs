//! The tables of a room's SQLite and how a room stored by an older build is brought to
//! today's shape: in chunks, each atomic, with a cursor beside the version so a
//! migration that stops (an eviction, a deploy, a time budget) resumes where it stopped.

use super::{Sql, Store, StoreError};

/// The schema this build writes. 1: the log was the only state (folded in memory on
/// every wake). 2: state tables beside a compacted log. 3: membership changes D1 lacks,
/// and notifications not yet delivered. 4: uploads on their way to R2. 5: read marks by how
/// far they reach, so a joiner is sent the furthest few without reading them all. 6: each
/// member's account name and the status their inbox relays. 7: the name each banned user
/// had, and the pinned messages by an index of their own, for the settings panel. 8: what
/// members' inboxes are owed, one row per member, the unread count coalesced. 9: preview
/// images by the hash of their bytes, one copy per room however many cards show it. 10: a
/// message is one row, its own log entry (the log keeps every other event); each member's
/// latest message is found by an index, and the senders table is gone. 11: the members
/// counted by the fold, so a join never counts the table. 12: the sockets the room's shard
/// objects hold. 13: the room's incoming hooks. 14: the programs the room calls
/// (outgoing hooks, registered commands) beside them, and the answers a command's program
/// may still send. 15: the room's exports, and the parts each has written. 16: the room's
/// import. 17: a user's exports by an index, so their newest is one read.
pub const VERSION: u64 = 18;

/// Keys of the `counters` table (the head is not one: it is the log's newest seq).
pub const SLOW_MODE: &str = "slow_mode";
/// How many rows `members` has: kept by the fold's own statements (`fold.rs`), beside
/// each insert and delete of a member.
pub const MEMBER_COUNT: &str = "members";
const SCHEMA_VERSION: &str = "schema";
/// The migration's cursor: the log is folded into the tables through this seq…
const MIGRATED_THROUGH: &str = "migrated_through";
/// …and must be through this one (the head when the migration began).
const MIGRATE_TARGET: &str = "migrate_target";

pub(super) const GET_COUNTER: &str = "SELECT value FROM counters WHERE key = ?";
pub(super) const SET_COUNTER: &str = "INSERT INTO counters (key, value) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/// Schema 1, as every room before schema 2 stored itself; kept as it was, since rooms
/// stored by it are upgraded from it.
pub const V1: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS room (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // `at`: when the event was stored, for D1 columns the event does not carry.
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)",
    // `synced`: whether D1 has this mark yet.
    "CREATE TABLE IF NOT EXISTS read_marks (user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, synced INTEGER NOT NULL DEFAULT 0)",
    // The highest seq copied to D1.
    "CREATE TABLE IF NOT EXISTS archive (key TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    // Uploads a message may attach, or has (`body`: an `edgechat_core::Upload`).
    "CREATE TABLE IF NOT EXISTS uploads (file_id TEXT PRIMARY KEY, body TEXT NOT NULL)",
    // Files whose bytes and D1 rows are still to be deleted; kept until both are gone.
    "CREATE TABLE IF NOT EXISTS doomed (file_id TEXT PRIMARY KEY)",
    // Schema 2 keeps its version here, so this one is made before the version is read.
    "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
];

/// From schema 1 to 2: the room's current state in tables of its own, updated in the
/// step that appends each event.
const V2: &[&str] = &[
    "CREATE TABLE members (user_id TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL)",
    "CREATE TABLE banned (user_id TEXT PRIMARY KEY)",
    "CREATE TABLE muted (user_id TEXT PRIMARY KEY, until INTEGER NOT NULL)",
    // Each message as it is now (text, flags, reactions, pin); tombstones stay, so the
    // (user, clientMsgId) index is the ack map, kept for good.
    "CREATE TABLE messages (seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL, client_msg_id TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL)",
    "CREATE UNIQUE INDEX messages_by_client_id ON messages (user_id, client_msg_id)",
    // Each member's latest message as sent, for slow mode and the duplicate window.
    "CREATE TABLE senders (user_id TEXT PRIMARY KEY, at INTEGER NOT NULL, text TEXT NOT NULL)",
    "ALTER TABLE uploads ADD COLUMN uploaded_at INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE uploads ADD COLUMN attached INTEGER NOT NULL DEFAULT 0",
    "UPDATE uploads SET uploaded_at = COALESCE(json_extract(body, '$.uploadedAt'), 0)",
    "CREATE INDEX uploads_waiting ON uploads (attached, uploaded_at)",
    // The write-behind asks for unsynced marks on every alarm; most are synced.
    "CREATE INDEX read_marks_unsynced ON read_marks (synced) WHERE synced = 0",
];

/// From schema 2 to 3: what the write-behind owes besides the log.
const V3: &[&str] = &[
    // Members whose membership, role, ban or mute changed since D1 last had them, with
    // the seq of the newest such change: copied ahead of the log, guarded by that seq.
    "CREATE TABLE membership_unsynced (user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    // Notifications for members' inboxes, delivered a bounded number per round.
    "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)",
];

/// From schema 3 to 4.
const V4: &[&str] = &[
    // Uploads whose bytes may be on their way to R2: recorded before the first byte is
    // stored, forgotten once the file is registered; one left past its time is a crash
    // between R2 and D1, and its bytes are deleted.
    "CREATE TABLE upload_intents (file_id TEXT PRIMARY KEY, at INTEGER NOT NULL)",
    "CREATE INDEX upload_intents_by_age ON upload_intents (at)",
];

/// From schema 4 to 5.
const V5: &[&str] = &["CREATE INDEX read_marks_by_seq ON read_marks (seq)"];

/// From schema 5 to 6: what the member list shows of each member beyond their name.
const V6: &[&str] = &[
    "ALTER TABLE members ADD COLUMN handle TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE members ADD COLUMN status TEXT NOT NULL DEFAULT 'offline'",
    "ALTER TABLE members ADD COLUMN last_seen INTEGER",
    "ALTER TABLE members ADD COLUMN status_text TEXT",
    // The members with an inbox open, whom a write-behind batch tells the unread count.
    "CREATE INDEX members_live ON members (user_id) WHERE status != 'offline'",
];

/// From schema 6 to 7.
const V7: &[&str] = &[
    "ALTER TABLE banned ADD COLUMN username TEXT NOT NULL DEFAULT ''",
    // The pinned few among a history of any length; `PINNED` names the same expression,
    // so it reads only this index.
    "CREATE INDEX messages_pinned ON messages (seq) WHERE json_extract(body, '$.pinned') = 1",
];

/// From schema 7 to 8: one row per member owed notifications, in place of a row per
/// batch per member, which fell further behind every second in a busy room.
const V8: &[&str] = &[
    // `unread_seq`: owed their unread count as of this seq (counted when it goes);
    // `newest_…`: the newest message to name with it; `events`: the others, a JSON array
    // of `event_count` notifications.
    "CREATE TABLE owed (user_id TEXT PRIMARY KEY, unread_seq INTEGER,
         newest_id TEXT, newest_from TEXT, newest_excerpt TEXT,
         events TEXT NOT NULL DEFAULT '[]', event_count INTEGER NOT NULL DEFAULT 0,
         attempts INTEGER NOT NULL DEFAULT 0)",
    // Each member's newest queued bundle carries on; older ones are notifications whose
    // counts it has overtaken.
    "INSERT OR IGNORE INTO owed (user_id, events, event_count)
         SELECT user_id, body, json_array_length(body) FROM outbox ORDER BY id DESC",
    "DROP TABLE outbox",
];

/// From schema 8 to 9: one copy of a preview image per room, counted by the cards that
/// show it (`refs`); cards stored before keep their own copy, not counted here.
const V9: &[&str] = &[
    "CREATE TABLE preview_images (file_id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, refs INTEGER NOT NULL)",
];

/// From schema 9 to 10: a send writes its message row and nothing else. A sender's
/// latest message, which slow mode and the duplicate window compare with, is read by
/// this index once per sender after a wake; the log's copies of older messages go with
/// compaction, as every event's do.
const V10: &[&str] = &[
    "CREATE INDEX messages_by_sender ON messages (user_id, seq)",
    "DROP TABLE senders",
];

/// From schema 10 to 11: the members counted once, here; the fold keeps the count from
/// then on, under the key [`MEMBER_COUNT`]. (A room coming from schema 1 has no members yet at this point: its log's
/// fold counts them.)
const V11: &[&str] = &[
    "INSERT INTO counters (key, value) SELECT 'members', COUNT(*) FROM members WHERE true
     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
];

/// From schema 11 to 12: where the room's sockets on shard objects are (`shards.rs`).
const V12: &[&str] = &[
    "CREATE TABLE shard_sockets (conn TEXT PRIMARY KEY, shard INTEGER NOT NULL, epoch TEXT NOT NULL, who TEXT NOT NULL)",
];

/// From schema 12 to 13: the room's incoming hooks (`hooks.rs`), each secret only as its
/// hash.
const V13: &[&str] = &[
    "CREATE TABLE hooks (hook_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL)",
];

/// From schema 13 to 14: hooks the room calls out to (`hooks.rs`), and the `response_url`s
/// a command's program may still post to, each until it expires or is used up.
const V14: &[&str] = &[
    "ALTER TABLE hooks ADD COLUMN kind TEXT NOT NULL DEFAULT 'incoming'",
    "ALTER TABLE hooks ADD COLUMN target TEXT",
    "ALTER TABLE hooks ADD COLUMN triggers TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE hooks ADD COLUMN on_mention INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE hooks ADD COLUMN command TEXT",
    "ALTER TABLE hooks ADD COLUMN description TEXT NOT NULL DEFAULT ''",
    // What a call out carries, which the room must be able to read (unlike an incoming
    // hook's secret, kept as a hash): Slack's verification token, and the signing secret.
    "ALTER TABLE hooks ADD COLUMN token TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE hooks ADD COLUMN signing_secret TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE hooks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE hooks ADD COLUMN last_error TEXT",
    "CREATE UNIQUE INDEX hooks_by_command ON hooks (command) WHERE command IS NOT NULL",
    "CREATE TABLE hook_responses (token TEXT PRIMARY KEY, hook_id TEXT NOT NULL, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL, uses INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX hook_responses_by_expiry ON hook_responses (expires_at)",
];

/// From schema 14 to 15: exports (`exports.rs`), built a part at a time by the alarm.
const V15: &[&str] = &[
    "CREATE TABLE exports (export_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, phase TEXT NOT NULL,
         target INTEGER NOT NULL, cursor INTEGER NOT NULL DEFAULT 0, member_cursor TEXT,
         parts INTEGER NOT NULL DEFAULT 0, messages INTEGER NOT NULL DEFAULT 0,
         members INTEGER NOT NULL DEFAULT 0, files INTEGER NOT NULL DEFAULT 0,
         bytes INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, due_at INTEGER NOT NULL)",
    "CREATE TABLE export_parts (export_id TEXT NOT NULL, part INTEGER NOT NULL,
         messages INTEGER NOT NULL, members INTEGER NOT NULL, files INTEGER NOT NULL,
         bytes INTEGER NOT NULL, PRIMARY KEY (export_id, part))",
];

/// From schema 15 to 16: the room's import (`imports.rs`), at most one.
const V16: &[&str] = &[
    "CREATE TABLE imports (import_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, phase TEXT NOT NULL,
         size INTEGER NOT NULL, cursor INTEGER NOT NULL DEFAULT 0, base INTEGER NOT NULL,
         messages INTEGER NOT NULL DEFAULT 0, files INTEGER NOT NULL DEFAULT 0, error TEXT,
         created_at INTEGER NOT NULL, due_at INTEGER NOT NULL)",
];

/// From schema 16 to 17.
const V17: &[&str] = &["CREATE INDEX exports_by_user ON exports (user_id, created_at)"];

/// From schema 17 to 18: the audit entries D1 does not have yet (`audit.rs`); their ids
/// are never used twice (D1 names each by the room and its id).
const V18: &[&str] = &[
    "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
         action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL,
         request_id TEXT NOT NULL, conn TEXT NOT NULL, req_id TEXT NOT NULL)",
];

/// The head is the newest seq of either half of the history: the log (every event but
/// new messages) or the messages.
pub(super) const LOG_HEAD: &str = "SELECT MAX(
       COALESCE((SELECT MAX(seq) FROM events), 0),
       COALESCE((SELECT MAX(seq) FROM messages), 0))";
const LOG_CHUNK: &str = "SELECT body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?";

/// Where a room's storage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migration {
    /// Today's shape: the room may serve.
    Done,
    /// The log is folded into the tables through `through` of `target`.
    Partway { through: u64, target: u64 },
}

impl<S: Sql> Store<S> {
    /// Makes the tables of a new room, or starts the upgrade of an old one (one atomic
    /// step); then [`Store::migrate_chunk`] until it is done.
    pub fn prepare(&self) -> Result<Migration, StoreError> {
        self.sql.atomically(|| {
            for statement in V1 {
                self.exec(statement, &[])?;
            }
            let version = self.counter(SCHEMA_VERSION)?;
            if version < 2 {
                for statement in V2 {
                    self.exec(statement, &[])?;
                }
                let target = self.one(LOG_HEAD, &[])?.map_or(Ok(0), |row| row.uint(0))?;
                self.set_counter(MIGRATE_TARGET, target)?;
                self.set_counter(MIGRATED_THROUGH, 0)?;
            }
            if version < 3 {
                for statement in V3 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 4 {
                for statement in V4 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 5 {
                for statement in V5 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 6 {
                for statement in V6 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 7 {
                for statement in V7 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 8 {
                for statement in V8 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 9 {
                for statement in V9 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 10 {
                for statement in V10 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 11 {
                for statement in V11 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 12 {
                for statement in V12 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 13 {
                for statement in V13 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 14 {
                for statement in V14 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 15 {
                for statement in V15 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 16 {
                for statement in V16 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 17 {
                for statement in V17 {
                    self.exec(statement, &[])?;
                }
            }
            if version < 18 {
                for statement in V18 {
                    self.exec(statement, &[])?;
                }
            }
            if version < VERSION {
                self.set_counter(SCHEMA_VERSION, VERSION)?;
            }
            self.migration()
        })
    }

    /// How far the upgrade is.
    pub fn migration(&self) -> Result<Migration, StoreError> {
        let (through, target) = (
            self.counter(MIGRATED_THROUGH)?,
            self.counter(MIGRATE_TARGET)?,
        );
        Ok(if through >= target {
            Migration::Done
        } else {
            Migration::Partway { through, target }
        })
    }

    /// Folds the next `chunk` events of an old room's log into the tables, in one atomic
    /// step with the cursor.
    pub fn migrate_chunk(&self, chunk: usize) -> Result<Migration, StoreError> {
        let Migration::Partway { through, target } = self.migration()? else {
            return Ok(Migration::Done);
        };
        // Folding an edit finds its message by id, which names the room.
        let mut bound = self.clone();
        if let Some(info) = self.info()? {
            bound.bind_room(&info.room_id);
        }
        self.sql.atomically(|| {
            let rows = self.sql.run(
                LOG_CHUNK,
                &[through.into(), target.into(), (chunk.max(1) as u64).into()],
            )?;
            let mut last = through;
            for row in &rows {
                let event: edgechat_protocol::RoomEvent = row.json(0)?;
                last = event.seq();
                super::apply(&bound, &event)?;
            }
            // A log with a gap (none is expected) still ends.
            let reached = if rows.is_empty() { target } else { last };
            self.set_counter(MIGRATED_THROUGH, reached)?;
            self.migration()
        })
    }
}
