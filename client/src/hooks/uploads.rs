use dioxus::prelude::*;
use edgechat_protocol::Attachment;

use crate::{
    session::Auth,
    transfer,
    uploads::{Staged, Staging},
};

/// The files going with the user's next message in a room: each uploads at once (from
/// the button, a drop or a paste) with its progress; the message takes those stored.
/// Copy, like the signals it holds.
#[derive(Clone, Copy, PartialEq)]
pub struct Uploads {
    staging: Signal<Staging>,
    room: Signal<String>,
    auth: Signal<Auth>,
}

impl Uploads {
    /// Starts uploading each of `files`.
    pub fn start(&self, files: Vec<web_sys::File>) {
        let Some(token) = self.auth.peek().token() else {
            return;
        };
        let mut staging = self.staging;
        for file in files {
            let local_id = staging.write().add(&file.name(), file.size() as u64);
            let (room, token) = (self.room.peek().clone(), token.clone());
            spawn(async move {
                match upload(&room, &token, &file, local_id, staging).await {
                    Ok(attachment) => staging.write().stored(local_id, attachment),
                    Err(message) => staging.write().failed(local_id, message),
                }
            });
        }
    }

    /// The files staged, in the order chosen (subscribes).
    pub fn files(&self) -> Vec<Staged> {
        self.staging.read().files.clone()
    }

    /// Whether any is still uploading.
    pub fn busy(&self) -> bool {
        self.staging.peek().busy()
    }

    /// Whether any is stored and ready to go.
    pub fn ready(&self) -> bool {
        self.staging
            .peek()
            .files
            .iter()
            .any(|f| f.attachment.is_some())
    }

    /// The stored files' ids, taken off the tray for the message being sent.
    pub fn take_ready(&mut self) -> Vec<String> {
        self.staging.write().take_ready()
    }

    pub fn remove(&mut self, local_id: u32) {
        self.staging.write().remove(local_id);
    }
}

pub fn use_uploads(auth: Signal<Auth>, room: &str) -> Uploads {
    Uploads {
        staging: use_signal(Staging::default),
        room: use_signal(|| room.to_owned()),
        auth,
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
    let on_progress = Box::new(move |sent| staging.write().progress(local_id, sent));
    let answer = transfer::send("POST", &url, token, file, Some(&file.name()), on_progress).await?;
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
            Box::new(|_| {}),
        )
        .await
            && let Some(id) = answer["fileId"].as_str()
        {
            attachment.thumbnail_id = Some(id.to_owned());
        }
    }
    Ok(attachment)
}
