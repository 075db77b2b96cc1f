//! The room's incoming hooks (docs/api.md, "Integrations"): its admins' list and
//! changes, and a program's post, which the core turns into a bot's message.

use edgechat_core::{Identity, room::HookChange};
use edgechat_protocol::{ErrorCode, Millis};
use worker::{Date, Response, Result};

use super::{Core, Room, stored};
use crate::{
    http,
    stubs::{HookCall, ResponseCall},
};

impl Room {
    /// `GET` (no `change`), `POST`, `PATCH`, `DELETE` `/api/rooms/{id}/hooks…`.
    pub(super) async fn hooks(
        &self,
        who: &Identity,
        change: Option<HookChange>,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let changed = change.is_some();
        let answer = {
            let mut slot = self.core.borrow_mut();
            let Some(core) = slot.as_mut() else {
                return http::error(ErrorCode::Internal, "the room could not be loaded");
            };
            match change {
                None => core
                    .list_hooks(who)
                    .map(|listed| listed.map(|hooks| serde_json::json!({ "hooks": hooks }))),
                Some(change) => {
                    core.acting(super::step::http_via());
                    core.change_hook(who, change, now)
                        .map(|changed| changed.map(|hook| serde_json::json!({ "hook": hook })))
                }
            }
        };
        // A change is an act: its audit entry waits for the write-behind.
        if changed {
            self.arm(now).await;
        }
        match answer {
            Ok(Ok(body)) => http::json(200, &body),
            Ok(Err(refusal)) => http::refused(&refusal),
            Err(err) => {
                self.drop_core();
                Err(stored(err))
            }
        }
    }

    /// `GET /api/rooms/{id}/commands`: the commands a member's composer offers.
    pub(super) async fn commands(&self, who: &Identity) -> Result<Response> {
        if let Some(refused) = self.ready(Date::now().as_millis()).await {
            return refused;
        }
        let listed = match self.core.borrow().as_ref() {
            Some(core) => core.commands_for(who),
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        match listed {
            Ok(Ok(commands)) => {
                let commands: Vec<serde_json::Value> = commands
                    .into_iter()
                    .map(|(command, description)| {
                        serde_json::json!({ "command": command, "description": description })
                    })
                    .collect();
                http::json(200, &serde_json::json!({ "commands": commands }))
            }
            Ok(Err(refusal)) => http::refused(&refusal),
            Err(err) => Err(stored(err)),
        }
    }

    /// A program's post through one of the room's hooks: answered as Slack answers
    /// (`ok`, or the word for the refusal), once the message is out to the room's sockets.
    pub(super) async fn hook_post(&self, call: HookCall) -> Result<Response> {
        self.slack_turn(|core, now| core.post_by_hook(&call.hook_id, &call.secret, call.post, now))
            .await
    }

    /// A command's program answering later through its `response_url`: `ok`, or
    /// `no_service` once the URL expired or was used up.
    pub(super) async fn respond(&self, call: ResponseCall) -> Result<Response> {
        self.slack_turn(|core, now| core.respond(&call.token, call.answer, now))
            .await
    }

    /// A program's turn of the core, answered as Slack answers: what `step` decided is
    /// carried out before the `ok`.
    async fn slack_turn(
        &self,
        step: impl FnOnce(&mut Core, Millis) -> StepResult,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            // A room that does not exist has no hooks either.
            return match refused {
                Ok(response) if response.status_code() == 404 => slack(ErrorCode::NotFound, None),
                other => other,
            };
        }
        let stepped = match self.core.borrow_mut().as_mut() {
            Some(core) => step(core, now),
            None => return slack(ErrorCode::Internal, None),
        };
        match stepped {
            Ok(Ok(effects)) => {
                self.finish(&self.room_id(), effects, now).await;
                Ok(Response::ok("ok")?)
            }
            Ok(Err(refusal)) => slack(refusal.code(), refusal.wait()),
            Err(err) => {
                self.drop_core();
                Err(stored(err))
            }
        }
    }
}

/// What a program's turn of the core decided: effects, a refusal, or a failed store.
type StepResult = std::result::Result<
    std::result::Result<Vec<edgechat_core::Effect>, edgechat_core::Refusal>,
    edgechat_core::store::StoreError,
>;

/// Slack's answer for a refusal: its status, its word as the body, and `Retry-After`
/// when a budget says when.
fn slack(code: ErrorCode, wait: Option<u64>) -> Result<Response> {
    let (status, word) = edgechat_core::slack::refusal_answer(code);
    let response = Response::ok(word)?.with_status(status);
    if let Some(wait) = wait {
        response
            .headers()
            .set("Retry-After", &wait.div_ceil(1000).max(1).to_string())?;
    }
    Ok(response)
}
