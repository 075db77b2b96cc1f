use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use super::emoji_picker::EmojiPicker;
use crate::{
    commands::{self, Builtin, Offer},
    focus,
    hooks::{Chat, Uploads, use_typing_indicator, use_uploads},
    mention::{self, Suggestion},
    session::Auth,
    state::ChatState,
    stored, transfer,
};

/// Puts the caret back in the message box (after a pick from a list beside it).
fn focus_composer() {
    focus::focus("message-input");
}

/// The room's draft, kept across reloads and room switches.
#[derive(Clone, Copy)]
struct Draft {
    text: Signal<String>,
    state: Signal<ChatState>,
}

impl Draft {
    fn keep(&mut self, text: String) {
        let state = self.state.peek();
        stored::save_draft(&state.me, &state.room, &text);
        self.text.set(text);
    }
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
    let mut draft = Draft {
        text: use_signal(|| stored::draft(&state.peek().me, &chat.room)),
        state,
    };
    let mut uploads = use_uploads(auth, &chat.room);
    let mut typing = use_typing_indicator(chat.link.clone(), chat.room.clone());
    let mut typing_on_send = typing.clone();
    // A send the server refused comes back into the box (unless the user is typing).
    use_effect(move || {
        // Read to subscribe; taken only when there is something to take.
        if state.read().returned.is_none() {
            return;
        }
        let returned = state.write().take_returned();
        if let Some(pending) = returned
            && draft.text.peek().is_empty()
        {
            draft.keep(pending.text);
        }
    });
    // The room's own commands, for the `/` list and `/help`: read again each time a
    // draft starts with `/`, so one an admin just made is offered.
    let registered = use_signal(Vec::<(String, String)>::new);
    let room_for_commands = chat.room.clone();
    let refresh_commands = use_callback(move |()| {
        let Some(token) = auth.peek().token() else {
            return;
        };
        let (room, mut registered) = (room_for_commands.clone(), registered);
        spawn(async move {
            if let Ok(listed) = crate::api::commands(&token, &room).await {
                registered.set(listed);
            }
        });
    });
    let send = use_callback(move |()| {
        let text = (draft.text)().trim().to_owned();
        if uploads.busy() {
            state.write().report("Wait for the uploads to finish.");
            return;
        }
        if text.is_empty() && !uploads.ready() {
            return;
        }
        // `/shrug`, `/mute @bob 10m`…: an action the room already has.
        if !uploads.ready()
            && let Some(parsed) = commands::builtin(&text)
        {
            match parsed {
                Ok(builtin) => {
                    let registered = registered.peek().clone();
                    run_builtin(builtin, &chat, auth, &registered, replying.peek().clone());
                }
                // The draft stays, to be put right.
                Err(why) => {
                    state.write().report(why);
                    return;
                }
            }
        } else if let Some((command, rest)) = edgechat_protocol::text::command(&text)
            && !uploads.ready()
        {
            // `/deploy prod`: the room's command, whose program answers (with nothing
            // attached: a command takes text only).
            chat.act(ClientMsg::RunCommand {
                room_id: chat.room.clone(),
                command: command.to_owned(),
                text: rest.to_owned(),
            });
        } else {
            chat.send_message(text, uploads.take_ready(), replying.peek().clone());
        }
        draft.keep(String::new());
        replying.set(None);
        typing_on_send.sent();
    });
    let mut mentions = use_mentions(draft);
    let suggestions = mentions.offered(&state.read());
    let offered = suggestions.clone();
    let mut slash = use_commands(draft, registered);
    let commands_offered = slash.offered(state.read().your_role);
    let command_keys = commands_offered.clone();
    let on_key = move |e: KeyboardEvent| {
        if mentions.key(&e, &offered) || slash.key(&e, &command_keys) {
            e.prevent_default();
        } else if e.key() == Key::Escape && replying.peek().is_some() {
            e.prevent_default();
            replying.set(None);
        } else if e.key() == Key::Enter && !e.modifiers().shift() && !e.is_composing() {
            e.prevent_default();
            send(());
        } else if e.key() == Key::ArrowUp && draft.text.peek().is_empty() {
            let last_own = state.peek().last_own_message().map(str::to_owned);
            if let Some(id) = last_own {
                e.prevent_default();
                editing.set(Some(id));
            }
        }
    };
    let mut dragging = use_signal(|| false);
    let rows = draft.text.read().lines().count().clamp(1, 8);
    // A room that is missing, closed to the user or closed for good takes nothing.
    let closed = !state.read().connection.takes_messages();
    rsx! {
        {reply_banner(state, replying)}
        {attachment_tray(uploads)}
        form { class: if dragging() { "composer dragging" } else { "composer" },
            onsubmit: move |e: FormEvent| { e.prevent_default(); send(()); },
            ondragover: move |e: DragEvent| { e.prevent_default(); dragging.set(true); },
            ondragleave: move |_| dragging.set(false),
            ondrop: move |e: DragEvent| {
                e.prevent_default();
                dragging.set(false);
                uploads.start(transfer::dropped_files(&e));
            },
            input { id: "file-input", r#type: "file", multiple: true, class: "visually-hidden",
                onchange: move |_| uploads.start(transfer::chosen_files("file-input")) }
            label { r#for: "file-input", class: "attach", title: "Attach files", "📎"
                span { class: "visually-hidden", "Attach files" } }
            {mention_list(suggestions, mentions)}
            {command_list(commands_offered, slash)}
            label { class: "visually-hidden", r#for: "message-input", "Message" }
            textarea { id: "message-input", placeholder: "Message {title}", rows: "{rows}", disabled: closed,
                value: "{draft.text}", onkeydown: on_key,
                oninput: move |e: FormEvent| {
                    let value = e.value();
                    typing.edited(&value);
                    if value == "/" {
                        refresh_commands(());
                    }
                    draft.keep(value);
                    mentions.picked.set(0);
                    slash.picked.set(0);
                },
                onpaste: move |e: ClipboardEvent| {
                    let files = transfer::pasted_files(&e);
                    if !files.is_empty() {
                        e.prevent_default();
                        uploads.start(files);
                    }
                } }
            EmojiButton { on_pick: move |emoji: String| draft.keep(format!("{}{emoji}", draft.text.peek())) }
            button { id: "send", r#type: "submit", disabled: closed, "Send" }
        }
    }
}

/// "Replying to …" above the box, with a way to cancel.
fn reply_banner(state: Signal<ChatState>, mut replying: Signal<Option<String>>) -> Element {
    let author = replying
        .read()
        .as_ref()
        .and_then(|id| state.read().message(id).map(|m| m.username.clone()));
    rsx! {
        if let Some(author) = author {
            p { class: "replying", "Replying to " strong { "{author}" }
                button { r#type: "button", class: "link", aria_label: "Cancel the reply",
                    onclick: move |_| {
                        replying.set(None);
                        focus_composer();
                    }, "✕" }
            }
        }
    }
}

/// The files going with the next message: each uploading with its progress, or its
/// error, and a way to take it off.
fn attachment_tray(mut uploads: Uploads) -> Element {
    let files = uploads.files();
    rsx! {
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
                            onclick: move |_| uploads.remove(file.local_id), "✕" }
                    }
                }
            }
        }
    }
}

