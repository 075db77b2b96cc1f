//! Reactions: each member's set of emoji on a message.

use edgechat_protocol::{ErrorCode, Millis, RoomEvent};

use super::{Identity, Outcome, Refusal, Room, presence::muted};
use crate::{emoji::is_single_emoji, store::Sql};

impl<S: Sql> Room<S> {
    /// Adding a reaction one already has, or removing one one has not, changes nothing.
    pub(super) fn react(
        &mut self,
        who: &Identity,
        message_id: &str,
        emoji: &str,
        add: bool,
        now: Millis,
    ) -> Outcome {
        let message = self.live_message(message_id)?;
        if !is_single_emoji(emoji) {
            return Err(Refusal::new(
                ErrorCode::BadEmoji,
                "a reaction is a single emoji",
            ));
        }
        if let Some(until) = self.store.muted_until(&who.user_id, now)? {
            return Err(muted(until, now));
        }
        let mut users: Vec<String> = message
            .reactions
            .iter()
            .find(|r| r.emoji == emoji)
            .map(|r| r.user_ids.clone())
            .unwrap_or_default();
        let has = users.contains(&who.user_id);
        if has == add {
            return Ok(Vec::new());
        }
        if add {
            if users.is_empty() && message.reactions.len() >= self.limits.max_reactions {
                return Err(Refusal::new(
                    ErrorCode::TooManyReactions,
                    format!(
                        "a message takes at most {} different reactions",
                        self.limits.max_reactions
                    ),
                ));
            }
            users.push(who.user_id.clone());
            users.sort();
        } else {
            users.retain(|u| u != &who.user_id);
        }
        Ok(self.publish(RoomEvent::ReactionUpdated {
            message_id: message_id.to_owned(),
            emoji: emoji.to_owned(),
            count: users.len() as u32,
            user_ids: users,
            seq: self.next_seq(),
        })?)
    }
}
