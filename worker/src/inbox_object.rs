//! The `Inbox` object: one per user, for user-level events (status, invites, unread
//! notifications). Declared from the first migration so the class never has to be added
//! to a live deployment; its socket and events arrive with persistent rooms.

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::http;

#[durable_object]
pub struct Inbox {
    _state: State,
}

impl DurableObject for Inbox {
    fn new(state: State, _env: Env) -> Self {
        Self { _state: state }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        http::error(
            501,
            "not-implemented",
            "the inbox socket is not available yet",
        )
    }
}
