//! The room store on the object's own SQLite (`ctx.storage.sql`). A step runs inside
//! the storage's `transactionSync`, so its writes (the event, the state tables, the ack
//! map) commit together or roll back together; there is no `await` inside one.

use std::{cell::RefCell, collections::HashMap};

use edgechat_core::store::{Row, Sql, StoreError, Value};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use worker::{
    State,
    js_sys::{self, Array, JsString},
};

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

    /// `ctx.storage.sql`, called directly: the statement is a JS string made once per
    /// statement (not per call), and the rows come back in one array.
    type SqlStorage;

    #[wasm_bindgen(method, catch, variadic, js_name = exec)]
    fn exec(this: &SqlStorage, query: &JsString, bindings: &Array) -> Result<Cursor, JsValue>;

    type Cursor;

    #[wasm_bindgen(method)]
    fn raw(this: &Cursor) -> RawRows;

    type RawRows;

    #[wasm_bindgen(method, catch, js_name = toArray)]
    fn to_array(this: &RawRows) -> Result<Array, JsValue>;
}

thread_local! {
    /// Each statement's text as a JS string, keyed by where the `&'static str` lives and
    /// its length (two statements never share both).
    static STATEMENTS: RefCell<HashMap<(usize, usize), JsString>> = RefCell::new(HashMap::new());
}

fn statement(text: &'static str) -> JsString {
    STATEMENTS.with(|cache| {
        cache
            .borrow_mut()
            .entry((text.as_ptr() as usize, text.len()))
            .or_insert_with(|| JsString::from(text))
            .clone()
    })
}

/// The object's SQLite; clones share it.
#[derive(Clone)]
pub struct ObjectSql {
    sql: JsValue,
    storage: JsValue,
}

impl ObjectSql {
    pub fn new(state: &State) -> Self {
        let storage = state
            .as_raw()
            .storage()
            .map(JsValue::from)
            .unwrap_or(JsValue::UNDEFINED);
        let sql =
            js_sys::Reflect::get(&storage, &JsValue::from_str("sql")).unwrap_or(JsValue::UNDEFINED);
        Self { sql, storage }
    }
}

/// A bound parameter as JS has it. Integers the core binds (seqs, times, counts) are
/// within the safe range.
fn binding(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Integer(n) => JsValue::from_f64(*n as f64),
        Value::Real(f) => JsValue::from_f64(*f),
        Value::Text(t) => JsValue::from_str(t),
    }
}

/// A column as the core reads it: text, an integer when the number is whole and safe, a
/// real otherwise; blobs (which the room never stores) and nulls as null.
fn column(value: JsValue) -> Value {
    if let Some(text) = value.as_string() {
        return Value::Text(text);
    }
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 => {
            Value::Integer(n as i64)
        }
        Some(n) => Value::Real(n),
        None => Value::Null,
    }
}

fn failed(err: impl std::fmt::Display) -> StoreError {
    StoreError::Sql(err.to_string())
}

/// What a JS exception says: its message, or its value.
fn js_error(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"))
}

/// The bench build's count of the statements this isolate's objects ran: reads (a
/// `SELECT`) and writes (everything else), for the benchmark's storage statements per
/// sent message.
#[cfg(feature = "bench")]
pub mod counted {
    use std::cell::Cell;

    thread_local! {
        static COUNTS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }

    pub(super) fn one(statement: &str) {
        let read = statement.trim_start().starts_with("SELECT");
        COUNTS.with(|c| {
            let (reads, writes) = c.get();
            c.set(if read {
                (reads + 1, writes)
            } else {
                (reads, writes + 1)
            });
        });
    }

    /// Reads and writes so far.
    pub fn so_far() -> (u64, u64) {
        COUNTS.with(Cell::get)
    }
}

impl Sql for ObjectSql {
    fn run(&self, statement: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        #[cfg(feature = "bench")]
        counted::one(statement);
        let bindings: Array = params.iter().map(binding).collect();
        let sql: &SqlStorage = self.sql.unchecked_ref();
        let rows = sql
            .exec(&self::statement(statement), &bindings)
            .and_then(|cursor| cursor.raw().to_array())
            .map_err(|err| failed(js_error(&err)))?;
        Ok(rows
            .iter()
            .map(|row| Row(Array::from(&row).iter().map(column).collect()))
            .collect())
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
