//! What every handler's step does with an event: store it at the next seq, tell the
//! sockets, and weigh who may do what.

use edgechat_protocol::{Role, RoomEvent, Seq};

use super::{Effect, Room, SocketEffect};
use crate::store::{Sql, StoreError};

impl<S: Sql> Room<S> {
    /// Stores an event that takes the next seq, and keeps what the room holds in memory
    /// of it. `false` for a message whose `clientMsgId` its sender already used: a
    /// resend, which stored nothing.
    pub(super) fn store_event(&mut self, event: &RoomEvent) -> Result<bool, StoreError> {
        if !self.store.append(event, self.now)? {
            return Ok(false);
        }
        self.head = event.seq();
        self.senders.stored(event);
        Ok(true)
    }

    /// Stores an event that takes the next seq, then broadcasts it.
    pub(super) fn publish(&mut self, event: RoomEvent) -> Result<Vec<Effect>, StoreError> {
        self.audit_event(&event)?;
        self.store_event(&event)?;
        Ok(vec![
            Effect::Stored(event.clone()),
            Effect::Socket(SocketEffect::Broadcast {
                msg: event.into(),
                except: None,
            }),
        ])
    }

    pub(super) fn next_seq(&self) -> Seq {
        self.head + 1
    }

    /// The effective rank of a user: their room role, or above every role for a global
    /// admin; someone who is neither ranks as a member.
    pub(super) fn rank(&self, user_id: &str) -> Result<Rank, StoreError> {
        let role = self.store.member(user_id)?.map_or(Role::Member, |m| m.role);
        Ok(self.rank_with(user_id, role))
    }

    /// `rank` for a user whose room role is known.
    pub(super) fn rank_with(&self, user_id: &str, role: Role) -> Rank {
        let global = self
            .sockets
            .identities_of(user_id)
            .any(|who| who.global_admin);
        if global {
            Rank::GlobalAdmin
        } else {
            Rank::Room(role)
        }
    }
}

/// How far a user's word reaches in a room, lowest first: a room role (by its order), then
/// a global admin, who outranks every role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    Room(Role),
    GlobalAdmin,
}
