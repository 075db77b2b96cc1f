//! `Room::handle`: one entry point for every command, each one atomic step.

use edgechat_protocol::{ClientMsg, ErrorCode, Millis, ServerMsg};

use super::{Budget, Command, Effect, Identity, Outcome, Refusal, Room};
use crate::sockets::SocketEffect;
use crate::{
    decode::decode_frame,
    store::{Sql, StoreError},
};
use edgechat_protocol::frame;

impl<S: Sql> Room<S> {
    /// Handles one command as one atomic step: every write it makes (events, state
    /// tables, read marks, uploads) lands together or not at all. On `Err` nothing was
    /// stored; the object then drops this room and loads it again, since sockets and
    /// buckets may have moved with the failed step.
    pub fn handle(&mut self, command: Command, now: Millis) -> Result<Vec<Effect>, StoreError> {
        let effects = self.in_step(now, |room| room.step(command, now))?;
        Ok(self.arrivals_first(effects))
    }

    /// Runs `step` as one atomic step of storage: all of it is stored, or none.
    pub(super) fn in_step<T>(
        &mut self,
        now: Millis,
        step: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.now = now;
        let head = self.head;
        let waiting = self.arrivals.mark();
        let sql = self.store.sql().clone();
        let result = sql.atomically(|| step(self));
        if result.is_err() {
            // The step rolled back, and the head with it; what was read of the uploads
            // may have been of writes that are gone.
            self.head = head;
            self.arrivals.back_to(waiting);
            self.uploads_changed();
            self.senders.forget();
        }
        result
    }

    /// What a room that is about to be dropped (after a failed step) still owes its
    /// sockets: arrivals stored but not yet told.
    pub fn last_words(&mut self) -> Vec<Effect> {
        self.tell_arrivals(None)
    }

    fn step(&mut self, command: Command, now: Millis) -> Result<Vec<Effect>, StoreError> {
        // Each command says how its acts came; one that no socket asked for, none.
        self.via = match &command {
            Command::Invite { conn, req_id, .. } | Command::NameChecked { conn, req_id, .. } => {
                super::Via::frame(conn, req_id.as_deref())
            }
            _ => super::Via::default(),
        };
        match command {
            Command::Connect { conn, who, since } => self.connect(conn, who, since, now),
            Command::Disconnect { conn } => Ok(self.disconnect(&conn, now)),
            Command::Binary { conn } => Ok(vec![Effect::Socket(SocketEffect::Send {
                conn,
                msg: crate::sockets::binary_refused(),
            })]),
            Command::Frame { conn, raw } => self.frame(&conn, &raw, now),
            Command::Reauthenticated {
                conn,
                user_id,
                expires_at,
                req_id,
            } => Ok(self.reauthenticated(&conn, &user_id, expires_at, req_id)),
            Command::Invite {
                conn,
                user_id,
                invitee,
                req_id,
            } => {
                // The inviter may have gone while the door looked the invitee up.
                let Some(who) = self.sockets.get(&conn).cloned() else {
                    return Ok(Vec::new());
                };
                let invited = match invitee {
                    super::Invitee::Admitted { username } => {
                        self.invite(&who, &user_id, Some(&username))
                    }
                    super::Invitee::Unknown => Err(Refusal::new(
                        ErrorCode::UnknownUser,
                        format!("no user {user_id:?}"),
                    )),
                    super::Invitee::AddedTooOften { retry_after } => {
                        Err(added_too_often("this user", retry_after))
                    }
                };
                match invited {
                    Ok(effects) => Ok(effects),
                    Err(refusal) => Ok(vec![refusal.into_effect(&conn, req_id)?]),
                }
            }
            Command::NameChecked {
                conn,
                update,
                req_id,
                taken,
            } => {
                // The asker may have gone while the door looked the name up.
                let Some(who) = self.sockets.get(&conn).cloned() else {
                    return Ok(Vec::new());
                };
                let outcome = if taken {
                    Err(super::settings::name_taken())
                } else {
                    self.update_room(&conn, &who, update, req_id.clone(), true)
                };
                match outcome {
                    Ok(effects) => Ok(effects),
                    Err(refusal) => Ok(vec![refusal.into_effect(&conn, req_id)?]),
                }
            }
            Command::Status(status) => self.relay_status(status),
            Command::Preview {
                message_id,
                link,
                preview,
                image_hash,
            } => self.preview_fetched(&message_id, &link, preview, image_hash.as_deref()),
            Command::Revoke { user_id } => Ok(self.remove_user(
                &user_id,
                edgechat_protocol::close::ACCOUNT_DISABLED,
                "this account was disabled",
                now,
            )),
            Command::CalledOut {
                hook_id,
                asker,
                answered,
            } => self.called_out(&hook_id, asker, answered, now),
            Command::Tick => self.tick(now),
        }
    }

