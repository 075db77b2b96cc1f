//! The calls the room makes to programs (outgoing hooks, registered commands), once a
//! step's answers are out: signed as Slack signs, under the outbound policy and its
//! deadline, tried again a bounded number of times, and handed back to the core. A slow
//! or failing program holds up nothing: other events have their turns while it thinks.

use edgechat_core::{
    Command,
    room::{Answered, CallOut},
    slack::{self, signing},
};
use worker::{Date, Delay, Headers};

use super::Room;
use crate::outbound;

/// The most of a program's answer read: a message's worth and then some.
const ANSWER_CAP: usize = 64 * 1024;

impl Room {
    /// Makes the calls the last steps asked for, each answer a turn of its own.
    pub(super) async fn make_calls(&self, room: &str) {
        let due = self.calls_due.take();
        for call in due {
            let hook_id = call.hook_id.clone();
            let asker = call.asker.clone();
            let answered = self.call(room, call).await;
            if let Answered::Failed(why) = &answered {
                crate::log::warn("call-out-failed")
                    .with("room", room)
                    .with("hook", hook_id.as_str())
                    .with("reason", why.as_str())
                    .emit();
            }
            // Boxed: the turn that takes the answer runs through here again.
            Box::pin(self.run(
                room,
                None,
                Command::CalledOut {
                    hook_id,
                    asker,
                    answered,
                },
                Date::now().as_millis(),
            ))
            .await;
        }
    }

    async fn call(&self, room: &str, mut call: CallOut) -> Answered {
        if let Some(asker) = &call.asker
            && let Some(url) = self.response_url(room, &call.hook_id, &asker.user_id)
        {
            call.fields.push(("response_url".to_owned(), url));
        }
        let body = signing::form_body(&call.fields);
        let mut why = String::new();
        for attempt in 0..call.attempts.max(1) {
            if attempt > 0 {
                // 1 s, then 2 s: a program that restarts has a moment to come back.
                let wait = 1_000u64 << (attempt - 1);
                Delay::from(std::time::Duration::from_millis(wait)).await;
            }
            let timestamp = Date::now().as_millis() / 1000;
            let headers = Headers::new();
            let signature = signing::signature(&call.signing_secret, timestamp, &body);
            for (name, value) in [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("User-Agent", "edgechat-hooks/1 (+integrations)"),
                ("X-Slack-Request-Timestamp", &timestamp.to_string()),
                ("X-Slack-Signature", &signature),
            ] {
                let _ = headers.set(name, value);
            }
            match outbound::call(&self.env, &call.url, headers, &body, ANSWER_CAP).await {
                Ok((content_type, answer)) => {
                    return match slack::answer(&answer, Some(&content_type)) {
                        Ok(Some((post, ephemeral))) => Answered::Post {
                            post: post.into_hook_post(),
                            ephemeral,
                        },
                        Ok(None) => Answered::Nothing,
                        Err(_) => Answered::Failed("its answer is not the JSON Slack takes".into()),
                    };
                }
                Err(failed) => why = failed.to_string(),
            }
        }
        Answered::Failed(why)
    }

    /// A fresh `response_url` for a command's answer to `user_id`, when the room knows
    /// its origin and can record the token.
    fn response_url(&self, room: &str, hook_id: &str, user_id: &str) -> Option<String> {
        let token = crate::auth::random_id("");
        let mut slot = self.core.borrow_mut();
        let core = slot.as_mut()?;
        let origin = core.origin().ok().flatten()?;
        core.allow_responses(&token, hook_id, user_id, Date::now().as_millis())
            .ok()?;
        Some(format!("{origin}/api/commands/{room}/{token}"))
    }
}
