//! `/api/auth`: register, login, refresh, logout (docs/api.md).

pub(crate) mod crypto;
pub use crypto::random_id;
pub use register::register;
pub mod guard;
mod register;
mod sessions;
pub mod throttle;
pub mod users;

use edgechat_auth::{
    cookie, names,
    password::{self, ITERATIONS, PasswordRecord, SALT_BYTES},
    refresh, token,
};
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::json;
use worker::{D1Database, Date, Env, Request, Response, Result};

use crate::{
    config::AuthConfig,
    http::{self, read_json, refusal},
};
use users::UserRow;

fn setup(env: &Env) -> std::result::Result<(AuthConfig, D1Database), Response> {
    let config = AuthConfig::from_env(env).ok_or_else(|| {
        crate::log::error("secrets-missing").emit();
        refusal(ErrorCode::Internal, "the server is missing its secrets")
    })?;
    let db = crate::storage::d1(env).map_err(|err| crate::storage::refusal(&err, "no database"))?;
    Ok((config, db))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
    #[serde(default)]
    use_cookies: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefreshBody {
    #[serde(default)]
    refresh_token: Option<String>,
}

/// The address a request came from, as Cloudflare reports it.
fn address(req: &Request) -> String {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_else(|| "unknown".into())
}

/// The same answer for an unknown user and a wrong password, after the same work.
pub async fn login(mut req: Request, env: &Env) -> Result<Response> {
    let (config, db) = attempt!(setup(env));
    let body: Login = attempt!(read_json(&mut req).await);
    if body.username.chars().count() > names::USERNAME_MAX {
        return http::error(ErrorCode::TooLong, "usernames have at most 32 characters");
    }
    if body.password.chars().count() > password::MAX_CHARS {
        return http::error(ErrorCode::TooLong, "passwords have at most 128 characters");
    }
    let now = Date::now().as_millis();
    let user_key = format!("user:{}", names::username_key(&body.username));
    let ip_key = format!("ip:{}", address(&req));
    let limits = [
        (user_key.as_str(), config.login_max_per_username),
        (ip_key.as_str(), config.login_max_per_ip),
    ];
    // Counted before the derivation, in one step per key: thirty guesses sent at once
    // get the limit's worth of tries, not thirty.
    if let Err(wait) = throttle::take(
        &db,
        &limits,
        now,
        config.login_window_ms,
        config.throttle_forget_ms,
    )
    .await?
    {
        return http::too_many(wait);
    }

    let user = users::by_username(&db, &names::username_key(&body.username)).await?;
    let peppered = password::peppered(&config.pepper, &body.password);
    let record = user
        .as_ref()
        .and_then(|u| PasswordRecord::parse(&u.password));
    let matches = match &record {
        Some(record) => crypto::verify(record, &peppered).await?,
        None => {
            // An unknown user costs the same derivation, so timing tells nothing.
            let salt: [u8; SALT_BYTES] = crypto::random();
            crypto::pbkdf2(&peppered, &salt, ITERATIONS).await?;
            false
        }
    };
    let (Some(user), true) = (user, matches) else {
        // The attempt stays counted.
        return http::error(ErrorCode::InvalidCredentials, "wrong username or password");
    };
    if user.is_disabled() {
        return http::error(ErrorCode::AccountDisabled, "this account is disabled");
    }
    // A right password still costs a derivation and makes a session: an account signs in
    // so many times an hour. Past that its attempt stays counted on the username, so a
    // loop is soon refused before any derivation.
    let account_key = format!("sign-in:{}", user.id);
    let account = [(account_key.as_str(), config.sign_ins_per_hour)];
    if let Err(wait) = throttle::take(
        &db,
        &account,
        now,
        throttle::HOUR_MS,
        config.throttle_forget_ms,
    )
    .await?
    {
        return http::too_many(wait);
    }
    // A right password: the username starts afresh, and the address gets its attempt
    // back, so an office behind one address is not locked out by its own sign-ins.
    throttle::clear(&db, &user_key).await?;
    throttle::give_back(&db, &ip_key).await?;
    users::touch(&db, &user.id, now).await?;
    session(
        &db,
        &config,
        &user,
        None,
        body.use_cookies,
        now,
        Answer::Renewed,
    )
    .await
}

/// Where a refresh token came from: the body (tools) or the cookie (browsers, which must
/// also send the CSRF header).
async fn presented(req: &mut Request) -> std::result::Result<(String, bool), Response> {
    let body: RefreshBody = match req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .as_deref()
    {
        None | Some("0") => RefreshBody::default(),
        Some(_) => read_json(req).await?,
    };
    if let Some(token) = body.refresh_token {
        return Ok((token, false));
    }
    let cookies = req
        .headers()
        .get("Cookie")
        .ok()
        .flatten()
        .unwrap_or_default();
    let Some(token) = cookie::read(&cookies, cookie::REFRESH) else {
        return Err(refusal(ErrorCode::InvalidToken, "no refresh token"));
    };
    let csrf = req.headers().get(cookie::CSRF_HEADER).ok().flatten();
    if csrf.as_deref() != Some("1") {
        return Err(refusal(
            ErrorCode::CsrfRequired,
            "cookie-authenticated requests need the X-Edgechat-Csrf: 1 header",
        ));
    }
    Ok((token.to_owned(), true))
}

/// Rotates a refresh token. A token used twice means it was stolen or replayed: its whole
/// family is revoked.
pub async fn refresh(mut req: Request, env: &Env) -> Result<Response> {
    let (config, db) = attempt!(setup(env));
    let (token, from_cookie) = attempt!(presented(&mut req).await);
    let invalid = || http::error(ErrorCode::InvalidToken, "the refresh token is not valid");
    if !refresh::well_formed(&token) {
        return invalid();
    }
    let now = Date::now().as_millis();
    let Some(row) = sessions::find(&db, &token).await? else {
        return invalid();
    };
    if row.revoked_at.is_some() || (row.expires_at as u64) <= now {
        return invalid();
    }
    // Counted per session once the token is known to be one: a leaked token replayed
    // in a loop (each refresh writes a row) stops here, and the page's own refresh,
    // every few minutes per tab, never comes near it.
    let key = format!("refresh:{}", row.family_id);
    let limit = [(key.as_str(), config.refreshes_per_hour)];
    if let Err(wait) = throttle::take(
        &db,
        &limit,
        now,
        throttle::HOUR_MS,
        config.throttle_forget_ms,
    )
    .await?
    {
        return http::too_many(wait);
    }
    let reused = |at: f64| now >= at as u64 + config.refresh_reuse_grace_ms;
    match row.rotated_at {
        Some(at) if reused(at) => {
            sessions::revoke_family(&db, &row.family_id, now).await?;
            return http::error(
                ErrorCode::TokenReused,
                "this refresh token was already used; sign in again",
            );
        }
        // Rotated a moment ago, by another tab refreshing at the same time.
        Some(_) => {}
        None => {
            // Only one request marks it. Losing means another request rotated it in
            // this same moment, or a logout revoked it: read it again to know which.
            if !sessions::mark_rotated(&db, &token, now).await? {
                match sessions::find(&db, &token).await? {
                    Some(again) if again.revoked_at.is_none() => {}
                    _ => return invalid(),
                }
            }
        }
    }
    let user = match users::by_id(&db, &row.user_id).await? {
        Some(user) if !user.is_disabled() => user,
        _ => {
            sessions::revoke_family(&db, &row.family_id, now).await?;
            return http::error(ErrorCode::AccountDisabled, "this account is disabled");
        }
    };
    // The one successor of this token (the same one a tab refreshing at this moment
    // gets), made only while a logout has not revoked the family.
    let Some(successor) = sessions::succeed(
        &db,
        &config.jwt_secret,
        &token,
        &row,
        now,
        config.refresh_ttl_ms,
    )
    .await?
    else {
        return invalid();
    };
    session(
        &db,
        &config,
        &user,
        Some(successor),
        from_cookie,
        now,
        Answer::Renewed,
    )
    .await
}

/// Revokes the token's family and clears the cookies. Idempotent.
pub async fn logout(mut req: Request, env: &Env) -> Result<Response> {
    let (_, db) = attempt!(setup(env));
    let (token, _) = attempt!(presented(&mut req).await);
    if refresh::well_formed(&token)
        && let Some(row) = sessions::find(&db, &token).await?
    {
        sessions::revoke_family(&db, &row.family_id, Date::now().as_millis()).await?;
    }
    let response = Response::empty()?.with_status(204);
    for cleared in cookie::cleared() {
        response.headers().append("Set-Cookie", &cleared)?;
    }
    Ok(response)
}

/// What a session answers: a new account (with the room it lands in, if the deployment
/// names one), or a sign-in or refresh.
enum Answer {
    Created(Option<String>),
    Renewed,
}

/// Issues an access token with `refresh` (a successor already made, or a new family's
/// first token): both as cookies, and in the body unless the client keeps them in
/// cookies.
async fn session(
    db: &D1Database,
    config: &AuthConfig,
    user: &UserRow,
    refresh: Option<String>,
    use_cookies: bool,
    now: u64,
    answer: Answer,
) -> Result<Response> {
    let access = token::issue(
        &config.jwt_secret,
        &user.id,
        &user.display_name,
        user.is_admin(),
        now,
        config.access_ttl_ms,
    );
    let refresh = match refresh {
        Some(token) => token,
        None => {
            let lifetime = sessions::Lifetime {
                ttl_ms: config.refresh_ttl_ms,
                max_sessions: config.max_sessions,
            };
            sessions::issue(db, &user.id, now, lifetime).await?
        }
    };
    let mut body = json!({
        "user": user.me(),
        "accessToken": access,
        "accessExpiresAt": now + config.access_ttl_ms,
        "refreshExpiresAt": now + config.refresh_ttl_ms,
    });
    if !use_cookies {
        body["refreshToken"] = json!(refresh);
    }
    let status = match answer {
        Answer::Created(Some(room)) => {
            body["defaultRoom"] = json!(room);
            201
        }
        Answer::Created(None) => 201,
        Answer::Renewed => 200,
    };
    let response = http::json(status, &body)?;
    let headers = response.headers();
    headers.append(
        "Set-Cookie",
        &cookie::refresh(&refresh, config.refresh_ttl_ms / 1000),
    )?;
    for media in cookie::access(&access, config.access_ttl_ms / 1000) {
        headers.append("Set-Cookie", &media)?;
    }
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

/// Revokes every session of a user.
pub async fn revoke_user(db: &D1Database, user_id: &str, now: u64) -> Result<()> {
    sessions::revoke_user(db, user_id, now).await
}