    fn frame(&mut self, conn: &str, raw: &str, now: Millis) -> Result<Vec<Effect>, StoreError> {
        let frame = match decode_frame(raw, &self.limits) {
            Ok(frame) => frame,
            Err(rejection) => {
                return Ok(vec![
                    Refusal::new(rejection.code, rejection.message)
                        .into_effect(conn, rejection.req_id)?,
                ]);
            }
        };
        let req_id = frame.req_id;
        self.via = super::Via::frame(conn, req_id.as_deref());
        // A socket is in `sockets` from its accept until its close; a frame from anything
        // else is a late one from a socket the room already let go.
        let Some(who) = self.sockets.get(conn).cloned() else {
            return Ok(Vec::new());
        };
        match self.route(conn, &who, frame.msg, req_id.clone(), now) {
            Ok(effects) => Ok(effects),
            Err(refusal) => Ok(vec![refusal.into_effect(conn, req_id)?]),
        }
    }

    fn route(
        &mut self,
        conn: &str,
        who: &Identity,
        msg: ClientMsg,
        req_id: Option<String>,
        now: Millis,
    ) -> Outcome {
        // Every durable write but a message (whose bucket spares a refused send) spends
        // its budget up front, refused or not: a loop of no-ops costs the same.
        let budget = match &msg {
            ClientMsg::EditMessage { .. }
            | ClientMsg::DeleteMessage { .. }
            | ClientMsg::AddReaction { .. }
            | ClientMsg::RemoveReaction { .. }
            | ClientMsg::PinMessage { .. }
            | ClientMsg::UnpinMessage { .. }
            | ClientMsg::RemovePreview { .. } => Some(Budget::Actions),
            ClientMsg::MuteUser { .. }
            | ClientMsg::UnmuteUser { .. }
            | ClientMsg::BanUser { .. }
            | ClientMsg::UnbanUser { .. }
            | ClientMsg::KickUser { .. }
            | ClientMsg::SetRole { .. }
            | ClientMsg::SetSlowMode { .. }
            | ClientMsg::UpdateRoom { .. }
            | ClientMsg::InviteUser { .. } => Some(Budget::Moderation),
            ClientMsg::LeaveRoom { .. } => Some(Budget::Membership),
            _ => None,
        };
        if let Some(budget) = budget {
            self.spend(&who.user_id, budget, now)?;
        }
        // A socket could not read the answer: refused before any of the work.
        let needed = msg.needs_version();
        if who.version < needed {
            return Err(Refusal::new(
                ErrorCode::VersionRequired,
                format!(
                    "this request needs edgechat.v{needed}; this socket speaks edgechat.v{}",
                    who.version
                ),
            ));
        }
        // A read is let through while the user has read budget left, then paid for by
        // what its answer weighs: a small ask cannot make the room send much for free.
        let read = matches!(
            msg,
            ClientMsg::JoinRoom { .. }
                | ClientMsg::LoadHistory { .. }
                | ClientMsg::ListMembers { .. }
                | ClientMsg::ListBans { .. }
                | ClientMsg::ListPins {}
        );
        if read {
            self.check_budget(&who.user_id, Budget::Reads, now)?;
        }
        let effects = self.act(conn, who, msg, req_id, now)?;
        if read {
            self.charge_reads(&who.user_id, &effects);
        }
        Ok(effects)
    }

