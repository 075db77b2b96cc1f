//! When to try the room socket again after it closed: exponential backoff with jitter, and
//! close codes after which trying again cannot help. Plain Rust, tested natively.

use edgechat_protocol::close;

/// The first retry comes after about this long…
const BASE_MS: u64 = 500;
/// …and no retry waits longer than this.
const CAP_MS: u64 = 30_000;

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
