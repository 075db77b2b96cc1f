//! What a handler answers when it will not do what was asked: an error for the socket
//! that asked, or a failed store, which rolls the step back.

use edgechat_protocol::{ErrorCode, ServerMsg};

use super::Effect;
use crate::sockets::SocketEffect;
use crate::store::StoreError;
use edgechat_protocol::frame;

/// A refusal, answered to the socket that asked (or, at the room's HTTP door, as the
/// request's answer); or a failed store, which ends the step and rolls it back. The core
/// picks every refusal's code and words; the Durable Object only sends them.
#[derive(Debug)]
pub struct Refusal {
    code: ErrorCode,
    message: String,
    retry_after: Option<u64>,
    failed: Option<StoreError>,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            failed: None,
        }
    }

    pub fn retry_after(mut self, ms: u64) -> Self {
        self.retry_after = Some(ms);
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this is the store failing rather than a rule refusing.
    pub(crate) fn is_failure(&self) -> bool {
        self.failed.is_some()
    }

    /// A rule's refusal as itself, or the store's failure it carries as the error, so
    /// a step that failed rolls back.
    pub(crate) fn or_failure(self) -> Result<Refusal, StoreError> {
        match self.failed {
            Some(failed) => Err(failed),
            None => Ok(self),
        }
    }

    /// How long to wait before trying again, in ms, for a limit.
    pub fn wait(&self) -> Option<u64> {
        self.retry_after
    }

    /// The refusal as the effect that answers it, or the store's failure.
    pub(crate) fn into_effect(
        self,
        conn: &str,
        req_id: Option<String>,
    ) -> Result<Effect, StoreError> {
        if let Some(failed) = self.failed {
            return Err(failed);
        }
        Ok(Effect::Socket(SocketEffect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::Error(frame::Error {
                code: self.code,
                message: self.message,
                req_id,
                retry_after: self.retry_after,
            }),
        }))
    }
}

impl From<StoreError> for Refusal {
    fn from(failed: StoreError) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: String::new(),
            retry_after: None,
            failed: Some(failed),
        }
    }
}

/// What a handler returns: effects, or the one error its sender gets.
pub(crate) type Outcome = Result<Vec<Effect>, Refusal>;
