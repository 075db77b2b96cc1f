use dioxus::prelude::*;
use edgechat_protocol::Attachment;

use super::emoji_picker::EmojiPicker;
use crate::{
    focus,
    hooks::{Chat, use_typing_indicator},
    mention,
    session::Auth,
    stored, transfer,
    uploads::Staging,
};

/// Puts the caret back in the message box (after a pick from a list beside it).
fn focus_composer() {
    focus::focus("message-input");
}

/// The box to write in. Enter sends and Shift+Enter starts a new line; ↑ in an empty box
/// edits the user's last message. Files chosen with the attach button upload at once,
/// with a progress bar each, and go with the next message. Offline, a message waits in
/// the outbox and goes when the connection is back.
#[component]
pub fn MessageInput(
    chat: Chat,
    auth: Signal<Auth>,
    replying: Signal<Option<String>>,
    editing: Signal<Option<String>>,
    /// The room as its header names it: the placeholder says "Message" and this.
    title: String,
) -> Element {
    let mut state = chat.state;
    let room = chat.room.clone();
    // The draft is the room's own, kept across reloads and room switches.
    let mut draft = use_signal(|| stored::draft(&state.peek().me, &room));
    let mut keep = move |text: String| {
        let state = state.peek();
        stored::save_draft(&state.me, &state.room, &text);
        draft.set(text);
    };
    let mut staging = use_signal(Staging::default);
    let typing = use_typing_indicator(chat.link.clone(), room.clone());
    let mut typing_on_send = typing.clone();
    let mut typing_on_input = typing;
    let upload_room = room.clone();
    let sender = chat.clone();
    // A send the server refused comes back into the box (unless the user is typing).
    use_effect(move || {
        // Read to subscribe; taken only when there is something to take. Each guard
        // ends with its statement: `keep` reads the state again.
        if state.read().returned.is_none() {
            return;
        }
        let returned = state.write().take_returned();
        if let Some(pending) = returned
            && draft.peek().is_empty()
        {
            keep(pending.text);
        }
    });
    let send = move || {
        let text = draft().trim().to_owned();
        if staging.peek().busy() {
            state.write().report("Wait for the uploads to finish.");
            return;
        }
        let ready = staging.peek().files.iter().any(|f| f.attachment.is_some());
        if text.is_empty() && !ready {
            return;
        }
        let attachments = staging.write().take_ready();
        sender.send_message(text, attachments, replying.peek().clone());
        keep(String::new());
        replying.set(None);
        typing_on_send.sent();
    };
    let mut send_on_enter = send.clone();
    let mut send_on_submit = send;
    // `@` autocompletes from the members loaded: the suggestion picked writes the account
    // name, which the server matches. Esc closes the list until the draft changes.
    let mut picked = use_signal(|| 0usize);
    let mut closed_for = use_signal(|| None::<String>);
    let suggestions = {
        let draft = draft.read();
        let state = state.read();
        match mention::typing_mention(&draft) {
            Some(partial) if closed_for.read().as_deref() != Some(draft.as_str()) => {
                mention::suggestions(state.users.values(), &state.me, partial, 6)
            }
            _ => Vec::new(),
        }
    };
    let mut choose = move |handle: &str| {
        let completed = mention::complete(&draft.peek(), handle);
        keep(completed);
        picked.set(0);
        focus_composer();
    };
    let offered = suggestions.clone();
    let on_input = move |e: FormEvent| {
        let value = e.value();
        typing_on_input.edited(&value);
        keep(value);
        picked.set(0);
    };
    let on_key = move |e: KeyboardEvent| {
        if !offered.is_empty() && !e.is_composing() {
            let last = offered.len() - 1;
            let at = (*picked.peek()).min(last);
            match e.key() {
                Key::ArrowDown => picked.set(if at == last { 0 } else { at + 1 }),
                Key::ArrowUp => picked.set(if at == 0 { last } else { at - 1 }),
                Key::Enter | Key::Tab if !e.modifiers().shift() => choose(&offered[at].handle),
                Key::Escape => closed_for.set(Some(draft.peek().clone())),
                _ => return,
            }
            e.prevent_default();
            return;
        }
        if e.key() == Key::Escape && replying.peek().is_some() {
            e.prevent_default();
            replying.set(None);
        } else if e.key() == Key::Enter && !e.modifiers().shift() && !e.is_composing() {
            e.prevent_default();
            send_on_enter();
        } else if e.key() == Key::ArrowUp && draft.peek().is_empty() {
            let last_own = state.peek().last_own_message().map(str::to_owned);
            if let Some(id) = last_own {
                e.prevent_default();
                editing.set(Some(id));
            }
        }
    };
    // Files from the button, a drop or a paste all start uploading at once.
    let start = move |files: Vec<web_sys::File>| {
        let Some(token) = auth.peek().token() else {
            return;
        };
        for file in files {
            let local_id = staging.write().add(&file.name(), file.size() as u64);
            let (room, token) = (upload_room.clone(), token.clone());
            spawn(async move {
                match upload(&room, &token, &file, local_id, staging).await {
                    Ok(attachment) => staging.write().stored(local_id, attachment),
                    Err(message) => staging.write().failed(local_id, message),
                }
            });
        }
    };
    let mut from_button = start.clone();
    let mut from_drop = start.clone();
    let mut from_paste = start;
    let attach = move |_| from_button(transfer::chosen_files("file-input"));
    let mut dragging = use_signal(|| false);
    let mut picking = use_signal(|| false);
    let files = staging.read().files.clone();
    let replying_to = replying
        .read()
        .as_ref()
        .and_then(|id| state.read().message(id).map(|m| m.username.clone()));
    let rows = draft.read().lines().count().clamp(1, 8);
    // A room that is missing, closed to the user or closed for good takes nothing.
    let closed = !state.read().connection.takes_messages();
    rsx! {
        if let Some(author) = replying_to {
            p { class: "replying", "Replying to " strong { "{author}" }
                button { r#type: "button", class: "link", aria_label: "Cancel the reply",
                    onclick: move |_| {
                        replying.set(None);
                        focus_composer();
                    }, "✕" }
            }
        }
        if !files.is_empty() {
            ul { class: "tray", aria_label: "Attachments",
                for file in files {
                    li { key: "{file.local_id}", class: if file.error.is_some() { "staged failed" } else { "staged" },
                        span { class: "file-name", "{file.name}" }
                        if let Some(error) = file.error.clone() {
                            span { class: "error", role: "alert", "{error}" }
                        } else {
                            progress { class: "upload-progress", max: 100, value: "{file.percent()}",
                                aria_label: "Uploading {file.name}" }
                        }
                        button { r#type: "button", class: "link remove", aria_label: "Remove {file.name}",
                            onclick: move |_| staging.write().remove(file.local_id), "✕" }
                    }
                }
            }
        }
        form { class: if dragging() { "composer dragging" } else { "composer" },
            onsubmit: move |e: FormEvent| { e.prevent_default(); send_on_submit(); },
            ondragover: move |e: DragEvent| { e.prevent_default(); dragging.set(true); },
            ondragleave: move |_| dragging.set(false),
            ondrop: move |e: DragEvent| {
                e.prevent_default();
                dragging.set(false);
                from_drop(transfer::dropped_files(&e));
            },
            input { id: "file-input", r#type: "file", multiple: true, class: "visually-hidden",
                onchange: attach }
            label { r#for: "file-input", class: "attach", title: "Attach files", "📎"
                span { class: "visually-hidden", "Attach files" } }
            if !suggestions.is_empty() {
                ul { id: "mention-suggestions", class: "mention-suggestions", role: "listbox",
                    aria_label: "Members to mention",
                    for (i, suggestion) in suggestions.into_iter().enumerate() {
                        li { key: "{suggestion.handle}", role: "option",
                            aria_selected: "{i == picked()}",
                            button { r#type: "button", tabindex: "-1",
                                // Before the box loses focus to the click.
                                onmousedown: move |e: MouseEvent| e.prevent_default(),
                                onclick: {
                                    let handle = suggestion.handle.clone();
                                    let mut choose = choose;
                                    move |_| choose(&handle)
                                },
                                span { class: "name", "{suggestion.name}" }
                                span { class: "handle", "@{suggestion.handle}" }
                            }
                        }
                    }
                }
            }
            label { class: "visually-hidden", r#for: "message-input", "Message" }
            textarea { id: "message-input", placeholder: "Message {title}", rows: "{rows}", disabled: closed,
                value: "{draft}", oninput: on_input, onkeydown: on_key,
                onpaste: move |e: ClipboardEvent| {
                    let files = transfer::pasted_files(&e);
                    if !files.is_empty() {
                        e.prevent_default();
                        from_paste(files);
                    }
                } }
            button { id: "emoji", r#type: "button", class: "emoji-button", title: "Emoji", aria_label: "Insert an emoji",
                aria_expanded: "{picking}",
                onclick: move |_| {
                    picking.toggle();
                    if picking() {
                        focus::focus_soon("emoji-search");
                    }
                },
                // Drawn in the text colour: visible in both themes, with or without a
                // colour emoji font.
                svg { view_box: "0 0 24 24", width: "20", height: "20", fill: "none", stroke: "currentColor",
                    stroke_width: "2", stroke_linecap: "round", "aria-hidden": "true",
                    circle { cx: "12", cy: "12", r: "9.5" }
                    path { d: "M8 14.5s1.5 2 4 2 4-2 4-2" }
                    path { d: "M9 9.5h.01M15 9.5h.01" }
                }
            }
            if picking() {
                EmojiPicker {
                    on_pick: move |emoji: String| {
                        keep(format!("{}{emoji}", draft.peek()));
                        picking.set(false);
                        focus_composer();
                    },
                    on_close: move |_| {
                        picking.set(false);
                        focus_composer();
                    },
                }
            }
            button { id: "send", r#type: "submit", disabled: closed, "Send" }
        }
    }
}

/// Uploads `file` with a progress bar, then, for an image, its thumbnail.
async fn upload(
    room: &str,
    token: &str,
    file: &web_sys::File,
    local_id: u32,
    mut staging: Signal<Staging>,
) -> Result<Attachment, String> {
    let url = format!("/api/rooms/{room}/files");
    let answer = transfer::send("POST", &url, token, file, Some(&file.name()), move |sent| {
        staging.write().progress(local_id, sent)
    })
    .await?;
    let mut attachment: Attachment =
        serde_json::from_value(answer).map_err(|e| format!("unexpected answer: {e}"))?;
    if attachment.content_type.starts_with("image/")
        && let Some(thumbnail) = transfer::thumbnail(file).await
    {
        let url = format!("{url}?thumbnailOf={}", attachment.file_id);
        // Without a thumbnail the image still sends; it just shows as a file when large.
        if let Ok(answer) = transfer::send(
            "POST",
            &url,
            token,
            &thumbnail,
            Some("thumbnail.webp"),
            |_| {},
        )
        .await
            && let Some(id) = answer["fileId"].as_str()
        {
            attachment.thumbnail_id = Some(id.to_owned());
        }
    }
    Ok(attachment)
}
