//! The HTTP API as the browser calls it. Auth endpoints are same-origin; cookie-driven
//! ones carry the CSRF header.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};

use crate::{
    directory::RoomEntry,
    search::SearchHit,
    session::{Me, Session},
};

pub mod audit;
pub mod exports;

const CSRF: (&str, &str) = ("X-Edgechat-Csrf", "1");

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorDetail {
    message: String,
    request_id: Option<String>,
}

/// The server's message for a failed request, or a generic one.
async fn failure(response: Response) -> String {
    let status = response.status();
    if status == 503 {
        crate::outage::noticed();
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => {
            crate::failure::reported(status, body.error.message, body.error.request_id.as_deref())
        }
        Err(_) => format!("the server answered {status}"),
    }
}

async fn session_from(response: Result<Response, gloo_net::Error>) -> Result<Session, String> {
    let response = response.map_err(|e| format!("no connection: {e}"))?;
    if !response.ok() {
        return Err(failure(response).await);
    }
    response.json::<Session>().await.map_err(|e| e.to_string())
}

async fn post(path: &str, body: &Value) -> Result<Response, gloo_net::Error> {
    Request::post(path).json(body)?.send().await
}

pub async fn register(
    username: &str,
    password: &str,
    display_name: &str,
) -> Result<Session, String> {
    let body = json!({ "username": username, "password": password, "displayName": display_name, "useCookies": true });
    session_from(post("/api/auth/register", &body).await).await
}

pub async fn login(username: &str, password: &str) -> Result<Session, String> {
    let body = json!({ "username": username, "password": password, "useCookies": true });
    session_from(post("/api/auth/login", &body).await).await
}

/// Why a refresh gave no session.
pub enum RefreshFailure {
    /// The server refused the refresh cookie (or there is none): signed out.
    Refused,
    /// No answer, or a server error: try again later, still signed in.
    Unavailable,
}

/// A new access token from the refresh cookie.
pub async fn refresh() -> Result<Session, RefreshFailure> {
    let response = Request::post("/api/auth/refresh")
        .header(CSRF.0, CSRF.1)
        .send()
        .await
        .map_err(|_| RefreshFailure::Unavailable)?;
    match response.status() {
        200 => response
            .json::<Session>()
            .await
            .map_err(|_| RefreshFailure::Unavailable),
        400 | 401 | 403 => Err(RefreshFailure::Refused),
        _ => Err(RefreshFailure::Unavailable),
    }
}

pub async fn logout() {
    let _ = Request::post("/api/auth/logout")
        .header(CSRF.0, CSRF.1)
        .send()
        .await;
}

/// `builder` as the signed-in user.
fn as_user(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {token}"))
}

/// Sends a signed-in request (with a JSON `body`, if any) and decodes a successful
/// answer; a failure is the server's message.
async fn call<T: DeserializeOwned>(
    builder: RequestBuilder,
    token: &str,
    body: Option<&Value>,
) -> Result<T, String> {
    let response = send(builder, token, body).await?;
    response.json::<T>().await.map_err(|e| e.to_string())
}

/// Sends a signed-in request (with a JSON `body`, if any): a successful answer, or the
/// server's message.
async fn send(
    builder: RequestBuilder,
    token: &str,
    body: Option<&Value>,
) -> Result<Response, String> {
    let builder = as_user(builder, token);
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|e| e.to_string())?;
    let response = request
        .send()
        .await
        .map_err(|e| format!("no connection: {e}"))?;
    if !response.ok() {
        return Err(failure(response).await);
    }
    Ok(response)
}

/// The status a signed-in GET of `path` answers with; `None` without an answer.
pub async fn status_of(path: &str, token: &str) -> Option<u16> {
    let response = as_user(Request::get(path), token).send().await.ok()?;
    Some(response.status())
}

/// The server's Web Push key (`applicationServerKey`).
pub async fn push_key(token: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Key {
        public_key: String,
    }
    call::<Key>(Request::get("/api/push/key"), token, None)
        .await
        .map(|key| key.public_key)
}

/// Hands this browser's push subscription to the server.
pub async fn push_subscribe(token: &str, subscription: &Value) -> Result<(), String> {
    call::<Value>(
        Request::post("/api/push/subscriptions"),
        token,
        Some(subscription),
    )
    .await
    .map(drop)
}

