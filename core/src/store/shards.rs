//! Where the room's sockets on shard objects are (docs/architecture.md, *Rooms bigger
//! than one object*): one row per socket a shard holds, with who it is, so a room that
//! wakes knows every socket it serves, as it knows its own from their attachments.

use super::{Sql, Store, StoreError, to_json};
use crate::sockets::{ConnId, Identity};

const ALL: &str = "SELECT conn, shard, epoch, who FROM shard_sockets";
const ADD: &str = "INSERT INTO shard_sockets (conn, shard, epoch, who) VALUES (?, ?, ?, ?)
     ON CONFLICT(conn) DO UPDATE SET shard = excluded.shard, epoch = excluded.epoch, who = excluded.who";
const REMOVE: &str = "DELETE FROM shard_sockets WHERE conn = ? RETURNING conn";
const OF_OTHER_EPOCHS: &str = "SELECT conn FROM shard_sockets WHERE shard = ? AND epoch <> ?";
const OF_EPOCH: &str = "SELECT conn FROM shard_sockets WHERE shard = ? AND epoch = ?";
const SET_EXPIRY: &str =
    "UPDATE shard_sockets SET who = json_set(who, '$.expiresAt', CAST(? AS INTEGER))
     WHERE conn = ? AND json_extract(who, '$.userId') = ?";

/// One socket a shard holds for the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardSocket {
    pub conn: ConnId,
    pub shard: u32,
    /// The shard's life it was accepted in: a shard that restarts begins another, and
    /// the sockets of its last life are gone.
    pub epoch: String,
    pub who: Identity,
}

impl<S: Sql> Store<S> {
    /// Every socket the room's shards hold: as many rows as live sockets, never history.
    pub fn shard_sockets(&self) -> Result<Vec<ShardSocket>, StoreError> {
        self.sql
            .run(ALL, &[])?
            .into_iter()
            .map(|row| {
                Ok(ShardSocket {
                    conn: row.text(0)?.to_owned(),
                    shard: u32::try_from(row.uint(1)?).unwrap_or(u32::MAX),
                    epoch: row.text(2)?.to_owned(),
                    who: row.json(3)?,
                })
            })
            .collect()
    }

    pub fn add_shard_socket(&self, socket: &ShardSocket) -> Result<(), StoreError> {
        self.exec(
            ADD,
            &[
                socket.conn.as_str().into(),
                socket.shard.into(),
                socket.epoch.as_str().into(),
                to_json(&socket.who)?.into(),
            ],
        )
    }

    /// Forgets `conn`; whether it was there.
    pub fn remove_shard_socket(&self, conn: &str) -> Result<bool, StoreError> {
        Ok(!self.sql.run(REMOVE, &[conn.into()])?.is_empty())
    }

    /// The sockets of `shard` from a life other than `epoch`: gone with it.
    pub fn shard_sockets_before(&self, shard: u32, epoch: &str) -> Result<Vec<ConnId>, StoreError> {
        self.conns(OF_OTHER_EPOCHS, &[shard.into(), epoch.into()])
    }

    /// The sockets of `shard` in its life `epoch`.
    pub fn shard_sockets_of(&self, shard: u32, epoch: &str) -> Result<Vec<ConnId>, StoreError> {
        self.conns(OF_EPOCH, &[shard.into(), epoch.into()])
    }

    /// A fresh token of the same user keeps a shard's socket until `expires_at`.
    pub fn set_shard_socket_expiry(
        &self,
        conn: &str,
        user_id: &str,
        expires_at: edgechat_protocol::Millis,
    ) -> Result<(), StoreError> {
        self.exec(
            SET_EXPIRY,
            &[expires_at.into(), conn.into(), user_id.into()],
        )
    }

    fn conns(
        &self,
        statement: &'static str,
        params: &[super::Value],
    ) -> Result<Vec<ConnId>, StoreError> {
        self.sql
            .run(statement, params)?
            .into_iter()
            .map(|row| row.text(0).map(str::to_owned))
            .collect()
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::store::sqlite::Sqlite;

    fn socket(conn: &str, shard: u32, epoch: &str, user: &str) -> ShardSocket {
        ShardSocket {
            conn: conn.to_owned(),
            shard,
            epoch: epoch.to_owned(),
            who: Identity {
                user_id: user.to_owned(),
                username: user.to_owned(),
                handle: String::new(),
                global_admin: false,
                expires_at: Some(1_000),
                version: 6,
                status: None,
                status_text: None,
            },
        }
    }

    #[test]
    fn a_shards_sockets_are_kept_by_life_and_a_fresh_token_outlasts_a_reload() {
        let store = Store::new(Sqlite::memory());
        store.prepare().ok();
        for row in [
            socket("s0.a", 0, "old", "u1"),
            socket("s0.b", 0, "new", "u2"),
            socket("s1.c", 1, "one", "u3"),
        ] {
            store.add_shard_socket(&row).unwrap();
        }
        assert_eq!(store.shard_sockets_before(0, "new").unwrap(), ["s0.a"]);
        assert_eq!(store.shard_sockets_of(1, "one").unwrap(), ["s1.c"]);

        // Only the same user's token moves the expiry; it comes back as a whole number.
        store.set_shard_socket_expiry("s0.b", "u2", 9_000).unwrap();
        store.set_shard_socket_expiry("s1.c", "u2", 9_000).unwrap();
        let all = store.shard_sockets().unwrap();
        let expiry = |conn: &str| all.iter().find(|s| s.conn == conn).unwrap().who.expires_at;
        assert_eq!(expiry("s0.b"), Some(9_000));
        assert_eq!(expiry("s1.c"), Some(1_000));

        assert!(store.remove_shard_socket("s0.a").unwrap());
        assert!(!store.remove_shard_socket("s0.a").unwrap(), "gone already");
        assert_eq!(store.shard_sockets().unwrap().len(), 2);
    }
}
