//! Incoming hooks at the door (docs/api.md, "Integrations"): a room admin's
//! `/api/rooms/{id}/hooks…`, and `POST /api/hooks/{room}/{hookId}/{secret}`, where a
//! program that speaks Slack's incoming-webhook format posts into the room. The room's
//! object owns its hooks; the door mints their ids and secrets and reads the bodies.

use edgechat_core::{
    Identity,
    room::HookChange,
    slack::{self, HOOK_PATH},
};
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};
use worker::{Env, Method, Request, Response, Result};

use crate::{
    auth::{guard, random_id},
    http::{self, read_json},
    stubs::RoomStub,
};

/// The largest hook body read: Slack's attachments and blocks run longer than a
/// message, which is still held to `MAX_MESSAGE_CHARS` once converted.
const MAX_HOOK_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    name: String,
}

/// `/api/rooms/{room}/hooks…`, for the room's admins (the room checks the role):
/// `GET` lists the hooks, never their secrets; `POST` `{"name"}` makes one, with its URL
/// shown this once; `PATCH …/{hook}` `{"name"}` renames it; `POST …/{hook}/secret` gives
/// it a new URL, and the old one stops working; `DELETE …/{hook}` deletes it.
pub async fn manage(
    mut req: Request,
    env: &Env,
    method: Method,
    room: &str,
    rest: &[&str],
) -> Result<Response> {
    let who = attempt!(admin(&req, env, room).await);
    let secret = random_id("");
    let change = match (method, rest) {
        (Method::Get, []) => None,
        (Method::Post, []) => Some(HookChange::Create {
            hook_id: random_id("hk-"),
            name: attempt!(read_json::<Named>(&mut req).await).name,
            secret: secret.clone(),
        }),
        (Method::Patch, [hook]) => Some(HookChange::Rename {
            hook_id: (*hook).to_owned(),
            name: attempt!(read_json::<Named>(&mut req).await).name,
        }),
        (Method::Post, [hook, "secret"]) => Some(HookChange::NewSecret {
            hook_id: (*hook).to_owned(),
            secret: secret.clone(),
        }),
        (Method::Delete, [hook]) => Some(HookChange::Delete {
            hook_id: (*hook).to_owned(),
        }),
        _ => return http::error(ErrorCode::NotFound, "there is no such endpoint"),
    };
    let shows_url = matches!(
        change,
        Some(HookChange::Create { .. } | HookChange::NewSecret { .. })
    );
    let (created, deleted) = (
        matches!(change, Some(HookChange::Create { .. })),
        matches!(change, Some(HookChange::Delete { .. })),
    );
    let answer = RoomStub::new(env, room)?.hooks(who, change).await?;
    if answer.status_code() != 200 {
        return Ok(answer);
    }
    if deleted {
        return Ok(Response::empty()?.with_status(204));
    }
    if !shows_url {
        return Ok(answer);
    }
    with_url(&req, room, &secret, answer, if created { 201 } else { 200 }).await
}

/// `POST /api/hooks/{room}/{hook}/{secret}`: a Slack-shaped body, posted as the hook's
/// bot. Answers as Slack does: `200 ok`, or `4xx` with Slack's word for the refusal.
pub async fn post(
    mut req: Request,
    env: &Env,
    room: &str,
    hook: &str,
    secret: &str,
) -> Result<Response> {
    if !edgechat_core::ids::is_valid_room_name(room) {
        return plain(404, "no_service");
    }
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let content_type = header("Content-Type");
    let declared = header("Content-Length").and_then(|l| l.trim().parse::<usize>().ok());
    if declared.is_some_and(|l| l > MAX_HOOK_BODY) {
        return plain(413, "request_too_large");
    }
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_HOOK_BODY {
        return plain(413, "request_too_large");
    }
    let post = match slack::read(&bytes, content_type.as_deref()) {
        Ok(post) => post,
        Err(unreadable) => return plain(400, unreadable.as_str()),
    };
    RoomStub::new(env, room)?
        .hook_post(hook, secret, post.into_hook_post())
        .await
}

/// The identity of a signed-in user asking about `room`'s hooks; the room checks their
/// role.
async fn admin(req: &Request, env: &Env, room: &str) -> std::result::Result<Identity, Response> {
    http::room_name(room)?;
    let (_, user) = guard::user(req, env).await?;
    Ok(Identity::from(&user))
}

/// The room's answer with the hook's URL added, which carries the secret: shown once.
async fn with_url(
    req: &Request,
    room: &str,
    secret: &str,
    mut answer: Response,
    status: u16,
) -> Result<Response> {
    if answer.status_code() != 200 {
        return Ok(answer);
    }
    let mut body: Value = answer.json().await?;
    let Some(hook_id) = body["hook"]["hookId"].as_str().map(str::to_owned) else {
        return http::error(ErrorCode::Internal, "the room did not name the hook");
    };
    let origin = req.url()?.origin().ascii_serialization();
    body["hook"]["url"] = json!(format!("{origin}{HOOK_PATH}{room}/{hook_id}/{secret}"));
    http::json(status, &body)
}

fn plain(status: u16, word: &str) -> Result<Response> {
    Ok(Response::ok(word)?.with_status(status))
}
