//! One turn of the room: a command through the core (one atomic step of its storage),
//! the effects carried out, the follow-ups that need the door, the write-through, the
//! alarm, and the link previews that wait until the answers are out.

use edgechat_core::{Command, Effect};
use edgechat_protocol::Millis;
use worker::{Date, Result, WebSocket};

use super::{Room, effects::FollowUp, internal_error, load::Loaded, previews, stored};
use crate::sockets;
use edgechat_core::sockets::SocketEffect;

impl Room {
    /// Hands `command` to the core (one atomic step of storage), carries out its
    /// effects, and arms the alarm for the core's next deadline. An effect that needs the
    /// door (a token to verify, an invitee to look up) gives one more turn of the core.
    pub(super) async fn run(
        &self,
        room: &str,
        ws: Option<&WebSocket>,
        command: Command,
        now: Millis,
    ) {
        let joining = matches!(command, Command::Connect { .. });
        if let Ok(Loaded::Ready) = self.load() {
            self.forget_lost_shards(room, now);
        }
        let outcome = match self.load() {
            Ok(Loaded::Ready) => self.step(command, now),
            Ok(_) => Err(worker::Error::RustError("room not loaded".into())),
            Err(err) => Err(err),
        };
        let effects = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                crate::log::error("step-failed")
                    .with("room", room)
                    .err(err)
                    .emit();
                // Nothing of the step was stored; sockets and buckets may have moved
                // with it, so the next event loads the room again.
                self.drop_core();
                self.batching.flush(&self.state);
                if let Some(ws) = ws {
                    sockets::send(ws, &internal_error());
                    if joining {
                        // It was never admitted: it must not stay as if it had been.
                        let _ = ws.close(Some(1011), Some("the room could not admit you"));
                    }
                }
                return;
            }
        };
        self.finish(room, effects, now).await;
    }

    /// Carries out what a step of the core decided, and what follows from it: the
    /// turns it leads to, the write-through, the alarm, then the link previews.
    pub(super) async fn finish(&self, room: &str, effects: Vec<Effect>, now: Millis) {
        let write_through = self.follow_up(room, effects, now).await;
        // Taken out first: no borrow of the core may live across an `await`.
        let info = self.core.borrow().as_ref().map(|c| c.info().clone());
        if write_through && let Some(info) = info {
            self.write_behind(&info).await;
        }
        self.arm(now).await;
        // After the answers (the ack first of all): a slow page or program never holds
        // a send up.
        self.fetch_previews(room).await;
        self.make_calls(room).await;
    }

    /// Carries out `effects` and the turns of the core they lead to (an effect that needs
    /// the door gives one more turn); whether any of them must reach D1 at once.
    async fn follow_up(&self, room: &str, mut effects: Vec<Effect>, now: Millis) -> bool {
        let mut write_through = false;
        loop {
            // Membership and moderation authorize HTTP reads, and removed files must
            // stop being served: both reach D1 now rather than with the next batch.
            write_through |= effects.iter().any(|effect| match effect {
                Effect::Stored(event) => edgechat_core::archive::writes_through(event),
                Effect::RemoveFiles(_) => true,
                _ => false,
            });
            if self.faults().lose_closes {
                effects
                    .retain(|effect| !matches!(effect, Effect::Socket(SocketEffect::Close { .. })));
            }
            let command = match self.carry_out(effects) {
                None => break,
                Some(FollowUp::Command(command)) => *command,
                Some(FollowUp::ResolveInvite {
                    conn,
                    user_id,
                    req_id,
                }) => match self.resolve_invite(room, conn, user_id, req_id).await {
                    Some(command) => command,
                    None => break,
                },
                Some(FollowUp::CheckName {
                    conn,
                    update,
                    req_id,
                }) => match self.check_name(room, conn, update, req_id).await {
                    Some(command) => command,
                    None => break,
                },
            };
            let next = match self.load() {
                Ok(Loaded::Ready) => self.step(command, now),
                Ok(_) => break,
                Err(err) => Err(err),
            };
            match next {
                Ok(more) => effects = more,
                Err(err) => {
                    crate::log::error("step-failed")
                        .with("room", room)
                        .err(err)
                        .emit();
                    self.drop_core();
                    break;
                }
            }
        }
        write_through
    }

    /// Fetches the link previews the step made due, each stored by a turn of its own.
    async fn fetch_previews(&self, room: &str) {
        let due = self.previews_due.take();
        for (message_id, link, author) in due {
            let intend = |file_id: &str| match self.core.borrow_mut().as_mut() {
                Some(core) => core
                    .intend_preview_image(file_id, Date::now().as_millis())
                    .map_err(|err| {
                        crate::log::error("preview-image-unrecorded")
                            .with("room", room)
                            .err(err)
                            .emit();
                    })
                    .is_ok(),
                None => false,
            };
            let known = |hash: &str| {
                self.core
                    .borrow()
                    .as_ref()
                    .and_then(|core| core.preview_image(hash).ok().flatten())
            };
            let images = previews::ImageRoom { known, intend };
            let fetched = previews::fetch(&self.env, room, &author, &link, images).await;
            let (preview, image_hash) = fetched.map_or((None, None), |(p, h)| (Some(p), h));
            // Boxed: the step that stores the preview runs through here again.
            Box::pin(self.run(
                room,
                None,
                Command::Preview {
                    message_id,
                    link,
                    preview,
                    image_hash,
                },
                Date::now().as_millis(),
            ))
            .await;
        }
    }

    /// Drops the core after a step that failed, once it has told the sockets what it
    /// still owed them (arrivals stored before the step).
    pub(super) fn drop_core(&self) {
        let owed = self.core.replace(None).map(|mut core| core.last_words());
        // Only socket effects: nothing here turns the core again.
        let _ = self.carry_out(owed.unwrap_or_default());
    }

    /// One turn of the core: its effects.
    pub(super) fn step(&self, command: Command, now: Millis) -> Result<Vec<Effect>> {
        let mut slot = self.core.borrow_mut();
        let core = slot
            .as_mut()
            .ok_or_else(|| worker::Error::RustError("room not loaded".into()))?;
        core.handle(command, now).map_err(stored)
    }

    /// Runs `turn` on the loaded core (nothing, when none is loaded: `T`'s default); a
    /// store failure drops the core, which then reloads.
    pub(super) fn with_loaded<T: Default>(
        &self,
        turn: impl FnOnce(&mut super::Core) -> std::result::Result<T, edgechat_core::store::StoreError>,
    ) -> Result<T> {
        let result = match self.core.borrow_mut().as_mut() {
            Some(core) => turn(core),
            None => return Ok(T::default()),
        };
        result.map_err(|err| {
            self.drop_core();
            stored(err)
        })
    }
}

/// How an HTTP call's acts came, for the audit log: the request's id, as the door
/// passed it in the call's log fields.
pub(super) fn http_via() -> edgechat_core::room::Via {
    edgechat_core::room::Via::request(&crate::log::field("requestId").unwrap_or_default())
}