/// `@` autocompletes from the members loaded: the suggestion picked writes the account
/// name, which the server matches. Esc closes the list until the draft changes.
#[derive(Clone, Copy)]
struct Mentions {
    draft: Draft,
    picked: Signal<usize>,
    closed_for: Signal<Option<String>>,
}

fn use_mentions(draft: Draft) -> Mentions {
    Mentions {
        draft,
        picked: use_signal(|| 0),
        closed_for: use_signal(|| None),
    }
}

impl Mentions {
    /// The members offered for the mention the draft ends with (subscribes).
    fn offered(&self, state: &ChatState) -> Vec<Suggestion> {
        let draft = self.draft.text.read();
        match mention::typing_mention(&draft) {
            Some(partial) if self.closed_for.read().as_deref() != Some(draft.as_str()) => {
                mention::suggestions(state.users.values(), &state.me, partial, 6)
            }
            _ => Vec::new(),
        }
    }

    fn choose(&mut self, handle: &str) {
        let completed = mention::complete(&self.draft.text.peek(), handle);
        self.draft.keep(completed);
        self.picked.set(0);
        focus_composer();
    }

    /// ↑ ↓ move in the list, Enter or Tab picks, Esc closes it; whether the key was the
    /// list's.
    fn key(&mut self, e: &KeyboardEvent, offered: &[Suggestion]) -> bool {
        if offered.is_empty() || e.is_composing() {
            return false;
        }
        let last = offered.len() - 1;
        let at = (*self.picked.peek()).min(last);
        match e.key() {
            Key::ArrowDown => self.picked.set(if at == last { 0 } else { at + 1 }),
            Key::ArrowUp => self.picked.set(if at == 0 { last } else { at - 1 }),
            Key::Enter | Key::Tab if !e.modifiers().shift() => self.choose(&offered[at].handle),
            Key::Escape => self.closed_for.set(Some(self.draft.text.peek().clone())),
            _ => return false,
        }
        true
    }
}

