//! The edgechat Worker: routes HTTP requests and hands each room's sockets to that room's
//! Durable Object. Rules live in `edgechat-core`; this crate decodes, calls and carries out.

/// Unwraps a `Result<T, Response>`, returning the refusal as the handler's answer.
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(response) => return Ok(response),
        }
    };
}

mod audit;
mod auth;
#[cfg(feature = "bench")]
mod bench;
mod config;
mod cors;
mod exports;
mod files;
mod health;
mod history;
mod hooks;
mod http;
mod imports;
mod inbox_object;
mod log;
mod me;
mod outbound;
mod outbox;
mod push;
mod request_id;
mod room_object;
mod rooms;
mod search;
mod shard_object;
mod sockets;
mod storage;
mod stubs;
mod upgrade;
mod versions;

use edgechat_protocol::ErrorCode;
use worker::{Context, Env, Method, Request, Response, Result, event};

pub use inbox_object::Inbox;
pub use room_object::Room;
pub use shard_object::Shard;

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    log::init(&env);
    let id = request_id::new(&req);
    let start = worker::Date::now().as_millis();
    let (method, path) = (req.method(), req.path());
    log::scoped(log::request(&id), async {
        let response = answer(req, &env).await?;
        let response = request_id::mark(&id, response).await?;
        // One line a request, never its query (a search's words), its headers or a hook's
        // secret (the end of its URL). Not for
        // a socket that opened: joins come in storms (a deploy brings a whole room back at
        // once), and a line each cost a storm a fifth of its time (docs/performance.md);
        // an upgrade that was refused has its line.
        if response.status_code() != 101 {
            log::info("request")
                .with("method", method.to_string())
                .with(
                    "path",
                    edgechat_core::slack::loggable_path(&path).into_owned(),
                )
                .with("status", response.status_code())
                .since(start)
                .emit();
        }
        Ok(response)
    })
    .await
}

async fn answer(req: Request, env: &Env) -> Result<Response> {
    let path = req.path();
    let method = req.method();
    let origin = req.headers().get("Origin")?;
    if method == Method::Options {
        return cors::preflight(env, origin.as_deref());
    }
    // A page of another site may send a browser's cookies along (a form posting
    // `text/plain` needs no preflight): nothing it sends may change anything.
    if !matches!(method, Method::Get | Method::Head)
        && !cors::may_change(env, &req, origin.as_deref())
    {
        let refused = http::error(
            ErrorCode::ForbiddenOrigin,
            "requests from another site may not change anything here",
        )?;
        return cors::allow(env, origin.as_deref(), refused);
    }
    let result = route(req, env, &path).await;
    let response = match result {
        Ok(response) => response,
        // D1 or R2 down for a while: 503 with `Retry-After`, which the client waits out.
        Err(err) if storage::unavailable(&err) => {
            log::warn("store-unavailable")
                .with("method", method.to_string())
                .with(
                    "path",
                    edgechat_core::slack::loggable_path(&path).into_owned(),
                )
                .err(err)
                .emit();
            storage::unavailable_answer()
        }
        Err(err) => {
            log::error("request-failed")
                .with("method", method.to_string())
                .with(
                    "path",
                    edgechat_core::slack::loggable_path(&path).into_owned(),
                )
                .err(err)
                .emit();
            http::error(ErrorCode::Internal, "something went wrong on the server")?
        }
    };
    cors::allow(env, origin.as_deref(), response)
}

