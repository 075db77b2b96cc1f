//! The bench build's routes (`--features bench`): what the end-to-end tests and the
//! benchmark reach into a room with (memory, raw frames, reload, faults, a shard's
//! restart, and the storage statements the objects ran), and the stores' outages. The deployed build has none of this; its
//! configuration test shows each route answering 404 (tests/tests/deployed_config.rs).

use edgechat_protocol::ErrorCode;
use worker::{Env, Method, Request, Response, Result, js_sys};

use crate::{http, stubs};

/// `/api/bench/…`, with `rest` the segments after `bench`.
pub async fn route(req: Request, env: &Env, method: Method, rest: &[&str]) -> Result<Response> {
    match (method, rest) {
        (Method::Get, ["memory"]) => memory(),
        (Method::Post, ["outages", store]) => outage(env, store, false),
        (Method::Post, ["outages", store, "slow"]) => outage(env, store, true),
        (Method::Post, ["rooms", room, "frames"]) => frame(req, env, room).await,
        (Method::Post, ["rooms", room, "reload"]) => {
            attempt!(http::room_name(room));
            stubs::RoomStub::new(env, room)?.reload().await
        }
        (Method::Post, ["rooms", room, "redeploy"]) => {
            attempt!(http::room_name(room));
            stubs::RoomStub::new(env, room)?.redeploy().await
        }
        (Method::Get, ["rooms", room, "storage"]) => {
            attempt!(http::room_name(room));
            stubs::RoomStub::new(env, room)?.storage().await
        }
        (Method::Post, ["rooms", room, "faults"]) => {
            attempt!(http::room_name(room));
            faults(req, env, room).await
        }
        (Method::Post, ["rooms", room, "shards", shard, "restart"]) => {
            attempt!(http::room_name(room));
            let Ok(shard) = shard.parse() else {
                return http::error(ErrorCode::BadRequest, "a shard is a number");
            };
            stubs::ShardStub::new(env, room, shard)?.restart().await
        }
        _ => http::error(ErrorCode::NotFound, "there is no such endpoint"),
    }
}

/// How large this isolate's WebAssembly memory is, so the benchmark can see whether
/// waking a room grows it with the room's history.
fn memory() -> Result<Response> {
    use wasm_bindgen::JsCast;
    let bytes = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            memory
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length()
        })
        .unwrap_or(0);
    http::json(200, &serde_json::json!({ "wasmMemoryBytes": bytes }))
}

/// D1 or R2 down from now, for `OUTAGE_MS` (5 s unless the tests say otherwise): every
/// statement or bucket call of the Worker and its objects fails as the store's own would.
/// Or, `slow`, answering `OUTAGE_LAG_MS` late to the health probe.
fn outage(env: &Env, store: &str, slow: bool) -> Result<Response> {
    use crate::storage::outage::{self, Store};
    let store = match store {
        "d1" => Store::D1,
        "r2" => Store::R2,
        _ => return http::error(ErrorCode::NotFound, "the stores are d1 and r2"),
    };
    let ms = crate::config::number(env, "OUTAGE_MS", 5_000);
    if slow {
        outage::slow(
            store,
            ms,
            crate::config::number(env, "OUTAGE_LAG_MS", 1_500),
        );
    } else {
        outage::start(store, ms);
    }
    Ok(Response::empty()?.with_status(204))
}

/// The faults a room object injects from now on.
async fn faults(mut req: Request, env: &Env, room: &str) -> Result<Response> {
    let faults: stubs::Faults = attempt!(http::read_json(&mut req).await);
    stubs::RoomStub::new(env, room)?.faults(faults).await
}

/// Sends a raw frame to every socket of a room, as a newer server would, so tests can
/// show that clients survive frames they do not know.
async fn frame(mut req: Request, env: &Env, room: &str) -> Result<Response> {
    let frame = req.text().await?;
    stubs::RoomStub::new(env, room)?.frames(frame).await
}
