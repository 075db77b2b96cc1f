use dioxus::prelude::*;
use edgechat_core::emoji::QUICK_REACTIONS;
use edgechat_protocol::{ClientMsg, LinkPreview, Message, Reaction};

use super::{
    attachment::AttachmentView, avatar::Avatar, profile_card::ProfileOpen, rich_text::RichText,
};
use crate::{clock::clock, hooks::Chat, state::ChatState};

/// One message: who and when, what it answers, its text (always as text), attachments,
/// reactions, and the actions the user may take on it (shown on hover or focus).
#[component]
pub fn MessageRow(
    message: Message,
    state: Signal<ChatState>,
    chat: Chat,
    replying: Signal<Option<String>>,
    editing: Signal<Option<String>>,
    /// Under the name of the message before it (the same person, moments later): no
    /// avatar or name of its own.
    continued: bool,
    /// How many have read it, when "Read by" goes under this message (0: it does not).
    read_by: usize,
    /// Hears the row's height whenever it changes, for the virtualised list.
    on_height: EventHandler<f64>,
) -> Element {
    let card = use_context::<ProfileOpen>();
    let (me, moderates, my_handle) = {
        let state = state.read();
        // Mentions name account names: the user's is how one names them.
        let handle = state
            .users
            .get(&state.me)
            .map(|u| u.handle.clone())
            .unwrap_or_default();
        (state.me.clone(), state.moderates(), handle)
    };
    let own = message.user_id == me;
    let id = message.message_id.clone();
    let time = clock(message.timestamp);
    let quoted = message.reply_to.as_ref().map(|reply_to| {
        state
            .read()
            .message(reply_to)
            .map(|m| (m.username.clone(), excerpt(&m.text, m.deleted)))
            .unwrap_or_else(|| (String::new(), "an earlier message".to_owned()))
    });
    let is_editing = editing.read().as_deref() == Some(id.as_str());
    let class = match (message.pinned, own) {
        (true, _) => "message pinned",
        (false, true) => "message own",
        (false, false) => "message",
    };
    let class = if continued {
        format!("{class} continued")
    } else {
        class.to_owned()
    };
    rsx! {
        // Not a tab stop of its own: the list is one, and arrow keys move between rows.
        li { class, "data-seq": "{message.seq}", "data-id": "{id}", tabindex: "-1",
            onresize: move |e: ResizeEvent| {
                // A hidden room (a phone showing the room list) measures 0: keep the last
                // real height.
                if let Ok(size) = e.get_border_box_size()
                    && size.height > 0.0
                {
                    on_height.call(size.height);
                }
            },
            if continued {
                // The time where the avatar would be, shown on hover and focus.
                time { class: "time gutter", "{time}" }
            } else if let Some(bot) = &message.bot {
                // A program has no profile: its emoji, or a robot, in place of a face.
                span { class: "avatar bot", aria_hidden: "true",
                    {bot.emoji.clone().unwrap_or_else(|| "🤖".to_owned())} }
            } else {
                button { r#type: "button", class: "avatar-button", tabindex: "-1", aria_hidden: "true",
                    onclick: { let id = message.user_id.clone(); move |_| card.show(&id) },
                    Avatar { user_id: message.user_id.clone(), name: message.username.clone() }
                }
            }
            div { class: "body",
                if !continued || message.pinned {
                    div { class: "meta",
                        if !continued && message.bot.is_some() {
                            // The mark follows whatever label the program chose, so a
                            // program cannot pass for a person.
                            span { class: "author bot-author", bdi { "{message.username}" } }
                            span { class: "bot-mark", title: "Posted by a program through an incoming hook", "BOT" }
                            time { class: "time", "{time}" }
                        } else if !continued {
                            // Isolated, so a name in another script cannot reorder the time.
                            button { r#type: "button", class: "author", tabindex: "-1", title: "Profile of {message.username}",
                                onclick: { let id = message.user_id.clone(); move |_| card.show(&id) },
                                bdi { "{message.username}" } }
                            time { class: "time", "{time}" }
                        }
                        if message.pinned {
                            span { class: "pin-mark", title: "Pinned", "📌 Pinned" }
                        }
                    }
                }
                if let Some((author, text)) = quoted {
                    p { class: "reply-preview", "↪ " strong { bdi { "{author}" } } " " bdi { "{text}" } }
                }
                if message.deleted {
                    span { class: "text deleted", "message deleted" }
                } else if is_editing {
                    EditBox { id: id.clone(), text: message.text.clone(), chat: chat.clone(), editing }
                } else {
                    // Its own direction, isolated: a right-to-left override in one
                    // message cannot reorder the page around it.
                    div { class: "text", dir: "auto", RichText { text: message.text.clone(), me: my_handle.clone() } }
                }
                if message.edited_at.is_some() && !message.deleted {
                    span { class: "edited", "(edited)" }
                }
                if !message.attachments.is_empty() {
                    div { class: "attachments",
                        for attachment in message.attachments.iter() {
                            AttachmentView { key: "{attachment.file_id}", attachment: attachment.clone() }
                        }
                    }
                }
                if let Some(preview) = message.preview.as_deref().cloned().filter(|_| !message.deleted) {
                    PreviewCard { preview, removable: own, on_remove: {
                        let id = id.clone();
                        let chat = chat.clone();
                        move |_| chat.act(ClientMsg::RemovePreview { message_id: id.clone() })
                    } }
                }
                if !message.reactions.is_empty() {
                    {reactions(&id, &message.reactions, &chat)}
                }
                if read_by > 0 {
                    span { class: "read-by", "Read by {read_by}" }
                }
            }
            if !message.deleted {
                MessageActions { message_id: id.clone(), pinned: message.pinned, own, moderates, chat, replying, editing }
            }
        }
    }
}

