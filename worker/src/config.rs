//! Settings read from the environment: secrets (`.dev.vars` locally, `wrangler secret` in
//! production) and vars with documented defaults (docs/api.md).

use worker::Env;

/// A secret or var as a string, if set and non-empty.
pub fn string(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|s| !s.is_empty())
}

/// A positive whole-number var, or `default`.
pub fn number(env: &Env, name: &str, default: u64) -> u64 {
    string(env, name)
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// How long a throttle window's count is kept after it started (`THROTTLE_FORGET_MS`,
/// default a day): longer than any window, so only ended ones are forgotten.
/// The limits of docs/protocol.md, from the vars (one reader for every caller, so the
/// parsing is in the `.wasm` once).
pub fn limits(env: &Env) -> edgechat_core::Limits {
    edgechat_core::Limits::from_vars(|name| env.var(name).ok().map(|v| v.to_string()))
}

pub fn throttle_forget_ms(env: &Env) -> u64 {
    number(env, "THROTTLE_FORGET_MS", 24 * 60 * 60 * 1000)
}

/// What signing and checking credentials needs.
pub struct AuthConfig {
    pub jwt_secret: Vec<u8>,
    pub pepper: Vec<u8>,
    pub access_ttl_ms: u64,
    pub refresh_ttl_ms: u64,
    /// A token rotated less than this long ago may be presented again without revoking
    /// its family: two tabs refreshing at once must not sign the user out.
    pub refresh_reuse_grace_ms: u64,
    pub login_window_ms: u64,
    pub login_max_per_username: u32,
    pub login_max_per_ip: u32,
    /// Registrations from one address per `register_window_ms`, made or refused.
    pub register_window_ms: u64,
    pub register_max_per_ip: u32,
    /// Refreshes of one session (a token family) per hour: each writes a token row.
    pub refreshes_per_hour: u32,
    /// Successful sign-ins of one account per hour: each is a key derivation and a new
    /// session (`SIGN_INS_PER_HOUR`).
    pub sign_ins_per_hour: u32,
    /// Live sessions one account may hold; a new one past this revokes the one used
    /// longest ago (`MAX_SESSIONS`).
    pub max_sessions: u32,
    /// How long a throttle window's count is kept (`THROTTLE_FORGET_MS`).
    pub throttle_forget_ms: u64,
}

impl AuthConfig {
    /// `None` when a secret is missing: every auth endpoint then answers 500 and says so
    /// in the log, rather than signing with a guessable key.
    pub fn from_env(env: &Env) -> Option<Self> {
        let jwt_secret = string(env, "JWT_SECRET")?.into_bytes();
        let pepper = string(env, "PASSWORD_PEPPER")?.into_bytes();
        if jwt_secret.len() < 32 || pepper.len() < 16 {
            crate::log::error("secrets-too-short").emit();
            return None;
        }
        Some(Self {
            jwt_secret,
            pepper,
            access_ttl_ms: number(env, "ACCESS_TTL_MS", 15 * 60 * 1000),
            refresh_ttl_ms: number(env, "REFRESH_TTL_MS", 30 * 24 * 60 * 60 * 1000),
            refresh_reuse_grace_ms: number(env, "REFRESH_REUSE_GRACE_MS", 10_000),
            login_window_ms: number(env, "LOGIN_WINDOW_MS", 15 * 60 * 1000),
            login_max_per_username: number(env, "LOGIN_MAX_PER_USERNAME", 5) as u32,
            login_max_per_ip: number(env, "LOGIN_MAX_PER_IP", 50) as u32,
            register_window_ms: number(env, "REGISTER_WINDOW_MS", 60 * 60 * 1000),
            register_max_per_ip: number(env, "REGISTER_MAX_PER_IP", 20) as u32,
            refreshes_per_hour: number(env, "REFRESHES_PER_HOUR", 120) as u32,
            sign_ins_per_hour: number(env, "SIGN_INS_PER_HOUR", 20) as u32,
            max_sessions: number(env, "MAX_SESSIONS", 30) as u32,
            throttle_forget_ms: throttle_forget_ms(env),
        })
    }
}
