//! The local D1 of a test server: made from a migrated template, and read straight from
//! its SQLite file, as the room objects' storage is (`storage.rs`). Going through
//! `wrangler d1 execute` instead costs a Node.js start, seconds, per query.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use rusqlite::{Connection, OpenFlags, types::ValueRef};
use serde_json::{Map, Value};

use crate::{
    repo_root,
    server::{Server, wrangler},
};

impl Server {
    /// Runs `sql` against this server's local D1 and returns the rows as JSON objects
    /// (as `wrangler d1 execute --json` prints them), to check what was (not) stored.
    pub fn query(&self, sql: &str) -> Vec<Value> {
        let db = self.d1();
        let mut statement = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let names: Vec<String> = statement
            .column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let mut rows = statement.query([]).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let mut out = Vec::new();
        while let Some(row) = rows.next().unwrap_or_else(|e| panic!("{sql}: {e}")) {
            let mut object = Map::new();
            for (i, name) in names.iter().enumerate() {
                let value = match row.get_ref(i).expect("a column") {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => n.into(),
                    ValueRef::Real(x) => x.into(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                    ValueRef::Blob(b) => b.to_vec().into(),
                };
                object.insert(name.clone(), value);
            }
            out.push(Value::Object(object));
        }
        out
    }

    /// How many rows `table` holds.
    pub fn count(&self, table: &str) -> u64 {
        assert!(
            table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{table:?} is not a table name"
        );
        self.query(&format!("SELECT COUNT(*) AS n FROM {table}"))[0]["n"]
            .as_u64()
            .expect("a count")
    }

    /// The SQLite file the local D1 keeps its tables in.
    fn d1(&self) -> Connection {
        let dir = self.state_dir().join("v3/d1/miniflare-D1DatabaseObject");
        let path = crate::storage::object_databases(&dir)
            .pop()
            .expect("the local D1's database file");
        let db = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .expect("the local D1 opens");
        // workerd may be writing: wait for its lock rather than fail.
        db.busy_timeout(std::time::Duration::from_secs(5))
            .expect("a busy timeout");
        db
    }
}

/// A state directory holding only a local D1 with every migration applied, made once
/// per set of migrations (and wrangler version) and shared by every test: applying the
/// migrations through wrangler takes seconds, copying a database milliseconds.
pub(crate) fn migrated_template() -> PathBuf {
    use sha2::{Digest, Sha256};
    let root = repo_root();
    let mut hash = Sha256::new();
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(root.join("migrations"))
        .expect("migrations/")
        .map(|e| e.expect("a migration").path())
        .collect();
    migrations.sort();
    for path in migrations
        .iter()
        .chain([&root.join("node_modules/wrangler/package.json")])
    {
        hash.update(path.to_string_lossy().as_bytes());
        hash.update(std::fs::read(path).expect("reading what the template depends on"));
    }
    let digest: String = hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let target = root.join("target");
    let template = target.join(format!("e2e-migrated-{digest}"));
    if template.exists() {
        return template;
    }
    // Made beside it and renamed into place: test binaries running at once each see no
    // template or a whole one, and the one that loses the race drops its own.
    std::fs::create_dir_all(&target).expect("target/");
    let making = tempfile::Builder::new()
        .prefix("e2e-migrating-")
        .tempdir_in(&target)
        .expect("a directory to migrate in");
    migrate(making.path());
    let made = making.keep();
    if std::fs::rename(&made, &template).is_err() {
        assert!(template.exists(), "the migrated template could not be kept");
        let _ = std::fs::remove_dir_all(&made);
    }
    template
}

/// Copies the directory `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory to copy into");
    for entry in std::fs::read_dir(from).expect("a directory to copy") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copying a file");
        }
    }
}

/// Applies the D1 migrations to the local database in `state_dir`.
pub(crate) fn migrate(state_dir: &Path) {
    let output = wrangler()
        .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
        .arg(state_dir)
        .stdin(Stdio::null())
        .output()
        .expect("wrangler d1 migrations apply runs");
    assert!(
        output.status.success(),
        "migrations failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
