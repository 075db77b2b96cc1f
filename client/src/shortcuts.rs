//! The keys that work anywhere on the page, as in Slack and Discord: Ctrl+K (⌘K on a
//! Mac) switches rooms by name (the room list's filter, where Enter opens the first room
//! found), Alt+↑ and Alt+↓ open the room above or below the open one in the list.

use std::rc::Rc;

use dioxus::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};

use crate::directory::Directory;

struct Listener(
    web_sys::Document,
    Closure<dyn FnMut(web_sys::KeyboardEvent)>,
);

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .0
            .remove_event_listener_with_callback("keydown", self.1.as_ref().unchecked_ref());
    }
}

/// Listens for the page's shortcuts for the component's life.
pub fn use_shortcuts(
    directory: Signal<Directory>,
    mut room: Signal<Option<String>>,
    mut show_rooms: Signal<bool>,
) {
    use_hook(move || {
        let document = web_sys::window().and_then(|w| w.document())?;
        let listener =
            Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                let key = e.key();
                if (e.ctrl_key() || e.meta_key()) && !e.alt_key() && key.eq_ignore_ascii_case("k") {
                    e.prevent_default();
                    // On a narrow screen the list is a drawer: open it first.
                    show_rooms.set(true);
                    crate::focus::focus_soon("room-filter");
                } else if e.alt_key() && (key == "ArrowUp" || key == "ArrowDown") {
                    let step = if key == "ArrowUp" { -1 } else { 1 };
                    let open = room.peek().clone();
                    let next = directory.peek().neighbour(open.as_deref(), step);
                    if let Some(next) = next {
                        e.prevent_default();
                        // The room opened focuses its box.
                        room.set(Some(next));
                    }
                }
            });
        document
            .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref())
            .ok()?;
        Some(Rc::new(Listener(document, listener)))
    });
}
