//! A room object's own SQLite, read from the server's state directory: what the room
//! really keeps, checked from outside the Worker.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::server::Server;

/// The SQLite files of the objects of one class in `dir` (workerd keeps one per object,
/// beside its own `metadata.sqlite`).
pub(crate) fn object_databases(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "sqlite")
                && path
                    .file_name()
                    .is_some_and(|name| name != "metadata.sqlite")
        })
        .collect()
}

impl Server {
    /// The SQLite file of `room`'s object, found by the room id in its `room` table.
    pub fn room_db(&self, room: &str) -> Connection {
        for path in object_databases(&self.state_dir().join("v3/do/edgechat-Room")) {
            let db = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
                .expect("a room's SQLite opens");
            let info: Option<String> = db
                .query_row("SELECT value FROM room WHERE key = 'info'", [], |row| {
                    row.get(0)
                })
                .ok();
            let id = info
                .and_then(|info| serde_json::from_str::<serde_json::Value>(&info).ok())
                .and_then(|info| info["roomId"].as_str().map(str::to_owned));
            if id.as_deref() == Some(room) {
                return db;
            }
        }
        panic!("no object stores the room {room:?}");
    }

    /// How many events `room`'s log holds now.
    pub fn room_log_len(&self, room: &str) -> u64 {
        self.room_db(room)
            .query_row("SELECT COUNT(*) FROM events", [], |row| row.get(0))
            .expect("the log is readable")
    }

    /// The seq of the newest event `room` has stored: the newest of its log and its
    /// messages (schema 2 on).
    pub fn room_head(&self, room: &str) -> u64 {
        self.room_db(room)
            .query_row(
                "SELECT MAX(COALESCE((SELECT MAX(seq) FROM events), 0),
                            COALESCE((SELECT MAX(seq) FROM messages), 0))",
                [],
                |row| row.get(0),
            )
            .expect("the log is readable")
    }

    /// A number the room keeps in its `counters` table (`schema`, `migrated_through`, …).
    pub fn room_counter(&self, room: &str, key: &str) -> Option<u64> {
        self.room_db(room)
            .query_row("SELECT value FROM counters WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .ok()
    }
}
