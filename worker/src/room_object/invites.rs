//! The door's part of an `invite-user`, the one exception to "nothing on the send path
//! reads D1" (docs/architecture.md): whether the invitee is an enabled account, and
//! whether their inbox admits one more room this hour.

use edgechat_core::{Command, Invitee};
use edgechat_protocol::{ErrorCode, ServerMsg};

use super::Room;
use crate::{
    sockets,
    stubs::{Admission, InboxStub},
};

impl Room {
    /// The door's part of an `invite-user`: whether the invitee is an enabled account,
    /// and whether their inbox admits one more room this hour. Reports what it found as
    /// the command that lets the core decide (and check again); a directory or an inbox
    /// it cannot reach is answered `internal` here, and nothing changes.
    pub(super) async fn resolve_invite(
        &self,
        room: &str,
        conn: String,
        user_id: String,
        req_id: Option<String>,
    ) -> Option<Command> {
        let invitee = match self.invitee(room, &user_id).await {
            Ok(invitee) => invitee,
            Err(err) => {
                crate::log::error("invitee-lookup-failed")
                    .with("room", room)
                    .with("connId", conn.as_str())
                    .with("reqId", req_id.clone())
                    .err(err)
                    .emit();
                let msg = ServerMsg::error(
                    ErrorCode::Internal,
                    "the invite could not be made; try again",
                    req_id,
                );
                // After what the room already queued for it.
                self.batching.flush(&self.state);
                for ws in self.state.get_websockets_with_tag(&conn) {
                    sockets::send(&ws, &msg);
                }
                return None;
            }
        };
        Some(Command::Invite {
            conn,
            user_id,
            invitee,
            req_id,
        })
    }

    /// What the directory and the invitee's inbox say of `user_id`.
    async fn invitee(&self, room: &str, user_id: &str) -> worker::Result<Invitee> {
        let db = crate::storage::d1(&self.env)?;
        let username = match crate::auth::users::by_id(&db, user_id).await? {
            Some(user) if !user.is_disabled() => user.display_name,
            _ => return Ok(Invitee::Unknown),
        };
        Ok(
            match InboxStub::new(&self.env, user_id)?.admit(room).await? {
                Admission::Admitted => Invitee::Admitted { username },
                Admission::Refused { retry_after } => Invitee::AddedTooOften { retry_after },
            },
        )
    }
}
