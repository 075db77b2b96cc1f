//! Incoming hooks (docs/api.md, "Integrations"): a room's admins make them, and a
//! program that holds one's URL posts into the room as a bot. The URL carries a secret
//! the room keeps only as a hash; a post is checked against it in constant time, goes
//! through the same text rules as a person's message, and spends a budget of its own
//! (`HOOK_RATE_…`) in place of the duplicate window.

use edgechat_protocol::{Bot, ErrorCode, Message, Millis, Role, RoomEvent};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Budget, Effect, Identity, Refusal, Room};
use crate::{
    ids,
    store::{Hook, HookKind, Sql, StoreError},
    text,
};

/// The longest name a hook, or a post's label, may have, in characters.
pub const MAX_HOOK_NAME: usize = 32;

/// A hook as its room's admins see it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookView {
    pub hook_id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: Millis,
    /// `incoming`, `outgoing` or `command`.
    pub kind: &'static str,
    /// The program's URL, for a hook the room calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trigger_words: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub on_mention: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its maker is no longer an admin of the room: it posts and is called no more until
    /// they are one again (or an admin makes it anew).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Calls that failed for good, and what the last one said (cleared by an answer).
    #[serde(skip_serializing_if = "is_zero")]
    pub failures: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What a new hook is, as its admin asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum HookSpec {
    Incoming,
    /// Called with each person's message that starts with one of `trigger_words`, or
    /// that mentions the hook by its name with `on_mention`.
    Outgoing {
        url: String,
        trigger_words: Vec<String>,
        on_mention: bool,
    },
    /// Called when a member runs `command` (`/deploy`).
    Command {
        url: String,
        command: String,
        description: String,
    },
}

/// What an admin does to the room's hooks. The door mints ids and secrets (the core has
/// no randomness); the room keeps the secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum HookChange {
    /// `secret` is an incoming hook's URL secret, or a called hook's signing secret;
    /// `token` the verification token a called hook sends.
    Create {
        hook_id: String,
        name: String,
        secret: String,
        token: String,
        spec: HookSpec,
    },
    Rename {
        hook_id: String,
        name: String,
    },
    /// A new secret: an incoming hook's old URL stops working at once; a called hook
    /// signs with the new one from now on.
    NewSecret {
        hook_id: String,
        secret: String,
    },
    Delete {
        hook_id: String,
    },
}

/// What a program posts through a hook, read from its body (`crate::slack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookPost {
    /// The message's markdown.
    pub text: String,
    /// The label for this message (Slack's `username`); the hook's name otherwise.
    pub label: Option<String>,
    pub emoji: Option<String>,
}

/// The SHA-256 of a hook's secret, in hex.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether two hashes are the same, looking at every byte whatever the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The hook that refuses every call it is not: unknown, revoked, or a wrong secret all
/// read the same (Slack's `no_service`), so a caller learns nothing of which.
fn no_service() -> Refusal {
    Refusal::new(ErrorCode::NotFound, "no_service")
}

impl<S: Sql> Room<S> {
    /// The room's hooks, for its admins.
    pub fn list_hooks(&self, who: &Identity) -> Result<Result<Vec<HookView>, Refusal>, StoreError> {
        if let Err(refusal) = self.require_hook_admin(who) {
            return refusal.or_failure().map(Err);
        }
        let hooks = self.store.hooks(self.limits.max_hooks)?;
        let mut views = Vec::with_capacity(hooks.len());
        for hook in hooks {
            let disabled = !self.hook_live(&hook)?;
            views.push(HookView {
                disabled,
                ..view(hook)
            });
        }
        Ok(Ok(views))
    }

    /// Makes, renames, gives a new secret to or deletes a hook, for an admin, within
    /// their moderation budget: the hook as it is now (`None` once deleted).
    pub fn change_hook(
        &mut self,
        who: &Identity,
        change: HookChange,
        now: Millis,
    ) -> Result<Result<Option<HookView>, Refusal>, StoreError> {
        let outcome = self.in_step(now, |room| match room.changed_hook(who, change, now) {
            Ok(view) => Ok(Ok(view)),
            Err(refusal) => refusal.or_failure().map(Err),
        })?;
        Ok(outcome)
    }

