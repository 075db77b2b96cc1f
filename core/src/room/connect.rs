//! Sockets arriving and leaving, and membership that follows from them.

use edgechat_protocol::{ErrorCode, Millis, Role, RoomEvent, Seq, ServerMsg, Status, close};

use super::arrivals::TOLD_TOGETHER;
use super::{Budget, ConnId, Effect, Identity, Outcome, Refusal, Room};
use crate::sockets::SocketEffect;
use crate::store::{Sql, StoreError};
use edgechat_protocol::frame;

impl<S: Sql> Room<S> {
    /// Opening a room's socket joins the room: a banned user, or a stranger to a room that
    /// is not public, is told why and the socket is closed.
    pub(super) fn connect(
        &mut self,
        conn: ConnId,
        who: Identity,
        since: Option<Seq>,
        now: Millis,
    ) -> Result<Vec<Effect>, StoreError> {
        let user_id = who.user_id.clone();
        // Each connect is sent the room's snapshot (or a replay): it spends the read
        // budget as `join-room` does, so reconnecting in a loop is no way around it.
        if let Err(refusal) = self.check_budget(&user_id, Budget::Reads, now) {
            return Ok(vec![
                refusal.into_effect(&conn, None)?,
                Effect::Socket(SocketEffect::Close {
                    conn,
                    code: close::READ_LIMITED,
                    reason: "reading this room too fast; reconnect later".to_owned(),
                }),
            ]);
        }
        let mut effects = Vec::new();
        let member = self.store.member(&user_id)?;
        if let Some(member) = &member
            && (member.username != who.username
                || (member.handle != who.handle && !who.handle.is_empty()))
        {
            // An invitee is listed under their id until they first arrive; a renamed
            // user under their old name until they next do.
            let handle = if who.handle.is_empty() {
                &member.handle
            } else {
                &who.handle
            };
            self.store.rename_member(&user_id, &who.username, handle)?;
        }
        if member.is_none() {
            let refusal = if self.store.is_banned(&user_id)? {
                Some((
                    ErrorCode::Banned,
                    close::BANNED,
                    "you are banned from this room",
                ))
            } else if !self.info.kind.open_to_all()
                && user_id != self.info.created_by
                && !who.global_admin
            {
                Some((
                    ErrorCode::Forbidden,
                    close::FORBIDDEN,
                    "this room is invite-only",
                ))
            } else if self.is_full()? {
                Some((ErrorCode::RoomFull, close::ROOM_FULL, "this room is full"))
            } else {
                None
            };
            if let Some((code, close_code, message)) = refusal {
                return Ok(vec![
                    Refusal::new(code, message).into_effect(&conn, None)?,
                    Effect::Socket(SocketEffect::Close {
                        conn,
                        code: close_code,
                        reason: message.to_owned(),
                    }),
                ]);
            }
            let joined = RoomEvent::UserJoined {
                room_id: self.info.room_id.clone(),
                user_id: user_id.clone(),
                username: who.username.clone(),
                handle: who.handle.clone(),
                role: Role::Member,
                seq: self.next_seq(),
            };
            self.store_event(&joined)?;
            effects.push(Effect::Stored(joined.clone()));
            effects.extend(self.announce_join(joined, &conn));
        }

        effects.extend(self.arrived_with_status(&conn, &who, member.as_ref())?);
        self.sockets.insert(conn.clone(), who.clone());
        self.leaving.remove(&user_id);
        effects.extend(self.cap_sockets(&user_id));
        effects.extend(self.resume(&conn, &who, since, now)?);
        // Its `room-joined` holds every arrival still waiting.
        let changed = self.presence_update(Some(&conn));
        let whole_set_went = changed.iter().any(|effect| {
            matches!(
                effect,
                Effect::Socket(SocketEffect::Broadcast {
                    msg: ServerMsg::OnlineUsers(_),
                    ..
                })
            )
        });
        // A socket of version 5 has the count and its page's flags in `room-joined`; an
        // older one is told the whole set, unless it went to everyone just now.
        if who.version < TOLD_TOGETHER && !whole_set_went {
            effects.push(Effect::Socket(SocketEffect::Send {
                conn: conn.clone(),
                msg: self.presence_now(),
            }));
        }
        effects.extend(changed);
        // Every `Send` here is to the new socket: its first frames.
        self.charge_reads(&user_id, &effects);
        Ok(effects)
    }

