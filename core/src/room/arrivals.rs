//! Arrivals told together. Each join is stored at once, but sockets of version 5 hear the
//! joins and arrival statuses of one presence window in one `members-arrived`, at the
//! window's end with `presence-changed`: a storm of n arrivals costs each socket a frame
//! per window, not two per arrival (n² sends in all). Older sockets still get a
//! `user-joined` and a `user-status` per arrival.
//!
//! What waits is in memory for at most one window, and the window always ends (its alarm)
//! long before the object may hibernate. It goes out before anything else the sockets
//! must see after it (a durable event, a status), so the seqs each socket sees still
//! rise; a step that fails takes back only what it added.

use edgechat_protocol::{RoomEvent, ServerMsg, frame};

use super::{ConnId, Effect, Room, SocketEffect};
use crate::store::Sql;

/// The wire version that hears arrivals in `members-arrived`.
pub(super) const TOLD_TOGETHER: u32 = 5;

/// Arrivals not yet told to sockets of [`TOLD_TOGETHER`] or later.
#[derive(Debug, Clone, Default)]
pub(super) struct Arrivals {
    /// `user-joined` events, in seq order.
    joined: Vec<RoomEvent>,
    /// Statuses in the order they changed; a later one for the same user wins.
    statuses: Vec<frame::UserStatus>,
}

/// How much was waiting before a step, to take back what a failed step added.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark(usize, usize);

impl Arrivals {
    pub(super) fn is_empty(&self) -> bool {
        self.joined.is_empty() && self.statuses.is_empty()
    }

    pub(super) fn mark(&self) -> Mark {
        Mark(self.joined.len(), self.statuses.len())
    }

    pub(super) fn back_to(&mut self, Mark(joined, statuses): Mark) {
        self.joined.truncate(joined);
        self.statuses.truncate(statuses);
    }
}

impl<S: Sql> Room<S> {
    /// A member new to the room: older sockets but the joiner's hear it now; newer ones
    /// with the window's other arrivals.
    pub(super) fn announce_join(&mut self, joined: RoomEvent, conn: &str) -> Vec<Effect> {
        let now = self.older_hear(joined.clone().into(), conn);
        self.arrivals.joined.push(joined);
        now.into_iter().collect()
    }

    /// An arrival's status, told as [`Self::announce_join`] tells a join.
    pub(super) fn announce_status(&mut self, status: frame::UserStatus, conn: &str) -> Vec<Effect> {
        let now = self.older_hear(ServerMsg::UserStatus(status.clone()), conn);
        self.arrivals.statuses.push(status);
        now.into_iter().collect()
    }

    /// `msg` to the sockets older than [`TOLD_TOGETHER`] but `conn`, if there are any.
    fn older_hear(&self, msg: ServerMsg, conn: &str) -> Option<Effect> {
        self.sockets.any_before(TOLD_TOGETHER).then(|| {
            Effect::Socket(SocketEffect::BroadcastBefore {
                msg,
                until: TOLD_TOGETHER,
                except: Some(conn.to_owned()),
            })
        })
    }

    /// Everything waiting, as one `members-arrived` to every socket that speaks it but
    /// `except` (a joiner whose `room-joined` already holds all of it); nothing when
    /// nothing waits.
    pub(super) fn tell_arrivals(&mut self, except: Option<ConnId>) -> Vec<Effect> {
        if self.arrivals.is_empty() {
            return Vec::new();
        }
        let Arrivals { joined, statuses } = std::mem::take(&mut self.arrivals);
        let mut seen = std::collections::BTreeSet::new();
        let mut latest: Vec<frame::UserStatus> = statuses
            .into_iter()
            .rev()
            .filter(|status| seen.insert(status.user_id.clone()))
            .collect();
        latest.reverse();
        vec![Effect::Socket(SocketEffect::Broadcast {
            msg: ServerMsg::MembersArrived(frame::MembersArrived {
                room_id: self.info.room_id.clone(),
                joined,
                statuses: latest,
            }),
            except,
        })]
    }

    /// `effects` with what waits told first if any of them must come after it: a
    /// broadcast of a durable event or a status.
    pub(super) fn arrivals_first(&mut self, mut effects: Vec<Effect>) -> Vec<Effect> {
        if self.arrivals.is_empty() {
            return effects;
        }
        let after = effects.iter().position(|effect| match effect {
            Effect::Socket(SocketEffect::Broadcast { msg, .. }) => {
                msg.seq().is_some() || matches!(msg, ServerMsg::UserStatus(_))
            }
            _ => false,
        });
        if let Some(at) = after {
            let told = self.tell_arrivals(None);
            effects.splice(at..at, told);
        }
        effects
    }
}
