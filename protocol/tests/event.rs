//! How a durable event changes a message: one rule for the room and every client.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_protocol::{Attachment, Message, Reaction, RoomEvent};

fn message() -> Message {
    Message {
        message_id: "lobby:3".into(),
        room_id: "lobby".into(),
        user_id: "u-1".into(),
        username: "Ana".into(),
        text: "hi".into(),
        timestamp: 1_700_000_000_000,
        attachments: vec![Attachment {
            file_id: "f-1".into(),
            name: "cat.png".into(),
            content_type: "image/png".into(),
            size: 2048,
            width: None,
            height: None,
            thumbnail_id: None,
        }],
        reply_to: None,
        seq: 3,
        client_msg_id: "c-1".into(),
        edited_at: Some(1_700_000_001_000),
        deleted: false,
        pinned: true,
        reactions: vec![reaction("👍", &["u-2"])],
        preview: None,
        bot: None,
    }
}

fn reaction(emoji: &str, users: &[&str]) -> Reaction {
    Reaction {
        emoji: emoji.into(),
        count: users.len() as u32,
        user_ids: users.iter().map(|u| (*u).to_owned()).collect(),
    }
}

fn updated(emoji: &str, users: &[&str]) -> RoomEvent {
    let Reaction {
        emoji,
        count,
        user_ids,
    } = reaction(emoji, users);
    RoomEvent::ReactionUpdated {
        message_id: "lobby:3".into(),
        emoji,
        count,
        user_ids,
        seq: 9,
    }
}

#[test]
fn a_deleted_message_keeps_only_its_place() {
    let mut m = message();
    let deleted = RoomEvent::MessageDeleted {
        message_id: "lobby:3".into(),
        by: String::new(),
        seq: 4,
    };
    deleted.apply_to(&mut m);
    assert_eq!(
        m,
        Message {
            deleted: true,
            text: String::new(),
            attachments: vec![],
            reactions: vec![],
            preview: None,
            bot: None,
            pinned: false,
            edited_at: None,
            ..message()
        }
    );
}

#[test]
fn an_edit_replaces_the_text_and_says_when() {
    let mut m = message();
    RoomEvent::MessageEdited {
        message_id: "lobby:3".into(),
        new_text: "hello".into(),
        edited_at: 7,
        seq: 4,
    }
    .apply_to(&mut m);
    assert_eq!((m.text.as_str(), m.edited_at), ("hello", Some(7)));
}

#[test]
fn a_reaction_update_replaces_that_emoji_and_zero_removes_it() {
    let mut m = message();
    updated("🎉", &["u-1"]).apply_to(&mut m);
    updated("👍", &["u-2", "u-3"]).apply_to(&mut m);
    assert_eq!(
        m.reactions,
        vec![reaction("🎉", &["u-1"]), reaction("👍", &["u-2", "u-3"])]
    );
    updated("🎉", &[]).apply_to(&mut m);
    assert_eq!(m.reactions, vec![reaction("👍", &["u-2", "u-3"])]);
}

#[test]
fn pins_set_and_clear_the_flag() {
    let mut m = message();
    let unpinned = RoomEvent::MessageUnpinned {
        message_id: "lobby:3".into(),
        by: "u-1".into(),
        seq: 4,
    };
    unpinned.apply_to(&mut m);
    assert!(!m.pinned);
    RoomEvent::MessagePinned {
        message_id: "lobby:3".into(),
        by: "u-1".into(),
        seq: 5,
    }
    .apply_to(&mut m);
    assert!(m.pinned);
}

#[test]
fn membership_events_name_no_message_and_change_none() {
    let mut m = message();
    let kicked = RoomEvent::UserKicked {
        user_id: "u-1".into(),
        by: "u-2".into(),
        seq: 4,
    };
    kicked.apply_to(&mut m);
    assert_eq!(m, message());
    assert_eq!(kicked.message_id(), None);
    assert_eq!(kicked.seq(), 4);
}

#[test]
fn a_new_message_names_itself() {
    let new = RoomEvent::NewMessage(message());
    assert_eq!(new.message_id(), Some("lobby:3"));
    assert_eq!(new.seq(), 3);
    assert_eq!(updated("👍", &[]).message_id(), Some("lobby:3"));
}
