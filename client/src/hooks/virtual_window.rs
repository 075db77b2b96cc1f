use std::collections::HashMap;

use dioxus::prelude::*;
use edgechat_protocol::Message;

use crate::window::{Window, offset_of, window};

/// Rows rendered beyond each edge of the view, in pixels.
const OVERSCAN: f64 = 1_000.0;

/// A virtualised list's memory: each row's measured height (by message id) and where
/// the list is scrolled. Copy, like the signals it holds.
#[derive(Clone, Copy, PartialEq)]
pub struct VirtualWindow {
    heights: Signal<HashMap<String, f64>>,
    /// Scroll position and viewport height of the list.
    view: Signal<(f64, f64)>,
}

impl VirtualWindow {
    /// Which of `messages` to render now (subscribes to the scroll and the heights).
    pub fn rows(&self, messages: &[Message]) -> Window {
        let (scroll_top, viewport) = (self.view)();
        window(
            &self.heights_of(messages, false),
            scroll_top,
            viewport,
            OVERSCAN,
        )
    }

    /// Where row `index` of `messages` starts, without subscribing.
    pub fn offset_of(&self, messages: &[Message], index: usize) -> f64 {
        offset_of(&self.heights_of(messages, true), index)
    }

    /// How many rows have been measured (subscribes: a row measured moves the bottom).
    pub fn measured(&self) -> usize {
        self.heights.read().len()
    }

    /// A row's height, heard from the page.
    pub fn measure(&mut self, id: &str, height: f64) {
        if self.heights.peek().get(id) != Some(&height) {
            self.heights.write().insert(id.to_owned(), height);
        }
    }

    /// The list scrolled or resized to `el`'s position and height.
    pub fn follow(&mut self, el: &web_sys::Element) {
        self.view
            .set((f64::from(el.scroll_top()), f64::from(el.client_height())));
    }

    /// Subscribes to the scroll (to run again after it moves).
    pub fn track(&self) {
        let _ = (self.view)();
    }

    fn heights_of(&self, messages: &[Message], peek: bool) -> Vec<Option<f64>> {
        let heights = if peek {
            self.heights.peek()
        } else {
            self.heights.read()
        };
        messages
            .iter()
            .map(|m| heights.get(&m.message_id).copied())
            .collect()
    }
}

/// A virtualised list: only the rows near the view go in the page, each measured once
/// shown, spacers standing in for the rest.
pub fn use_virtual_window() -> VirtualWindow {
    VirtualWindow {
        heights: use_signal(HashMap::new),
        view: use_signal(|| (0.0, 800.0)),
    }
}
