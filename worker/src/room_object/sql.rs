//! The room store on the object's own SQLite (`ctx.storage.sql`). A step runs inside
//! the storage's `transactionSync`, so its writes (the event, the state tables, the ack
//! map) commit together or roll back together; there is no `await` inside one.

use edgechat_core::store::{Row, Sql, StoreError, Value};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use worker::{SqlStorage, SqlStorageValue, State};

#[wasm_bindgen]
extern "C" {
    /// The part of `DurableObjectStorage` that workers-rs does not wrap.
    type SyncStorage;

    /// Runs `step` in a transaction; rolls it back if `step` throws.
    #[wasm_bindgen(method, catch, js_name = transactionSync)]
    fn transaction_sync(
        this: &SyncStorage,
        step: &mut dyn FnMut() -> JsValue,
    ) -> Result<JsValue, JsValue>;
}

/// The object's SQLite; clones share it.
#[derive(Clone)]
pub struct ObjectSql {
    sql: SqlStorage,
    storage: JsValue,
}

impl ObjectSql {
    pub fn new(state: &State) -> Self {
        let storage = state
            .as_raw()
            .storage()
            .map(JsValue::from)
            .unwrap_or(JsValue::UNDEFINED);
        Self {
            sql: state.storage().sql(),
            storage,
        }
    }
}

fn failed(err: impl std::fmt::Display) -> StoreError {
    StoreError::Sql(err.to_string())
}

impl Sql for ObjectSql {
    fn run(&self, statement: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let bindings: Vec<SqlStorageValue> = params
            .iter()
            .map(|value| match value {
                Value::Null => SqlStorageValue::Null,
                Value::Integer(n) => SqlStorageValue::Integer(*n),
                Value::Real(f) => SqlStorageValue::Float(*f),
                Value::Text(t) => SqlStorageValue::String(t.clone()),
            })
            .collect();
        let cursor = self.sql.exec(statement, bindings).map_err(failed)?;
        cursor
            .raw()
            .map(|row| {
                row.map_err(failed).map(|values| {
                    Row(values
                        .into_iter()
                        .map(|value| match value {
                            SqlStorageValue::Null | SqlStorageValue::Blob(_) => Value::Null,
                            SqlStorageValue::Boolean(b) => Value::Integer(i64::from(b)),
                            SqlStorageValue::Integer(n) => Value::Integer(n),
                            SqlStorageValue::Float(f) => Value::Real(f),
                            SqlStorageValue::String(s) => Value::Text(s),
                        })
                        .collect())
                })
            })
            .collect()
    }

    fn atomically<T>(&self, step: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut step = Some(step);
        let mut outcome: Option<Result<T, StoreError>> = None;
        let storage: &SyncStorage = self.storage.unchecked_ref();
        let committed = storage.transaction_sync(&mut || {
            if let Some(step) = step.take() {
                let result = step();
                let failed = result.is_err();
                outcome = Some(result);
                if failed {
                    // Throwing is how `transactionSync` is told to roll back. Nothing
                    // owned is left in this frame, so abandoning it leaks nothing.
                    wasm_bindgen::throw_str("step failed; rolled back");
                }
            }
            JsValue::UNDEFINED
        });
        match (committed, outcome) {
            (Ok(_), Some(result)) => result,
            (Err(_), Some(Err(err))) => Err(err),
            (Err(thrown), _) => Err(StoreError::Sql(format!(
                "transaction failed: {}",
                thrown.as_string().unwrap_or_else(|| format!("{thrown:?}"))
            ))),
            (Ok(_), None) => Err(StoreError::Sql("the step did not run".into())),
        }
    }
}
