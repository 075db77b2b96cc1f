//! `POST /api/auth/register`: a new account, within the registrations an address may
//! make, and its first session.

use edgechat_auth::{
    names,
    password::{self, ITERATIONS, PasswordRecord, SALT_BYTES},
};
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use worker::{Date, Env, Request, Response, Result};

use super::{Answer, address, crypto, session, setup, throttle, users};
use crate::http::{self, read_json};
use users::NewUser;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Register {
    username: String,
    password: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    use_cookies: bool,
    /// `ADMIN_BOOTSTRAP_TOKEN`, to become the deployment's first global admin.
    #[serde(default)]
    admin_token: Option<String>,
}

pub async fn register(mut req: Request, env: &Env) -> Result<Response> {
    let (config, db) = attempt!(setup(env));
    let body: Register = attempt!(read_json(&mut req).await);
    if let Err(e) = names::check_username(&body.username) {
        return http::field_error(&e);
    }
    if let Err(e) = names::check_password(&body.password) {
        return http::field_error(&e);
    }
    let display_name =
        match names::display_name(body.display_name.as_deref().unwrap_or(&body.username)) {
            Ok(name) => name,
            Err(e) => return http::field_error(&e),
        };
    let now = Date::now().as_millis();
    // Every registration from an address counts, made or not: accounts are what spam
    // and guessing at scale are made of.
    let ip_key = format!("register:{}", address(&req));
    let limit = [(ip_key.as_str(), config.register_max_per_ip)];
    if let Err(wait) = throttle::take(
        &db,
        &limit,
        now,
        config.register_window_ms,
        config.throttle_forget_ms,
    )
    .await?
    {
        return http::too_many(wait);
    }
    let salt: [u8; SALT_BYTES] = crypto::random();
    let peppered = password::peppered(&config.pepper, &body.password);
    let record = PasswordRecord {
        iterations: ITERATIONS,
        salt: salt.to_vec(),
        hash: crypto::pbkdf2(&peppered, &salt, ITERATIONS).await?,
    };
    let id = crypto::random_id("u_");
    let new = NewUser {
        id: &id,
        username: &body.username,
        display_name: &display_name,
        password: &record.encode(),
        now,
        admin: admin_claim(env, body.admin_token.as_deref()),
    };
    if !users::insert(&db, &new).await? {
        return http::error(ErrorCode::UsernameTaken, "that username is taken");
    }
    let Some(user) = users::by_id(&db, &id).await? else {
        return http::error(ErrorCode::Internal, "the new account could not be read");
    };
    // Where a new account lands: the room the deployment names, if any
    // (`DEFAULT_ROOM`); the client opens it, and a public room takes its opener in.
    let welcome = crate::config::string(env, "DEFAULT_ROOM")
        .filter(|room| edgechat_core::ids::is_valid_room_name(room));
    session(
        &db,
        &config,
        &user,
        None,
        body.use_cookies,
        now,
        Answer::Created(welcome),
    )
    .await
}

/// How a new account may become a global admin. A deployment names its admin: whoever
/// registers with `ADMIN_BOOTSTRAP_TOKEN` (a secret) while there is no admin yet. Local
/// development and tests set `FIRST_ACCOUNT_IS_ADMIN` (in `.dev.vars`) for the
/// convenience of the first account; a deployment never should, or whoever finds it first
/// owns it.
fn admin_claim(env: &Env, token: Option<&str>) -> users::AdminClaim {
    let bootstrap = crate::config::string(env, "ADMIN_BOOTSTRAP_TOKEN")
        .filter(|secret| secret.len() >= 16)
        .zip(token)
        .is_some_and(|(secret, token)| {
            password::constant_time_eq(secret.as_bytes(), token.as_bytes())
        });
    users::AdminClaim {
        bootstrap,
        first_account: crate::config::string(env, "FIRST_ACCOUNT_IS_ADMIN")
            .is_some_and(|v| v.trim() == "1" || v.trim().eq_ignore_ascii_case("true")),
    }
}
