//! The programs the room calls (docs/api.md, "Integrations"): outgoing hooks, called with
//! each person's message that starts with one of their trigger words (or mentions them),
//! and registered commands, called when a member runs one. The core decides who is
//! called with what, in Slack's fields; the object makes each call once the step's answers
//! are out (signed as Slack signs, under the outbound policy) and hands what came back to
//! [`Command::CalledOut`](super::Command::CalledOut): a bot's message, an answer for the
//! asker alone, or a failure the room's admins see on the hook. A bot's own message never
//! calls anything, so two hooks cannot loop.

use edgechat_protocol::{Bot, ErrorCode, Id, Message, Millis, ServerMsg, frame};
use serde::{Deserialize, Serialize};

use super::{Budget, Effect, Identity, Refusal, Room, SocketEffect, hooks::HookPost};
use crate::{
    mentions,
    slack::signing::message_timestamp,
    store::{Hook, HookKind, Sql, StoreError},
};

/// How often an outgoing hook's call is tried before it fails for good; a command's is
/// tried once, since its asker is waiting.
pub const OUTGOING_ATTEMPTS: u32 = 3;
/// How long a command's `response_url` takes answers, and how many (Slack's numbers).
pub const RESPONSE_TTL_MS: Millis = 30 * 60 * 1000;
pub const RESPONSE_USES: u64 = 5;
/// The most trigger words one outgoing hook has.
pub const MAX_TRIGGERS: usize = 10;

/// A call to a program, for the object to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOut {
    pub hook_id: Id,
    pub url: String,
    pub signing_secret: String,
    /// Slack's form fields, in order (a command's `response_url` is added by the object,
    /// which mints its token).
    pub fields: Vec<(String, String)>,
    /// A command's: who ran it, and where its answer for them alone goes.
    pub asker: Option<Asker>,
    /// Tries before the call fails for good.
    pub attempts: u32,
}

/// Who ran a command, on which socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asker {
    pub user_id: Id,
    pub conn: String,
    pub req_id: Option<String>,
}

/// What a call came back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// A post: for the room, or (`ephemeral`, a command's) for the asker alone.
    Post { post: HookPost, ephemeral: bool },
    /// An answer with nothing to show.
    Nothing,
    /// No usable answer after every try: what went wrong, in words for the admins.
    Failed(String),
}

/// A new hook's kind and URL, from its admin's spec: trigger words and a command's name
/// checked here, the URL by the door (it knows the outbound policy's test hosts).
pub(super) fn kind_of(
    spec: super::HookSpec,
    name: &str,
) -> Result<(HookKind, Option<String>), Refusal> {
    let invalid = |why: &str| Refusal::new(ErrorCode::Invalid, why);
    match spec {
        super::HookSpec::Incoming => Ok((HookKind::Incoming, None)),
        super::HookSpec::Outgoing {
            url,
            trigger_words,
            on_mention,
        } => {
            let triggers: Vec<String> = trigger_words
                .iter()
                .map(|w| w.trim().to_owned())
                .filter(|w| !w.is_empty())
                .collect();
            if triggers.len() > MAX_TRIGGERS
                || triggers
                    .iter()
                    .any(|w| w.chars().count() > 32 || w.contains(char::is_whitespace))
            {
                return Err(invalid(
                    "at most 10 trigger words, each one word of 1 to 32 characters",
                ));
            }
            if triggers.is_empty() && !on_mention {
                return Err(invalid(
                    "an outgoing hook needs a trigger word, or to answer mentions",
                ));
            }
            if on_mention && handle_of(name).is_none() {
                return Err(invalid(
                    "a hook that answers mentions needs a name like an account's (3 to 32 letters, digits, '.', '_' or '-')",
                ));
            }
            Ok((
                HookKind::Outgoing {
                    triggers,
                    on_mention,
                },
                Some(url),
            ))
        }
        super::HookSpec::Command {
            url,
            command,
            description,
        } => {
            let command = command.trim().to_ascii_lowercase();
            if !is_command(&command) {
                return Err(invalid(
                    "a command is / then 1 to 32 letters, digits, '_' or '-'",
                ));
            }
            if description.chars().count() > 100 {
                return Err(invalid(
                    "a command's description has at most 100 characters",
                ));
            }
            Ok((
                HookKind::Command {
                    command,
                    description: crate::text::clean(&description),
                },
                Some(url),
            ))
        }
    }
}