    /// A program's post through `hook_id` with `secret`: the message stored and
    /// broadcast, as a bot's.
    pub fn post_by_hook(
        &mut self,
        hook_id: &str,
        secret: &str,
        post: HookPost,
        now: Millis,
    ) -> Result<Result<Vec<Effect>, Refusal>, StoreError> {
        let outcome = self.in_step(now, |room| match room.posted(hook_id, secret, post, now) {
            Ok(effects) => Ok(Ok(effects)),
            Err(refusal) => refusal.or_failure().map(Err),
        })?;
        Ok(outcome.map(|effects| self.arrivals_first(effects)))
    }

    fn require_hook_admin(&self, who: &Identity) -> Result<(), Refusal> {
        if who.global_admin {
            return Ok(());
        }
        self.require_role(who, Role::Admin)
    }

    /// Whether `hook` works: while its maker is an admin of the room. A maker who loses
    /// the role (demoted, gone, banned) takes their hooks' power with them.
    pub(super) fn hook_live(&self, hook: &Hook) -> Result<bool, StoreError> {
        Ok(self
            .store
            .member(&hook.created_by)?
            .is_some_and(|m| m.role == Role::Admin))
    }

    fn changed_hook(
        &mut self,
        who: &Identity,
        change: HookChange,
        now: Millis,
    ) -> Result<Option<HookView>, Refusal> {
        self.require_hook_admin(who)?;
        self.spend(&who.user_id, Budget::Moderation, now)?;
        let existing = |room: &Self, hook_id: &str| -> Result<Hook, Refusal> {
            room.store
                .hook(hook_id)?
                .ok_or_else(|| Refusal::new(ErrorCode::NotFound, "this room has no such hook"))
        };
        match change {
            HookChange::Create {
                hook_id,
                name,
                secret,
                token,
                spec,
            } => {
                let name = hook_name(&name)?;
                // A hook works while its maker is the room's admin: a global admin who is
                // not one would make a hook that never works.
                let maker = self.store.member(&who.user_id)?;
                if maker.is_none_or(|m| m.role != Role::Admin) {
                    return Err(Refusal::new(
                        ErrorCode::Forbidden,
                        "only the room's admins make hooks: a hook works while its maker is one",
                    ));
                }
                if self.store.hook_count()? >= self.limits.max_hooks as u64 {
                    return Err(Refusal::new(
                        ErrorCode::TooManyHooks,
                        format!("a room has at most {} hooks", self.limits.max_hooks),
                    ));
                }
                let (kind, target) = super::callouts::kind_of(spec, &name)?;
                if let HookKind::Command { command, .. } = &kind
                    && self.store.hook_for_command(command)?.is_some()
                {
                    return Err(Refusal::new(
                        ErrorCode::Conflict,
                        format!("this room has a command {command} already"),
                    ));
                }
                let called = target.is_some();
                let hook = Hook {
                    hook_id,
                    name,
                    secret_hash: if called {
                        String::new()
                    } else {
                        secret_hash(&secret)
                    },
                    created_by: who.user_id.clone(),
                    created_at: now,
                    kind,
                    target,
                    token: if called { token } else { String::new() },
                    signing_secret: if called { secret } else { String::new() },
                    failures: 0,
                    last_error: None,
                };
                self.store.add_hook(&hook)?;
                let detail = serde_json::json!({ "name": hook.name });
                self.audit(&who.user_id, "hook-created", &hook.hook_id, detail)?;
                self.outgoing = None;
                Ok(Some(view(hook)))
            }
            HookChange::Rename { hook_id, name } => {
                let mut hook = existing(self, &hook_id)?;
                hook.name = hook_name(&name)?;
                self.store.rename_hook(&hook_id, &hook.name)?;
                let detail = serde_json::json!({ "name": hook.name });
                self.audit(&who.user_id, "hook-renamed", &hook_id, detail)?;
                Ok(Some(view(hook)))
            }
            HookChange::NewSecret { hook_id, secret } => {
                let hook = existing(self, &hook_id)?;
                match hook.target {
                    Some(_) => self.store.set_hook_secret(&hook_id, "", &secret)?,
                    None => self
                        .store
                        .set_hook_secret(&hook_id, &secret_hash(&secret), "")?,
                }
                let detail = serde_json::json!({ "name": hook.name });
                self.audit(&who.user_id, "hook-secret-changed", &hook_id, detail)?;
                self.outgoing = None;
                Ok(Some(view(hook)))
            }
            HookChange::Delete { hook_id } => {
                let hook = existing(self, &hook_id)?;
                self.store.remove_hook(&hook_id)?;
                let detail = serde_json::json!({ "name": hook.name });
                self.audit(&who.user_id, "hook-removed", &hook_id, detail)?;
                self.outgoing = None;
                Ok(None)
            }
        }
    }

