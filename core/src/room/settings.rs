//! The room's settings panel: its name, topic and capacity, the ban list and the pins.
//! Renaming changes what the room is called, never its id (its address stays).

use edgechat_protocol::{ErrorCode, Role, RoomEvent, RoomKind, ServerMsg};

use super::{Effect, Identity, Outcome, Refusal, Room};
use crate::sockets::SocketEffect;
use crate::{
    Limits,
    limits::{MAX_PINS, ROOM_NAME_MAX, TOPIC_MAX},
    store::Sql,
};
use edgechat_protocol::frame;

/// What a channel's new name was found to be: another room's (its address, or its name
/// in any case), which two rooms may not share.
pub(super) fn name_taken() -> Refusal {
    Refusal::new(ErrorCode::RoomExists, "another room has that name")
}

/// Why a room of `members` members cannot have the capacity `cap`, if it cannot: the
/// same bounds when it is created as when it is changed, within what rooms take
/// (`MAX_ROOM_MEMBERS`), and no fewer than its members (nobody is removed to make room).
pub fn capacity_refused(cap: u32, members: u64, limits: &Limits) -> Option<String> {
    let most = limits.max_room_members;
    if cap < 2 || u64::from(cap) > most {
        return Some(format!(
            "capacity is between 2 and {most}, or 0 for no limit"
        ));
    }
    (u64::from(cap) < members)
        .then(|| format!("the room has {members} members; its capacity cannot be less"))
}

/// The changes one `update-room` asks for; `None` leaves a setting as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub name: Option<String>,
    pub topic: Option<String>,
    /// 0: no limit.
    pub capacity: Option<u32>,
}

impl<S: Sql> Room<S> {
    /// Each field needs its own role: the name and capacity an admin, the topic a
    /// moderator. Nothing that would not change needs any; a request that changes
    /// nothing sends nothing. A channel's new name must not be another room's: the door,
    /// which alone can read the directory, is asked first ([`Effect::CheckName`]), and
    /// the request comes back as [`super::Command::NameChecked`] with `name_free`.
    pub(super) fn update_room(
        &mut self,
        conn: &str,
        who: &Identity,
        asked: Update,
        req_id: Option<String>,
        name_free: bool,
    ) -> Outcome {
        let update = asked.clone();
        if self.info.kind == RoomKind::Direct {
            return Err(Refusal::new(
                ErrorCode::Forbidden,
                "a direct conversation has no settings to change",
            ));
        }
        let name = match asked.name {
            Some(raw) => Some(self.checked_name(&raw)?),
            None => None,
        };
        let topic = match asked.topic {
            Some(raw) => Some(checked_topic(&raw)?),
            None => None,
        };
        let capacity = match asked.capacity {
            Some(0) => Some(None),
            Some(cap) => Some(Some(self.checked_capacity(cap)?)),
            None => None,
        };
        let name = name.filter(|n| *n != self.info.name);
        let topic = topic.filter(|t| *t != self.info.topic);
        let capacity = capacity.filter(|c| *c != self.info.capacity);
        if name.is_some() || capacity.is_some() {
            self.require_role(who, Role::Admin)?;
        }
        if topic.is_some() {
            self.require_role(who, Role::Moderator)?;
        }
        if name.is_none() && topic.is_none() && capacity.is_none() {
            return Ok(Vec::new());
        }
        let channel = matches!(self.info.kind, RoomKind::Public | RoomKind::Private);
        if name.is_some() && channel && !name_free {
            return Ok(vec![Effect::CheckName {
                conn: conn.to_owned(),
                update,
                req_id,
            }]);
        }
        let event = RoomEvent::RoomUpdated {
            name: name.unwrap_or_else(|| self.info.name.clone()),
            topic: topic.unwrap_or_else(|| self.info.topic.clone()),
            capacity: capacity.unwrap_or(self.info.capacity),
            by: who.user_id.clone(),
            seq: self.next_seq(),
        };
        if let RoomEvent::RoomUpdated {
            name,
            topic,
            capacity,
            ..
        } = &event
        {
            self.info.name.clone_from(name);
            self.info.topic.clone_from(topic);
            self.info.capacity = *capacity;
        }
        Ok(self.publish(event)?)
    }

    /// A name as listings show it: one line of 1 to 64 characters; a channel's needs a
    /// letter or digit, as when it was created.
    fn checked_name(&self, raw: &str) -> Result<String, Refusal> {
        let name = edgechat_protocol::text::one_line(raw);
        if name.is_empty() {
            return Err(Refusal::new(ErrorCode::TooShort, "a room needs a name"));
        }
        if name.chars().count() > ROOM_NAME_MAX {
            return Err(Refusal::new(
                ErrorCode::TooLong,
                format!("room names have at most {ROOM_NAME_MAX} characters"),
            ));
        }
        if self.info.kind != RoomKind::Group && crate::ids::room_slug(&name).is_none() {
            return Err(Refusal::new(
                ErrorCode::Invalid,
                "a room name needs a letter or digit",
            ));
        }
        Ok(name)
    }

    /// A capacity the room can keep: within what rooms take, and no fewer than its
    /// members (nobody is removed to make room).
    fn checked_capacity(&self, cap: u32) -> Result<u32, Refusal> {
        let members = self.store.member_count()?;
        match capacity_refused(cap, members, &self.limits) {
            Some(why) => Err(Refusal::new(ErrorCode::BadRequest, why)),
            None => Ok(cap),
        }
    }

    /// The next page of banned users, to admins (who alone may unban).
    pub(super) fn ban_page(
        &self,
        conn: &str,
        who: &Identity,
        after: Option<&str>,
        req_id: Option<String>,
    ) -> Outcome {
        self.require_role(who, Role::Admin)?;
        let (users, has_more) = self
            .store
            .banned_after(after.unwrap_or(""), self.limits.member_page)?;
        Ok(vec![Effect::Socket(SocketEffect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::BanPage(frame::BanPage {
                room_id: self.info.room_id.clone(),
                users,
                has_more,
                req_id,
            }),
        })])
    }

    /// Every pinned message, to anyone in the room: there are at most [`MAX_PINS`].
    pub(super) fn pin_list(&self, conn: &str, req_id: Option<String>) -> Outcome {
        Ok(vec![Effect::Socket(SocketEffect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::PinList(frame::PinList {
                room_id: self.info.room_id.clone(),
                messages: self.store.pinned(MAX_PINS)?,
                req_id,
            }),
        })])
    }

    /// Refuses a pin beyond [`MAX_PINS`]: unpin one first.
    pub(super) fn room_for_a_pin(&self) -> Result<(), Refusal> {
        if self.store.pinned_count(MAX_PINS)? >= MAX_PINS as u64 {
            return Err(Refusal::new(
                ErrorCode::TooManyPins,
                format!("a room keeps at most {MAX_PINS} pinned messages; unpin one first"),
            ));
        }
        Ok(())
    }
}

/// A topic: one line of at most 250 characters; empty clears it.
fn checked_topic(raw: &str) -> Result<String, Refusal> {
    let topic = edgechat_protocol::text::one_line(raw);
    if topic.chars().count() > TOPIC_MAX {
        return Err(Refusal::new(
            ErrorCode::TooLong,
            format!("a topic has at most {TOPIC_MAX} characters"),
        ));
    }
    Ok(topic)
}
