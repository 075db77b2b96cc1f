//! Who is here now, and who is typing. Neither is durable: both are rebuilt from the
//! sockets still attached, and a missed update heals with the next one.

use std::collections::BTreeSet;

use edgechat_protocol::{Id, Millis, ServerMsg};

use super::{Effect, Identity, Outcome, Refusal, Room};
use crate::sockets::SocketEffect;
use crate::store::{Sql, StoreError};
use edgechat_protocol::frame;

impl<S: Sql> Room<S> {
    /// Users with a socket open, plus those whose last socket closed less than the grace
    /// period ago (a reload or a network blip must not flap them offline).
    pub fn online(&self) -> BTreeSet<Id> {
        self.sockets
            .users()
            .chain(self.leaving.keys())
            .cloned()
            .collect()
    }

    /// Users with a socket open now. Who is told of new messages elsewhere follows this,
    /// not [`Self::online`]: a user who closed the room a moment ago saw nothing since,
    /// and must not miss a badge because their dot is still shown for the grace period.
    pub fn connected(&self) -> BTreeSet<Id> {
        self.sockets.users().cloned().collect()
    }

    /// What the sockets must be told when the online set differs from the one last
    /// shown: after a load, the whole set to everyone; otherwise who came and who went
    /// (`presence-changed`; the whole set to sockets of version 1). The first change
    /// after a quiet spell goes at once; later ones within `presence_coalesce_ms` of it
    /// wait for the window's end (the alarm), so a storm of joins costs each socket a
    /// frame per window, not one per join. The window's arrivals go with it, first
    /// (`arrivals.rs`); not to `joiner`, whose `room-joined` holds them.
    pub(super) fn presence_update(&mut self, joiner: Option<&str>) -> Vec<Effect> {
        let now = self.now;
        if self.shown_online.is_some() {
            let window_ends = self.presence_sent_at + self.limits.presence_coalesce_ms;
            if now < window_ends {
                // Within a window nothing is compared: what changed is worked out once,
                // at its end, so a join costs the same in a room of any size.
                self.presence_due = Some(window_ends);
                return Vec::new();
            }
        }
        let mut effects = self.tell_arrivals(joiner.map(str::to_owned));
        if !effects.is_empty() {
            self.presence_sent_at = now;
        }
        let online = self.online();
        let room_id = self.info.room_id.clone();
        let whole = |user_ids: &BTreeSet<Id>| {
            ServerMsg::OnlineUsers(frame::OnlineUsers {
                room_id: room_id.clone(),
                user_ids: user_ids.iter().cloned().collect(),
            })
        };
        let Some(shown) = &self.shown_online else {
            let msg = whole(&online);
            self.shown_online = Some(online);
            self.presence_sent_at = now;
            self.presence_due = None;
            effects.push(Effect::Socket(SocketEffect::Broadcast {
                msg,
                except: None,
            }));
            return effects;
        };
        if *shown == online {
            self.presence_due = None;
            return effects;
        }
        let msg = ServerMsg::PresenceChanged(frame::PresenceChanged {
            room_id: room_id.clone(),
            online: online.difference(shown).cloned().collect(),
            offline: shown.difference(&online).cloned().collect(),
            online_count: Some(online.len() as u64),
        });
        let older = Box::new(whole(&online));
        self.shown_online = Some(online);
        self.presence_sent_at = now;
        self.presence_due = None;
        effects.push(Effect::Socket(SocketEffect::BroadcastOr { msg, older }));
        effects
    }

    /// How many users are online: [`Self::online`]'s size, without building it. Nobody
    /// is both connected and leaving (a connect takes its user out of `leaving`, and a
    /// user goes into it only with their last socket).
    pub(super) fn online_count(&self) -> u64 {
        (self.sockets.user_count() + self.leaving.len()) as u64
    }

    /// The whole online set, for a socket that just joined: changes still waiting for
    /// their window are in it (a later `presence-changed` repeating them changes nothing).
    pub(super) fn presence_now(&self) -> ServerMsg {
        ServerMsg::OnlineUsers(frame::OnlineUsers {
            room_id: self.info.room_id.clone(),
            user_ids: self.online().into_iter().collect(),
        })
    }

    /// Closes every socket of `user_id` at once (they are gone from the room, not just
    /// offline), with typing and presence updated.
    pub(super) fn remove_user(
        &mut self,
        user_id: &str,
        code: u16,
        reason: &str,
        now: Millis,
    ) -> Vec<Effect> {
        let mut effects = self.typing_stop(user_id, now);
        for conn in self.sockets.of(user_id) {
            self.sockets.remove(&conn);
            effects.push(Effect::Socket(SocketEffect::Close {
                conn,
                code,
                reason: reason.to_owned(),
            }));
        }
        self.leaving.remove(user_id);
        effects.extend(self.presence_update(None));
        effects
    }

