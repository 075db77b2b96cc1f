use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;
use gloo_timers::future::TimeoutFuture;

use crate::{
    inbox::InboxLink,
    prefs,
    presence::{Reporter, desired},
};

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Keeps the user's status right on their inbox: away after the minutes the user chose
/// (5 by default) without input or while the tab is hidden (unless they chose to appear away), online again on
/// return. Returns the function to call on user input.
pub fn use_presence(inbox: InboxLink) -> impl FnMut() + Copy {
    let mut last_active = use_signal(now);
    use_future(move || {
        let inbox = inbox.clone();
        async move {
            let mut reporter = Reporter::default();
            let mut opens = inbox.opens();
            loop {
                // A reconnected inbox starts the user online again: say it anew.
                if inbox.opens() != opens {
                    opens = inbox.opens();
                    reporter.forget();
                }
                let hidden = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.hidden());
                let idle = now().saturating_sub(*last_active.peek());
                let away_after = prefs::away_after_minutes() * 60_000;
                let status = desired(prefs::chosen_status(), hidden, idle, away_after);
                if let Some(status) = reporter.report(status)
                    && inbox
                        .send(&ClientMsg::StatusChange {
                            status,
                            status_text: None,
                        })
                        .is_err()
                {
                    // Not connected: say it again next time.
                    reporter.forget();
                }
                TimeoutFuture::new(5_000).await;
            }
        }
    });
    move || {
        let t = now();
        if t.saturating_sub(*last_active.peek()) > 2_000 {
            last_active.set(t);
        }
    }
}
