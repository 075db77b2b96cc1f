//! A token bucket: a sustained rate with room for short bursts.

use edgechat_protocol::Millis;

/// One user's bucket. Tokens are kept in thousandths so the arithmetic stays integral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    milli_tokens: u64,
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
            milli_tokens: u64::from(rate.burst) * 1000,
            updated_at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Millis) {
        let elapsed = now.saturating_sub(self.updated_at);
        let gained = elapsed * u64::from(rate.per_window) * 1000 / rate.window_ms.max(1);
        self.milli_tokens = (self.milli_tokens + gained).min(u64::from(rate.burst) * 1000);
        self.updated_at = now;
    }

    /// `Ok` when a token is available (without taking it), else how long until one is.
    pub fn check(&mut self, rate: Rate, now: Millis) -> Result<(), u64> {
        self.refill(rate, now);
        if self.milli_tokens >= 1000 {
            return Ok(());
        }
        let missing = 1000 - self.milli_tokens;
        let per_ms = u64::from(rate.per_window.max(1)) * 1000;
        Err((missing * rate.window_ms).div_ceil(per_ms))
    }

    /// Takes a token; call after a successful [`Bucket::check`].
    pub fn take(&mut self) {
        self.milli_tokens = self.milli_tokens.saturating_sub(1000);
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
    fn a_bucket_never_holds_more_than_the_burst() {
        let mut bucket = Bucket::full(RATE, 0);
        assert_eq!(bucket.check(RATE, 1_000_000), Ok(()));
        for _ in 0..5 {
            bucket.take();
        }
        assert!(bucket.check(RATE, 1_000_000).is_err());
    }
}