async fn route(req: Request, env: &Env, path: &str) -> Result<Response> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["api", "health"]) => health::health(env).await,
        (Method::Post, ["api", "auth", "register"]) => auth::register(req, env).await,
        (Method::Post, ["api", "auth", "login"]) => auth::login(req, env).await,
        (Method::Post, ["api", "auth", "refresh"]) => auth::refresh(req, env).await,
        (Method::Post, ["api", "auth", "logout"]) => auth::logout(req, env).await,
        (Method::Get, ["api", "me", "ws"]) => upgrade::inbox_socket(&req, env).await,
        (Method::Get, ["api", "me"]) => me::get(req, env).await,
        (Method::Patch, ["api", "me"]) => me::patch(req, env).await,
        (Method::Get, ["api", "push", "key"]) => push::key(req, env).await,
        (Method::Post, ["api", "push", "subscriptions"]) => push::subscribe(req, env).await,
        (Method::Delete, ["api", "push", "subscriptions"]) => push::unsubscribe(req, env).await,
        (Method::Get, ["api", "search"]) => search::search(req, env).await,
        (Method::Post, ["api", "me", "exports"]) => {
            exports::start(req, env, exports::Of::Account).await
        }
        (Method::Get, ["api", "me", "exports"]) => {
            exports::progress(req, env, exports::Of::Account, None).await
        }
        (Method::Get, ["api", "me", "exports", id]) => {
            exports::progress(req, env, exports::Of::Account, Some(id)).await
        }
        (Method::Put, ["api", "me", "avatar"]) => files::put_avatar(req, env).await,
        (Method::Delete, ["api", "me", "avatar"]) => files::delete_avatar(req, env).await,
        (Method::Get, ["api", "users"]) => me::find(req, env).await,
        (Method::Get, ["api", "users", id]) => me::profile(req, env, id).await,
        (Method::Get, ["api", "users", id, "avatar"]) => files::get_avatar(&req, env, id).await,
        (Method::Post, ["api", "rooms", room, "files"]) => files::upload(req, env, room).await,
        (Method::Get, ["api", "files", id]) => files::download(&req, env, id, false).await,
        // Under `/api/files`, where the access cookie goes, so a plain link downloads.
        (Method::Get, ["api", "files", "exports", id, token]) => {
            exports::download(&req, env, id, token).await
        }
        (Method::Get, ["api", "files", id, "thumbnail"]) => {
            files::download(&req, env, id, true).await
        }
        (Method::Post, ["api", "admin", "users", id, "disable"]) => {
            me::set_disabled(req, env, id, true).await
        }
        (Method::Post, ["api", "admin", "users", id, "enable"]) => {
            me::set_disabled(req, env, id, false).await
        }
        (Method::Post, ["api", "rooms"]) => rooms::create(req, env).await,
        (Method::Get, ["api", "rooms"]) => rooms::mine(req, env).await,
        (Method::Post, ["api", "rooms", "direct"]) => rooms::direct(req, env).await,
        (Method::Get, ["api", "rooms", "public"]) => rooms::public(req, env).await,
        (Method::Get, ["api", "rooms", room, "ws"]) => upgrade::room_socket(&req, env, room).await,
        (Method::Get, ["api", "rooms", room, "commands"]) => hooks::commands(req, env, room).await,
        (method, ["api", "rooms", room, "hooks", rest @ ..]) => {
            hooks::manage(req, env, method, room, rest).await
        }
        (Method::Post, ["api", "hooks", room, hook, secret]) => {
            hooks::post(req, env, room, hook, secret).await
        }
        (Method::Post, ["api", "commands", room, token]) => {
            hooks::respond(req, env, room, token).await
        }
        (Method::Post, ["api", "rooms", room, "exports"]) => {
            exports::start(req, env, exports::Of::Room(room)).await
        }
        (Method::Get, ["api", "rooms", room, "exports"]) => {
            exports::progress(req, env, exports::Of::Room(room), None).await
        }
        (Method::Get, ["api", "rooms", room, "exports", id]) => {
            exports::progress(req, env, exports::Of::Room(room), Some(id)).await
        }
        (Method::Get, ["api", "rooms", room, "audit"]) => audit::room_log(req, env, room).await,
        (Method::Get, ["api", "audit"]) => audit::all(req, env).await,
        (Method::Post, ["api", "rooms", room, "imports"]) => imports::start(req, env, room).await,
        (Method::Get, ["api", "rooms", room, "imports", id]) => {
            imports::progress(req, env, room, id).await
        }
        (Method::Get, ["api", "rooms", room, "messages"]) => {
            history::room_history(&req, env, room).await
        }
        // Only in the bench build (`--features bench`): the tests' and the benchmark's
        // hooks; the deployed build has no such route.
        #[cfg(feature = "bench")]
        (method, ["api", "bench", rest @ ..]) => bench::route(req, env, method, rest).await,
        (_, ["api", ..]) => http::error(ErrorCode::NotFound, "there is no such endpoint"),
        // `[assets]` serves everything else before the Worker runs; reaching here means
        // the asset does not exist.
        _ => http::error(ErrorCode::NotFound, "there is no such page"),
    }
}