/// The members offered for an `@` being typed.
fn mention_list(suggestions: Vec<Suggestion>, mentions: Mentions) -> Element {
    rsx! {
        if !suggestions.is_empty() {
            ul { id: "mention-suggestions", class: "mention-suggestions", role: "listbox",
                aria_label: "Members to mention",
                for (i, suggestion) in suggestions.into_iter().enumerate() {
                    // An option is picked by the keys in the box, or a click; it holds
                    // no control of its own (an option may not).
                    li { key: "{suggestion.handle}", role: "option",
                        aria_selected: "{i == (mentions.picked)()}",
                        // Before the box loses focus to the click.
                        onmousedown: move |e: MouseEvent| e.prevent_default(),
                        onclick: {
                            let handle = suggestion.handle.clone();
                            let mut mentions = mentions;
                            move |_| mentions.choose(&handle)
                        },
                        span { class: "name", "{suggestion.name}" }
                        span { class: "handle", "@{suggestion.handle}" }
                    }
                }
            }
        }
    }
}

/// The emoji button and its picker; a pick goes into the draft and the caret back to
/// the box.
#[component]
fn EmojiButton(on_pick: EventHandler<String>) -> Element {
    let mut picking = use_signal(|| false);
    rsx! {
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
                    on_pick.call(emoji);
                    picking.set(false);
                    focus_composer();
                },
                on_close: move |_| {
                    picking.set(false);
                    focus_composer();
                },
            }
        }
    }
}

/// Carries out a built-in command: a message, or the request of the action it stands
/// for; a name is looked up by the server, by account name, first.
fn run_builtin(
    builtin: Builtin,
    chat: &Chat,
    auth: Signal<Auth>,
    registered: &[(String, String)],
    reply_to: Option<String>,
) {
    let mut state = chat.state;
    if let Some(text) = commands::message_text(&builtin) {
        chat.send_message(text, Vec::new(), reply_to);
        return;
    }
    let room = chat.room.clone();
    let act = |msg: ClientMsg| chat.act(msg);
    match builtin {
        Builtin::Topic(topic) => act(ClientMsg::UpdateRoom {
            name: None,
            topic: Some(topic),
            capacity: None,
        }),
        Builtin::Slow(seconds) => act(ClientMsg::SetSlowMode { seconds }),
        Builtin::Leave => act(ClientMsg::LeaveRoom { room_id: room }),
        Builtin::Help => {
            // The room's commands as they are now, then the list.
            let role = state.peek().your_role;
            let (token, known) = (auth.peek().token(), registered.to_vec());
            spawn(async move {
                let registered = match token {
                    Some(token) => crate::api::commands(&token, &room).await.unwrap_or(known),
                    None => known,
                };
                state
                    .write()
                    .tell("edgechat", commands::help(role, &registered));
            });
        }
        Builtin::Invite(ref name) | Builtin::Kick(ref name) | Builtin::Mute(ref name, _) => {
            let name = name.clone();
            let Some(token) = auth.peek().token() else {
                return;
            };
            let chat = chat.clone();
            spawn(async move {
                match crate::api::find_user(&token, &name).await {
                    Ok(user) => chat.act(match builtin {
                        Builtin::Invite(_) => ClientMsg::InviteUser { user_id: user.id },
                        Builtin::Kick(_) => ClientMsg::KickUser { user_id: user.id },
                        Builtin::Mute(_, ms) => ClientMsg::MuteUser {
                            user_id: user.id,
                            until: js_sys::Date::now() as u64 + ms,
                        },
                        _ => return,
                    }),
                    Err(message) => state.write().report(format!("@{name}: {message}")),
                }
            });
        }
        Builtin::Me(_) | Builtin::Shrug(_) => {}
    }
}

