//! The edgechat Worker: routes HTTP requests and hands each room's sockets to that room's
//! Durable Object. Rules live in `edgechat-core`; this crate decodes, calls and carries out.

mod health;
mod http;
mod inbox_object;
mod room_object;
mod upgrade;

use worker::{Context, Env, Method, Request, Response, Result, event};

pub use inbox_object::Inbox;
pub use room_object::Room;

/// Headers the Worker sets on requests it forwards to a room object. Any copy that a
/// client sent is never forwarded: the forwarded request is built from scratch.
pub(crate) const MEMBER_HEADER: &str = "X-Edgechat-Member";
pub(crate) const ROOM_HEADER: &str = "X-Edgechat-Room";
pub(crate) const SINCE_HEADER: &str = "X-Edgechat-Since";

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let result = match (req.method(), segments.as_slice()) {
        (Method::Get, ["api", "health"]) => health::health(&env).await,
        (Method::Get, ["api", "rooms", room, "ws"]) => upgrade::room_socket(&req, &env, room).await,
        (_, ["api", ..]) => http::error(404, "not-found", "there is no such endpoint"),
        // `[assets]` serves everything else before the Worker runs; reaching here means
        // the asset does not exist.
        _ => http::error(404, "not-found", "there is no such page"),
    };
    result.or_else(|err| {
        worker::console_error!("{} {path}: {err}", req.method());
        http::error(500, "internal", "something went wrong on the server")
    })
}
