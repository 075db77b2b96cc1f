//! Whether the user is looking at the page: the tab visible and the window focused.
//! Messages that reach the open room while they are not count in the tab title and may
//! alert, and nothing is marked read until they look again.

use std::{cell::Cell, rc::Rc};

use dioxus::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};

/// The page's attention, as components and hooks read it (from the context).
#[derive(Clone, Copy, PartialEq)]
pub struct Attention(pub Signal<bool>);

impl Attention {
    pub fn looking(&self) -> bool {
        *self.0.peek()
    }
}

/// One page event listened to: where, which, and the callback.
type Listener = (web_sys::EventTarget, &'static str, Closure<dyn FnMut()>);

/// The listeners that keep the signal current, removed with the component.
struct Listeners(Vec<Listener>);

impl Drop for Listeners {
    fn drop(&mut self) {
        for (target, event, listener) in &self.0 {
            let _ = target
                .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
    }
}

fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Follows the page's attention (`focus`, `blur`, `visibilitychange`) for the
/// component's life and provides it to those below.
pub fn use_attention() -> Attention {
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.has_focus().unwrap_or(true));
    let mut looking = use_signal(|| focused && !hidden());
    let _listeners = use_hook(|| {
        let focus = Rc::new(Cell::new(focused));
        let mut listeners = Vec::new();
        let (Some(window), Some(document)) = (
            web_sys::window(),
            web_sys::window().and_then(|w| w.document()),
        ) else {
            return Rc::new(Listeners(listeners));
        };
        let targets: [(web_sys::EventTarget, &'static str, Option<bool>); 3] = [
            (window.clone().into(), "focus", Some(true)),
            (window.into(), "blur", Some(false)),
            (document.into(), "visibilitychange", None),
        ];
        for (target, event, sets_focus) in targets {
            let focus = focus.clone();
            let listener = Closure::<dyn FnMut()>::new(move || {
                if let Some(now_focused) = sets_focus {
                    focus.set(now_focused);
                }
                let now = focus.get() && !hidden();
                if now != *looking.peek() {
                    looking.set(now);
                }
            });
            let _ =
                target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            listeners.push((target, event, listener));
        }
        Rc::new(Listeners(listeners))
    });
    use_context_provider(|| Attention(looking))
}
