//! Incoming hooks at the door (docs/api.md, "Integrations"): a room admin's
//! `/api/rooms/{id}/hooks…`, and `POST /api/hooks/{room}/{hookId}/{secret}`, where a
//! program that speaks Slack's incoming-webhook format posts into the room. The room's
//! object owns its hooks; the door mints their ids and secrets and reads the bodies.

use edgechat_core::{
    Identity,
    outbound::Purpose,
    room::{HookChange, HookSpec},
    slack::{self, HOOK_PATH},
};
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};
use worker::{Env, Method, Request, Response, Result};

use crate::{
    auth::{guard, random_id},
    http::{self, read_json},
    stubs::{ResponseCall, RoomStub},
};

/// The largest hook body read: Slack's attachments and blocks run longer than a
/// message, which is still held to `MAX_MESSAGE_CHARS` once converted.
const MAX_HOOK_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    name: String,
}

/// A new hook as its admin asks for it: `{"name"}` for an incoming one; with `"kind":
/// "outgoing"`, `url`, `triggerWords` and `onMention`; with `"kind": "command"`,
/// `command`, `url` and `description`. Read from a [`Value`] by hand (a derived decoder
/// cost the Worker more than this), and a URL the outbound policy refuses is a 400
/// here, before the room is asked.
fn new_hook(body: &Value, env: &Env) -> std::result::Result<(String, HookSpec), Response> {
    let invalid = |why: &str| http::refusal(ErrorCode::Invalid, why);
    let text = |key: &str| body[key].as_str().map(str::to_owned);
    let Some(name) = text("name") else {
        return Err(invalid("a hook needs a name"));
    };
    let url = || {
        let url = text("url").unwrap_or_default();
        let hosts = crate::outbound::test_hosts(env);
        match edgechat_core::outbound::check(&url, Purpose::Page, &hosts) {
            Ok(_) => Ok(url),
            Err(why) => Err(invalid(&format!(
                "the server may not call this URL: {}",
                why.as_str()
            ))),
        }
    };
    let spec = match body["kind"].as_str().unwrap_or("incoming") {
        "incoming" => HookSpec::Incoming,
        "outgoing" => HookSpec::Outgoing {
            url: url()?,
            trigger_words: body["triggerWords"]
                .as_array()
                .map(|words| {
                    words
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            on_mention: body["onMention"] == true,
        },
        "command" => HookSpec::Command {
            url: url()?,
            command: text("command").unwrap_or_default(),
            description: text("description").unwrap_or_default(),
        },
        _ => return Err(invalid("kind is incoming, outgoing or command")),
    };
    Ok((name, spec))
}

/// `/api/rooms/{room}/hooks…`, for the room's admins (the room checks the role):
/// `GET` lists the hooks, never their secrets; `POST` `{"name", "kind", …}` makes one,
/// with its URL (or a called hook's token and signing secret) shown this once; `PATCH …/{hook}` `{"name"}` renames it; `POST …/{hook}/secret` gives
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
        (Method::Post, []) => {
            let asked: Value = attempt!(read_json(&mut req).await);
            let (name, spec) = attempt!(new_hook(&asked, env));
            Some(HookChange::Create {
                hook_id: random_id("hk-"),
                name,
                secret: secret.clone(),
                token: random_id(""),
                spec,
            })
        }
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
    let token = match &change {
        Some(HookChange::Create { token, .. }) => Some(token.clone()),
        _ => None,
    };
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
    let status = if created { 201 } else { 200 };
    with_url(&req, room, (&secret, token.as_deref()), answer, status).await
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

/// `GET /api/rooms/{room}/commands`: the room's commands, for a member's composer.
pub async fn commands(req: Request, env: &Env, room: &str) -> Result<Response> {
    let who = attempt!(admin(&req, env, room).await);
    RoomStub::new(env, room)?.commands(who).await
}

/// `POST /api/commands/{room}/{token}`: a command's program answering later, through the
/// `response_url` it was given (Slack's JSON; `response_type` `in_channel` posts it, the
/// default shows it to the member who ran the command alone).
pub async fn respond(mut req: Request, env: &Env, room: &str, token: &str) -> Result<Response> {
    if !edgechat_core::ids::is_valid_room_name(room) {
        return plain(404, "no_service");
    }
    let content_type = req.headers().get("Content-Type").ok().flatten();
    let declared = req.headers().get("Content-Length").ok().flatten();
    if declared
        .and_then(|l| l.trim().parse::<usize>().ok())
        .is_some_and(|l| l > MAX_HOOK_BODY)
    {
        return plain(413, "request_too_large");
    }
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_HOOK_BODY {
        return plain(413, "request_too_large");
    }
    let answer = match slack::answer(&bytes, content_type.as_deref()) {
        Ok(answer) => answer.map(|(post, ephemeral)| (post.into_hook_post(), ephemeral)),
        Err(unreadable) => return plain(400, unreadable.as_str()),
    };
    RoomStub::new(env, room)?
        .respond(ResponseCall {
            token: token.to_owned(),
            answer,
        })
        .await
}

/// The identity of a signed-in user asking about `room`'s hooks or commands; the room
/// checks their role.
async fn admin(req: &Request, env: &Env, room: &str) -> std::result::Result<Identity, Response> {
    http::room_name(room)?;
    let (_, user) = guard::user(req, env).await?;
    Ok(Identity::from(&user))
}

/// The room's answer with what is shown once added: an incoming hook's URL, which
/// carries its secret, or a called hook's signing secret (and, when it is new, token).
async fn with_url(
    req: &Request,
    room: &str,
    (secret, token): (&str, Option<&str>),
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
    if body["hook"]["kind"] == "incoming" {
        let origin = req.url()?.origin().ascii_serialization();
        body["hook"]["url"] = json!(format!("{origin}{HOOK_PATH}{room}/{hook_id}/{secret}"));
    } else {
        // A hook the room calls: what its program checks, shown this once.
        body["hook"]["signingSecret"] = json!(secret);
        if let Some(token) = token {
            body["hook"]["token"] = json!(token);
        }
    }
    http::json(status, &body)
}

fn plain(status: u16, word: &str) -> Result<Response> {
    Ok(Response::ok(word)?.with_status(status))
}
