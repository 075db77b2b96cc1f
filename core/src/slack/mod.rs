//! What existing tools that speak Slack send, read as edgechat reads a message: an
//! incoming hook's body ([`payload`]) and Slack's markup ([`markup`]), pure functions
//! the Worker calls at its door.

mod emoji;
pub mod markup;
pub mod payload;
pub mod signing;

pub use payload::{Post, Unreadable, answer, read};

use edgechat_protocol::ErrorCode;

/// Where incoming hooks' URLs start, under the Worker's origin:
/// `/api/hooks/{room}/{hookId}/{secret}`.
pub const HOOK_PATH: &str = "/api/hooks/";

/// `path` as a log line may carry it: a hook's URL ends in its secret, and an export's
/// download link in its signed token, which are left out; every other path is kept as
/// it is.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    // A hook's URL ends in its secret (after the room and the hook), a command's
    // `response_url` in its token (after the room).
    // An export's link ends in its token (after the export).
    for (prefix, kept) in [
        (HOOK_PATH, 2),
        (RESPONSE_PATH, 1),
        (crate::export::LINK_PATH, 1),
    ] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let kept: Vec<&str> = rest.splitn(kept + 1, '/').take(kept).collect();
            return format!("{prefix}{}/…", kept.join("/")).into();
        }
    }
    path.into()
}

/// Where a command's `response_url`s start: `/api/commands/{room}/{token}`.
pub const RESPONSE_PATH: &str = "/api/commands/";

/// Slack's answer to a post the room refused with `code`: its status and its body, the
/// words Slack's own hooks answer with, which tools already log and act on.
pub fn refusal_answer(code: ErrorCode) -> (u16, &'static str) {
    match code {
        ErrorCode::Empty => (400, "no_text"),
        ErrorCode::TooLong => (400, "msg_too_long"),
        ErrorCode::NotFound => (404, "no_service"),
        ErrorCode::RateLimited => (429, "rate_limited"),
        ErrorCode::Unavailable => (503, "service_unavailable"),
        _ => (500, "internal_error"),
    }
}

impl Post {
    /// The post as the room takes it.
    pub fn into_hook_post(self) -> crate::room::HookPost {
        crate::room::HookPost {
            text: self.text,
            label: self.username,
            emoji: self.emoji,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hook_url_is_logged_without_its_secret() {
        assert_eq!(
            loggable_path("/api/hooks/ops/hk-1/s3cret"),
            "/api/hooks/ops/hk-1/…"
        );
        assert_eq!(
            loggable_path("/api/hooks/ops/hk-1/s3cret/more"),
            "/api/hooks/ops/hk-1/…"
        );
        assert_eq!(
            loggable_path("/api/files/exports/x1/1700.abcdef"),
            "/api/files/exports/x1/…"
        );
        assert_eq!(
            loggable_path("/api/rooms/ops/hooks"),
            "/api/rooms/ops/hooks"
        );
    }
}
