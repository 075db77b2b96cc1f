use serde::{Deserialize, Serialize};

use crate::{Id, Millis, Seq};

/// A chat message as every client sees it. A deleted message is a tombstone: its text,
/// attachments and reactions are gone, its place in the history stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message_id: Id,
    pub room_id: Id,
    pub user_id: Id,
    pub username: String,
    pub text: String,
    pub timestamp: Millis,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The message this one answers, in the same room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Id>,
    pub seq: Seq,
    /// The sender's own id for the message, so its other devices can match it.
    pub client_msg_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The card for the message's first link, once the server has fetched it
    /// (`link-preview`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Box<LinkPreview>>,
    /// A program posted it (an incoming hook), not a person: clients show the bot mark
    /// beside `username`, whatever label the program chose (wire version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<Box<Bot>>,
}

/// The fields a message gained after wire version 1, each with the version that brought
/// it: the field table of [`Message`]. A socket of an older version is sent the message
/// as [`Message::older`] makes it, since its client would show none of them.
pub const MESSAGE_FIELDS: &[(&str, u32)] = &[("bot", BOT_SINCE)];

/// The wire version that brought [`Message::bot`].
const BOT_SINCE: u32 = 7;

impl Message {
    /// The wire version a socket must speak to be sent this message as it is: that of
    /// the newest field of [`MESSAGE_FIELDS`] it carries, or 1.
    pub fn since_version(&self) -> u32 {
        if self.bot.is_some() { BOT_SINCE } else { 1 }
    }

    /// This message for a socket older than [`Message::since_version`]: a bot's label
    /// ends in "(bot)", so a client that knows no bot mark cannot show a program as a
    /// person.
    pub fn older(&self) -> Message {
        let mut older = self.clone();
        if older.bot.take().is_some() {
            older.username = format!("{} (bot)", older.username);
        }
        older
    }
}

/// What marks a program's message: the emoji it chose for its picture, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bot {
    /// One emoji, shown in place of an avatar (Slack's `icon_emoji`, as its character).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

/// What the page behind a message's first link says about itself, as the server read it.
/// Every field is plain text (render it as text, never as HTML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkPreview {
    /// The link as the message has it.
    pub link: String,
    /// The page the card is of, after redirects.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// The page's image, copied to the room's files: served from the app's own origin
    /// (`GET /api/files/{fileId}`), so readers never contact the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<PreviewImage>,
}

/// A preview's image, stored like an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewImage {
    pub file_id: Id,
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// One emoji's reactions on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reaction {
    pub emoji: String,
    pub count: u32,
    pub user_ids: Vec<Id>,
}

/// A file registered to the room, as a message carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub file_id: Id,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_id: Option<Id>,
}
