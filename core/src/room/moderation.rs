//! Moderation. Moderators mute, kick, delete and pin; admins also ban, set roles and slow
//! mode; nobody acts on someone of equal or higher rank. Repeating an action that is
//! already in effect changes nothing.

use edgechat_protocol::{ErrorCode, Millis, Role, RoomEvent, RoomKind, close};

use super::{Identity, Outcome, Rank, Refusal, Room};
use crate::{ids, store::Sql};

/// The longest slow mode: six hours.
pub const MAX_SLOW_MODE_SECS: u32 = 6 * 60 * 60;

impl<S: Sql> Room<S> {
    pub(super) fn require_role(&self, who: &Identity, role: Role) -> Result<(), Refusal> {
        if self.rank(&who.user_id)? >= Rank::Room(role) {
            Ok(())
        } else {
            Err(Refusal::new(
                ErrorCode::Forbidden,
                format!("this needs the {} role", role.as_str()),
            ))
        }
    }

    /// `who` has at least `role` and outranks `target`.
    pub(super) fn require_over(
        &self,
        who: &Identity,
        target: &str,
        role: Role,
    ) -> Result<(), Refusal> {
        self.require_role(who, role)?;
        if self.rank(target)? >= self.rank(&who.user_id)? {
            return Err(Refusal::new(
                ErrorCode::Forbidden,
                "you cannot act on someone of equal or higher role",
            ));
        }
        Ok(())
    }

    fn require_member(&self, user_id: &str) -> Result<(), Refusal> {
        if self.store.is_member(user_id)? {
            Ok(())
        } else {
            Err(Refusal::new(
                ErrorCode::NotFound,
                "no such member in this room",
            ))
        }
    }

    pub(super) fn mute(
        &mut self,
        who: &Identity,
        user_id: &str,
        until: Millis,
        now: Millis,
    ) -> Outcome {
        self.require_member(user_id)?;
        self.require_over(who, user_id, Role::Moderator)?;
        if until <= now {
            return Err(Refusal::new(
                ErrorCode::BadRequest,
                "`until` must be in the future",
            ));
        }
        if self.store.mute(user_id)? == Some(until) {
            return Ok(Vec::new());
        }
        Ok(self.publish(RoomEvent::UserMuted {
            user_id: user_id.to_owned(),
            until,
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?)
    }

    pub(super) fn unmute(&mut self, who: &Identity, user_id: &str) -> Outcome {
        self.require_over(who, user_id, Role::Moderator)?;
        if self.store.mute(user_id)?.is_none() {
            return Ok(Vec::new());
        }
        Ok(self.publish(RoomEvent::UserUnmuted {
            user_id: user_id.to_owned(),
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?)
    }

    /// A ban removes the user, closes their sockets and keeps them out; a user who is not
    /// a member can be banned ahead of time.
    pub(super) fn ban(&mut self, who: &Identity, user_id: &str, now: Millis) -> Outcome {
        if !ids::is_valid_user_id(user_id) {
            return Err(Refusal::new(ErrorCode::BadRequest, "not a user id"));
        }
        self.require_over(who, user_id, Role::Admin)?;
        if self.store.is_banned(user_id)? {
            return Ok(Vec::new());
        }
        let mut effects = self.publish(RoomEvent::UserBanned {
            user_id: user_id.to_owned(),
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?;
        effects.extend(self.remove_user(
            user_id,
            close::BANNED,
            "you were banned from this room",
            now,
        ));
        Ok(effects)
    }

    pub(super) fn unban(&mut self, who: &Identity, user_id: &str) -> Outcome {
        self.require_role(who, Role::Admin)?;
        let Some(username) = self.store.banned_name(user_id)? else {
            return Ok(Vec::new());
        };
        Ok(self.publish(RoomEvent::UserUnbanned {
            user_id: user_id.to_owned(),
            username,
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?)
    }

    /// A kick removes the member and closes their sockets; they may come back to a public
    /// room.
    pub(super) fn kick(&mut self, who: &Identity, user_id: &str, now: Millis) -> Outcome {
        self.require_member(user_id)?;
        self.require_over(who, user_id, Role::Moderator)?;
        let mut effects = self.publish(RoomEvent::UserKicked {
            user_id: user_id.to_owned(),
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?;
        effects.extend(self.remove_user(
            user_id,
            close::KICKED,
            "you were removed from this room",
            now,
        ));
        Ok(effects)
    }

    /// Admins set the role of those they outrank, up to their own.
    pub(super) fn set_role(&mut self, who: &Identity, user_id: &str, role: Role) -> Outcome {
        self.require_member(user_id)?;
        self.require_over(who, user_id, Role::Admin)?;
        if Rank::Room(role) > self.rank(&who.user_id)? {
            return Err(Refusal::new(
                ErrorCode::Forbidden,
                "you cannot give a role above your own",
            ));
        }
        if self.store.member(user_id)?.map(|m| m.role) == Some(role) {
            return Ok(Vec::new());
        }
        Ok(self.publish(RoomEvent::RoleChanged {
            user_id: user_id.to_owned(),
            role,
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?)
    }

    pub(super) fn set_slow_mode(&mut self, who: &Identity, seconds: u32) -> Outcome {
        self.require_role(who, Role::Admin)?;
        if seconds > MAX_SLOW_MODE_SECS {
            return Err(Refusal::new(
                ErrorCode::BadRequest,
                format!("slow mode is at most {MAX_SLOW_MODE_SECS} seconds"),
            ));
        }
        if self.store.slow_mode()? == seconds {
            return Ok(Vec::new());
        }
        Ok(self.publish(RoomEvent::SlowModeChanged {
            seconds,
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?)
    }

    /// Any member may invite an enabled account, except into a direct room; the invitee
    /// becomes a member. Without `username` (the door has not looked them up yet) only
    /// the checks run, and nothing is stored.
    pub(super) fn invite(
        &mut self,
        who: &Identity,
        user_id: &str,
        username: Option<&str>,
    ) -> Outcome {
        if !ids::is_valid_user_id(user_id) {
            return Err(Refusal::new(ErrorCode::BadRequest, "not a user id"));
        }
        if self.info.kind == RoomKind::Direct {
            return Err(Refusal::new(
                ErrorCode::Forbidden,
                "nobody can be added to a direct conversation",
            ));
        }
        if !self.store.is_member(&who.user_id)? {
            return Err(Refusal::new(ErrorCode::Forbidden, "only members invite"));
        }
        if self.store.is_banned(user_id)? {
            return Err(Refusal::new(
                ErrorCode::Banned,
                "that user is banned from this room",
            ));
        }
        if self.store.is_member(user_id)? {
            return Ok(Vec::new());
        }
        if self.is_full()? {
            return Err(Refusal::new(ErrorCode::RoomFull, "this room is full"));
        }
        let Some(username) = username else {
            return Ok(Vec::new());
        };
        Ok(self.publish(RoomEvent::UserInvited {
            user_id: user_id.to_owned(),
            username: username.to_owned(),
            by: who.user_id.clone(),
            seq: self.next_seq(),
        })?)
    }
}
