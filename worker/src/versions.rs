//! Which wire version each socket speaks: the `edgechat.vN` it was answered with, kept
//! as a socket tag (`vN`) so it survives hibernation. A frame kind newer than a socket's
//! version is never sent to it, and a frame with a newer field is sent in its older form
//! (`ServerMsg::since_version`, `ServerMsg::older`).

use std::borrow::Cow;

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

/// `msg` as `ws` is sent it: itself, its older form when it carries a field newer than
/// the socket ([`ServerMsg::older`]), or nothing when its kind is newer. Free for every
/// frame of version 1: the socket's tags are read only for a newer one.
pub fn fitted<'m>(state: &State, ws: &WebSocket, msg: &'m ServerMsg) -> Option<Cow<'m, ServerMsg>> {
    let needed = msg.since_version();
    if needed <= 1 || at_least(state, ws, needed) {
        return Some(Cow::Borrowed(msg));
    }
    let kind = msg.kind_version();
    if kind <= 1 || at_least(state, ws, kind) {
        return msg.older().map(Cow::Owned);
    }
    None
}

/// Whether `ws` speaks wire version `needed` or a later one.
pub fn at_least(state: &State, ws: &WebSocket, needed: u32) -> bool {
    state.get_tags(ws).iter().any(|tag| {
        tag.strip_prefix('v')
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|version| version >= needed)
    })
}
