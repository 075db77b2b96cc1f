//! An inbox's sockets over their life: a cap per account, closing what ran out, and
//! the user going offline once the last one has been gone for the grace period.

use edgechat_protocol::{Millis, Status};

use super::{Inbox, InboxEffect};
use crate::sockets;
use crate::sockets::SocketEffect;

impl Inbox {
    /// Closes the oldest sockets beyond `MAX_INBOX_SOCKETS`: every socket costs the
    /// object memory and every notification a send, so an account holds only so many.
    pub(super) fn cap_sockets(&mut self, user_id: &str, now: Millis) -> Vec<InboxEffect> {
        let mine = self.sockets.of(user_id);
        let excess = mine.len().saturating_sub(self.limits.max_inbox_sockets);
        mine.into_iter()
            .take(excess)
            .map(|conn| {
                self.disconnect(&conn, now);
                InboxEffect::Socket(SocketEffect::Close {
                    conn,
                    code: edgechat_protocol::close::TOO_MANY_SOCKETS,
                    reason: "signed in in too many places; the oldest was closed".into(),
                })
            })
            .collect()
    }

    pub(super) fn disconnect(&mut self, conn: &str, now: Millis) {
        if self.sockets.remove(conn).is_some() && self.sockets.is_empty() {
            self.left_at = Some(now);
        }
    }

    /// Closes sockets whose token ran out, and shows the user offline once their last
    /// socket has been gone for the grace period.
    pub(super) fn tick(&mut self, now: Millis) -> Vec<InboxEffect> {
        let mut effects = Vec::new();
        for conn in self.sockets.expired(now) {
            self.disconnect(&conn, now);
            let (code, reason) = sockets::EXPIRED;
            effects.push(InboxEffect::Socket(SocketEffect::Close {
                conn,
                code,
                reason: reason.into(),
            }));
        }
        match self.left_at {
            Some(at) if at + self.limits.presence_grace_ms <= now && self.sockets.is_empty() => {
                self.left_at = None;
                let text = self.presence.status_text.clone();
                effects.extend(self.set(Status::Offline, text, now));
            }
            _ => {}
        }
        if let Some(relay) = self.relay(now) {
            effects.push(InboxEffect::Save(self.presence.clone()));
            effects.push(relay);
        }
        effects
    }
}