    /// The order is the contract: the secret first (so a stranger learns nothing, and
    /// spends nobody's budget), then the hook's budget, then the text.
    fn posted(
        &mut self,
        hook_id: &str,
        secret: &str,
        post: HookPost,
        now: Millis,
    ) -> Result<Vec<Effect>, Refusal> {
        let hook = self.store.hook(hook_id)?.ok_or_else(no_service)?;
        if hook.kind != HookKind::Incoming
            || !same(&hook.secret_hash, &secret_hash(secret))
            || !self.hook_live(&hook)?
        {
            return Err(no_service());
        }
        self.check_budget(hook_id, Budget::Hooks, now)?;
        let effects = self.bot_post(hook, post, now)?;
        self.take_budget(hook_id, Budget::Hooks);
        Ok(effects)
    }

    /// `post` as `hook`'s bot's message, under the text rules a person's has.
    pub(super) fn bot_post(
        &mut self,
        hook: Hook,
        post: HookPost,
        now: Millis,
    ) -> Result<Vec<Effect>, Refusal> {
        let text = self.check_text(&post.text, false)?;
        let label = post
            .label
            .and_then(|label| hook_name(&label).ok())
            .unwrap_or(hook.name);
        let seq = self.next_seq();
        let message = Message {
            message_id: ids::message_id(&self.info.room_id, seq),
            room_id: self.info.room_id.clone(),
            user_id: hook.hook_id,
            username: label,
            text,
            timestamp: now,
            attachments: Vec::new(),
            reply_to: None,
            seq,
            // Unique in the room: a hook has no resend to recognise.
            client_msg_id: format!("hook-{seq}"),
            edited_at: None,
            deleted: false,
            pinned: false,
            reactions: Vec::new(),
            preview: None,
            bot: Some(Box::new(Bot { emoji: post.emoji })),
        };
        Ok(self.publish(RoomEvent::NewMessage(message))?)
    }
}

/// A hook's name, or a post's label: cleaned, 1 to [`MAX_HOOK_NAME`] characters, one line.
pub(super) fn hook_name(raw: &str) -> Result<String, Refusal> {
    let name = text::clean(raw).replace(['\n', '\t'], " ");
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_HOOK_NAME {
        return Err(Refusal::new(
            ErrorCode::Invalid,
            format!("a hook's name has 1 to {MAX_HOOK_NAME} characters"),
        ));
    }
    Ok(name)
}

fn view(hook: Hook) -> HookView {
    let kind = hook.kind.as_str();
    let (trigger_words, on_mention, command, description) = match hook.kind {
        HookKind::Incoming => (Vec::new(), false, None, String::new()),
        HookKind::Outgoing {
            triggers,
            on_mention,
        } => (triggers, on_mention, None, String::new()),
        HookKind::Command {
            command,
            description,
        } => (Vec::new(), false, Some(command), description),
    };
    HookView {
        hook_id: hook.hook_id,
        name: hook.name,
        created_by: hook.created_by,
        created_at: hook.created_at,
        kind,
        url: hook.target,
        trigger_words,
        on_mention,
        command,
        description,
        disabled: false,
        failures: hook.failures,
        last_error: hook.last_error,
    }
}
