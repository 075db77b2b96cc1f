//! When to try the room socket again after it closed: the first retry spread over a window
//! sized by the room (a deploy drops every socket at once), then exponential backoff with
//! jitter, and close codes after which trying again cannot help. Plain Rust, tested
//! natively.

use edgechat_protocol::close;

/// The first retry comes after about this long…
const BASE_MS: u64 = 500;
/// …and no retry waits longer than this.
const CAP_MS: u64 = 30_000;

/// How many arrivals a second one room takes as it comes back (measured: a storm of 1,000
/// members coming back took about 4 s on one test machine; docs/performance.md).
const ARRIVALS_PER_SECOND: u64 = 250;
/// The first retry after a drop spreads over at least this long…
const WINDOW_MIN_MS: u64 = 1_000;
/// …and at most this long, however big the room.
const WINDOW_MAX_MS: u64 = 30_000;

/// The window the first retry spreads over when a socket of a room where `online`
/// members were last seen drops: every socket of a room drops at once when a new version
/// is deployed, so the room's clients come back spread over as long as the room takes to
/// admit them all at [`ARRIVALS_PER_SECOND`], from [`WINDOW_MIN_MS`] to [`WINDOW_MAX_MS`]
/// (1,000 online: 4 s; 7,500 or more: 30 s).
pub fn window_ms(online: u64) -> u64 {
    (online.saturating_mul(1_000) / ARRIVALS_PER_SECOND).clamp(WINDOW_MIN_MS, WINDOW_MAX_MS)
}

/// How long to wait before attempt `attempt` of a socket whose room had `online` members
/// online: the first anywhere in [`window_ms`], by `jitter` (0 to 1), so the clients of a
/// dropped room arrive evenly over it; the later ones back off as [`backoff_ms`] says.
pub fn delay_ms(attempt: u32, online: u64, jitter: f64) -> u64 {
    if attempt == 0 {
        (window_ms(online) as f64 * jitter.clamp(0.0, 1.0)) as u64
    } else {
        backoff_ms(attempt, jitter)
    }
}

/// How long to wait before attempt `attempt` (0 for the first retry): doubling from
/// [`BASE_MS`] up to [`CAP_MS`], then scaled by `jitter` (0 to 1) into its upper half, so
/// a server restart does not bring every client back in the same instant.
pub fn backoff_ms(attempt: u32, jitter: f64) -> u64 {
    let ceiling = BASE_MS.saturating_mul(1 << attempt.min(16)).min(CAP_MS);
    let jitter = jitter.clamp(0.0, 1.0);
    (ceiling as f64 * (0.5 + jitter / 2.0)) as u64
}

/// Whether to reconnect after the server closed the socket with `code`. Being replaced
/// by a newer socket of the same user, banned, kicked or a full room are answers, not
/// failures (a full room offers to try again).
pub fn should_retry(code: u16) -> bool {
    !matches!(
        code,
        close::TOO_MANY_SOCKETS
            | close::BANNED
            | close::KICKED
            | close::LEFT
            | close::FORBIDDEN
            | close::ROOM_FULL
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        let waits: Vec<u64> = (0..8).map(|a| backoff_ms(a, 1.0)).collect();
        assert_eq!(
            waits,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]
        );
        assert_eq!(
            backoff_ms(40, 1.0),
            30_000,
            "no overflow however long it fails"
        );
    }

    #[test]
    fn jitter_spreads_a_wait_over_its_upper_half() {
        assert_eq!(backoff_ms(3, 0.0), 2_000);
        assert_eq!(backoff_ms(3, 0.5), 3_000);
        assert_eq!(backoff_ms(3, 7.0), 4_000, "out-of-range jitter is clamped");
    }

    #[test]
    fn the_window_grows_with_the_room_between_its_bounds() {
        assert_eq!(window_ms(0), 1_000);
        assert_eq!(window_ms(100), 1_000);
        assert_eq!(window_ms(1_000), 4_000);
        assert_eq!(window_ms(3_000), 12_000);
        assert_eq!(window_ms(1_000_000), 30_000);
        assert_eq!(window_ms(u64::MAX), 30_000, "no overflow");
    }

    #[test]
    fn a_dropped_room_comes_back_spread_evenly_over_its_window() {
        // 1,000 clients of a room of 1,000, each with its own jitter: their first retries
        // cover the whole window, about as many in each second of it.
        let clients = 1_000;
        let waits: Vec<u64> = (0..clients)
            .map(|i| delay_ms(0, 1_000, (i as f64 + 0.5) / clients as f64))
            .collect();
        assert!(waits.iter().all(|&w| w < 4_000));
        let mut per_second = [0; 4];
        for wait in &waits {
            per_second[(*wait / 1_000) as usize] += 1;
        }
        assert_eq!(per_second, [250; 4], "a quarter in each second");
        assert_eq!(delay_ms(0, 1_000, 0.0), 0);
        assert_eq!(delay_ms(0, 1_000, 5.0), 4_000, "clamped");
    }

    #[test]
    fn later_retries_back_off_whatever_the_room() {
        for online in [1, 1_000, 100_000] {
            assert_eq!(delay_ms(3, online, 1.0), backoff_ms(3, 1.0));
        }
    }

    #[test]
    fn answers_are_not_retried_but_failures_are() {
        for code in [
            close::TOO_MANY_SOCKETS,
            close::BANNED,
            close::KICKED,
            close::FORBIDDEN,
            close::ROOM_FULL,
        ] {
            assert!(!should_retry(code), "{code}");
        }
        for code in [1006, 1001, 1011, close::TOKEN_EXPIRED] {
            assert!(should_retry(code), "{code}");
        }
    }
}
