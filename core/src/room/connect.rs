//! Sockets arriving and leaving, and membership that follows from them.

use edgechat_protocol::{ErrorCode, Millis, Role, RoomEvent, Seq, ServerMsg, close};

use super::{ConnId, Effect, Identity, Refusal, Room};

impl Room {
    /// Opening a room's socket joins the room: a banned user, or a stranger to a room that
    /// is not public, is told why and the socket is closed.
    pub(super) fn connect(
        &mut self,
        conn: ConnId,
        who: Identity,
        since: Option<Seq>,
        now: Millis,
    ) -> Vec<Effect> {
        let user_id = who.user_id.clone();
        let mut effects = Vec::new();
        if !self.durable.members.contains_key(&user_id) {
            let refusal = if self.durable.banned.contains(&user_id) {
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
            } else if self
                .info
                .capacity
                .is_some_and(|cap| self.durable.members.len() >= cap as usize)
            {
                Some((ErrorCode::RoomFull, close::ROOM_FULL, "this room is full"))
            } else {
                None
            };
            if let Some((code, close_code, message)) = refusal {
                return vec![
                    Refusal::new(code, message).into_effect(&conn, None),
                    Effect::Close {
                        conn,
                        code: close_code,
                        reason: message.to_owned(),
                    },
                ];
            }
            let role = Role::Member;
            let joined = RoomEvent::UserJoined {
                room_id: self.info.room_id.clone(),
                user_id: user_id.clone(),
                username: who.username.clone(),
                role,
                seq: self.next_seq(),
            };
            self.record(joined.clone());
            effects.push(Effect::Append(joined.clone()));
            effects.push(Effect::Broadcast {
                msg: joined.into(),
                except: Some(conn.clone()),
            });
        } else if let Some(member) = self.durable.members.get_mut(&user_id) {
            // An invitee is listed under their id until they first arrive.
            member.username.clone_from(&who.username);
        }

        self.conns.insert(conn.clone(), who.clone());
        self.arrival.retain(|c| self.conns.contains_key(c));
        self.arrival.push(conn.clone());
        self.leaving.remove(&user_id);
        effects.extend(self.cap_sockets(&user_id));
        effects.extend(self.resume(&conn, &who, since, now));
        effects.extend(self.presence_update());
        effects
    }

    /// Closes `user_id`'s oldest sockets beyond the cap.
    fn cap_sockets(&mut self, user_id: &str) -> Vec<Effect> {
        let mine: Vec<String> = self
            .arrival
            .iter()
            .filter(|c| self.conns.get(*c).is_some_and(|who| who.user_id == user_id))
            .cloned()
            .collect();
        let excess = mine.len().saturating_sub(self.limits.max_sockets_per_user);
        mine.into_iter()
            .take(excess)
            .map(|conn| {
                self.conns.remove(&conn);
                Effect::Close {
                    conn,
                    code: close::TOO_MANY_SOCKETS,
                    reason: "this room is open in too many places; the oldest was closed".into(),
                }
            })
            .collect()
    }

    /// The first frames of a socket: a fresh `room-joined`, or, when `since` is recent
    /// enough, an empty one followed by exactly the durable events after `since`.
    fn resume(&self, conn: &str, who: &Identity, since: Option<Seq>, now: Millis) -> Vec<Effect> {
        let send = |msg| Effect::Send {
            conn: conn.to_owned(),
            msg,
        };
        let mut effects = Vec::new();
        match since.map(|since| (since, self.replay_after(since))) {
            Some((_, Some(events))) => {
                effects.push(send(self.room_joined(who, false, None)));
                effects.extend(events.into_iter().map(send));
            }
            Some((_, None)) => {
                effects.push(send(ServerMsg::Resync {
                    room_id: self.info.room_id.clone(),
                    head_seq: self.durable.head_seq,
                }));
                effects.push(send(self.room_joined(who, true, None)));
            }
            None => effects.push(send(self.room_joined(who, true, None))),
        }
        effects.extend(self.typing_now(now).into_iter().map(send));
        effects
    }

    /// `join-room` on a joined socket: the snapshot again.
    pub(super) fn joined(
        &self,
        conn: &str,
        who: &Identity,
        req_id: Option<String>,
        _now: Millis,
    ) -> Vec<Effect> {
        vec![Effect::Send {
            conn: conn.to_owned(),
            msg: self.room_joined(who, true, req_id),
        }]
    }

    pub(super) fn disconnect(&mut self, conn: &str, now: Millis) -> Vec<Effect> {
        let Some(who) = self.conns.remove(conn) else {
            return Vec::new();
        };
        if !self.conns_of(&who.user_id).is_empty() {
            return Vec::new();
        }
        self.leaving.insert(who.user_id.clone(), now);
        self.typing_stop(&who.user_id, now)
    }

    /// `leave-room`: membership ends and every device's socket closes.
    pub(super) fn leave(&mut self, who: &Identity, now: Millis) -> Vec<Effect> {
        let left = RoomEvent::UserLeft {
            room_id: self.info.room_id.clone(),
            user_id: who.user_id.clone(),
            seq: self.next_seq(),
        };
        let mut effects = self.publish(left);
        effects.extend(self.remove_user(&who.user_id, close::LEFT, "you left the room", now));
        effects
    }
}
