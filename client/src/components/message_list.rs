use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;
use wasm_bindgen::JsCast;

use super::{message::MessageRow, rich_text::RichText};
use crate::{
    clock::moment,
    connection::Link,
    hooks::{Chat, VirtualWindow, use_virtual_window},
    state::{ChatState, Connection, Note, plural},
};

/// Within this many pixels of the bottom counts as reading the newest messages.
const STICK_PX: i32 = 48;
/// Older history is asked for when the user scrolls this close to the top.
const LOAD_PX: i32 = 120;
const LIST_ID: &str = "messages";

fn list() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(LIST_ID)
}

fn at_bottom(el: &web_sys::Element) -> bool {
    el.scroll_height() - el.scroll_top() - el.client_height() <= STICK_PX
}

/// The room's messages, oldest first, then the user's own still-pending ones. New
/// messages scroll into view only for a user already at the bottom; one reading older
/// messages keeps their place and gets a "new messages" button instead. Scrolling to the
/// top loads the page before, keeping what is on screen where it was. Only the rows near
/// the view are in the page ([`use_virtual_window`]), so a room with thousands of loaded
/// messages stays light.
#[component]
pub fn MessageList(
    chat: Chat,
    replying: Signal<Option<String>>,
    editing: Signal<Option<String>>,
    jump_to: Signal<Option<(String, u64)>>,
) -> Element {
    let state = chat.state;
    let mut window = use_virtual_window();
    let mut follow = use_follow_newest(state, window);
    use_jump_to_hit(chat.link.clone(), state, jump_to, window, follow);
    let link = chat.link.clone();
    let on_scroll = move |_| {
        if let Some(el) = list() {
            window.follow(&el);
            follow.scrolled(&el, &state.peek(), &link);
        }
    };
    let (shown, rows, trailing, pending, empty, ephemerals) = {
        let state = state.read();
        let shown = window.rows(&state.messages);
        let at_end = shown.end == state.messages.len();
        (
            shown,
            state.rows(shown.start, shown.end),
            if at_end {
                state.trailing_notes()
            } else {
                Vec::new()
            },
            state.pending.clone(),
            // Nothing said yet (and nothing older to load): the room says so.
            state.messages.is_empty()
                && state.pending.is_empty()
                && state.ephemerals.is_empty()
                && !state.has_more
                && state.connection == Connection::Connected,
            state.ephemerals.clone(),
        )
    };
    rsx! {
        div { class: "message-pane",
            ol { id: LIST_ID, class: "messages", tabindex: "0",
                aria_label: "Messages: use the arrow keys to move between them",
                onscroll: on_scroll,
                onkeydown: move |e: KeyboardEvent| if move_focus(&e.key()) {
                    e.prevent_default();
                },
                // A resize (a phone rotating, the keyboard opening) keeps the newest in view.
                onresize: move |_| if let Some(el) = list() {
                    if *follow.stick.peek() {
                        el.set_scroll_top(el.scroll_height());
                    }
                    window.follow(&el);
                },
                li { class: "spacer", aria_hidden: "true", style: "height: {shown.top}px" }
                if empty {
                    li { class: "empty-room",
                        strong { "Nothing here yet." }
                        " Write the first message below."
                    }
                }
                for row in rows {
                    Fragment { key: "{row.message.message_id}",
                        for note in row.notes {
                            NoteLine { key: "n{note.seq}", note }
                        }
                        if row.new_line {
                            li { class: "new-marker", "New messages" }
                        }
                        MessageRow { state, chat: chat.clone(), replying, editing,
                            continued: row.continued, read_by: row.read_by,
                            on_height: {
                                let id = row.message.message_id.clone();
                                move |height: f64| window.measure(&id, height)
                            },
                            message: row.message,
                        }
                    }
                }
                for note in trailing {
                    NoteLine { key: "n{note.seq}", note }
                }
                li { class: "spacer", aria_hidden: "true", style: "height: {shown.bottom}px" }
                for pending in pending {
                    li { key: "{pending.client_msg_id}", class: "message pending",
                        span { class: "author", "…" }
                        span { class: "text", "{pending.text}" }
                    }
                }
                for (at, answer) in ephemerals.into_iter().enumerate() {
                    li { key: "e{at}", class: "message ephemeral",
                        span { class: "avatar bot", aria_hidden: "true", "🤖" }
                        div { class: "body",
                            div { class: "meta",
                                span { class: "author bot-author", bdi { "{answer.username}" } }
                                span { class: "bot-mark", "BOT" }
                                span { class: "only-you", "Only visible to you" }
                                button { r#type: "button", class: "link dismiss",
                                    onclick: move |_| { let mut state = state; state.write().dismiss_ephemeral(at); },
                                    "Dismiss" }
                            }
                            div { class: "text", dir: "auto", RichText { text: answer.text.clone(), me: String::new() } }
                        }
                    }
                }
            }
            if (follow.unseen)() > 0 {
                button { r#type: "button", class: "new-messages", onclick: move |_| follow.jump_to_newest(),
                    {plural((follow.unseen)() as u64, "new message", "new messages")} " ↓" }
            }
        }
    }
}

/// A quiet line of the timeline: a join, a leave, a moderator's action.
#[component]
fn NoteLine(note: Note) -> Element {
    let text = match note.until {
        Some(until) => format!("{} until {}", note.text, moment(until)),
        None => note.text,
    };
    rsx! {
        li { class: "note", "{text}" }
    }
}

/// Whether the list follows the newest messages, how many arrived unseen while it did
/// not, and the older page asked for (the list's height then, and when).
#[derive(Clone, Copy)]
struct Follow {
    stick: Signal<bool>,
    unseen: Signal<usize>,
    anchor: Signal<Option<(i32, f64)>>,
}

