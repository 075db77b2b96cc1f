//! The room's side of the bench build's hooks: the faults a test injects, a reload that
//! stands in for an eviction, a drop of every socket that stands in for a deploy, raw frames that stand in for a newer server, and the counts
//! the benchmark reads. In the deployed build only [`Room::faults`] remains, answering
//! none, so its checks fold away.

#[cfg(feature = "bench")]
use crate::http;
use crate::stubs::Faults;
#[cfg(feature = "bench")]
use edgechat_protocol::ErrorCode;
#[cfg(feature = "bench")]
use worker::{Response, Result};

use super::Room;

impl Room {
    /// The faults injected into this object: always none in the deployed build.
    pub(super) fn faults(&self) -> Faults {
        #[cfg(feature = "bench")]
        return self.faults.get();
        #[cfg(not(feature = "bench"))]
        Faults::default()
    }

    /// Injects `faults` from now on.
    #[cfg(feature = "bench")]
    pub(super) fn inject(&self, faults: Faults) -> Result<Response> {
        self.faults.set(faults);
        crate::outbox::Batching::lose(&self.state, faults.lose_deliveries);
        Ok(Response::empty()?.with_status(204))
    }

    /// The stand-in for an eviction: the room loads again from storage and the sockets
    /// still attached, as after a wake.
    #[cfg(feature = "bench")]
    pub(super) fn reload(&self) -> Result<Response> {
        self.core.replace(None);
        match self.load() {
            Ok(_) => Ok(Response::empty()?.with_status(204)),
            Err(err) => http::error(ErrorCode::Internal, &err.to_string()),
        }
    }

    /// The stand-in for a deploy: every socket of the room dropped at once (1012,
    /// "service restart", as a client sees the runtime go), and the room loaded afresh on
    /// its next event, as a new version's object would be.
    #[cfg(feature = "bench")]
    pub(super) fn redeploy(&self) -> Result<Response> {
        for ws in self.state.get_websockets() {
            crate::sockets::close(&ws, 1012, "a new version is being deployed");
        }
        self.core.replace(None);
        Ok(Response::empty()?.with_status(204))
    }

    /// What the objects of this isolate have run so far: storage reads and writes (all
    /// objects'), and this room's runtime sends (to its sockets and shards).
    #[cfg(feature = "bench")]
    pub(super) fn counts(&self) -> Result<Response> {
        let (reads, writes) = super::sql::counted::so_far();
        let (sends, flushes) = crate::outbox::Batching::sends(&self.state);
        http::json(
            200,
            &serde_json::json!({
                "reads": reads, "writes": writes, "sends": sends, "flushes": flushes
            }),
        )
    }

    /// The stand-in for a newer server: `raw` to every socket as it is.
    #[cfg(feature = "bench")]
    pub(super) fn frames(&self, raw: &str) -> Result<Response> {
        for ws in self.state.get_websockets() {
            let _ = ws.send_with_str(raw);
        }
        Ok(Response::empty()?.with_status(204))
    }
}
