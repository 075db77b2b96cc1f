//! The room's hooks: one row each, as many as the room allows (`MAX_HOOKS`). An incoming
//! hook keeps only its secret's SHA-256; a hook the room calls out to (an outgoing hook,
//! a registered command) keeps the token and signing secret it sends, which the room
//! must read to sign. The `response_url`s a command's program may still post to are
//! rows of their own, each until it expires or is used up.

use edgechat_protocol::Millis;

use super::{Row, Sql, Store, StoreError, Value};

const ALL: &str = "SELECT hook_id, name, secret_hash, created_by, created_at, kind, target, triggers, on_mention, command, description, token, signing_secret, failures, last_error
     FROM hooks ORDER BY created_at, hook_id LIMIT ?";
const ONE: &str = "SELECT hook_id, name, secret_hash, created_by, created_at, kind, target, triggers, on_mention, command, description, token, signing_secret, failures, last_error
     FROM hooks WHERE hook_id = ?";
const BY_COMMAND: &str = "SELECT hook_id, name, secret_hash, created_by, created_at, kind, target, triggers, on_mention, command, description, token, signing_secret, failures, last_error
     FROM hooks WHERE command = ?";
const COUNT: &str = "SELECT COUNT(*) FROM hooks";
const ADD: &str = "INSERT INTO hooks (hook_id, name, secret_hash, created_by, created_at, kind, target, triggers, on_mention, command, description, token, signing_secret)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const RENAME: &str = "UPDATE hooks SET name = ? WHERE hook_id = ?";
const NEW_SECRET: &str = "UPDATE hooks SET secret_hash = ?, signing_secret = ? WHERE hook_id = ?";
const REMOVE: &str = "DELETE FROM hooks WHERE hook_id = ?";
const FAILED: &str = "UPDATE hooks SET failures = failures + 1, last_error = ? WHERE hook_id = ?";
const ANSWERED: &str =
    "UPDATE hooks SET last_error = NULL WHERE hook_id = ? AND last_error IS NOT NULL";
const ALLOW_RESPONSES: &str =
    "INSERT INTO hook_responses (token, hook_id, user_id, expires_at) VALUES (?, ?, ?, ?)";
const FORGET_EXPIRED: &str = "DELETE FROM hook_responses WHERE expires_at < ?";
const USE_RESPONSE: &str = "UPDATE hook_responses SET uses = uses + 1
     WHERE token = ? AND expires_at >= ? AND uses < ? RETURNING hook_id, user_id";

const GET_ROOM_VALUE: &str = "SELECT value FROM room WHERE key = ?";
const SET_ROOM_VALUE: &str = "INSERT INTO room (key, value) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/// What a hook is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookKind {
    /// A program posts to the room through its URL.
    Incoming,
    /// The room posts to `target` each message that starts with one of `triggers` (or
    /// mentions the hook by name, with `on_mention`), and posts its answer back.
    Outgoing {
        triggers: Vec<String>,
        on_mention: bool,
    },
    /// `command` (`/deploy`) in the composer posts to `target`; its answer is posted,
    /// or shown to the asker alone.
    Command {
        command: String,
        description: String,
    },
}

impl HookKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            HookKind::Incoming => "incoming",
            HookKind::Outgoing { .. } => "outgoing",
            HookKind::Command { .. } => "command",
        }
    }
}

/// One hook, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub hook_id: String,
    pub name: String,
    /// An incoming hook's secret's SHA-256, in hex: the secret is shown once, never kept.
    pub secret_hash: String,
    pub created_by: String,
    pub created_at: Millis,
    pub kind: HookKind,
    /// The program's URL, for a hook the room calls.
    pub target: Option<String>,
    /// Slack's verification token and the signing secret, for a hook the room calls.
    pub token: String,
    pub signing_secret: String,
    /// Calls that failed for good, and what the last one said.
    pub failures: u64,
    pub last_error: Option<String>,
}

impl<S: Sql> Store<S> {
    /// The room's hooks, oldest first; at most `limit`.
    pub fn hooks(&self, limit: usize) -> Result<Vec<Hook>, StoreError> {
        self.sql
            .run(ALL, &[(limit as u64).into()])?
            .iter()
            .map(hook)
            .collect()
    }

    pub fn hook(&self, hook_id: &str) -> Result<Option<Hook>, StoreError> {
        self.one(ONE, &[hook_id.into()])?
            .as_ref()
            .map(hook)
            .transpose()
    }

    /// The registered command `command` (`/deploy`).
    pub fn hook_for_command(&self, command: &str) -> Result<Option<Hook>, StoreError> {
        self.one(BY_COMMAND, &[command.into()])?
            .as_ref()
            .map(hook)
            .transpose()
    }