/// A message's reactions: each emoji with its count, pressed when the user's own;
/// its tooltip names who reacted.
fn reactions(message_id: &str, reactions: &[Reaction], chat: &Chat) -> Element {
    let state = chat.state.read();
    rsx! {
        div { class: "reactions",
            for reaction in reactions {
                {
                    let mine = reaction.user_ids.contains(&state.me);
                    let (id, emoji, chat) = (message_id.to_owned(), reaction.emoji.clone(), chat.clone());
                    rsx! {
                        button { key: "{reaction.emoji}", r#type: "button", class: "reaction", tabindex: "-1",
                            aria_pressed: "{mine}", title: state.reactors(reaction),
                            onclick: move |_| chat.act(if mine {
                                ClientMsg::RemoveReaction { message_id: id.clone(), emoji: emoji.clone() }
                            } else {
                                ClientMsg::AddReaction { message_id: id.clone(), emoji: emoji.clone() }
                            }),
                            "{reaction.emoji} {reaction.count}"
                        }
                    }
                }
            }
        }
    }
}

/// What the user may do to a message, shown on hover or focus: reply, react, edit their
/// own, delete (asked twice), pin for moderators.
#[component]
fn MessageActions(
    message_id: String,
    pinned: bool,
    own: bool,
    moderates: bool,
    chat: Chat,
    replying: Signal<Option<String>>,
    editing: Signal<Option<String>>,
) -> Element {
    let mut picking = use_signal(|| false);
    let mut confirm_delete = use_signal(|| false);
    let id = message_id;
    let act = {
        let chat = chat.clone();
        move |msg: ClientMsg| chat.act(msg)
    };
    rsx! {
        div { class: "actions", role: "toolbar", aria_label: "Message actions",
            button { r#type: "button", class: "reply", title: "Reply", aria_label: "Reply",
                onclick: { let id = id.clone(); move |_| {
                    replying.set(Some(id.clone()));
                    crate::focus::focus_soon("message-input");
                } }, "↩" }
            button { r#type: "button", class: "react", title: "React", aria_label: "Add a reaction", aria_expanded: "{picking}",
                onclick: move |_| picking.toggle(), "☺" }
            if own {
                button { r#type: "button", class: "edit", title: "Edit", aria_label: "Edit",
                    onclick: { let id = id.clone(); move |_| editing.set(Some(id.clone())) }, "✎" }
            }
            if own || moderates {
                button { r#type: "button", class: "delete",
                    title: if confirm_delete() { "Click again to delete" } else { "Delete" },
                    aria_label: if confirm_delete() { "Confirm delete" } else { "Delete" },
                    onblur: move |_| confirm_delete.set(false),
                    onclick: { let id = id.clone(); move |_| {
                        if confirm_delete() {
                            chat.delete_message(id.clone());
                        } else {
                            confirm_delete.set(true);
                        }
                    } },
                    if confirm_delete() { "Delete?" } else { "🗑" }
                }
            }
            if moderates {
                button { r#type: "button", class: "pin",
                    title: if pinned { "Unpin" } else { "Pin" },
                    aria_label: if pinned { "Unpin" } else { "Pin" },
                    onclick: { let id = id.clone(); let act = act.clone(); move |_| act(if pinned {
                        ClientMsg::UnpinMessage { message_id: id.clone() }
                    } else {
                        ClientMsg::PinMessage { message_id: id.clone() }
                    }) },
                    "📌"
                }
            }
        }
        if picking() {
            div { class: "picker", role: "menu", aria_label: "Add a reaction",
                for emoji in QUICK_REACTIONS.iter() {
                    button { key: "{emoji}", r#type: "button", role: "menuitem", class: "pick",
                        onclick: { let id = id.clone(); let act = act.clone(); move |_| {
                            act(ClientMsg::AddReaction { message_id: id.clone(), emoji: emoji.to_string() });
                            picking.set(false);
                        } },
                        "{emoji}"
                    }
                }
            }
        }
    }
}

