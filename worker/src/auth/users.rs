//! The `users` table. Rows decode into explicit structs; every value is bound.

use edgechat_protocol::Status;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{D1Database, Result};

pub fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

pub fn int(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

/// A user as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub avatar_file_id: Option<String>,
    pub status_text: String,
    pub role: String,
    pub disabled: f64,
    pub password: String,
    pub created_at: f64,
    pub last_seen_at: Option<f64>,
    /// As the inbox last stored it; rows read before migration 0010 have none.
    #[serde(default)]
    pub status: Option<String>,
}

impl UserRow {
    /// The global status the user's inbox last stored.
    pub fn status(&self) -> Status {
        match self.status.as_deref() {
            Some("online") => Status::Online,
            Some("away") => Status::Away,
            _ => Status::Offline,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled != 0.0
    }

    /// What the user sees of themselves.
    pub fn me(&self) -> Me {
        Me {
            profile: self.profile(),
            role: self.role.clone(),
            created_at: self.created_at as u64,
        }
    }

    /// What anyone signed in sees of a user.
    pub fn profile(&self) -> Profile {
        Profile {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            status_text: self.status_text.clone(),
            status: self.status(),
            last_seen_at: self.last_seen_at.map(|t| t as u64),
            avatar_file_id: self.avatar_file_id.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub status_text: String,
    /// Online, away or offline, as the user's inbox last stored it.
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_file_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    #[serde(flatten)]
    pub profile: Profile,
    pub role: String,
    pub created_at: u64,
}

/// Both lookups read the same columns, the ones `UserRow` decodes.
macro_rules! select_user {
    ($where:literal) => {
        concat!(
            "SELECT id, username, display_name, avatar_file_id, status_text, role, disabled, ",
            "password, created_at, last_seen_at, status FROM users WHERE ",
            $where
        )
    };
}

pub async fn by_id(db: &D1Database, id: &str) -> Result<Option<UserRow>> {
    db.prepare(select_user!("id = ?1"))
        .bind(&[text(id)])?
        .first(None)
        .await
}

pub async fn by_username(db: &D1Database, username_key: &str) -> Result<Option<UserRow>> {
    db.prepare(select_user!("username_key = ?1"))
        .bind(&[text(username_key)])?
        .first(None)
        .await
}

/// A new account's fields.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub now: u64,
    pub admin: AdminClaim,
}

/// What a new account brings to become a global admin.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminClaim {
    /// The deployment's bootstrap token: admin while no admin exists.
    pub bootstrap: bool,
    /// Local development: the first account is the admin.
    pub first_account: bool,
}

/// Inserts the user, a global admin when `user.admin` makes them one (checked in the same
/// statement, so two registrations cannot both be first). `Ok(false)` when the username is
/// taken (in any case).
pub async fn insert(db: &D1Database, user: &NewUser<'_>) -> Result<bool> {
    let result = db
        .prepare(
            "INSERT INTO users (id, username, username_key, display_name, password, created_at, role)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6,
                    CASE WHEN (?7 = 1 AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin'))
                           OR (?8 = 1 AND NOT EXISTS (SELECT 1 FROM users))
                         THEN 'admin' ELSE 'user' END
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE username_key = ?3)",
        )
        .bind(&[
            text(user.id),
            text(user.username),
            text(&edgechat_auth::names::username_key(user.username)),
            text(user.display_name),
            text(user.password),
            int(user.now),
            int(u64::from(user.admin.bootstrap)),
            int(u64::from(user.admin.first_account)),
        ])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1)
}

/// The name others see. (The status text is the inbox's to write.)
pub async fn set_display_name(db: &D1Database, id: &str, display_name: &str) -> Result<()> {
    db.prepare("UPDATE users SET display_name = ?2 WHERE id = ?1")
        .bind(&[text(id), text(display_name)])?
        .run()
        .await?;
    Ok(())
}

/// Disables or enables the account: whether that changed it (false for no such account,
/// or one already so).
pub async fn set_disabled(db: &D1Database, id: &str, disabled: bool) -> Result<bool> {
    let result = db
        .prepare("UPDATE users SET disabled = ?2 WHERE id = ?1 AND disabled != ?2")
        .bind(&[text(id), int(u64::from(disabled))])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1)
}

pub async fn touch(db: &D1Database, id: &str, now: u64) -> Result<()> {
    db.prepare("UPDATE users SET last_seen_at = ?2 WHERE id = ?1")
        .bind(&[text(id), int(now)])?
        .run()
        .await?;
    Ok(())
}
