//! The store on `rusqlite` with SQLite compiled in, for native tests: the same
//! statements the Durable Object runs, on the same engine.

use std::{cell::Cell, rc::Rc};

use rusqlite::{Connection, types::ValueRef};

use super::{Row, Sql, StoreError, Value};

/// An in-memory SQLite database; clones share it, as a room's handles share its storage.
#[derive(Clone)]
pub struct Sqlite {
    conn: Rc<Connection>,
    /// For tests of atomicity: statements left before every later one fails.
    fail_after: Rc<Cell<Option<usize>>>,
    /// Statements run so far, for tests of what a step costs.
    run: Rc<Cell<u64>>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sqlite")
    }
}

impl Sqlite {
    pub fn memory() -> Self {
        match Connection::open_in_memory() {
            Ok(conn) => Self {
                conn: Rc::new(conn),
                fail_after: Rc::new(Cell::new(None)),
                run: Rc::new(Cell::new(0)),
            },
            // Opening an in-memory database fails only when the process is out of memory.
            Err(err) => panic!("in-memory SQLite: {err}"),
        }
    }

    /// Makes every statement after the next `statements` fail, as a full disk would.
    pub fn fail_after(&self, statements: usize) {
        self.fail_after.set(Some(statements));
    }

    /// How many statements have run on this database.
    pub fn statements(&self) -> u64 {
        self.run.get()
    }

    /// Lets statements succeed again.
    pub fn heal(&self) {
        self.fail_after.set(None);
    }

    fn query(&self, text: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let err = |e: rusqlite::Error| StoreError::Sql(e.to_string());
        let mut statement = self.conn.prepare_cached(text).map_err(err)?;
        let columns = statement.column_count();
        let params = params.iter().map(|value| match value {
            Value::Null => rusqlite::types::Value::Null,
            Value::Integer(n) => rusqlite::types::Value::Integer(*n),
            Value::Real(f) => rusqlite::types::Value::Real(*f),
            Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
        });
        let mut rows = statement
            .query(rusqlite::params_from_iter(params))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            let mut values = Vec::with_capacity(columns);
            for column in 0..columns {
                values.push(match row.get_ref(column).map_err(err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Integer(n),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }
}

impl Sql for Sqlite {
    fn run(&self, statement: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        self.run.set(self.run.get() + 1);
        if let Some(left) = self.fail_after.get() {
            if left == 0 {
                return Err(StoreError::Sql("injected failure".into()));
            }
            self.fail_after.set(Some(left - 1));
        }
        // Statements with several parts (none today) would need `execute_batch`.
        self.query(statement, params)
    }

    fn atomically<T>(&self, step: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        let err = |e: rusqlite::Error| StoreError::Sql(e.to_string());
        self.conn.execute_batch("SAVEPOINT step").map_err(err)?;
        match step() {
            Ok(value) => {
                self.conn.execute_batch("RELEASE step").map_err(err)?;
                Ok(value)
            }
            Err(failure) => {
                self.conn
                    .execute_batch("ROLLBACK TO step; RELEASE step")
                    .map_err(err)?;
                Err(failure)
            }
        }
    }
}