    pub fn hook_count(&self) -> Result<u64, StoreError> {
        self.one(COUNT, &[])?.map_or(Ok(0), |row| row.uint(0))
    }

    pub fn add_hook(&self, hook: &Hook) -> Result<(), StoreError> {
        let (triggers, on_mention, command, description) = match &hook.kind {
            HookKind::Incoming => (String::new(), false, None, String::new()),
            HookKind::Outgoing {
                triggers,
                on_mention,
            } => (triggers.join("\n"), *on_mention, None, String::new()),
            HookKind::Command {
                command,
                description,
            } => (
                String::new(),
                false,
                Some(command.clone()),
                description.clone(),
            ),
        };
        let optional = |v: Option<String>| v.map_or(Value::Null, Value::Text);
        self.exec(
            ADD,
            &[
                hook.hook_id.as_str().into(),
                hook.name.as_str().into(),
                hook.secret_hash.as_str().into(),
                hook.created_by.as_str().into(),
                hook.created_at.into(),
                hook.kind.as_str().into(),
                optional(hook.target.clone()),
                triggers.into(),
                on_mention.into(),
                optional(command),
                description.into(),
                hook.token.as_str().into(),
                hook.signing_secret.as_str().into(),
            ],
        )
    }

    pub fn rename_hook(&self, hook_id: &str, name: &str) -> Result<(), StoreError> {
        self.exec(RENAME, &[name.into(), hook_id.into()])
    }

    /// A new secret: an incoming hook's hash, or a called hook's signing secret.
    pub fn set_hook_secret(
        &self,
        hook_id: &str,
        secret_hash: &str,
        signing_secret: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            NEW_SECRET,
            &[secret_hash.into(), signing_secret.into(), hook_id.into()],
        )
    }

    pub fn remove_hook(&self, hook_id: &str) -> Result<(), StoreError> {
        self.exec(REMOVE, &[hook_id.into()])
    }

    /// The origin the Worker is reached at, as the door last said: where a command's
    /// `response_url` points.
    pub fn origin(&self) -> Result<Option<String>, StoreError> {
        self.one(GET_ROOM_VALUE, &["origin".into()])?
            .map(|row| row.text(0).map(str::to_owned))
            .transpose()
    }

    pub fn set_origin(&self, origin: &str) -> Result<(), StoreError> {
        self.exec(SET_ROOM_VALUE, &["origin".into(), origin.into()])
    }

    /// A call out failed for good: counted, and what it said kept for the admins.
    pub fn hook_failed(&self, hook_id: &str, error: &str) -> Result<(), StoreError> {
        self.exec(FAILED, &[error.into(), hook_id.into()])
    }

    /// A call out was answered: the last failure is no longer news.
    pub fn hook_answered(&self, hook_id: &str) -> Result<(), StoreError> {
        self.exec(ANSWERED, &[hook_id.into()])
    }

    /// `token` may carry answers for `user_id` from `hook_id`'s program until
    /// `expires_at`; the expired ones are forgotten first, so the table holds only live
    /// ones.
    pub fn allow_responses(
        &self,
        token: &str,
        hook_id: &str,
        user_id: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<(), StoreError> {
        self.exec(FORGET_EXPIRED, &[now.into()])?;
        self.exec(
            ALLOW_RESPONSES,
            &[
                token.into(),
                hook_id.into(),
                user_id.into(),
                expires_at.into(),
            ],
        )
    }

    /// Spends one use of `token`: the hook and the user it answers, while it is live and
    /// has uses left (`max_uses`).
    pub fn use_response(
        &self,
        token: &str,
        now: Millis,
        max_uses: u64,
    ) -> Result<Option<(String, String)>, StoreError> {
        self.one(USE_RESPONSE, &[token.into(), now.into(), max_uses.into()])?
            .map(|row| Ok((row.text(0)?.to_owned(), row.text(1)?.to_owned())))
            .transpose()
    }
}

fn hook(row: &Row) -> Result<Hook, StoreError> {
    let text = |column| row.text(column).map(str::to_owned);
    let optional = |column| {
        if row.is_null(column) {
            Ok(None)
        } else {
            text(column).map(Some)
        }
    };
    let kind = match row.text(5)? {
        "outgoing" => HookKind::Outgoing {
            triggers: row
                .text(7)?
                .split('\n')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            on_mention: row.uint(8)? != 0,
        },
        "command" => HookKind::Command {
            command: text(9)?,
            description: text(10)?,
        },
        _ => HookKind::Incoming,
    };
    Ok(Hook {
        hook_id: text(0)?,
        name: text(1)?,
        secret_hash: text(2)?,
        created_by: text(3)?,
        created_at: row.uint(4)?,
        kind,
        target: optional(6)?,
        token: text(11)?,
        signing_secret: text(12)?,
        failures: row.uint(13)?,
        last_error: optional(14)?,
    })
}