    pub(super) fn typing_start(&mut self, conn: &str, who: &Identity, now: Millis) -> Outcome {
        if let Some(until) = self.store.muted_until(&who.user_id, now)? {
            return Err(muted(until, now));
        }
        let ttl = self.limits.typing_ttl_ms;
        // Clients keep showing the indicator until `expiresAt`; refreshes inside the first
        // half of that add nothing worth a broadcast.
        if self
            .typing
            .get(&who.user_id)
            .is_some_and(|(_, until)| until.saturating_sub(now) > ttl / 2)
        {
            return Ok(Vec::new());
        }
        let expires_at = now + ttl;
        self.typing
            .insert(who.user_id.clone(), (who.username.clone(), expires_at));
        Ok(vec![Effect::Socket(SocketEffect::Broadcast {
            msg: self.typing_event(&who.user_id, &who.username, true, expires_at),
            except: Some(conn.to_owned()),
        })])
    }

    /// Stops `user_id`'s indicator if it is showing.
    pub(super) fn typing_stop(&mut self, user_id: &str, now: Millis) -> Vec<Effect> {
        match self.typing.remove(user_id) {
            Some((username, until)) if until > now => {
                vec![Effect::Socket(SocketEffect::Broadcast {
                    msg: self.typing_event(user_id, &username, false, now),
                    except: None,
                })]
            }
            _ => Vec::new(),
        }
    }

    /// Indicators still showing, for a socket that just joined.
    pub(super) fn typing_now(&self, now: Millis) -> Vec<ServerMsg> {
        self.typing
            .iter()
            .filter(|(_, (_, until))| *until > now)
            .map(|(user_id, (username, until))| self.typing_event(user_id, username, true, *until))
            .collect()
    }

    fn typing_event(
        &self,
        user_id: &str,
        username: &str,
        is_typing: bool,
        expires_at: Millis,
    ) -> ServerMsg {
        ServerMsg::TypingIndicator(frame::TypingIndicator {
            room_id: self.info.room_id.clone(),
            user_id: user_id.to_owned(),
            username: username.to_owned(),
            is_typing,
            expires_at,
        })
    }

    /// Closes sockets whose token has expired, forgets what has expired, and shows who
    /// has really gone.
    pub(super) fn tick(&mut self, now: Millis) -> Result<Vec<Effect>, StoreError> {
        let mut effects = Vec::new();
        for conn in self.sockets.expired(now) {
            effects.extend(self.disconnect(&conn, now));
            let (code, reason) = crate::sockets::EXPIRED;
            effects.push(Effect::Socket(SocketEffect::Close {
                conn,
                code,
                reason: reason.into(),
            }));
        }
        let grace = self.limits.presence_grace_ms;
        self.leaving.retain(|_, left| *left + grace > now);
        self.typing.retain(|_, (_, until)| *until > now);
        effects.extend(self.presence_update(None));
        effects.extend(self.expire_uploads(now)?);
        effects.extend(self.expire_intents(now)?);
        Ok(effects)
    }

    /// A fresh token for the same user extends the socket's life.
    pub(super) fn reauthenticated(
        &mut self,
        conn: &str,
        user_id: &Id,
        expires_at: Millis,
        req_id: Option<String>,
    ) -> Vec<Effect> {
        self.sockets
            .reauthenticated(conn, user_id, expires_at, req_id)
            .map(|msg| {
                Effect::Socket(SocketEffect::Send {
                    conn: conn.to_owned(),
                    msg,
                })
            })
            .into_iter()
            .collect()
    }

    /// A member's global status: kept in the member table (a member list opened later
    /// shows it) and passed on to the room's sockets.
    pub(super) fn relay_status(&mut self, status: ServerMsg) -> Result<Vec<Effect>, StoreError> {
        Ok(match &status {
            ServerMsg::UserStatus(frame::UserStatus {
                user_id,
                status: now_status,
                last_seen,
                status_text,
            }) => {
                let Some(member) = self.store.member(user_id)? else {
                    return Ok(Vec::new());
                };
                self.store
                    .set_status(user_id, *now_status, *last_seen, status_text.as_deref())?;
                // Only news is told: an inbox's answer to a delivery repeats the status.
                if member.status == *now_status && member.status_text == *status_text {
                    return Ok(Vec::new());
                }
                vec![Effect::Socket(SocketEffect::Broadcast {
                    msg: status,
                    except: None,
                })]
            }
            _ => Vec::new(),
        })
    }
}

pub(super) fn muted(until: Millis, now: Millis) -> Refusal {
    Refusal::new(
        edgechat_protocol::ErrorCode::Muted,
        "you are muted in this room",
    )
    .retry_after(until - now)
}
