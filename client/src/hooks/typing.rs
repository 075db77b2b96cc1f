use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use crate::{
    connection::Link,
    typing::{Signal as TypingSignal, Typing},
};

/// The draft changed: tell the room the user is typing, at most once per refresh
/// interval, and that they stopped when the draft empties. `sent` resets it after a send.
pub fn use_typing_indicator(link: Link, room: String) -> TypingHandle {
    let typing = use_signal(Typing::default);
    TypingHandle { typing, link, room }
}

#[derive(Clone)]
pub struct TypingHandle {
    typing: Signal<Typing>,
    link: Link,
    room: String,
}

impl TypingHandle {
    pub fn edited(&mut self, draft: &str) {
        let signal = self
            .typing
            .write()
            .edited(draft.trim().is_empty(), js_sys::Date::now() as u64);
        let room_id = self.room.clone();
        let msg = match signal {
            Some(TypingSignal::Start) => ClientMsg::TypingStart { room_id },
            Some(TypingSignal::Stop) => ClientMsg::TypingStop { room_id },
            None => return,
        };
        let _ = self.link.send(&msg);
    }

    pub fn sent(&mut self) {
        self.typing.write().sent();
    }
}
