//! Typed calls to a room's shard objects (docs/architecture.md, *Rooms bigger than one
//! object*): the upgrade a room sends on to a shard, and its deliveries.

use edgechat_core::Identity;
use edgechat_protocol::Seq;
use serde::{Deserialize, Serialize};
use worker::{Env, Request, Response, Result, Stub};

use super::{read, request, to_json};

/// The header of a room's answer to an upgrade that a shard takes: the shard's number.
pub const SHARD_HEADER: &str = "X-Edgechat-Shard";

/// What a shard object is asked.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum ShardCall {
    /// A WebSocket upgrade the room sent here.
    Connect {
        room: String,
        shard: u32,
        who: Identity,
        since: Option<Seq>,
        protocol: Option<String>,
    },
    /// What the room has for this shard's sockets, in order: the durable events after
    /// `from` through `to`, and the frames between them (made by the room's outbox, in
    /// JavaScript: `outbox.rs`).
    Deliver {
        room: String,
        shard: u32,
        from: Seq,
        to: Seq,
        entries: Box<serde_json::value::RawValue>,
    },
    /// The bench build only: the shard dies, as if its process restarted: its sockets
    /// drop and what it held in memory is gone.
    #[cfg(feature = "bench")]
    Restart,
}

/// The shard object number `shard` of `room`.
pub struct ShardStub(Stub);

impl ShardStub {
    pub fn new(env: &Env, room_id: &str, shard: u32) -> Result<Self> {
        Ok(Self(
            env.durable_object("SHARD")?
                .id_from_name(&shard_name(room_id, shard))?
                .get_stub()?,
        ))
    }

    async fn call(&self, call: &ShardCall) -> Result<Response> {
        let upgrade = matches!(call, ShardCall::Connect { .. });
        self.0
            .fetch_with_request(request(to_json(call)?, upgrade)?)
            .await
    }

    pub async fn connect(
        &self,
        room: &str,
        shard: u32,
        who: Identity,
        since: Option<Seq>,
        protocol: Option<String>,
    ) -> Result<Response> {
        self.call(&ShardCall::Connect {
            room: room.to_owned(),
            shard,
            who,
            since,
            protocol,
        })
        .await
    }

    #[cfg(feature = "bench")]
    pub async fn restart(&self) -> Result<Response> {
        self.call(&ShardCall::Restart).await
    }
}

/// A shard object's name: its room's and its number (the room's outbox names it the same
/// way, in JavaScript).
pub fn shard_name(room_id: &str, shard: u32) -> String {
    format!("{room_id}#shard-{shard}")
}

impl ShardCall {
    /// The call `req` carries, if a stub (or a room's outbox) made it.
    pub async fn read(req: &mut Request) -> Result<Option<Self>> {
        read(req).await
    }
}
