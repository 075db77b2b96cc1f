//! A room's SQLite read back as rows, and a room's storage as schema 1 kept it.

use std::collections::BTreeMap;

use crate::store::{Migration, Row, Sql, Store, schema, sqlite::Sqlite};

/// Rows by table name.
pub type Tables = BTreeMap<&'static str, Vec<Row>>;

/// Every table of a room's SQLite, whole.
const EVERY_TABLE: &[(&str, &str)] = &[
    ("room", "SELECT * FROM room ORDER BY 1"),
    ("events", "SELECT * FROM events ORDER BY 1"),
    ("read_marks", "SELECT * FROM read_marks ORDER BY 1"),
    ("archive", "SELECT * FROM archive ORDER BY 1"),
    ("uploads", "SELECT * FROM uploads ORDER BY 1"),
    ("doomed", "SELECT * FROM doomed ORDER BY 1"),
    ("counters", "SELECT * FROM counters ORDER BY 1"),
    ("members", "SELECT * FROM members ORDER BY 1"),
    ("banned", "SELECT * FROM banned ORDER BY 1"),
    ("muted", "SELECT * FROM muted ORDER BY 1"),
    ("messages", "SELECT * FROM messages ORDER BY 1"),
];

/// The state a room's log determines, which folding the log must rebuild. Usernames are
/// left out (a member's stored name follows them as they connect; the log keeps the name
/// they joined with), and so are the counters that only track the migration itself.
const STATE: &[(&str, &str)] = &[
    ("members", "SELECT user_id, role FROM members ORDER BY 1"),
    ("banned", "SELECT * FROM banned ORDER BY 1"),
    ("muted", "SELECT * FROM muted ORDER BY 1"),
    ("messages", "SELECT * FROM messages ORDER BY 1"),
    (
        "counters",
        "SELECT * FROM counters
         WHERE key NOT IN ('schema', 'migrate_target', 'migrated_through') ORDER BY 1",
    ),
    (
        "uploads",
        "SELECT file_id, body, attached FROM uploads ORDER BY 1",
    ),
];

fn read(sqlite: &Sqlite, tables: &[(&'static str, &'static str)]) -> Tables {
    tables
        .iter()
        .map(|(name, select)| (*name, sqlite.run(select, &[]).unwrap()))
        .collect()
}

/// Every row of every table, to tell whether anything at all changed.
pub fn every_table(sqlite: &Sqlite) -> Tables {
    read(sqlite, EVERY_TABLE)
}

/// The state tables, as far as the log determines them.
pub fn state(sqlite: &Sqlite) -> Tables {
    read(sqlite, STATE)
}

/// Copies the rows `select` reads from `from` into `to` with `insert`.
fn copy(from: &Sqlite, select: &'static str, to: &Sqlite, insert: &'static str) {
    for row in from.run(select, &[]).unwrap() {
        to.run(insert, &row.0).unwrap();
    }
}

/// `live`'s room as a build of schema 1 stored it: its info, its whole log (each message
/// a `new-message` event at its seq, as it stands now), its read marks, and its uploads
/// with only the columns schema 1 had.
pub fn stored_by_v1(live: &Sqlite) -> Sqlite {
    let old = Sqlite::memory();
    for statement in schema::V1 {
        old.run(statement, &[]).unwrap();
    }
    copy(
        live,
        "SELECT key, value FROM room",
        &old,
        "INSERT INTO room (key, value) VALUES (?, ?)",
    );
    copy(
        live,
        "SELECT seq, body, at FROM events",
        &old,
        "INSERT INTO events (seq, body, at) VALUES (?, ?, ?)",
    );
    for row in live.run("SELECT body FROM messages", &[]).unwrap() {
        let message: edgechat_protocol::Message = row.json(0).unwrap();
        let (seq, at) = (message.seq, message.timestamp);
        let event = serde_json::to_string(&edgechat_protocol::RoomEvent::NewMessage(message));
        old.run(
            "INSERT INTO events (seq, body, at) VALUES (?, ?, ?)",
            &[seq.into(), event.unwrap().into(), at.into()],
        )
        .unwrap();
    }
    copy(
        live,
        "SELECT user_id, seq, synced FROM read_marks",
        &old,
        "INSERT INTO read_marks (user_id, seq, synced) VALUES (?, ?, ?)",
    );
    copy(
        live,
        "SELECT file_id, body FROM uploads",
        &old,
        "INSERT INTO uploads (file_id, body) VALUES (?, ?)",
    );
    old
}

/// Upgrades an old room's storage to today's shape, `chunk` events at a step, each
/// step moving the cursor on.
pub fn migrate(old: &Sqlite, chunk: usize) -> Store<Sqlite> {
    let store = Store::new(old.clone());
    let mut migration = store.prepare().unwrap();
    while let Migration::Partway { through, .. } = migration {
        migration = store.migrate_chunk(chunk).unwrap();
        if let Migration::Partway { through: now, .. } = migration {
            assert!(now > through, "a chunk moved nothing: {migration:?}");
        }
    }
    store
}