    /// The status the door read for an arriving member, kept and told when it differs
    /// from the member table's: a room the member joined after their last status change
    /// hears it here rather than never. "Offline" is not believed of someone arriving
    /// (their inbox may simply not have stored "online" yet); their status text is.
    /// Told to the others only: the joiner's first frame is `room-joined`, which has it.
    fn arrived_with_status(
        &mut self,
        conn: &str,
        who: &Identity,
        known: Option<&crate::store::Member>,
    ) -> Result<Vec<Effect>, StoreError> {
        let Some(door) = who.status else {
            return Ok(Vec::new());
        };
        let (was, was_text) = known.map_or((Status::Offline, None), |m| {
            (m.status, m.status_text.clone())
        });
        // Their status text is the door's word either way (the inbox wrote it).
        let status = if door == Status::Offline { was } else { door };
        if status == was && who.status_text == was_text {
            return Ok(Vec::new());
        }
        let text = who.status_text.as_deref();
        self.store
            .set_status(&who.user_id, status, Some(self.now), text)?;
        // The joiner's first frame is `room-joined`, which carries it.
        Ok(self.announce_status(
            frame::UserStatus {
                user_id: who.user_id.clone(),
                status,
                last_seen: Some(self.now),
                status_text: who.status_text.clone(),
            },
            conn,
        ))
    }

    /// Closes the sockets, restored after a wake, of users who are no longer members
    /// (banned, kicked, or left while a socket lingered): they are never served. One
    /// lookup per user with a socket, so it costs what is live.
    pub fn close_strays(&mut self, now: Millis) -> Result<Vec<Effect>, StoreError> {
        let users: Vec<String> = self.sockets.users().cloned().collect();
        let mut effects = Vec::new();
        for user_id in users {
            if self.store.is_member(&user_id)? {
                continue;
            }
            let (code, reason) = if self.store.is_banned(&user_id)? {
                (close::BANNED, "you are banned from this room")
            } else {
                (close::KICKED, "you are no longer a member of this room")
            };
            effects.extend(self.remove_user(&user_id, code, reason, now));
        }
        Ok(effects)
    }

    /// Whether the room has as many members as it may: its capacity, and never more
    /// than `MAX_ROOM_MEMBERS`.
    pub(super) fn is_full(&self) -> Result<bool, StoreError> {
        let cap = self
            .info
            .capacity
            .map_or(self.limits.max_room_members, u64::from)
            .min(self.limits.max_room_members);
        Ok(self.store.member_count()? >= cap)
    }

    /// Closes `user_id`'s oldest sockets beyond the cap.
    fn cap_sockets(&mut self, user_id: &str) -> Vec<Effect> {
        let mine = self.sockets.of(user_id);
        let excess = mine.len().saturating_sub(self.limits.max_sockets_per_user);
        mine.into_iter()
            .take(excess)
            .map(|conn| {
                self.sockets.remove(&conn);
                Effect::Socket(SocketEffect::Close {
                    conn,
                    code: close::TOO_MANY_SOCKETS,
                    reason: "this room is open in too many places; the oldest was closed".into(),
                })
            })
            .collect()
    }

    /// The first frames of a socket: a fresh `room-joined`, or, when `since` is recent
    /// enough, an empty one followed by exactly the durable events after `since`.
    fn resume(
        &self,
        conn: &str,
        who: &Identity,
        since: Option<Seq>,
        now: Millis,
    ) -> Result<Vec<Effect>, StoreError> {
        let send = |msg| {
            Effect::Socket(SocketEffect::Send {
                conn: conn.to_owned(),
                msg,
            })
        };
        let mut effects = Vec::new();
        let replay = match since {
            Some(since) => Some(self.store.replay_after(since, self.limits.max_replay)?),
            None => None,
        };
        match replay {
            Some(Some(events)) => {
                effects.push(send(self.room_joined(who, false, None)?));
                effects.extend(events.into_iter().map(|e| send(e.into())));
            }
            Some(None) => {
                effects.push(send(ServerMsg::Resync(frame::Resync {
                    room_id: self.info.room_id.clone(),
                    head_seq: self.head,
                })));
                effects.push(send(self.room_joined(who, true, None)?));
            }
            None => effects.push(send(self.room_joined(who, true, None)?)),
        }
        effects.extend(self.typing_now(now).into_iter().map(send));
        Ok(effects)
    }

    /// `join-room` on a joined socket: the snapshot again.
    pub(super) fn joined(&self, conn: &str, who: &Identity, req_id: Option<String>) -> Outcome {
        Ok(vec![Effect::Socket(SocketEffect::Send {
            conn: conn.to_owned(),
            msg: self.room_joined(who, true, req_id)?,
        })])
    }

    pub(super) fn disconnect(&mut self, conn: &str, now: Millis) -> Vec<Effect> {
        let Some(who) = self.sockets.remove(conn) else {
            return Vec::new();
        };
        if !self.sockets.of(&who.user_id).is_empty() {
            return Vec::new();
        }
        self.leaving.insert(who.user_id.clone(), now);
        self.typing_stop(&who.user_id, now)
    }

    /// `leave-room`: membership ends and every device's socket closes.
    pub(super) fn leave(&mut self, who: &Identity, now: Millis) -> Outcome {
        let left = RoomEvent::UserLeft {
            room_id: self.info.room_id.clone(),
            user_id: who.user_id.clone(),
            username: who.username.clone(),
            seq: self.next_seq(),
        };
        let mut effects = self.publish(left)?;
        effects.extend(self.remove_user(&who.user_id, close::LEFT, "you left the room", now));
        Ok(effects)
    }
}