pub use edgechat_protocol::text::is_command;

/// The name a hook answers `@mentions` to: its own, when it is one an account could have.
fn handle_of(name: &str) -> Option<String> {
    let handle = name.to_ascii_lowercase();
    let valid = (3..=32).contains(&handle.len())
        && handle.starts_with(|c: char| c.is_ascii_alphanumeric())
        && handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    valid.then_some(handle)
}

impl<S: Sql> Room<S> {
    /// The room's outgoing hooks, read once after a load and kept (at most `MAX_HOOKS`),
    /// so a send reads nothing for them in steady state.
    fn outgoing(&mut self) -> Result<Vec<Hook>, StoreError> {
        if self.outgoing.is_none() {
            let hooks = self.store.hooks(self.limits.max_hooks)?;
            self.outgoing = Some(
                hooks
                    .into_iter()
                    .filter(|h| matches!(h.kind, HookKind::Outgoing { .. }))
                    .collect(),
            );
        }
        Ok(self.outgoing.clone().unwrap_or_default())
    }

    /// The calls a person's `message`, just stored, makes: one for each outgoing hook it
    /// triggers that has budget left (`HOOK_RATE_…`; past it, the message calls nothing).
    pub(super) fn outgoing_calls(
        &mut self,
        who: &Identity,
        message: &Message,
        now: Millis,
    ) -> Result<Vec<Effect>, StoreError> {
        let hooks = self.outgoing()?;
        if hooks.is_empty() {
            return Ok(Vec::new());
        }
        let first = message.text.split_whitespace().next().unwrap_or_default();
        let mentioned = mentions::handles(&message.text);
        let mut calls = Vec::new();
        for hook in hooks {
            let HookKind::Outgoing {
                triggers,
                on_mention,
            } = &hook.kind
            else {
                continue;
            };
            let trigger = triggers
                .iter()
                .find(|t| t.eq_ignore_ascii_case(first))
                .cloned()
                .or_else(|| {
                    let handle = handle_of(&hook.name).filter(|_| *on_mention)?;
                    mentioned.contains(&handle).then(|| format!("@{handle}"))
                });
            let (Some(trigger), Some(url)) = (trigger, hook.target.clone()) else {
                continue;
            };
            if !self.hook_live(&hook)? {
                continue;
            }
            if self
                .check_budget(&hook.hook_id, Budget::Hooks, now)
                .is_err()
            {
                continue;
            }
            self.take_budget(&hook.hook_id, Budget::Hooks);
            let fields = vec![
                field("token", &hook.token),
                field("team_id", "edgechat"),
                field("team_domain", "edgechat"),
                field("service_id", &hook.hook_id),
                field("channel_id", &self.info.room_id),
                field("channel_name", &self.info.name),
                field("timestamp", &message_timestamp(message.timestamp)),
                field("user_id", &who.user_id),
                field("user_name", handle_or_name(who)),
                field("text", &message.text),
                field("trigger_word", &trigger),
            ];
            calls.push(Effect::CallOut(Box::new(CallOut {
                hook_id: hook.hook_id,
                url,
                signing_secret: hook.signing_secret,
                fields,
                asker: None,
                attempts: OUTGOING_ATTEMPTS,
            })));
        }
        Ok(calls)
    }

