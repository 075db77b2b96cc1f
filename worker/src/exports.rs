//! Exports at the door (docs/api.md, "Export and import"): a room's (`/api/rooms/{id}/
//! exports`) and the caller's own account's (`/api/me/exports`). `POST` starts one, within
//! the caller's daily budget; `GET …/{exportId}` says how far it is and, once it is ready,
//! hands its maker a signed link; `GET /api/files/exports/{exportId}/{token}` streams the
//! archive, the manifest then each part as R2 holds it, for that maker only. The room's
//! object builds a room's archive from its alarm (`room_object/exports.rs`), the user's
//! inbox their account's (`inbox_object/exports/`).

use edgechat_core::export::{self, link, tar};
use edgechat_protocol::ErrorCode;
use futures_util::stream;
use serde_json::{Value, json};
use worker::{Bucket, Date, Env, FixedLengthStream, Headers, Request, Response, Result};

use crate::{
    auth::{guard, random_id, throttle, users::UserRow},
    http,
    stubs::{ExportCall, InboxStub, RoomStub},
};

/// The window of `EXPORTS_PER_DAY`.
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Whose export a request is about.
#[derive(Clone, Copy)]
pub enum Of<'a> {
    /// A room's, for its admins (the room checks the role).
    Room(&'a str),
    /// The caller's own account (`/api/me/exports`), built by their inbox.
    Account,
}

/// Asks the object that builds `of`'s exports.
async fn ask(env: &Env, of: Of<'_>, user: &UserRow, call: ExportCall) -> Result<Response> {
    match of {
        Of::Room(room) => {
            RoomStub::new(env, room)?
                .export(edgechat_core::Identity::from(user), call)
                .await
        }
        Of::Account => InboxStub::new(env, &user.id)?.export(call).await,
    }
}

/// `POST /api/rooms/{room}/exports` or `POST /api/me/exports`: a new export. The day's
/// budget (one for both kinds) is spent first, atomically, and given back when the
/// export is refused.
pub async fn start(req: Request, env: &Env, of: Of<'_>) -> Result<Response> {
    if let Of::Room(room) = of {
        attempt!(http::room_name(room));
    }
    let (_, user) = attempt!(guard::user(&req, env).await);
    let db = crate::storage::d1(env)?;
    let key = format!("exports:{}", user.id);
    let limits = crate::config::limits(env);
    let now = Date::now().as_millis();
    let forget = crate::config::throttle_forget_ms(env).max(DAY_MS);
    let budget = (key.as_str(), limits.exports_per_day);
    if let Err(wait) = throttle::take(&db, &[budget], now, DAY_MS, forget).await? {
        return http::too_many(wait);
    }
    let export_id = random_id("x");
    let mut answer = ask(env, of, &user, ExportCall::Start(export_id)).await?;
    if answer.status_code() != 200 {
        throttle::give_back(&db, &key).await?;
        return Ok(answer);
    }
    let body: Value = answer.json().await?;
    http::json(202, &body)
}

/// `GET /api/rooms/{room}/exports/{exportId}` (or `/api/me/exports/{exportId}`): the
/// export as its maker sees it, with a download link good for `EXPORT_LINK_TTL_MS` once
/// it is ready. Without an id: the caller's newest export of the room (or account).
pub async fn progress(
    req: Request,
    env: &Env,
    of: Of<'_>,
    export_id: Option<&str>,
) -> Result<Response> {
    if let Of::Room(room) = of {
        attempt!(http::room_name(room));
    }
    let (_, user) = attempt!(guard::user(&req, env).await);
    let call = match export_id {
        Some(id) if export::is_export_id(id) => ExportCall::View(id.to_owned()),
        Some(_) => return http::error(ErrorCode::NotFound, "no such export"),
        None => ExportCall::Latest,
    };
    let mut answer = ask(env, of, &user, call).await?;
    if answer.status_code() != 200 {
        return Ok(answer);
    }
    let mut body: Value = answer.json().await?;
    if body["export"]["state"] == "ready"
        && let Some(export_id) = body["export"]["exportId"].as_str().map(str::to_owned)
    {
        let Some(secret) = crate::config::string(env, "JWT_SECRET") else {
            return http::error(ErrorCode::Internal, "the server has no signing secret");
        };
        let limits = crate::config::limits(env);
        let archive_ends = body["export"]["expiresAt"].as_u64().unwrap_or(0);
        let expires_at = (Date::now().as_millis() + limits.export_link_ttl_ms).min(archive_ends);
        let token = link::sign(secret.as_bytes(), &export_id, &user.id, expires_at);
        body["export"]["url"] = json!(format!("{}{export_id}/{token}", export::LINK_PATH));
        body["export"]["urlExpiresAt"] = json!(expires_at);
    }
    http::json(200, &body)
}

