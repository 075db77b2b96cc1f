//! Logs are data: one JSON object a line, with a level, an event name and the fields an
//! operator searches by (Workers Logs indexes them). A line never holds a token, a
//! password, a cookie, message text, a file name or a secret: its fields are ids, counts,
//! durations, outcomes and error descriptions. Nothing is logged per message on the send
//! path; the write-behind's line counts what it copied.
//!
//! A request's lines carry its id without every function passing it on: the door and each
//! object run a request inside a [`scoped`] future, whose fields (the request id, the user
//! once known, a socket's id) every line written while it runs takes. Each isolate runs on
//! one thread and a future is polled by one call at a time, so the fields in force are
//! always those of the request being polled.

use std::{
    cell::RefCell,
    fmt::Display,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll},
};

use serde_json::{Map, Value};
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    // `console.info`, not `console.log`: Workers Logs and `wrangler dev --log-level info`
    // file it under its level.
    #[wasm_bindgen(js_namespace = console, js_name = info)]
    fn console_info(line: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(line: &str);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(line: &str);
}

/// A scope's fields, shared by its future and the lines written while it runs.
type Fields = Rc<RefCell<Map<String, Value>>>;

thread_local! {
    /// The fields of the request being polled, if any.
    static SCOPE: RefCell<Option<Fields>> = const { RefCell::new(None) };
    /// Whether info lines are written (`LOG_LEVEL`, read once per isolate by [`init`]).
    static INFO: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Reads `LOG_LEVEL` once per isolate: `info` (the default) writes every line, `warn`
/// only warnings and errors, for a deployment that wants fewer lines.
pub fn init(env: &worker::Env) {
    if INFO.get().is_none() {
        let level = crate::config::string(env, "LOG_LEVEL");
        INFO.set(Some(level.as_deref() != Some("warn")));
    }
}

#[derive(Clone, Copy)]
enum Level {
    Info,
    Warn,
    Error,
}

/// One line, written by [`Line::emit`].
#[must_use = "a line is written by `emit`"]
pub struct Line {
    level: Level,
    fields: Map<String, Value>,
}

pub fn info(event: &str) -> Line {
    Line::new(Level::Info, event)
}

pub fn warn(event: &str) -> Line {
    Line::new(Level::Warn, event)
}

pub fn error(event: &str) -> Line {
    Line::new(Level::Error, event)
}

impl Line {
    fn new(level: Level, event: &str) -> Self {
        let mut fields = Map::new();
        let name = match level {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        };
        fields.insert("level".into(), name.into());
        fields.insert("event".into(), event.into());
        SCOPE.with_borrow(|scope| {
            if let Some(scope) = scope {
                fields.extend(scope.borrow().iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        });
        Line { level, fields }
    }

    /// The line with `key` set to `value`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// The line with what went wrong, as `error`.
    pub fn err(self, err: impl Display) -> Self {
        self.with("error", err.to_string())
    }

    /// The line with the milliseconds since `start` (`Date::now()` then), as `ms`.
    pub fn since(self, start: u64) -> Self {
        let ms = worker::Date::now().as_millis().saturating_sub(start);
        self.with("ms", ms)
    }

    pub fn emit(self) {
        if matches!(self.level, Level::Info) && INFO.get() == Some(false) {
            return;
        }
        let text = Value::Object(self.fields).to_string();
        match self.level {
            Level::Info => console_info(&text),
            Level::Warn => console_warn(&text),
            Level::Error => console_error(&text),
        }
    }
}

/// `future`, with every line written while it runs carrying `fields`.
pub fn scoped<F: Future>(fields: Map<String, Value>, future: F) -> Scoped<F> {
    Scoped {
        fields: Rc::new(RefCell::new(fields)),
        inner: Box::pin(future),
    }
}

/// Adds `key` to the fields of the request being polled (the user, once the door knows
/// them), for the lines still to come.
pub fn note(key: &str, value: impl Into<Value>) {
    SCOPE.with_borrow(|scope| {
        if let Some(scope) = scope {
            scope.borrow_mut().insert(key.into(), value.into());
        }
    });
}

/// The value of `key` in the request being polled (its id, to pass on to an object).
pub fn field(key: &str) -> Option<String> {
    SCOPE.with_borrow(|scope| {
        let scope = scope.as_ref()?.borrow();
        scope.get(key)?.as_str().map(str::to_owned)
    })
}

/// A future run with its fields in force; see [`scoped`].
pub struct Scoped<F> {
    fields: Fields,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let fields = Some(self.fields.clone());
        let outer = SCOPE.with_borrow_mut(|scope| std::mem::replace(scope, fields));
        let poll = self.inner.as_mut().poll(cx);
        SCOPE.with_borrow_mut(|scope| *scope = outer);
        poll
    }
}

/// Fields that start a request's scope: its id.
pub fn request(id: &str) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("requestId".into(), id.into());
    fields
}

/// Fields that start a socket frame's scope: the socket's id.
pub fn connection(conn: &str) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("connId".into(), conn.into());
    fields
}