    /// `run-command`: the room's registered `command`, called with `text` for `who`, with
    /// the budget of the message it stands for and its hook's own.
    pub(super) fn run_command(
        &mut self,
        conn: &str,
        who: &Identity,
        command: &str,
        text: &str,
        req_id: Option<String>,
        now: Millis,
    ) -> super::Outcome {
        let command = command.trim().to_ascii_lowercase();
        let hook = match is_command(&command) {
            true => self.store.hook_for_command(&command)?,
            false => None,
        };
        // A command whose maker is no longer an admin is not there to run.
        let hook = match hook {
            Some(hook) if self.hook_live(&hook)? => Some(hook),
            _ => None,
        };
        let Some(hook) = hook else {
            return Err(Refusal::new(
                ErrorCode::NotFound,
                format!("this room has no command {command}"),
            ));
        };
        let (sender, _) = self.sender(&who.user_id)?;
        if let Some(until) = sender.mute.filter(|until| *until > now) {
            return Err(super::presence::muted(until, now));
        }
        self.check_budget(&hook.hook_id, Budget::Hooks, now)?;
        self.spend(&who.user_id, Budget::Messages, now)?;
        self.take_budget(&hook.hook_id, Budget::Hooks);
        let text = crate::text::clean(text);
        let fields = vec![
            field("token", &hook.token),
            field("team_id", "edgechat"),
            field("team_domain", "edgechat"),
            field("channel_id", &self.info.room_id),
            field("channel_name", &self.info.name),
            field("user_id", &who.user_id),
            field("user_name", handle_or_name(who)),
            field("command", &command),
            field("text", &text),
            field("api_app_id", &hook.hook_id),
            field("is_enterprise_install", "false"),
            field("trigger_id", &format!("{now}.{}", hook.hook_id)),
        ];
        Ok(vec![Effect::CallOut(Box::new(CallOut {
            hook_id: hook.hook_id,
            url: hook.target.unwrap_or_default(),
            signing_secret: hook.signing_secret,
            fields,
            asker: Some(Asker {
                user_id: who.user_id.clone(),
                conn: conn.to_owned(),
                req_id,
            }),
            attempts: 1,
        }))])
    }

    /// What a call came back with: posted as the hook's bot, shown to the asker alone,
    /// or kept on the hook as its last failure (and told to the asker).
    pub(super) fn called_out(
        &mut self,
        hook_id: &str,
        asker: Option<Asker>,
        answered: Answered,
        now: Millis,
    ) -> Result<Vec<Effect>, StoreError> {
        // Deleted while its program was thinking: nothing it says is posted.
        let Some(hook) = self.store.hook(hook_id)? else {
            return Ok(Vec::new());
        };
        let failed = |room: &mut Self,
                      why: String,
                      hook: &Hook,
                      asker: Option<Asker>|
         -> Result<Vec<Effect>, StoreError> {
            room.store.hook_failed(&hook.hook_id, &why)?;
            let told = format!("{} failed: {why}", command_of(hook));
            Ok(match asker {
                Some(asker) => room.ephemeral(hook, &asker, &told, None),
                None => Vec::new(),
            })
        };
        match answered {
            Answered::Failed(why) => failed(self, why, &hook, asker),
            Answered::Nothing => {
                self.store.hook_answered(hook_id)?;
                Ok(Vec::new())
            }
            Answered::Post { post, ephemeral } => {
                self.store.hook_answered(hook_id)?;
                match asker {
                    Some(asker) if ephemeral => {
                        let label = post.label.clone();
                        Ok(self.ephemeral(&hook, &asker, &post.text, label.as_deref()))
                    }
                    _ => match self.bot_post(hook.clone(), post, now) {
                        Ok(effects) => Ok(effects),
                        Err(refusal) => {
                            let refusal = refusal.or_failure()?;
                            failed(self, refusal.message().to_owned(), &hook, asker)
                        }
                    },
                }
            }
        }
    }

    /// The room's commands that work now, for a member's composer to offer: name and
    /// description, at most `MAX_HOOKS`.
    pub fn commands_for(
        &self,
        who: &Identity,
    ) -> Result<Result<Vec<(String, String)>, Refusal>, StoreError> {
        if !who.global_admin && !self.store.is_member(&who.user_id)? {
            return Ok(Err(Refusal::new(
                ErrorCode::Forbidden,
                "only the room's members run its commands",
            )));
        }
        let mut commands = Vec::new();
        for hook in self.store.hooks(self.limits.max_hooks)? {
            if let HookKind::Command {
                command,
                description,
            } = &hook.kind
                && self.hook_live(&hook)?
            {
                commands.push((command.clone(), description.clone()));
            }
        }
        Ok(Ok(commands))
    }