/// `GET /api/files/exports/{exportId}/{token}`: the archive, streamed as one tar, for the user
/// the link was made for (by bearer token or the media cookie, so a plain link works).
pub async fn download(req: &Request, env: &Env, export_id: &str, token: &str) -> Result<Response> {
    let (_, user) = attempt!(guard::media_user(req, env).await);
    let Some(secret) = crate::config::string(env, "JWT_SECRET") else {
        return http::error(ErrorCode::Internal, "the server has no signing secret");
    };
    let now = Date::now().as_millis();
    match link::verify(secret.as_bytes(), export_id, &user.id, token, now) {
        Ok(()) => {}
        Err(link::Refused::Forged) => {
            return http::error(
                ErrorCode::Forbidden,
                "this link is not yours, or not one this server made",
            );
        }
        Err(link::Refused::Expired) => {
            return http::error(
                ErrorCode::Gone,
                "this link has expired; ask for the export again for a new one",
            );
        }
    }
    let bucket = crate::storage::r2(env)?;
    let Some(object) = bucket
        .get(export::manifest_key(export_id))
        .execute()
        .await?
    else {
        return http::error(ErrorCode::Gone, "this archive was deleted");
    };
    let Some(body) = object.body() else {
        return http::error(ErrorCode::Gone, "this archive was deleted");
    };
    let manifest_bytes = body.bytes().await?;
    // Read by hand: the download needs only the parts' sizes of it.
    let manifest: Value = serde_json::from_slice(&manifest_bytes)
        .map_err(|err| worker::Error::RustError(format!("a stored manifest: {err}")))?;
    let parts: Vec<u64> = manifest["parts"]
        .as_array()
        .map(|parts| {
            parts
                .iter()
                .map(|p| p["bytes"].as_u64().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default();
    let length = export::archive_len(manifest_bytes.len() as u64, &parts);
    let exported_s = manifest["exportedAt"].as_u64().unwrap_or(0) / 1000;
    let mut head = Vec::with_capacity(manifest_bytes.len() + tar::BLOCK * 2);
    tar::append(&mut head, export::MANIFEST, &manifest_bytes, exported_s);
    let headers = Headers::new();
    headers.set("Content-Type", "application/x-tar")?;
    headers.set("Content-Length", &length.to_string())?;
    headers.set("Cache-Control", "private, no-store")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    let whose = manifest["room"]["roomId"].as_str().unwrap_or("account");
    let name = format!("edgechat-{whose}-{export_id}.tar");
    headers.set(
        "Content-Disposition",
        &edgechat_core::files::content_disposition(false, &name),
    )?;
    let body = archive(bucket, export_id.to_owned(), parts.len() as u32, head);
    // A stream of known length, so the runtime sends `Content-Length` (a browser shows
    // the download's progress) and cuts a stream that runs short or long.
    let fixed: worker::worker_sys::FixedLengthStream = FixedLengthStream::wrap(body, length).into();
    Ok(Response::builder()
        .with_headers(headers)
        .stream(fixed.readable()))
}

/// The archive's bytes: `head` (the manifest's entry), each part in turn (one R2 read
/// at a time, so memory holds one part), then the end blocks.
fn archive(
    bucket: Bucket,
    export_id: String,
    parts: u32,
    head: Vec<u8>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>>> {
    // 0: the head; 1..=parts: the parts; parts + 1: the end; then nothing.
    stream::unfold(0u32, move |next| {
        let (bucket, export_id, head) = (bucket.clone(), export_id.clone(), head.clone());
        async move {
            let chunk = match next {
                0 => Ok(head),
                n if n <= parts => part(&bucket, &export_id, n).await,
                n if n == parts + 1 => Ok(tar::END.to_vec()),
                _ => return None,
            };
            Some((chunk, next + 1))
        }
    })
}

async fn part(bucket: &Bucket, export_id: &str, n: u32) -> Result<Vec<u8>> {
    let key = export::part_key(export_id, n);
    let missing = || worker::Error::RustError(format!("{key} is missing"));
    let object = bucket.get(&key).execute().await?.ok_or_else(missing)?;
    object.body().ok_or_else(missing)?.bytes().await
}
