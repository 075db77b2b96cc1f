//! A token bucket: a sustained rate with room for short bursts.

use edgechat_protocol::Millis;

/// One user's bucket. Tokens are kept in thousandths so the arithmetic stays integral.
/// A bucket may be in debt ([`Bucket::charge`]): a read whose cost is known only once its
/// answer is built is let through while a token is left, then paid in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    milli_tokens: i64,
    updated_at: Millis,
}

/// The shape every bucket in a room shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_window: u32,
    pub window_ms: u64,
    pub burst: u32,
}

impl Bucket {
    /// A full bucket.
    pub fn full(rate: Rate, now: Millis) -> Self {
        Self {
            milli_tokens: i64::from(rate.burst) * 1000,
            updated_at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Millis) {
        let elapsed = now.saturating_sub(self.updated_at);
        let gained = elapsed
            .saturating_mul(u64::from(rate.per_window) * 1000)
            .checked_div(rate.window_ms.max(1))
            .unwrap_or(0);
        let gained = i64::try_from(gained).unwrap_or(i64::MAX);
        self.milli_tokens = self
            .milli_tokens
            .saturating_add(gained)
            .min(i64::from(rate.burst) * 1000);
        self.updated_at = now;
    }

    /// `Ok` when a token is available (without taking it), else how long until one is.
    pub fn check(&mut self, rate: Rate, now: Millis) -> Result<(), u64> {
        self.refill(rate, now);
        if self.milli_tokens >= 1000 {
            return Ok(());
        }
        let missing = (1000 - self.milli_tokens).unsigned_abs();
        let per_ms = u64::from(rate.per_window.max(1)) * 1000;
        Err(missing.saturating_mul(rate.window_ms).div_ceil(per_ms))
    }

    /// Takes a token; call after a successful [`Bucket::check`].
    pub fn take(&mut self) {
        self.charge(1);
    }

    /// Takes `tokens` at once, going into debt if fewer are left: [`Bucket::check`]
    /// refuses until the debt is paid back at the sustained rate.
    pub fn charge(&mut self, tokens: u64) {
        let milli = i64::try_from(tokens.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.milli_tokens = self.milli_tokens.saturating_sub(milli);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        per_window: 10,
        window_ms: 10_000,
        burst: 5,
    };

    #[test]
    fn a_full_bucket_allows_a_burst_then_refuses() {
        let mut bucket = Bucket::full(RATE, 0);
        for _ in 0..5 {
            assert_eq!(bucket.check(RATE, 0), Ok(()));
            bucket.take();
        }
        assert_eq!(bucket.check(RATE, 0), Err(1000));
    }

    #[test]
    fn tokens_come_back_at_the_sustained_rate() {
        let mut bucket = Bucket::full(RATE, 0);
        for _ in 0..5 {
            bucket.take();
        }
        assert_eq!(bucket.check(RATE, 400), Err(600));
        assert_eq!(bucket.check(RATE, 1000), Ok(()));
    }

    #[test]
    fn a_charge_past_what_is_left_is_a_debt_paid_back_at_the_rate() {
        let mut bucket = Bucket::full(RATE, 0);
        bucket.charge(12);
        // 5 were there, 12 taken: 7 owed, and one more token needed, at one a second.
        assert_eq!(bucket.check(RATE, 0), Err(8_000));
        assert_eq!(bucket.check(RATE, 7_999), Err(1));
        assert_eq!(bucket.check(RATE, 8_000), Ok(()));
    }

    #[test]
    fn a_bucket_never_holds_more_than_the_burst() {
        let mut bucket = Bucket::full(RATE, 0);
        assert_eq!(bucket.check(RATE, 1_000_000), Ok(()));
        for _ in 0..5 {
            bucket.take();
        }
        assert!(bucket.check(RATE, 1_000_000).is_err());
    }
}
