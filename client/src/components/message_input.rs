use dioxus::prelude::*;
use edgechat_protocol::{Attachment, ClientMsg};

use crate::{
    app::Auth, connection::Link, socket::new_client_msg_id, state::ChatState, transfer,
    uploads::Staging,
};

/// The box to write in: Enter or the button sends. Files chosen with the attach button
/// upload at once, with a progress bar each, and go with the next message. Offline, a
/// message waits in the outbox and goes when the connection is back.
#[component]
pub fn MessageInput(
    room: String,
    state: Signal<ChatState>,
    link: Link,
    auth: Signal<Auth>,
) -> Element {
    let mut draft = use_signal(String::new);
    let mut staging = use_signal(Staging::default);
    let upload_room = room.clone();
    let send = move |event: FormEvent| {
        event.prevent_default();
        let text = draft().trim().to_owned();
        if staging.peek().busy() {
            state.write().last_error = Some("Wait for the uploads to finish.".into());
            return;
        }
        let ready = staging.peek().files.iter().any(|f| f.attachment.is_some());
        if text.is_empty() && !ready {
            return;
        }
        let attachments = staging.write().take_ready();
        let client_msg_id = new_client_msg_id();
        let msg = ClientMsg::SendMessage {
            room_id: room.clone(),
            text: text.clone(),
            attachments: attachments.clone(),
            reply_to: None,
            client_msg_id: client_msg_id.clone(),
        };
        // Into the outbox first: if the socket is down, or drops before the ack, the
        // connection sends it again with the same id.
        state.write().sent(client_msg_id, text, attachments);
        draft.set(String::new());
        let _ = link.send(&msg);
    };
    let attach = move |_| {
        let Some(token) = auth.peek().session().map(|s| s.access_token.clone()) else {
            return;
        };
        for file in transfer::chosen_files("file-input") {
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
    let files = staging.read().files.clone();
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
                            onclick: move |_| staging.write().remove(file.local_id), "✕" }
                    }
                }
            }
        }
        form { class: "composer", onsubmit: send,
            input { id: "file-input", r#type: "file", multiple: true, class: "visually-hidden",
                onchange: attach }
            label { r#for: "file-input", class: "attach", title: "Attach files", "📎"
                span { class: "visually-hidden", "Attach files" } }
            label { class: "visually-hidden", r#for: "message-input", "Message" }
            input { id: "message-input", placeholder: "Message", autocomplete: "off", value: "{draft}",
                oninput: move |e| draft.set(e.value()) }
            button { id: "send", r#type: "submit", "Send" }
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
