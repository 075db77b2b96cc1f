use dioxus::prelude::*;
use edgechat_protocol::{ClientMsg, RoomUser};
use gloo_timers::future::TimeoutFuture;

use crate::{
    connection::Link,
    prefs,
    presence::{Reporter, desired},
    state::ChatState,
};

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// The user's presence as the workspace keeps it, with the ways to change it; and the
/// presence of a room's members.
#[derive(Clone, Copy, PartialEq)]
pub struct Presence {
    last_active: Signal<u64>,
    /// Bumped to report at once rather than at the next check.
    nudge: Signal<usize>,
}

impl Presence {
    /// The user did something (a key, the pointer): not idle.
    pub fn active(&mut self) {
        let t = now();
        if t.saturating_sub(*self.last_active.peek()) > 2_000 {
            self.last_active.set(t);
        }
    }

    /// The user chose to appear away (`true`) or to follow their activity (`false`):
    /// kept in this browser and reported at once.
    pub fn update_status(&mut self, away: bool) {
        prefs::set_chosen_status(away);
        self.nudge += 1;
    }

    /// The members of a room and their statuses, those here now first.
    pub fn online(state: &ChatState) -> Vec<RoomUser> {
        let mut users: Vec<RoomUser> = state.users.values().cloned().collect();
        users.sort_by(|a, b| b.online.cmp(&a.online).then(a.username.cmp(&b.username)));
        users
    }
}

/// Keeps the user's status right on their inbox: away after the minutes the user chose
/// (5 by default) without input or while the tab is hidden (unless they chose to appear
/// away), online again on return.
pub fn use_presence(inbox: Link) -> Presence {
    let presence = Presence {
        last_active: use_signal(now),
        nudge: use_signal(|| 0),
    };
    use_future(move || {
        let inbox = inbox.clone();
        async move {
            let mut reporter = Reporter::default();
            let mut opens = inbox.opens();
            let mut nudged = 0;
            loop {
                // A reconnected inbox starts the user online again: say it anew.
                if inbox.opens() != opens {
                    opens = inbox.opens();
                    reporter.forget();
                }
                let hidden = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.hidden());
                let idle = now().saturating_sub(*presence.last_active.peek());
                let away_after = prefs::away_after_minutes() * 60_000;
                let wanted = desired(prefs::chosen_status(), hidden, idle, away_after);
                if let Some(status) = reporter.report(wanted)
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
                // The next check in 5 s, or at once when the user changes their status.
                for _ in 0..50 {
                    TimeoutFuture::new(100).await;
                    if *presence.nudge.peek() != nudged {
                        nudged = *presence.nudge.peek();
                        break;
                    }
                }
            }
        }
    });
    presence
}
