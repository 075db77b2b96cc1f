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
    /// Send to every socket of a version before `until` but `except`: news that newer
    /// sockets are told another way.
    BroadcastBefore {
        msg: ServerMsg,
        until: u32,
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

/// The sockets attached now, found by id and by user: what a join or a close asks of
/// them costs the same with ten sockets as with ten thousand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sockets {
    /// Each socket's identity and its place in the order of arrival.
    who: BTreeMap<ConnId, (u64, Identity)>,
    /// Every socket by its place in the order of arrival.
    order: BTreeMap<u64, ConnId>,
    /// Each user's sockets by their place in the order of arrival.
    by_user: BTreeMap<Id, BTreeMap<u64, ConnId>>,
    /// The place the next socket takes.
    next: u64,
    /// How many sockets speak each wire version, by version.
    versions: Vec<usize>,
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
        let mut sockets = Self::default();
        for (conn, who) in connections {
            sockets.insert(conn, who);
        }
        sockets
    }

    pub fn insert(&mut self, conn: ConnId, who: Identity) {
        self.remove(&conn);
        let place = self.next;
        self.next += 1;
        self.by_user
            .entry(who.user_id.clone())
            .or_default()
            .insert(place, conn.clone());
        let version = who.version as usize;
        if self.versions.len() <= version {
            self.versions.resize(version + 1, 0);
        }
        self.versions[version] += 1;
        self.order.insert(place, conn.clone());
        self.who.insert(conn, (place, who));
    }

    pub fn remove(&mut self, conn: &str) -> Option<Identity> {
        let (place, who) = self.who.remove(conn)?;
        self.order.remove(&place);
        if let Some(count) = self.versions.get_mut(who.version as usize) {
            *count = count.saturating_sub(1);
        }
        if let Some(mine) = self.by_user.get_mut(&who.user_id) {
            mine.remove(&place);
            if mine.is_empty() {
                self.by_user.remove(&who.user_id);
            }
        }
        Some(who)
    }

    pub fn get(&self, conn: &str) -> Option<&Identity> {
        self.who.get(conn).map(|(_, who)| who)
    }

    pub fn len(&self) -> usize {
        self.who.len()
    }

    pub fn is_empty(&self) -> bool {
        self.who.is_empty()
    }

    /// Every socket, oldest first.
    pub fn conns(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.order.values().cloned()
    }

    /// Everyone with a socket open, each once per socket.
    pub fn identities(&self) -> impl Iterator<Item = &Identity> {
        self.who.values().map(|(_, who)| who)
    }

    /// The users with a socket open, each once, by id.
    pub fn users(&self) -> impl Iterator<Item = &Id> {
        self.by_user.keys()
    }

    /// How many users have a socket open.
    pub fn user_count(&self) -> usize {
        self.by_user.len()
    }

    /// Whether any socket speaks a wire version before `version`.
    pub fn any_before(&self, version: u32) -> bool {
        self.versions
            .iter()
            .take(version as usize)
            .any(|count| *count > 0)
    }

    /// Whether `user_id` has a socket open.
    pub fn has_user(&self, user_id: &str) -> bool {
        self.by_user.contains_key(user_id)
    }

    /// Who `user_id` is on each of their sockets, oldest first.
    pub fn identities_of(&self, user_id: &str) -> impl Iterator<Item = &Identity> {
        self.by_user
            .get(user_id)
            .into_iter()
            .flat_map(BTreeMap::values)
            .filter_map(|conn| self.get(conn))
    }

    /// `user_id`'s sockets, oldest first.
    pub fn of(&self, user_id: &str) -> Vec<ConnId> {
        self.by_user
            .get(user_id)
            .map(|mine| mine.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Sockets whose token has run out by `now`.
    pub fn expired(&self, now: Millis) -> Vec<ConnId> {
        self.who
            .iter()
            .filter(|(_, (_, who))| who.expires_at.is_some_and(|at| at <= now))
            .map(|(conn, _)| conn.clone())
            .collect()
    }

    /// When the next token runs out.
    pub fn next_expiry(&self) -> Option<Millis> {
        self.identities().filter_map(|who| who.expires_at).min()
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
        let (_, who) = self.who.get_mut(conn)?;
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
