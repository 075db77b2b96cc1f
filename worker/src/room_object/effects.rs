//! Carrying out what the core decided. Storage is not among it: the core's step already
//! wrote what it stored, atomically, before these run.

use edgechat_core::{Command, Effect};

use super::Room;
use crate::{outbox, outbox::Batching, sockets};

/// What an effect leaves for the door to finish before the core's next turn.
pub(super) enum FollowUp {
    /// The command that answers an `authenticate`.
    Command(Box<Command>),
    /// An invitee to look up (asynchronously: D1 and their inbox).
    ResolveInvite {
        conn: String,
        user_id: String,
        req_id: Option<String>,
    },
    /// A room name to look up in the directory.
    CheckName {
        conn: String,
        update: edgechat_core::room::Update,
        req_id: Option<String>,
    },
}

impl Room {
    /// Performs `effects` in order. Returns what the door must finish, if anything.
    pub(super) fn carry_out(&self, effects: Vec<Effect>) -> Option<FollowUp> {
        let mut follow_up = None;
        for effect in effects {
            match effect {
                // Copied to D1 by the write-behind; the files by its purge.
                Effect::Stored(_) | Effect::RemoveFiles(_) => {}
                Effect::FetchPreview {
                    message_id,
                    link,
                    author,
                } => self
                    .previews_due
                    .borrow_mut()
                    .push((message_id, link, author)),
                Effect::CallOut(call) => self.calls_due.borrow_mut().push(*call),
                Effect::Socket(effect) => {
                    let secret = self.jwt_secret.as_deref();
                    if let Some(verified) =
                        sockets::carry_out(&self.state, secret, Some(&self.batching), effect)
                    {
                        self.remember_expiry(&verified);
                        follow_up = Some(FollowUp::Command(Box::new(Command::Reauthenticated {
                            conn: verified.conn,
                            user_id: verified.user_id,
                            expires_at: verified.expires_at,
                            req_id: verified.req_id,
                        })));
                    }
                }
                Effect::ResolveInvite {
                    conn,
                    user_id,
                    req_id,
                } => {
                    follow_up = Some(FollowUp::ResolveInvite {
                        conn,
                        user_id,
                        req_id,
                    });
                }
                Effect::CheckName {
                    conn,
                    update,
                    req_id,
                } => {
                    follow_up = Some(FollowUp::CheckName {
                        conn,
                        update,
                        req_id,
                    });
                }
            }
        }
        if let Some(head) = self.core.borrow().as_ref().map(|core| core.head_seq()) {
            Batching::set_head(&self.state, head);
        }
        self.batching.end_turn(&self.state);
        follow_up
    }

    /// A shard's socket keeps its fresh token's expiry here, not in an attachment.
    fn remember_expiry(&self, verified: &sockets::Verified) {
        if outbox::is_remote(&verified.conn) {
            let _ = self.store().set_shard_socket_expiry(
                &verified.conn,
                &verified.user_id,
                verified.expires_at,
            );
        }
    }
}
