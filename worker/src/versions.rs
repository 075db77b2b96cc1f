//! Which wire version each socket speaks: the `edgechat.vN` it was answered with, kept
//! as a socket tag (`vN`) so it survives hibernation. A frame kind newer than a socket's
//! version is never sent to it (`ServerMsg::since_version`).

use edgechat_protocol::ServerMsg;
use worker::{State, WebSocket};

/// The version of the subprotocol answered (`edgechat.vN` → N); a client that offered
/// none (a tool sending `Authorization`) speaks version 1.
pub fn number(protocol: Option<&str>) -> u32 {
    protocol
        .and_then(|p| p.strip_prefix("edgechat.v"))
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1)
}

/// The tag for the subprotocol answered (`edgechat.vN` → `vN`).
pub fn tag(protocol: Option<&str>) -> String {
    format!("v{}", number(protocol))
}

/// Whether `ws` may be sent `msg`. Free for every frame of version 1: the socket's tags
/// are read only for a newer kind.
pub fn speaks(state: &State, ws: &WebSocket, msg: &ServerMsg) -> bool {
    let needed = msg.since_version();
    needed <= 1 || at_least(state, ws, needed)
}

/// Whether `ws` speaks wire version `needed` or a later one.
pub fn at_least(state: &State, ws: &WebSocket, needed: u32) -> bool {
    state.get_tags(ws).iter().any(|tag| {
        tag.strip_prefix('v')
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|version| version >= needed)
    })
}
