//! The rate budgets a room keeps per user: one token bucket per kind of write.

use edgechat_protocol::{ErrorCode, Millis};

use super::{Effect, Refusal, Room};
use crate::sockets::SocketEffect;
use crate::{
    rate::{Bucket, Rate},
    store::Sql,
};

/// What a rate bucket counts, per user per room (docs/protocol.md, "Budgets").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Budget {
    /// New messages (`RATE_…`).
    Messages,
    /// Edits, deletes, reactions, pins (`ACTION_RATE_…`).
    Actions,
    /// Mutes, bans, kicks, roles, slow mode, settings, invites (`MODERATION_RATE_…`).
    Moderation,
    /// Leaving, and so joining again (`MEMBERSHIP_RATE_…`).
    Membership,
    /// What reads make the room send, in KiB: a socket's first frames, `join-room`,
    /// `load-history`, `list-members`, `list-bans`, `list-pins` (`READ_RATE_…`).
    Reads,
    /// Messages an incoming hook posts, per hook (`HOOK_RATE_…`).
    Hooks,
}

impl<S: Sql> Room<S> {
    fn rate(&self, budget: Budget) -> Rate {
        match budget {
            Budget::Messages => Rate {
                per_window: self.limits.rate_per_window,
                window_ms: self.limits.rate_window_ms,
                burst: self.limits.rate_burst,
            },
            Budget::Actions => self.limits.action_rate,
            Budget::Moderation => self.limits.moderation_rate,
            Budget::Membership => self.limits.membership_rate,
            Budget::Reads => self.limits.read_rate,
            Budget::Hooks => self.limits.hook_rate,
        }
    }

    /// `Ok` when `user_id` has a token of `budget` left (not taking it), else the
    /// refusal that says how long to wait.
    pub(crate) fn check_budget(
        &mut self,
        user_id: &str,
        budget: Budget,
        now: Millis,
    ) -> Result<(), Refusal> {
        let rate = self.rate(budget);
        let bucket = self
            .buckets
            .entry((user_id.to_owned(), budget))
            .or_insert_with(|| Bucket::full(rate, now));
        bucket.check(rate, now).map_err(|wait| {
            let what = match budget {
                Budget::Messages => "too many messages; slow down",
                Budget::Actions => "too many edits, deletes, reactions or pins; slow down",
                Budget::Moderation => "too many moderation actions; slow down",
                Budget::Membership => "leaving and joining too often; slow down",
                Budget::Reads => "reading this room too fast; slow down",
                Budget::Hooks => "this hook posts too often; slow down",
            };
            Refusal::new(ErrorCode::RateLimited, what).retry_after(wait)
        })
    }

    /// Takes a token of `budget` from `user_id` (after [`Room::check_budget`]).
    pub(crate) fn take_budget(&mut self, user_id: &str, budget: Budget) {
        if let Some(bucket) = self.buckets.get_mut(&(user_id.to_owned(), budget)) {
            bucket.take();
        }
    }

    /// Pays for a read that [`Room::check_budget`] let through: what its answers weigh,
    /// in KiB, however far that takes the user's read budget into debt.
    pub(crate) fn charge_reads(&mut self, user_id: &str, answers: &[Effect]) {
        if let Some(bucket) = self.buckets.get_mut(&(user_id.to_owned(), Budget::Reads)) {
            bucket.charge(sent_kib(answers));
        }
    }

    /// Checks and takes at once, for writes with no later refusal that should spare it.
    pub(crate) fn spend(
        &mut self,
        user_id: &str,
        budget: Budget,
        now: Millis,
    ) -> Result<(), Refusal> {
        self.check_budget(user_id, budget, now)?;
        self.take_budget(user_id, budget);
        Ok(())
    }
}

/// What the `Send`s among `effects` weigh on the wire, in KiB rounded up: their JSON.
pub(crate) fn sent_kib(effects: &[Effect]) -> u64 {
    let bytes: usize = effects
        .iter()
        .filter_map(|effect| match effect {
            // A frame that would not serialize is not sent either.
            Effect::Socket(SocketEffect::Send { msg, .. }) => {
                serde_json::to_vec(msg).ok().map(|json| json.len())
            }
            _ => None,
        })
        .sum();
    (bytes as u64).div_ceil(1024)
}
