use dioxus::prelude::*;

use crate::{state::ChatState, typing::typing_text};

/// "Ana is typing…" under the messages, for as long as the server's indicator lasts.
#[component]
pub fn TypingIndicator(state: Signal<ChatState>) -> Element {
    // Indicators expire on their own; a tick re-reads the clock.
    let mut tick = use_signal(|| 0u32);
    use_future(move || async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            tick += 1;
        }
    });
    let _ = tick();
    let names = state.read().typing_names(js_sys::Date::now() as u64);
    let text = typing_text(&names).unwrap_or_default();
    rsx! {
        p { class: "typing", aria_live: "polite", "{text}" }
    }
}