    /// The origin the door reached the room through (`RoomCall::Connect`), kept for a
    /// command's `response_url`: written only when it changes, read once a load.
    pub fn note_origin(&mut self, origin: &str) -> Result<(), StoreError> {
        if origin.is_empty() || self.origin.as_deref() == Some(origin) {
            return Ok(());
        }
        if self.store.origin()?.as_deref() != Some(origin) {
            self.store.set_origin(origin)?;
        }
        self.origin = Some(origin.to_owned());
        Ok(())
    }

    /// Where a command's `response_url` points, if the room has been told.
    pub fn origin(&mut self) -> Result<Option<String>, StoreError> {
        if self.origin.is_none() {
            self.origin = self.store.origin()?;
        }
        Ok(self.origin.clone())
    }

    /// Lets a command's program answer `user_id` through `token` later (its
    /// `response_url`), for [`RESPONSE_TTL_MS`] and [`RESPONSE_USES`] answers.
    pub fn allow_responses(
        &mut self,
        token: &str,
        hook_id: &str,
        user_id: &str,
        now: Millis,
    ) -> Result<(), StoreError> {
        self.in_step(now, |room| {
            room.store
                .allow_responses(token, hook_id, user_id, now, now + RESPONSE_TTL_MS)
        })
    }

    /// A program's later answer through a command's `response_url`: posted, or shown to
    /// the user who ran the command on every socket they have here; 404 once the URL
    /// expired or was used up.
    pub fn respond(
        &mut self,
        token: &str,
        answer: Option<(HookPost, bool)>,
        now: Millis,
    ) -> Result<Result<Vec<Effect>, Refusal>, StoreError> {
        let outcome = self.in_step(now, |room| {
            let gone = || Refusal::new(ErrorCode::NotFound, "no_service");
            let Some((hook_id, user_id)) = room.store.use_response(token, now, RESPONSE_USES)?
            else {
                return Ok(Err(gone()));
            };
            let Some(hook) = room.store.hook(&hook_id)? else {
                return Ok(Err(gone()));
            };
            let Some((post, ephemeral)) = answer else {
                return Ok(Ok(Vec::new()));
            };
            if ephemeral {
                let label = post.label.clone();
                let effects = room
                    .sockets
                    .of(&user_id)
                    .into_iter()
                    .flat_map(|conn| {
                        let asker = Asker {
                            user_id: user_id.clone(),
                            conn,
                            req_id: None,
                        };
                        room.ephemeral(&hook, &asker, &post.text, label.as_deref())
                    })
                    .collect();
                return Ok(Ok(effects));
            }
            match room.bot_post(hook, post, now) {
                Ok(effects) => Ok(Ok(effects)),
                Err(refusal) => refusal.or_failure().map(Err),
            }
        })?;
        Ok(outcome.map(|effects| self.arrivals_first(effects)))
    }

    /// An answer for `asker` alone: not stored, sent to the socket that asked.
    fn ephemeral(
        &self,
        hook: &Hook,
        asker: &Asker,
        text: &str,
        label: Option<&str>,
    ) -> Vec<Effect> {
        let username = label
            .and_then(|l| super::hooks::hook_name(l).ok())
            .unwrap_or_else(|| hook.name.clone());
        vec![Effect::Socket(SocketEffect::Send {
            conn: asker.conn.clone(),
            msg: ServerMsg::Ephemeral(frame::Ephemeral {
                room_id: self.info.room_id.clone(),
                user_id: hook.hook_id.clone(),
                username,
                text: text.chars().take(self.limits.max_message_chars).collect(),
                bot: Some(Box::new(Bot::default())),
                req_id: asker.req_id.clone(),
            }),
        })]
    }
}

fn field(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

/// The name the program is told: the account name, or the display name of an identity
/// restored before account names were kept.
fn handle_or_name(who: &Identity) -> &str {
    if who.handle.is_empty() {
        &who.username
    } else {
        &who.handle
    }
}

/// How a failure names the hook to its asker: its command, or its name.
fn command_of(hook: &Hook) -> String {
    match &hook.kind {
        HookKind::Command { command, .. } => command.clone(),
        _ => hook.name.clone(),
    }
}
