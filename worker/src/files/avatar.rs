//! Avatars: `PUT /api/me/avatar` (an image, through the same checks as any upload, with a
//! smaller limit), `DELETE /api/me/avatar`, and `GET /api/users/{id}/avatar` for anyone
//! signed in.

use edgechat_core::files::{Family, sniff};
use edgechat_protocol::ErrorCode;
use serde_json::json;
use wasm_bindgen::JsValue;
use worker::{Env, Request, Response, Result};

use super::{avatar_key, body::Incoming, download::serve, is_file_id};
use crate::{
    auth::{crypto, guard, users},
    config, http,
};

pub async fn put_avatar(mut req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let limit = config::number(env, "MAX_AVATAR_BYTES", 1024 * 1024);
    let length = attempt!(super::body::declared_length(&req, limit));
    attempt!(super::quota::take(env, &crate::storage::d1(env)?, &user.id, length).await?);
    let incoming = attempt!(Incoming::start(&mut req, length).await);
    let (head, complete) = incoming.head();
    let Some(kind) = sniff(&head, complete).filter(|k| k.family == Family::Image) else {
        return http::error(
            ErrorCode::UnsupportedType,
            "an avatar must be a PNG, JPEG, GIF or WebP image",
        );
    };
    let avatar_id = crypto::random_id("a");
    let bucket = crate::storage::r2(env)?;
    attempt!(
        incoming
            .store(&bucket, &avatar_key(&avatar_id), kind.content_type)
            .await
    );
    let db = crate::storage::d1(env)?;
    // The picture this one replaces is the one D1 had the moment it was swapped in, not
    // the one the request began with: of two uploads at once, each deletes the one
    // before it, and no picture stays in R2 that no account names.
    if let Some(old) = swap_avatar(&db, &user.id, Some(&avatar_id)).await?
        && old != avatar_id
    {
        let _ = bucket.delete(avatar_key(&old)).await;
    }
    match users::by_id(&db, &user.id).await? {
        Some(updated) => http::json(200, &json!(updated.me())),
        None => http::error(ErrorCode::NotFound, "the account no longer exists"),
    }
}

pub async fn delete_avatar(req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    if let Some(old) = swap_avatar(&crate::storage::d1(env)?, &user.id, None).await? {
        crate::storage::r2(env)?.delete(avatar_key(&old)).await?;
    }
    Ok(Response::empty()?.with_status(204))
}

pub async fn get_avatar(req: &Request, env: &Env, user_id: &str) -> Result<Response> {
    attempt!(guard::media_user(req, env).await);
    let Some(avatar_id) = users::by_id(&crate::storage::d1(env)?, user_id)
        .await?
        .and_then(|u| u.avatar_file_id)
        .filter(|id| is_file_id(id, 'a'))
    else {
        return no_avatar();
    };
    let bucket = crate::storage::r2(env)?;
    let key = avatar_key(&avatar_id);
    let Some(head) = bucket.head(&key).await? else {
        return no_avatar();
    };
    let content_type = head
        .http_metadata()
        .content_type
        .filter(|t| t.starts_with("image/"))
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    // Avatars change under the same URL: caches must ask again (cheaply, by ETag).
    serve(
        req,
        &bucket,
        &key,
        &content_type,
        head.size(),
        None,
        "private, max-age=60",
    )
    .await
}

/// A user without a picture (or one that is not there): `204`, cached as an avatar is.
/// An `<img>` then shows the initial in its place, and the console logs no 404 for each
/// member without one.
fn no_avatar() -> Result<Response> {
    let response = Response::empty()?.with_status(204);
    response
        .headers()
        .set("Cache-Control", "private, max-age=60")?;
    Ok(response)
}

/// Sets the account's picture to `avatar_id` and returns the one it had just before, in
/// one transaction.
async fn swap_avatar(
    db: &worker::D1Database,
    user_id: &str,
    avatar_id: Option<&str>,
) -> Result<Option<String>> {
    #[derive(serde::Deserialize)]
    struct Before {
        avatar_file_id: Option<String>,
    }
    let user = JsValue::from_str(user_id);
    let results = db
        .batch(vec![
            db.prepare("SELECT avatar_file_id FROM users WHERE id = ?")
                .bind(std::slice::from_ref(&user))?,
            db.prepare("UPDATE users SET avatar_file_id = ? WHERE id = ?")
                .bind(&[avatar_id.map_or(JsValue::NULL, JsValue::from_str), user])?,
        ])
        .await?;
    let before: Vec<Before> = match results.first() {
        Some(result) => result.results()?,
        None => Vec::new(),
    };
    Ok(before.into_iter().next().and_then(|b| b.avatar_file_id))
}
