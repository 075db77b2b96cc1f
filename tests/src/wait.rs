//! Waiting for something to become true, the one way every test does it: poll briefly
//! until it holds, and fail naming what was awaited (and what was last seen) when it
//! never does. No test sleeps a fixed time where a condition can be awaited.

use std::{
    fmt::Debug,
    time::{Duration, Instant},
};

/// How long a condition has to hold before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How often a condition is checked.
const POLL: Duration = Duration::from_millis(100);

/// Polls `check` until it gives `Ok`, for up to `within`; panics naming `what` and the
/// last `Err` (what was seen instead).
pub async fn until_within<T, E: Debug>(
    what: &str,
    within: Duration,
    mut check: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                Instant::now() < deadline,
                "timed out waiting until {what}; last seen: {seen:?}"
            ),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `check` until it gives `Ok`, for up to [`PATIENCE`].
pub async fn until<T, E: Debug>(what: &str, check: impl AsyncFnMut() -> Result<T, E>) -> T {
    until_within(what, PATIENCE, check).await
}

/// Polls `check` until it gives a value, for up to [`PATIENCE`].
pub async fn until_some<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    until(what, async || check().await.ok_or("nothing yet")).await
}

/// Polls `check` until it holds, for up to [`PATIENCE`].
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    until(what, async || check().await.then_some(()).ok_or("not yet")).await
}
