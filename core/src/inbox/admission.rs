//! The inbox's hourly cap on how many rooms others add its user to
//! (`ADDED_TO_ROOMS_PER_HOUR`), and its other refusals, decided here; the inbox object
//! only stores the times and sends the answer.

use edgechat_protocol::{ErrorCode, Millis};

use crate::Refusal;

const HOUR: Millis = 60 * 60 * 1000;

/// Counts one more room `added` (the times of the hour's additions, as stored) lets the
/// user be added to at `now`, within `cap`: the times to store, or the refusal.
pub fn admit(added: &mut Vec<Millis>, cap: usize, room: &str, now: Millis) -> Result<(), Refusal> {
    added.retain(|at| at + HOUR > now);
    if added.len() >= cap {
        let retry_after = added
            .iter()
            .min()
            .map_or(HOUR, |oldest| oldest + HOUR - now);
        return Err(Refusal::new(
            ErrorCode::AddedTooOften,
            format!("added to too many rooms this hour ({room})"),
        )
        .retry_after(retry_after));
    }
    added.push(now);
    Ok(())
}

/// The answer to a status text set faster than `STATUS_RATE_…` allows.
pub fn status_too_often(retry_after: u64) -> Refusal {
    Refusal::new(ErrorCode::RateLimited, "too many status changes; slow down")
        .retry_after(retry_after)
}

/// The answer to a request of an account the directory no longer has.
pub fn account_gone() -> Refusal {
    Refusal::new(ErrorCode::Unauthorized, "the account no longer exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_admits_the_cap_then_says_when_the_oldest_leaves_it() {
        let mut added = Vec::new();
        assert!(admit(&mut added, 2, "a", 1_000).is_ok());
        assert!(admit(&mut added, 2, "b", 2_000).is_ok());
        let refused = admit(&mut added, 2, "c", 3_000).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::AddedTooOften);
        assert_eq!(refused.wait(), Some(HOUR - 2_000));
        assert!(admit(&mut added, 2, "d", HOUR + 1_000).is_ok());
        assert_eq!(added, [2_000, HOUR + 1_000]);
    }
}
