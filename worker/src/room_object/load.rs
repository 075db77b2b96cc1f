//! Bringing a room into memory after a wake: its info and head only, after upgrading a
//! room stored by an older build, a bounded number of chunks per wake.

use edgechat_core::store::Migration;
use edgechat_protocol::{ErrorCode, Millis};
use worker::{Response, Result};

use super::{Core, Room, stored};
use crate::{http, outbox::Batching, sockets};

/// Whether the room could be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Loaded {
    Ready,
    /// No room was ever created here.
    Missing,
    /// Stored by an older build and still being upgraded; the alarm goes on with it.
    Upgrading,
}

impl Room {
    /// Loads the room unless it is in memory: its info and head, never its history. A
    /// room stored by an older build is upgraded first, a bounded number of chunks per
    /// wake; until that is done it answers `Upgrading`.
    pub(super) fn load(&self) -> Result<Loaded> {
        if self.core.borrow().is_some() {
            return Ok(Loaded::Ready);
        }
        let store = self.store();
        let mut migration = store.prepare().map_err(stored)?;
        for _ in 0..self.migrate_chunks_per_wake {
            if migration == Migration::Done {
                break;
            }
            migration = store.migrate_chunk(self.migrate_chunk).map_err(stored)?;
        }
        if migration != Migration::Done {
            return Ok(Loaded::Upgrading);
        }
        let mut connections = sockets::attached(&self.state);
        connections.extend(self.shard_sockets()?);
        match Core::load(store, self.limits.clone(), connections).map_err(stored)? {
            Some(mut core) => {
                Batching::loaded(&self.state, core.head_seq());
                self.tell_outbox(core.id());
                // A socket that outlived its user's membership (a close that was lost)
                // is closed now, before anything is served to it.
                let strays = core
                    .close_strays(worker::Date::now().as_millis())
                    .map_err(stored)?;
                self.core.replace(Some(core));
                self.carry_out(strays);
                Ok(Loaded::Ready)
            }
            None => Ok(Loaded::Missing),
        }
    }

    /// `None` when the room is loaded; otherwise the answer to give instead.
    pub(super) async fn ready(&self, now: Millis) -> Option<Result<Response>> {
        match self.load() {
            Ok(Loaded::Ready) => None,
            Ok(Loaded::Missing) => Some(http::error(ErrorCode::NotFound, "no such room")),
            Ok(Loaded::Upgrading) => {
                self.arm_at(now, now).await;
                let response = http::error(
                    ErrorCode::Unavailable,
                    "this room is being upgraded; try again in a moment",
                );
                if let Ok(response) = &response {
                    let _ = response.headers().set("Retry-After", "1");
                }
                Some(response)
            }
            Err(err) => {
                crate::log::error("load-failed").err(err).emit();
                Some(http::error(
                    ErrorCode::Internal,
                    "the room could not be loaded",
                ))
            }
        }
    }
}