impl Follow {
    /// The user scrolled: follow again at the bottom; near the top, ask for the page
    /// before (one at a time; one unanswered for 10 s, a dropped socket, may be asked
    /// again).
    fn scrolled(&mut self, el: &web_sys::Element, state: &ChatState, link: &Link) {
        let bottom = at_bottom(el);
        self.stick.set(bottom);
        if bottom {
            self.unseen.set(0);
        }
        let now = js_sys::Date::now();
        let waiting = self
            .anchor
            .peek()
            .is_some_and(|(_, at)| now - at < 10_000.0);
        if el.scroll_top() < LOAD_PX
            && state.has_more
            && !waiting
            && let Some(oldest) = state.messages.first()
            && link
                .send(&ClientMsg::LoadHistory {
                    before_seq: oldest.seq,
                    limit: Some(50),
                })
                .is_ok()
        {
            self.anchor.set(Some((el.scroll_height(), now)));
        }
    }

    /// Back to the newest, from the "new messages" button; the list takes the focus.
    fn jump_to_newest(&mut self) {
        if let Some(el) = list() {
            el.set_scroll_top(el.scroll_height());
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
        self.unseen.set(0);
        self.stick.set(true);
    }
}

/// Keeps the newest in view for a user at the bottom (or who just sent), counts what a
/// user reading older messages has not seen, and holds the view still when an older
/// page goes in above.
fn use_follow_newest(state: Signal<ChatState>, window: VirtualWindow) -> Follow {
    let mut follow = Follow {
        stick: use_signal(|| true),
        unseen: use_signal(|| 0),
        anchor: use_signal(|| None),
    };
    let mut shown = use_signal(|| (0usize, 0u64, 0usize, 0u64));
    let (count, newest, own, oldest, shape) = {
        let state = state.read();
        let messages = &state.messages;
        (
            messages.len() + state.pending.len(),
            messages.last().map_or(0, |m| m.seq),
            state.pending.len(),
            messages.first().map_or(0, |m| m.seq),
            // Rows that grow in place (a reaction, an edit) also push the bottom down.
            messages
                .iter()
                .map(|m| m.reactions.len() + m.text.len() + usize::from(m.deleted))
                .sum::<usize>(),
        )
    };
    let measured = window.measured();
    use_effect(use_reactive!(|(
        count,
        newest,
        own,
        oldest,
        shape,
        measured,
    )| {
        let _ = (shape, measured);
        let Some(el) = list() else {
            return;
        };
        let (before_count, before_newest, before_own, before_oldest) = *shown.peek();
        shown.set((count, newest, own, oldest));
        if own > before_own {
            // The user just sent something: show it, wherever they were.
            follow.stick.set(true);
            follow.unseen.set(0);
        }
        let anchored = *follow.anchor.peek();
        if let Some((height, _)) = anchored
            && before_oldest > 0
            && oldest < before_oldest
        {
            // Older messages went in above: keep the same message under the eyes.
            follow.anchor.set(None);
            el.set_scroll_top(el.scroll_top() + el.scroll_height() - height);
            return;
        }
        if *follow.stick.peek() || before_count == 0 {
            el.set_scroll_top(el.scroll_height());
        } else if newest > before_newest {
            follow.unseen += count.saturating_sub(before_count);
        }
    }));
    follow
}

/// A search hit: scrolls to it once loaded; until then pages back from the oldest
/// loaded message (never leaving a gap in the history).
fn use_jump_to_hit(
    link: Link,
    state: Signal<ChatState>,
    mut jump_to: Signal<Option<(String, u64)>>,
    mut window: VirtualWindow,
    mut follow: Follow,
) {
    let mut asked = use_signal(|| None::<u64>);
    use_effect(move || {
        let Some((id, seq)) = jump_to() else {
            return;
        };
        window.track();
        let found = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!(".message[data-id=\"{id}\"]"))
                    .ok()
            })
            .flatten();
        if let Some(el) = found {
            el.scroll_into_view();
            let _ = el.class_list().add_1("flash");
            follow.stick.set(false);
            jump_to.set(None);
            asked.set(None);
            return;
        }
        let state = state.read();
        if let Some(index) = state.messages.iter().position(|m| m.message_id == id) {
            // Loaded but outside the rendered window: scroll to where it is.
            if let Some(el) = list() {
                follow.stick.set(false);
                el.set_scroll_top(window.offset_of(&state.messages, index) as i32);
                window.follow(&el);
            }
            return;
        }
        match state.messages.first().map(|m| m.seq) {
            // Not in this room's history (deleted, or not loadable): give up.
            Some(oldest) if oldest <= seq || !state.has_more => {
                jump_to.set(None);
                asked.set(None);
            }
            Some(oldest)
                if *asked.peek() != Some(oldest)
                    && link
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
    });
}

/// Moves the keyboard focus between the rows in the page: ↑ and ↓ to the row before or
/// after the focused one (from the list itself, the newest), Home and End to the ends.
/// Returns whether the key was one of those. Keys typed in a box inside a row (an
/// edit) are the box's.
fn move_focus(key: &Key) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let active = document.active_element();
    if active
        .as_ref()
        .is_some_and(|e| matches!(e.tag_name().as_str(), "TEXTAREA" | "INPUT"))
    {
        return false;
    }
    let Ok(rows) = document.query_selector_all(&format!("#{LIST_ID} > .message[data-id]")) else {
        return false;
    };
    let count = rows.length();
    if count == 0 {
        return false;
    }
    let here = active.and_then(|e| e.closest(".message").ok().flatten());
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
