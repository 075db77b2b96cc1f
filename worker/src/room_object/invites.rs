//! The door's part of an `invite-user`, the one exception to "nothing on the send path
//! reads D1" (docs/architecture.md): whether the invitee is an enabled account, and
//! whether their inbox admits one more room this hour.

use edgechat_core::Command;
use edgechat_protocol::{ErrorCode, ServerMsg};

use super::Room;
use crate::{
    sockets,
    stubs::{Admission, InboxStub},
};
use edgechat_protocol::frame;

impl Room {
    /// The door's part of an `invite-user`: the invitee must be an enabled account, and
    /// their inbox must allow one more room this hour. Answers the inviter itself when
    /// not; otherwise the command that stores the invite (the core checks again).
    pub(super) async fn resolve_invite(
        &self,
        room: &str,
        conn: String,
        user_id: String,
        req_id: Option<String>,
    ) -> Option<Command> {
        let answer = |msg: ServerMsg| {
            for ws in self.state.get_websockets_with_tag(&conn) {
                sockets::send(&ws, &msg);
            }
        };
        let found = match self.env.d1("DB") {
            Ok(db) => crate::auth::users::by_id(&db, &user_id).await,
            Err(err) => Err(err),
        };
        let username = match found {
            Ok(Some(user)) if !user.is_disabled() => user.display_name,
            Ok(_) => {
                answer(ServerMsg::error(
                    ErrorCode::UnknownUser,
                    format!("no user {user_id:?}"),
                    req_id,
                ));
                return None;
            }
            Err(err) => {
                worker::console_error!("room {room}: looking up an invitee: {err}");
                answer(ServerMsg::error(
                    ErrorCode::Internal,
                    "the invitee could not be looked up; try again",
                    req_id,
                ));
                return None;
            }
        };
        match InboxStub::new(&self.env, &user_id) {
            Ok(inbox) => match inbox.admit(room).await {
                Ok(Admission::Admitted) => {}
                Ok(Admission::Refused { retry_after }) => {
                    answer(ServerMsg::Error(frame::Error {
                        code: ErrorCode::AddedTooOften,
                        message: "this user was added to as many rooms as others may add them to this hour".into(),
                        req_id,
                        retry_after: Some(retry_after),
                    }));
                    return None;
                }
                Err(err) => {
                    worker::console_error!("room {room}: asking the invitee's inbox: {err}");
                    answer(ServerMsg::error(
                        ErrorCode::Internal,
                        "the invite could not be made; try again",
                        req_id,
                    ));
                    return None;
                }
            },
            Err(err) => {
                worker::console_error!("room {room}: no inbox: {err}");
                return None;
            }
        }
        Some(Command::Invite {
            conn,
            user_id,
            username,
            req_id,
        })
    }
}