/// The server forgets this browser's push subscription.
pub async fn push_unsubscribe(token: &str, endpoint: &str) -> Result<(), String> {
    let response = as_user(Request::delete("/api/push/subscriptions"), token)
        .json(&json!({ "endpoint": endpoint }))
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("no connection: {e}"))?;
    if response.ok() {
        Ok(())
    } else {
        Err(failure(response).await)
    }
}

pub async fn update_me(token: &str, display_name: &str, status_text: &str) -> Result<Me, String> {
    let body = json!({ "displayName": display_name, "statusText": status_text });
    call(Request::patch("/api/me"), token, Some(&body)).await
}

#[derive(Deserialize)]
struct Created {
    room: RoomRef,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomRef {
    room_id: String,
}

/// Creates a public room named `name`; if it already exists, that room. Returns its id.
pub async fn create_room(token: &str, name: &str) -> Result<String, String> {
    let response = as_user(Request::post("/api/rooms"), token)
        .json(&json!({ "name": name }))
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("no connection: {e}"))?;
    // 409: the room exists, and its description comes back the same way.
    if response.status() == 201 || response.status() == 409 {
        return response
            .json::<Created>()
            .await
            .map(|c| c.room.room_id)
            .map_err(|e| e.to_string());
    }
    Err(failure(response).await)
}

/// Creates the room `body` describes (`POST /api/rooms`). Returns its id.
pub async fn new_room(token: &str, body: &Value) -> Result<String, String> {
    let created: Created = call(Request::post("/api/rooms"), token, Some(body)).await?;
    Ok(created.room.room_id)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub display_name: String,
    /// The account name.
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub status_text: String,
    #[serde(default = "offline")]
    pub status: edgechat_protocol::Status,
    #[serde(default)]
    pub last_seen_at: Option<u64>,
}

fn offline() -> edgechat_protocol::Status {
    edgechat_protocol::Status::Offline
}

/// A user's public profile, by `GET /api/users/{id}`.
pub async fn profile(token: &str, user_id: &str) -> Result<Profile, String> {
    call(Request::get(&format!("/api/users/{user_id}")), token, None).await
}

/// The user with `username`, by `GET /api/users?username=`.
pub async fn find_user(token: &str, username: &str) -> Result<Profile, String> {
    call(
        Request::get("/api/users").query([("username", username)]),
        token,
        None,
    )
    .await
}

#[derive(Deserialize)]
struct Rooms {
    rooms: Vec<RoomEntry>,
}

/// The user's rooms with their unread and mention counts.
pub async fn my_rooms(token: &str) -> Result<Vec<RoomEntry>, String> {
    let found: Rooms = call(Request::get("/api/rooms"), token, None).await?;
    Ok(found.rooms)
}

/// Public rooms whose name contains `q`.
pub async fn public_rooms(token: &str, q: &str) -> Result<Vec<RoomEntry>, String> {
    let builder = Request::get("/api/rooms/public").query([("q", q)]);
    let found: Rooms = call(builder, token, None).await?;
    Ok(found.rooms)
}

#[derive(Deserialize)]
struct Found {
    results: Vec<SearchHit>,
}

/// Full-text search, in one room or (with `None`) every room the user may read; by one
/// author (`from`, an account name) and within times (ms), when given.
pub async fn search(
    token: &str,
    q: &str,
    room: Option<&str>,
    from: Option<&str>,
    after: Option<u64>,
    before: Option<u64>,
) -> Result<Vec<SearchHit>, String> {
    let mut builder = Request::get("/api/search").query([("q", q)]);
    let (after, before) = (after.map(|t| t.to_string()), before.map(|t| t.to_string()));
    for (key, value) in [
        ("room", room),
        ("from", from),
        ("after", after.as_deref()),
        ("before", before.as_deref()),
    ] {
        if let Some(value) = value {
            builder = builder.query([(key, value)]);
        }
    }
    let found: Found = call(builder, token, None).await?;
    Ok(found.results)
}

