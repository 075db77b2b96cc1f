//! The signed-in user as the client holds them: plain data and timing rules, tested
//! natively, and (in the browser) the silent refresh that keeps the session current.
//! The refresh token never reaches this code: it lives in an HttpOnly cookie.

#[cfg(target_arch = "wasm32")]
mod refresh;

#[cfg(target_arch = "wasm32")]
pub use refresh::use_silent_refresh;

use serde::Deserialize;

/// Where the user stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// Asking whether the refresh cookie still holds a session.
    Checking,
    SignedOut,
    SignedIn(Session),
}

impl Auth {
    pub fn session(&self) -> Option<&Session> {
        match self {
            Auth::SignedIn(session) => Some(session),
            _ => None,
        }
    }

    /// The access token to call the API with, while signed in.
    pub fn token(&self) -> Option<String> {
        self.session().map(|s| s.access_token.clone())
    }
}

/// The user as `/api/me` and the auth endpoints describe them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub status_text: String,
    pub role: String,
    /// Set once the user has an avatar (`GET /api/users/{id}/avatar`).
    #[serde(default)]
    pub avatar_file_id: Option<String>,
}

/// A session as the auth endpoints answer it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user: Me,
    pub access_token: String,
    pub access_expires_at: u64,
    /// The room a new account lands in, when the deployment names one (only a
    /// registration's answer carries it).
    #[serde(default)]
    pub default_room: Option<String>,
}

/// How long to wait before refreshing a token that expires at `expires_at`: a minute
/// early, or halfway for short-lived tokens, never sooner than in a second.
pub fn refresh_delay(now: u64, expires_at: u64) -> u64 {
    let left = expires_at.saturating_sub(now);
    left.saturating_sub(60_000).max(left / 2).max(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_token_is_refreshed_a_minute_early() {
        assert_eq!(refresh_delay(0, 15 * 60_000), 14 * 60_000);
    }

    #[test]
    fn a_short_token_is_refreshed_halfway() {
        assert_eq!(refresh_delay(0, 10_000), 5_000);
    }

    #[test]
    fn an_expired_token_is_refreshed_soon_but_not_in_a_loop() {
        assert_eq!(refresh_delay(50_000, 10_000), 1_000);
    }

    #[test]
    fn a_session_reads_the_servers_json() {
        let json = r#"{"user":{"id":"u_1","username":"ana","displayName":"Ana","statusText":"","role":"user","createdAt":1},"accessToken":"t","accessExpiresAt":5,"refreshExpiresAt":9}"#;
        let session: Session = serde_json::from_str(json).unwrap();
        assert_eq!(session.user.display_name, "Ana");
        assert_eq!(session.access_expires_at, 5);
    }
}
