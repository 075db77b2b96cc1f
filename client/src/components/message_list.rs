use std::collections::HashMap;

use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;
use wasm_bindgen::JsCast;

use super::message::MessageRow;
use crate::{
    clock::clock,
    hooks::Chat,
    state::{Connection, Note, continues, plural},
    window::{offset_of, window},
};

/// Rows rendered beyond each edge of the view, in pixels.
const OVERSCAN: f64 = 1_000.0;

/// Within this many pixels of the bottom counts as reading the newest messages.
const STICK_PX: i32 = 48;
/// Older history is asked for when the user scrolls this close to the top.
const LOAD_PX: i32 = 120;
const LIST_ID: &str = "messages";

fn list() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(LIST_ID)
}

/// Moves the keyboard focus between the rows in the page: ↑ and ↓ to the row before or
/// after the focused one (from the list itself, the newest), Home and End to the ends.
/// Returns whether the key was one of those.
fn move_focus(key: &Key) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(rows) = document.query_selector_all(&format!("#{LIST_ID} > .message[data-id]")) else {
        return false;
    };
    let count = rows.length();
    if count == 0 {
        return false;
    }
    let here = document
        .active_element()
        .and_then(|e| e.closest(".message").ok().flatten());
    let at = (0..count).find(|&i| {
        rows.get(i)
            .zip(here.as_ref())
            .is_some_and(|(row, here)| row == **here)
    });
    let next = match (key, at) {
        (Key::ArrowUp, Some(at)) => at.saturating_sub(1),
        (Key::ArrowDown, Some(at)) => (at + 1).min(count - 1),
        (Key::ArrowUp | Key::ArrowDown | Key::End, _) => count - 1,
        (Key::Home, _) => 0,
        _ => return false,
    };
    if let Some(row) = rows
        .get(next)
        .and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = row.focus();
    }
    true
}

fn at_bottom(el: &web_sys::Element) -> bool {
    el.scroll_height() - el.scroll_top() - el.client_height() <= STICK_PX
}

