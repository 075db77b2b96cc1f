//! A room's own SQLite: its state tables and the tail of its log, behind one small trait
//! so the Durable Object (its `ctx.storage.sql`) and native tests (`rusqlite`, feature
//! `sqlite`) run the very same statements.
//!
//! Every statement is a `&'static str` constant with `?` placeholders: no value can be
//! formatted into SQL text, because the trait takes no other kind of string.

mod archive;
mod audit;
mod exports;
mod fold;
mod hooks;
mod imports;
mod members;
mod owed;
mod queries;
pub mod schema;
mod shards;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod uploads;

pub use archive::Pending;
pub use audit::AuditRow;
pub use exports::{Export, Phase};
pub use fold::apply;
pub(crate) use fold::membership_of;
pub use hooks::{Hook, HookKind};
pub use imports::{Import, ImportPhase};
pub use owed::{Membership, Newest, OUTBOX_ATTEMPTS, OWED_EVENTS_PER_USER, Owed};
pub use queries::{Sender, UNREAD_COUNT_CAP};
pub use schema::Migration;
pub use shards::ShardSocket;

use edgechat_protocol::{Id, Millis, Role, Seq, Status};

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::Text(text.clone())
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl From<u64> for Value {
    /// Seqs, times and counts stay far below 2^53, where JavaScript numbers are exact;
    /// "no bound" (`Seq::MAX`) becomes the largest such number, not an inexact one.
    fn from(n: u64) -> Self {
        Value::Integer(n.min(MAX_SAFE_INTEGER) as i64)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Integer(i64::from(n))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Integer(i64::from(b))
    }
}

/// One row, its columns in the order the statement selects them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn get(&self, column: usize) -> Result<&Value, StoreError> {
        self.0
            .get(column)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {column}")))
    }

    /// A whole, non-negative number (JavaScript hands integers over as floats).
    pub fn uint(&self, column: usize) -> Result<u64, StoreError> {
        match self.get(column)? {
            Value::Integer(n) if *n >= 0 => Ok(*n as u64),
            Value::Real(f) if *f >= 0.0 && f.fract() == 0.0 => Ok(*f as u64),
            Value::Null => Ok(0),
            other => Err(StoreError::Corrupt(format!(
                "column {column}: {other:?} is not a count"
            ))),
        }
    }

    pub fn text(&self, column: usize) -> Result<&str, StoreError> {
        match self.get(column)? {
            Value::Text(text) => Ok(text),
            other => Err(StoreError::Corrupt(format!(
                "column {column}: {other:?} is not text"
            ))),
        }
    }

    pub fn is_null(&self, column: usize) -> bool {
        matches!(self.0.get(column), None | Some(Value::Null))
    }

    /// A JSON column decoded into `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self, column: usize) -> Result<T, StoreError> {
        serde_json::from_str(self.text(column)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// Why the store failed. A failed step changes nothing (see [`Sql::atomically`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("storage: {0}")]
    Sql(String),
    /// A row does not hold what this build expects.
    #[error("stored data: {0}")]
    Corrupt(String),
}

/// The room's SQLite, as the object and the native tests reach it.
pub trait Sql: Clone {
    /// Runs one statement with `params` bound to its placeholders: `?` in order, or `?N`
    /// for the Nth.
    fn run(&self, statement: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// Runs `step` so that every write in it lands, or none does: a step that fails
    /// leaves storage as it was.
    fn atomically<T>(&self, step: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError>;
}

/// JSON for a column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// One member's standing in the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: Id,
    pub username: String,
    /// The account name; empty until the member arrives with it.
    pub handle: String,
    pub role: Role,
    /// Their global status, last seen and status text as their inbox last relayed them.
    pub status: Status,
    pub last_seen: Option<Millis>,
    pub status_text: Option<String>,
}

/// The room's store: its SQLite, and the few numbers every step needs.
#[derive(Debug, Clone)]
pub struct Store<S> {
    sql: S,
    room_id: Id,
}

impl<S: Sql> Store<S> {
    /// A store on `sql`; a room binds it to its id when it loads.
    pub fn new(sql: S) -> Self {
        Self {
            sql,
            room_id: Id::new(),
        }
    }

    pub(crate) fn bind_room(&mut self, room_id: &str) {
        room_id.clone_into(&mut self.room_id);
    }

    pub fn sql(&self) -> &S {
        &self.sql
    }

    pub fn room_id(&self) -> &str {
        &self.room_id
    }

    fn one(&self, statement: &'static str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.sql.run(statement, params)?.into_iter().next())
    }

    fn exec(&self, statement: &'static str, params: &[Value]) -> Result<(), StoreError> {
        self.sql.run(statement, params).map(|_| ())
    }

    /// A counter of the `counters` table (0 when unset).
    fn counter(&self, key: &'static str) -> Result<u64, StoreError> {
        self.one(schema::GET_COUNTER, &[key.into()])?
            .map_or(Ok(0), |row| row.uint(0))
    }

    fn set_counter(&self, key: &'static str, value: u64) -> Result<(), StoreError> {
        self.exec(schema::SET_COUNTER, &[key.into(), value.into()])
    }

    /// The seq of the newest durable event: the newest of the log's rows (compaction
    /// keeps at least the newest) and the messages' (never compacted).
    pub fn head(&self) -> Result<Seq, StoreError> {
        self.one(schema::LOG_HEAD, &[])?
            .map_or(Ok(0), |row| row.uint(0))
    }
}
