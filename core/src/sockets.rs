//! The sockets of one object, a room's or an inbox's: who each is (verified at the door,
//! kept in the socket's attachment so it survives hibernation), in the order they came,
//! and until when each token lets it stay. Both objects keep theirs in one of these, so
//! token expiry, re-authentication and binary frames are decided once.

use std::collections::BTreeMap;

use edgechat_protocol::frame;
use edgechat_protocol::{ErrorCode, Id, Millis, ServerMsg, close};
use serde::{Deserialize, Serialize};

/// A socket's id, minted by the Durable Object when it accepts the socket.
pub type ConnId = String;

/// Who is on the other end of a socket: verified at the door, fixed for the socket's life
/// and kept in its attachment, so it survives hibernation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub user_id: Id,
    pub username: String,
    /// The account name, which `@mentions` match; empty in attachments written before
    /// it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handle: String,
    /// A global admin may moderate in every room.
    #[serde(default)]
    pub global_admin: bool,
    /// When the access token the socket was opened or last re-authenticated with
    /// expires; the socket is closed then unless `authenticate` brings a fresh one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Millis>,
    /// The wire version the socket was answered with (`edgechat.vN`); 1 for a socket
    /// restored from an attachment written before versions were kept in it.
    #[serde(default = "first_version")]
    pub version: u32,
    /// The global status and status text the door read as the socket arrived, for a
    /// room that has not heard them from the user's inbox; not kept in attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<edgechat_protocol::Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
}

fn first_version() -> u32 {
    1
}

/// What an object does to its sockets, the room's and the inbox's alike, carried out in
/// one place (`worker/src/sockets.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEffect {
    /// Send to one socket.
    Send { conn: ConnId, msg: ServerMsg },
    /// Send to every socket of the object, except `except`: the frame is made once.
    Broadcast {
        msg: ServerMsg,
        except: Option<ConnId>,
    },
    /// Send `msg` to every socket whose version knows its kind, and `older` to the rest.
    BroadcastOr {
        msg: ServerMsg,
        older: Box<ServerMsg>,
    },
    /// Close a socket with a code from `edgechat_protocol::close`.
    Close {
        conn: ConnId,
        code: u16,
        reason: String,
    },
    /// Verify `token` for the socket `conn` (the door's job) and answer `authenticated`
    /// or an `unauthorized` error.
    Authenticate {
        conn: ConnId,
        token: String,
        req_id: Option<String>,
    },
}

/// The sockets attached now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sockets {
    who: BTreeMap<ConnId, Identity>,
    /// Oldest first.
    arrival: Vec<ConnId>,
}

/// Why a socket is closed when its token runs out.
pub const EXPIRED: (u16, &str) = (
    close::TOKEN_EXPIRED,
    "the access token expired; reconnect with a fresh one",
);

/// The answer to a binary frame, which the protocol does not use.
pub fn binary_refused() -> ServerMsg {
    ServerMsg::error(
        ErrorCode::BadFrame,
        "frames must be JSON text, not binary",
        None,
    )
}

impl Sockets {
    /// The sockets still attached after a wake, in the order given.
    pub fn new(connections: Vec<(ConnId, Identity)>) -> Self {
        Self {
            arrival: connections.iter().map(|(conn, _)| conn.clone()).collect(),
            who: connections.into_iter().collect(),
        }
    }

    pub fn insert(&mut self, conn: ConnId, who: Identity) {
        self.arrival.retain(|c| *c != conn);
        self.arrival.push(conn.clone());
        self.who.insert(conn, who);
    }

    pub fn remove(&mut self, conn: &str) -> Option<Identity> {
        self.arrival.retain(|c| c != conn);
        self.who.remove(conn)
    }

    pub fn get(&self, conn: &str) -> Option<&Identity> {
        self.who.get(conn)
    }

    pub fn is_empty(&self) -> bool {
        self.who.is_empty()
    }

    /// Every socket, oldest first.
    pub fn conns(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.arrival.iter().cloned()
    }

    /// Everyone with a socket open, each once per socket.
    pub fn identities(&self) -> impl Iterator<Item = &Identity> {
        self.who.values()
    }

    /// `user_id`'s sockets, oldest first.
    pub fn of(&self, user_id: &str) -> Vec<ConnId> {
        self.arrival
            .iter()
            .filter(|c| self.who.get(*c).is_some_and(|who| who.user_id == user_id))
            .cloned()
            .collect()
    }

    /// Sockets whose token has run out by `now`.
    pub fn expired(&self, now: Millis) -> Vec<ConnId> {
        self.who
            .iter()
            .filter(|(_, who)| who.expires_at.is_some_and(|at| at <= now))
            .map(|(conn, _)| conn.clone())
            .collect()
    }

    /// When the next token runs out.
    pub fn next_expiry(&self) -> Option<Millis> {
        self.who.values().filter_map(|who| who.expires_at).min()
    }

    /// The door verified a fresh token for `conn`: for the same user it extends the
    /// socket's life (`authenticated`); another user's token is refused
    /// (`unauthorized`). `None` for a socket already gone.
    pub fn reauthenticated(
        &mut self,
        conn: &str,
        user_id: &Id,
        expires_at: Millis,
        req_id: Option<String>,
    ) -> Option<ServerMsg> {
        let who = self.who.get_mut(conn)?;
        if who.user_id != *user_id {
            return Some(ServerMsg::error(
                ErrorCode::Unauthorized,
                "that token is for another user",
                req_id,
            ));
        }
        who.expires_at = Some(expires_at);
        Some(ServerMsg::Authenticated(frame::Authenticated {
            user_id: user_id.clone(),
            expires_at,
        }))
    }
}