/// The room's messages, oldest first, then the user's own still-pending ones. New
/// messages scroll into view only for a user already at the bottom; one reading older
/// messages keeps their place and gets a "new messages" button instead. Scrolling to the
/// top loads the page before, keeping what is on screen where it was. Only the rows near
/// the view are in the page (a virtualised list: each row measured once shown, spacers
/// for the rest), so a room with thousands of loaded messages stays light.
#[component]
pub fn MessageList(
    chat: Chat,
    replying: Signal<Option<String>>,
    editing: Signal<Option<String>>,
    jump_to: Signal<Option<(String, u64)>>,
) -> Element {
    let state = chat.state;
    let link = chat.link.clone();
    let mut stick = use_signal(|| true);
    let mut unseen = use_signal(|| 0usize);
    let mut shown = use_signal(|| (0usize, 0u64, 0usize, 0u64));
    // The list's height before older messages were asked for, and when they were, to
    // keep the view in place once they arrive.
    let mut anchor = use_signal(|| None::<(i32, f64)>);
    let mut heights = use_signal(HashMap::<String, f64>::new);
    // Scroll position and viewport height of the list.
    let mut view = use_signal(|| (0.0_f64, 800.0_f64));
    let (messages, pending, has_more) = {
        let state = state.read();
        (
            state.messages.clone(),
            state.pending.clone(),
            state.has_more,
        )
    };
    let measured: Vec<Option<f64>> = {
        let heights = heights.read();
        messages
            .iter()
            .map(|m| heights.get(&m.message_id).copied())
            .collect()
    };
    let (scroll_top, viewport) = view();
    let shown_rows = window(&measured, scroll_top, viewport, OVERSCAN);
    let measured_count = heights.read().len();
    let first_new = state.read().first_new();
    // Quiet lines for joins, leaves and moderation, each before the first message after
    // it.
    let notes = state.read().notes.clone();
    let notes_between = |after: u64, before: u64| -> Vec<Note> {
        notes
            .iter()
            .filter(|n| n.seq > after && n.seq < before)
            .cloned()
            .collect()
    };
    // "Read by" goes under one message: the user's newest that someone read.
    let receipt = state.read().read_receipt();
    // Nothing said yet (and nothing older to load): the room says so.
    let empty = messages.is_empty()
        && pending.is_empty()
        && !has_more
        && state.read().connection == Connection::Connected;
    let count = messages.len() + pending.len();
    let newest = messages.last().map_or(0, |m| m.seq);
    let oldest = messages.first().map(|m| m.seq);
    let oldest_seq = oldest.unwrap_or(0);
    let own = pending.len();
    // Rows that grow in place (a reaction, an edit) also push the bottom down.
    let shape: usize = messages
        .iter()
        .map(|m| m.reactions.len() + m.text.len() + usize::from(m.deleted))
        .sum();
    use_effect(use_reactive!(|(
        count,
        newest,
        own,
        shape,
        measured_count,
        oldest_seq,
    )| {
        let _ = (shape, measured_count);
        let Some(el) = list() else {
            return;
        };
        let (before_count, before_newest, before_own, before_oldest) = *shown.peek();
        shown.set((count, newest, own, oldest_seq));
        if own > before_own {
            // The user just sent something: show it, wherever they were.
            stick.set(true);
            unseen.set(0);
        }
        let anchored = *anchor.peek();
        if let Some((height, _)) = anchored
            && before_oldest > 0
            && oldest_seq < before_oldest
        {
            // Older messages went in above: keep the same message under the eyes.
            anchor.set(None);
            el.set_scroll_top(el.scroll_top() + el.scroll_height() - height);
            return;
        }
        if *stick.peek() || before_count == 0 {
            el.set_scroll_top(el.scroll_height());
        } else if newest > before_newest {
            unseen += count.saturating_sub(before_count);
        }
    }));
    // A search hit: scroll to it once loaded; until then page back from the oldest loaded
    // message (never leaving a gap in the history).
    let mut asked = use_signal(|| None::<u64>);
    let jumper = link.clone();
    use_effect(move || {
        let Some((id, seq)) = jump_to() else {
            return;
        };
        let _ = view();
        let index = state
            .read()
            .messages
            .iter()
            .position(|m| m.message_id == id);
        let document = web_sys::window().and_then(|w| w.document());
        let found = document.as_ref().and_then(|d| {
            d.query_selector(&format!(".message[data-id=\"{id}\"]"))
                .ok()
                .flatten()
        });
        if let Some(el) = found {
            el.scroll_into_view();
            let _ = el.class_list().add_1("flash");
            stick.set(false);
            jump_to.set(None);
            asked.set(None);
        } else if let Some(index) = index {
            // Loaded but outside the rendered window: scroll to where it is.
            let rows: Vec<Option<f64>> = {
                let heights = heights.peek();
                state
                    .peek()
                    .messages
                    .iter()
                    .map(|m| heights.get(&m.message_id).copied())
                    .collect()
            };
            if let Some(el) = list() {
                stick.set(false);
                el.set_scroll_top(offset_of(&rows, index) as i32);
                view.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            }
        } else {
            let (oldest, more) = {
                let state = state.read();
                (state.messages.first().map(|m| m.seq), state.has_more)
            };
            match oldest {
                // Not in this room's history (deleted, or not loadable): give up.
                Some(oldest) if oldest <= seq || !more => {
                    jump_to.set(None);
                    asked.set(None);
                }
                Some(oldest)
                    if *asked.peek() != Some(oldest)
                        && jumper
                            .send(&ClientMsg::LoadHistory {
                                before_seq: oldest,
                                limit: Some(100),
                            })
                            .is_ok() =>
                {
                    asked.set(Some(oldest));
                }
                _ => {}
            }
        }
    });
    let on_scroll = {
        let link = link.clone();
        move |_| {
            let Some(el) = list() else {
                return;
            };
            view.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            let bottom = at_bottom(&el);
            stick.set(bottom);
            if bottom {
                unseen.set(0);
            }
            // One page at a time; a request unanswered for 10 s (a dropped socket) may
            // be asked again.
            let now = js_sys::Date::now();
            let waiting = anchor.peek().is_some_and(|(_, at)| now - at < 10_000.0);
            if el.scroll_top() < LOAD_PX
                && has_more
                && !waiting
                && let Some(before_seq) = oldest
                && link
                    .send(&ClientMsg::LoadHistory {
                        before_seq,
                        limit: Some(50),
                    })
                    .is_ok()
            {
                anchor.set(Some((el.scroll_height(), now)));
            }
        }
    };
    let jump = move |_| {
        if let Some(el) = list() {
            el.set_scroll_top(el.scroll_height());
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
        unseen.set(0);
        stick.set(true);
    };
    rsx! {
        div { class: "message-pane",
            ol { id: LIST_ID, class: "messages", tabindex: "0",
                aria_label: "Messages: use the arrow keys to move between them",
                onscroll: on_scroll,
                onkeydown: move |e: KeyboardEvent| {
                    // Keys typed in a box inside a row (an edit) are the box's.
                    let typing = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.active_element())
                        .is_some_and(|e| matches!(e.tag_name().as_str(), "TEXTAREA" | "INPUT"));
                    if !typing && move_focus(&e.key()) {
                        e.prevent_default();
                    }
                },
                // A resize (a phone rotating, the keyboard opening) keeps the newest in view.
                onresize: move |_| if let Some(el) = list() {
                    if *stick.peek() {
                        el.set_scroll_top(el.scroll_height());
                    }
                    view.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
                },
                li { class: "spacer", aria_hidden: "true", style: "height: {shown_rows.top}px" }
                if empty {
                    li { class: "empty-room",
                        strong { "Nothing here yet." }
                        " Write the first message below."
                    }
                }
                for (at, message) in (shown_rows.start..shown_rows.end).zip(messages[shown_rows.start..shown_rows.end].iter().cloned()) {
                    Fragment { key: "{message.message_id}",
                        for note in notes_between(if at > 0 { messages[at - 1].seq } else { 0 }, message.seq) {
                            NoteLine { key: "n{note.seq}", note }
                        }
                        if Some(message.seq) == first_new {
                            li { class: "new-marker", "New messages" }
                        }
                        MessageRow { state, chat: chat.clone(), replying, editing,
                            continued: at > 0 && Some(message.seq) != first_new && continues(&messages[at - 1], &message)
                                && notes_between(messages[at - 1].seq, message.seq).is_empty(),
                            read_by: receipt.filter(|(seq, _)| *seq == message.seq).map_or(0, |(_, n)| n),
                            on_height: {
                                let id = message.message_id.clone();
                                move |height: f64| {
                                    if heights.peek().get(&id) != Some(&height) {
                                        heights.write().insert(id.clone(), height);
                                    }
                                }
                            },
                            message,
                        }
                    }
                }
                if shown_rows.end == messages.len() {
                    for note in notes_between(newest, u64::MAX) {
                        NoteLine { key: "n{note.seq}", note }
                    }
                }
                li { class: "spacer", aria_hidden: "true", style: "height: {shown_rows.bottom}px" }
                for pending in pending {
                    li { key: "{pending.client_msg_id}", class: "message pending",
                        span { class: "author", "…" }
                        span { class: "text", "{pending.text}" }
                    }
                }
            }
            if unseen() > 0 {
                button { r#type: "button", class: "new-messages", onclick: jump,
                    {plural(unseen() as u64, "new message", "new messages")} " ↓" }
            }
        }
    }
}

/// A quiet line of the timeline: a join, a leave, a moderator's action.
#[component]
fn NoteLine(note: Note) -> Element {
    let text = match note.until {
        Some(until) => format!("{} until {}", note.text, clock(until)),
        None => note.text,
    };
    rsx! {
        li { class: "note", "{text}" }
    }
}
