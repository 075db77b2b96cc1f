//! Login throttling: failures counted per key (a username, an address) in a fixed window.

/// Failures seen for one key since `start` (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: u64,
    pub failures: u32,
}

/// `Err(ms)` to wait when `window` already holds `limit` failures and has not ended.
pub fn check(window: Option<Window>, now: u64, limit: u32, window_ms: u64) -> Result<(), u64> {
    match window {
        Some(w) if now < w.start + window_ms && w.failures >= limit => {
            Err(w.start + window_ms - now)
        }
        _ => Ok(()),
    }
}

/// The window after one more failure at `now`.
pub fn fail(window: Option<Window>, now: u64, window_ms: u64) -> Window {
    match window {
        Some(w) if now < w.start + window_ms => Window {
            start: w.start,
            failures: w.failures + 1,
        },
        _ => Window {
            start: now,
            failures: 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_reached_after_that_many_failures_and_lifts_with_the_window() {
        let mut w = None;
        for _ in 0..3 {
            assert_eq!(check(w, 1_000, 3, 60_000), Ok(()));
            w = Some(fail(w, 1_000, 60_000));
        }
        assert_eq!(check(w, 1_500, 3, 60_000), Err(59_500));
        assert_eq!(check(w, 61_000, 3, 60_000), Ok(()));
        assert_eq!(
            fail(w, 61_000, 60_000),
            Window {
                start: 61_000,
                failures: 1
            }
        );
    }
}