/// `/` completes from the built-ins the user's role may use and the room's own commands;
/// picking one writes its name and a space. Esc closes the list until the draft changes.
#[derive(Clone, Copy)]
struct Commands {
    draft: Draft,
    registered: Signal<Vec<(String, String)>>,
    picked: Signal<usize>,
    closed_for: Signal<Option<String>>,
}

fn use_commands(draft: Draft, registered: Signal<Vec<(String, String)>>) -> Commands {
    Commands {
        draft,
        registered,
        picked: use_signal(|| 0),
        closed_for: use_signal(|| None),
    }
}

impl Commands {
    /// The commands offered for the `/` the draft starts with (subscribes).
    fn offered(&self, role: edgechat_protocol::Role) -> Vec<Offer> {
        let draft = self.draft.text.read();
        if self.closed_for.read().as_deref() == Some(draft.as_str()) {
            return Vec::new();
        }
        commands::offered(&draft, role, &self.registered.read(), 6).unwrap_or_default()
    }

    fn choose(&mut self, command: &str) {
        self.draft.keep(format!("{command} "));
        self.picked.set(0);
        focus_composer();
    }

    /// ↑ ↓ move in the list, Tab (or Enter, before the name is complete) picks, Esc
    /// closes it; whether the key was the list's.
    fn key(&mut self, e: &KeyboardEvent, offered: &[Offer]) -> bool {
        if offered.is_empty() || e.is_composing() {
            return false;
        }
        let last = offered.len() - 1;
        let at = (*self.picked.peek()).min(last);
        let typed = self.draft.text.peek().clone();
        match e.key() {
            Key::ArrowDown => self.picked.set(if at == last { 0 } else { at + 1 }),
            Key::ArrowUp => self.picked.set(if at == 0 { last } else { at - 1 }),
            Key::Tab if !e.modifiers().shift() => self.choose(&offered[at].command),
            // Enter on a name typed out whole runs it, as typed.
            Key::Enter if !e.modifiers().shift() && offered[at].command != typed => {
                self.choose(&offered[at].command);
            }
            Key::Escape => self.closed_for.set(Some(typed)),
            _ => return false,
        }
        true
    }
}

/// The commands offered for a `/` being typed.
fn command_list(offers: Vec<Offer>, commands: Commands) -> Element {
    rsx! {
        if !offers.is_empty() {
            ul { id: "command-suggestions", class: "mention-suggestions", role: "listbox",
                aria_label: "Commands",
                for (i, offer) in offers.into_iter().enumerate() {
                    li { key: "{offer.command}", role: "option",
                        aria_selected: "{i == (commands.picked)()}",
                        onmousedown: move |e: MouseEvent| e.prevent_default(),
                        onclick: {
                            let command = offer.command.clone();
                            let mut commands = commands;
                            move |_| commands.choose(&command)
                        },
                        span { class: "name", "{offer.usage}" }
                        span { class: "handle", "{offer.description}" }
                    }
                }
            }
        }
    }
}