/// The direct room with `user_id`, created the first time. Returns its id.
pub async fn direct_room(token: &str, user_id: &str) -> Result<String, String> {
    let body = json!({ "userId": user_id });
    let created: Created = call(Request::post("/api/rooms/direct"), token, Some(&body)).await?;
    Ok(created.room.room_id)
}

/// A room's incoming hook, as its admins see it. `url` carries the secret, and comes only
/// with a new hook or a new secret: the server keeps a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub hook_id: String,
    pub name: String,
    /// `incoming`, `outgoing` or `command`.
    pub kind: String,
    /// An incoming hook's URL (with its secret), or the program a called hook posts to.
    pub url: Option<String>,
    /// A called hook's signing secret and token: shown once, when it is made.
    pub secrets: Option<(String, String)>,
    /// What it answers to: `/deploy`, or its trigger words.
    pub answers: String,
    /// Why its last call failed, for its admins.
    pub last_error: Option<String>,
    /// Its maker is no longer an admin here: it works no more.
    pub disabled: bool,
}

impl Hook {
    /// Read from its JSON by hand: a derived decoder cost the client more than the panel.
    fn from_json(value: &Value) -> Option<Self> {
        let text = |key: &str| value[key].as_str().map(str::to_owned);
        let triggers: Vec<&str> = value["triggerWords"]
            .as_array()
            .map(|words| words.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut answers = text("command").unwrap_or_else(|| triggers.join(", "));
        if value["onMention"] == true {
            answers = format!("{answers} @mentions").trim().to_owned();
        }
        Some(Hook {
            hook_id: text("hookId")?,
            name: text("name")?,
            kind: text("kind").unwrap_or_else(|| "incoming".to_owned()),
            url: text("url"),
            secrets: text("signingSecret").map(|s| (s, text("token").unwrap_or_default())),
            answers,
            last_error: text("lastError"),
            disabled: value["disabled"] == true,
        })
    }
}

/// What an admin does to one of the room's hooks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HookAction {
    Create,
    Rename,
    NewUrl,
    Delete,
}

/// The room's incoming hooks (admins only).
pub async fn hooks(token: &str, room: &str) -> Result<Vec<Hook>, String> {
    let listed: Value = call(
        Request::get(&format!("/api/rooms/{room}/hooks")),
        token,
        None,
    )
    .await?;
    Ok(listed["hooks"]
        .as_array()
        .map(|hooks| hooks.iter().filter_map(Hook::from_json).collect())
        .unwrap_or_default())
}

/// Does `action` to hook `hook_id` (none for a creation) with `body` (a creation's or
/// a rename's JSON): the hook as it is now, with its URL after a creation or a new URL; `None`
/// once deleted.
pub async fn change_hook(
    token: &str,
    room: &str,
    action: HookAction,
    hook_id: &str,
    body: &Value,
) -> Result<Option<Hook>, String> {
    let base = format!("/api/rooms/{room}/hooks");
    let builder = match action {
        HookAction::Create => Request::post(&base),
        HookAction::Rename => Request::patch(&format!("{base}/{hook_id}")),
        HookAction::NewUrl => Request::post(&format!("{base}/{hook_id}/secret")),
        HookAction::Delete => Request::delete(&format!("{base}/{hook_id}")),
    };
    let named = matches!(action, HookAction::Create | HookAction::Rename);
    let response = send(builder, token, named.then_some(body)).await?;
    if action == HookAction::Delete {
        return Ok(None);
    }
    let answer: Value = response.json().await.map_err(|e| e.to_string())?;
    Hook::from_json(&answer["hook"])
        .map(Some)
        .ok_or_else(|| "the server's answer named no hook".to_owned())
}

/// The room's own commands (`/deploy` and what it does), for the composer to offer.
pub async fn commands(token: &str, room: &str) -> Result<Vec<(String, String)>, String> {
    let listed: Value = call(
        Request::get(&format!("/api/rooms/{room}/commands")),
        token,
        None,
    )
    .await?;
    Ok(listed["commands"]
        .as_array()
        .map(|commands| {
            commands
                .iter()
                .filter_map(|c| {
                    let text = |key: &str| c[key].as_str().map(str::to_owned);
                    Some((text("command")?, text("description").unwrap_or_default()))
                })
                .collect()
        })
        .unwrap_or_default())
}
