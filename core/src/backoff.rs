//! How long to wait before trying again something that failed (the write-behind against
//! a D1 that refuses, a statement D1 may take on a second try): doubling from a base up
//! to a cap, then spread by jitter over its upper half, so that many objects failing
//! together do not all come back in the same instant.

/// The wait before the next try, after `failures` failures in a row (1 after the first):
/// `base_ms` doubled for each failure past the first, at most `cap_ms`, then scaled by
/// `jitter` (0 to 1, clamped) into its upper half.
pub fn delay_ms(failures: u32, base_ms: u64, cap_ms: u64, jitter: f64) -> u64 {
    let doublings = failures.saturating_sub(1).min(32);
    let ceiling = base_ms
        .saturating_mul(1 << doublings)
        .min(cap_ms.max(base_ms));
    let jitter = jitter.clamp(0.0, 1.0);
    (ceiling as f64 * (0.5 + jitter / 2.0)) as u64
}

#[cfg(test)]
mod tests {
    use super::delay_ms;

    #[test]
    fn waits_double_with_each_failure_up_to_the_cap() {
        let waits: Vec<u64> = (1..=7).map(|f| delay_ms(f, 1_000, 30_000, 1.0)).collect();
        assert_eq!(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
        assert_eq!(
            delay_ms(u32::MAX, 1_000, 30_000, 1.0),
            30_000,
            "no overflow"
        );
        assert_eq!(delay_ms(0, 1_000, 30_000, 1.0), 1_000, "before any failure");
    }

    #[test]
    fn jitter_spreads_a_wait_over_its_upper_half() {
        assert_eq!(delay_ms(3, 1_000, 30_000, 0.0), 2_000);
        assert_eq!(delay_ms(3, 1_000, 30_000, 0.5), 3_000);
        assert_eq!(delay_ms(3, 1_000, 30_000, 9.0), 4_000, "clamped");
    }

    #[test]
    fn a_cap_below_the_base_never_shortens_the_first_wait() {
        assert_eq!(delay_ms(5, 5_000, 1_000, 1.0), 5_000);
    }
}
