//! `/api/me`, `/api/users/{id}` and account administration.

use edgechat_auth::names;
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;
use worker::{Date, Env, Request, Response, Result};

use crate::{
    auth::{guard, users},
    http::{self, read_json},
};

pub async fn get(req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    http::json(200, &json!(user.me()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Patch {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    status_text: Option<String>,
}

pub async fn patch(mut req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let body: Patch = attempt!(read_json(&mut req).await);
    let display_name = match body
        .display_name
        .as_deref()
        .map(names::display_name)
        .transpose()
    {
        Ok(name) => name,
        Err(e) => return http::field_error(&e),
    };
    let status_text = match body
        .status_text
        .as_deref()
        .map(names::status_text)
        .transpose()
    {
        Ok(text) => text,
        Err(e) => return http::field_error(&e),
    };
    let db = crate::storage::d1(env)?;
    // All or nothing: the status text goes first, since its owner may refuse it (a
    // budget); only then is the name written, which nothing refuses.
    // The status text belongs to the inbox: it stores it, writes D1 and tells the
    // user's rooms and devices, so nothing writes an older copy over it.
    if let Some(text) = status_text {
        let text = Some(text).filter(|t| !t.is_empty());
        let answer = crate::stubs::InboxStub::new(env, &user.id)?
            .set_status_text(text)
            .await?;
        match answer.status_code() {
            204 => {}
            // Too many changes: the inbox's answer says how long to wait.
            429 => return Ok(answer),
            _ => return http::error(ErrorCode::Internal, "the status could not be saved"),
        }
    }
    if let Some(name) = &display_name {
        users::set_display_name(&db, &user.id, name).await?;
    }
    match users::by_id(&db, &user.id).await? {
        Some(updated) => http::json(200, &json!(updated.me())),
        None => http::error(ErrorCode::NotFound, "the account no longer exists"),
    }
}

/// `GET /api/users?username=`: the public profile of the user with that username (in any
/// case), so a member can invite someone by the name they know.
pub async fn find(req: Request, env: &Env) -> Result<Response> {
    attempt!(guard::user(&req, env).await);
    let Some(username) = req
        .url()?
        .query_pairs()
        .find(|(key, _)| key == "username")
        .map(|(_, value)| value.trim().to_owned())
    else {
        return http::error(ErrorCode::BadRequest, "give ?username=");
    };
    match users::by_username(&crate::storage::d1(env)?, &names::username_key(&username)).await? {
        Some(user) if !user.is_disabled() => http::json(200, &json!(user.profile())),
        _ => http::error(ErrorCode::NotFound, "no user has that username"),
    }
}

pub async fn profile(req: Request, env: &Env, id: &str) -> Result<Response> {
    attempt!(guard::user(&req, env).await);
    // A disabled account is gone to others, as the search by username treats it.
    match users::by_id(&crate::storage::d1(env)?, id).await? {
        Some(user) if !user.is_disabled() => http::json(200, &json!(user.profile())),
        _ => http::error(ErrorCode::NotFound, "no such user"),
    }
}

/// A global admin disables or re-enables an account. Disabling revokes its sessions; its
/// access tokens stop working at the next request or upgrade.
pub async fn set_disabled(req: Request, env: &Env, id: &str, disabled: bool) -> Result<Response> {
    let (_, admin) = attempt!(guard::user(&req, env).await);
    if !admin.is_admin() {
        return http::error(ErrorCode::Forbidden, "only a global admin can do this");
    }
    if admin.id == id {
        return http::error(ErrorCode::BadRequest, "you cannot disable your own account");
    }
    let db = crate::storage::d1(env)?;
    if users::by_id(&db, id).await?.is_none() {
        return http::error(ErrorCode::NotFound, "no such user");
    }
    let changed = users::set_disabled(&db, id, disabled).await?;
    if disabled {
        crate::auth::revoke_user(&db, id, Date::now().as_millis()).await?;
        // Its devices get no more pushes: with its sockets closed, every mention of it
        // would otherwise be pushed.
        db.prepare("DELETE FROM push_subscriptions WHERE user_id = ?1")
            .bind(&[wasm_bindgen::JsValue::from_str(id)])?
            .run()
            .await?;
        // Every open socket of the account closes now, inbox and rooms; the door
        // refuses it from here on.
        crate::stubs::InboxStub::new(env, id)?.revoke().await?;
    }
    // Recorded once the act is whole, and only when it changed something: asking again
    // (a retry, two admins at once) is no second act.
    if changed {
        let action = if disabled {
            "account-disabled"
        } else {
            "account-enabled"
        };
        crate::audit::record(env, &db, &admin.id, action, id, &json!({})).await?;
    }
    Ok(Response::empty()?.with_status(204))
}
