//! The silent refresh: a new access token from the refresh cookie shortly before the old
//! one expires, and once at start, to pick up a session from an earlier visit.

use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;

use super::{Auth, refresh_delay};
use crate::api;

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Keeps `auth` current for as long as the component that calls it lives. A refused
/// refresh signs out; an unanswered one (offline, a server error) is tried again with
/// backoff, still signed in. The signal it returns says the server could not be reached.
pub fn use_silent_refresh(mut auth: Signal<Auth>) -> Signal<bool> {
    let mut unreachable = use_signal(|| false);
    use_future(move || async move {
        let mut failures = 0u32;
        loop {
            let (wait, planned) = match &*auth.peek() {
                _ if failures > 0 => (
                    crate::reconnect::backoff_ms(failures - 1, js_sys::Math::random()),
                    auth.peek().token(),
                ),
                Auth::Checking => (0, None),
                Auth::SignedOut => (1_000, None),
                Auth::SignedIn(session) => (
                    refresh_delay(now(), session.access_expires_at),
                    Some(session.access_token.clone()),
                ),
            };
            TimeoutFuture::new(wait.min(u64::from(u32::MAX)) as u32).await;
            // Refresh only if nothing changed while waiting (a sign-in, a sign-out).
            let due = match (&*auth.peek(), &planned) {
                (Auth::Checking, _) => true,
                (Auth::SignedIn(session), Some(token)) => &session.access_token == token,
                _ => false,
            };
            if !due {
                continue;
            }
            match api::refresh().await {
                Ok(session) => {
                    failures = 0;
                    unreachable.set(false);
                    auth.set(Auth::SignedIn(session));
                }
                Err(api::RefreshFailure::Refused) => {
                    failures = 0;
                    unreachable.set(false);
                    auth.set(Auth::SignedOut);
                }
                Err(api::RefreshFailure::Unavailable) => {
                    failures += 1;
                    unreachable.set(true);
                }
            }
        }
    });
    unreachable
}