/// The card for a message's first link: every field as text; the image is the copy
/// the server stored, loaded from this origin. Its author may take it off.
#[component]
fn PreviewCard(preview: LinkPreview, removable: bool, on_remove: EventHandler<()>) -> Element {
    let title = preview.title.clone().unwrap_or_else(|| preview.url.clone());
    let host = crate::markdown::host_of(&preview.url).to_owned();
    rsx! {
        div { class: "link-preview",
            if let Some(image) = &preview.image {
                img { class: "preview-image", alt: "", loading: "lazy",
                    width: image.width.map(|w| w.to_string()), height: image.height.map(|h| h.to_string()),
                    src: "/api/files/{image.file_id}" }
            }
            div { class: "preview-text",
                // The site's name is what the page says of itself; the host is where
                // the link really goes, always shown, so a page cannot pass for another.
                span { class: "preview-site",
                    if let Some(site) = preview.site_name.as_ref().filter(|site| **site != host) {
                        "{site} · "
                    }
                    span { class: "preview-host", "{host}" }
                }
                a { class: "preview-title", href: "{preview.url}", target: "_blank", rel: "noopener noreferrer nofollow",
                    bdi { "{title}" } }
                if let Some(description) = &preview.description {
                    p { class: "preview-description", dir: "auto", "{description}" }
                }
            }
            if removable {
                button { r#type: "button", class: "remove-preview", title: "Remove preview",
                    aria_label: "Remove preview", onclick: move |_| on_remove.call(()), "×" }
            }
        }
    }
}

/// Edits a message in a box that behaves as the composer does: Enter saves, Shift+Enter
/// starts a new line, Esc cancels, so a message of several lines keeps them.
#[component]
fn EditBox(id: String, text: String, chat: Chat, editing: Signal<Option<String>>) -> Element {
    let mut draft = use_signal(|| text.clone());
    let save = use_callback(move |()| {
        let new_text = draft().trim().to_owned();
        if !new_text.is_empty() && new_text != text {
            chat.edit_message(id.clone(), new_text);
        }
        editing.set(None);
    });
    let rows = draft.read().lines().count().clamp(1, 8);
    crate::focus::use_edit_focus("edit-input");
    rsx! {
        form { class: "edit-box",
            onsubmit: move |event: FormEvent| {
                event.prevent_default();
                save(());
            },
            label { class: "visually-hidden", r#for: "edit-input", "Edit message" }
            textarea { id: "edit-input", rows: "{rows}", value: "{draft}",
                oninput: move |e| draft.set(e.value()),
                onkeydown: move |e| {
                    if e.key() == Key::Escape {
                        editing.set(None);
                    } else if e.key() == Key::Enter && !e.modifiers().shift() && !e.is_composing() {
                        e.prevent_default();
                        save(());
                    }
                } }
            button { r#type: "submit", class: "save", "Save" }
            p { class: "edit-hint", "Enter to save · Shift+Enter for a new line · Esc to cancel" }
        }
    }
}

/// The first line of a quoted message, shortened.
fn excerpt(text: &str, deleted: bool) -> String {
    if deleted {
        return "a deleted message".to_owned();
    }
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}