    fn act(
        &mut self,
        conn: &str,
        who: &Identity,
        msg: ClientMsg,
        req_id: Option<String>,
        now: Millis,
    ) -> Outcome {
        match msg {
            ClientMsg::Ping {} => Ok(vec![Effect::Socket(SocketEffect::Send {
                conn: conn.to_owned(),
                msg: ServerMsg::Pong(frame::Pong {}),
            })]),
            ClientMsg::Authenticate { token } => {
                Ok(vec![Effect::Socket(SocketEffect::Authenticate {
                    conn: conn.to_owned(),
                    token,
                    req_id,
                })])
            }
            ClientMsg::CreateRoom { .. } | ClientMsg::StatusChange { .. } => Err(Refusal::new(
                ErrorCode::WrongSocket,
                "send this on the inbox socket (/api/me/ws)",
            )),
            ClientMsg::JoinRoom { room_id } => {
                self.same_room(&room_id)?;
                self.joined(conn, who, req_id)
            }
            ClientMsg::LeaveRoom { room_id } => {
                self.same_room(&room_id)?;
                self.leave(who, now)
            }
            ClientMsg::SendMessage {
                room_id,
                text,
                attachments,
                reply_to,
                client_msg_id,
            } => {
                self.same_room(&room_id)?;
                let draft = super::messages::Draft {
                    text,
                    attachments,
                    reply_to,
                    client_msg_id,
                };
                self.send(conn, who, draft, req_id, now)
            }
            ClientMsg::RunCommand {
                room_id,
                command,
                text,
            } => {
                self.same_room(&room_id)?;
                self.run_command(conn, who, &command, &text, req_id, now)
            }
            ClientMsg::EditMessage {
                message_id,
                new_text,
            } => self.edit(who, &message_id, &new_text, now),
            ClientMsg::DeleteMessage { message_id } => self.delete(who, &message_id),
            ClientMsg::TypingStart { room_id } => {
                self.same_room(&room_id)?;
                self.typing_start(conn, who, now)
            }
            ClientMsg::TypingStop { room_id } => {
                self.same_room(&room_id)?;
                Ok(self.typing_stop(&who.user_id, now))
            }
            ClientMsg::AddReaction { message_id, emoji } => {
                self.react(who, &message_id, &emoji, true, now)
            }
            ClientMsg::RemoveReaction { message_id, emoji } => {
                self.react(who, &message_id, &emoji, false, now)
            }
            ClientMsg::PinMessage { message_id } => self.pin(who, &message_id, true),
            ClientMsg::UnpinMessage { message_id } => self.pin(who, &message_id, false),
            ClientMsg::RemovePreview { message_id } => self.remove_preview(who, &message_id),
            ClientMsg::MarkRead { seq } => self.mark_read(who, seq),
            ClientMsg::LoadHistory { before_seq, limit } => {
                self.history_page(conn, before_seq, limit, req_id)
            }
            ClientMsg::ListMembers { after } => self.member_page(conn, after.as_deref(), req_id),
            ClientMsg::MuteUser { user_id, until } => self.mute(who, &user_id, until, now),
            ClientMsg::UnmuteUser { user_id } => self.unmute(who, &user_id),
            ClientMsg::BanUser { user_id } => self.ban(who, &user_id, now),
            ClientMsg::UnbanUser { user_id } => self.unban(who, &user_id),
            ClientMsg::KickUser { user_id } => self.kick(who, &user_id, now),
            ClientMsg::SetRole { user_id, role } => self.set_role(who, &user_id, role),
            ClientMsg::SetSlowMode { seconds } => self.set_slow_mode(who, seconds),
            ClientMsg::UpdateRoom {
                name,
                topic,
                capacity,
            } => self.update_room(
                conn,
                who,
                super::Update {
                    name,
                    topic,
                    capacity,
                },
                req_id,
                false,
            ),
            ClientMsg::ListBans { after } => self.ban_page(conn, who, after.as_deref(), req_id),
            ClientMsg::ListPins {} => self.pin_list(conn, req_id),
            ClientMsg::InviteUser { user_id } => {
                // Checked here, then again once the door has looked the invitee up.
                self.invite(who, &user_id, None)?;
                Ok(vec![Effect::ResolveInvite {
                    conn: conn.to_owned(),
                    user_id,
                    req_id,
                }])
            }
        }
    }

    fn same_room(&self, room_id: &str) -> Result<(), Refusal> {
        if room_id == self.info.room_id {
            Ok(())
        } else {
            Err(Refusal::new(
                ErrorCode::WrongRoom,
                format!(
                    "this socket is joined to {:?}, not {room_id:?}",
                    self.info.room_id
                ),
            ))
        }
    }
}

/// The refusal when `who` (a name, or "this user") was added to as many rooms as others
/// may add them to this hour (`ADDED_TO_ROOMS_PER_HOUR`, counted by their inbox).
pub fn added_too_often(who: &str, retry_after: u64) -> Refusal {
    Refusal::new(
        ErrorCode::AddedTooOften,
        format!("{who} was added to as many rooms as others may add them to this hour"),
    )
    .retry_after(retry_after)
}
