use dioxus::prelude::*;
use gloo_timers::callback::Timeout;

use crate::state::{ChatState, announcement};

/// How long the room is quiet before a burst of new messages is told.
const BURST_MS: u32 = 800;

/// The room's polite live region: new messages from others, told once a burst has
/// ended, in one sentence. Older history loaded by scrolling is never told.
#[component]
pub fn Announcer(state: Signal<ChatState>) -> Element {
    let mut spoken = use_signal(String::new);
    use_effect(move || {
        let waiting = state.read().unheard.len();
        if waiting == 0 {
            return;
        }
        // Told once nothing more has come for a moment; a later arrival's own wait
        // tells it, with this one.
        Timeout::new(BURST_MS, move || {
            if state.peek().unheard.len() == waiting {
                let told = state.write().take_unheard();
                spoken.set(announcement(&told));
            }
        })
        .forget();
    });
    rsx! {
        div { id: "announcer", class: "visually-hidden", role: "status", aria_live: "polite", "{spoken}" }
    }
}
