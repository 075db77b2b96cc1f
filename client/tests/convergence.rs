//! The client's reducer against the real room core: live events applied to an old state
//! end where a fresh join starts (Zulip's `verify_action`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_client::state::ChatState;
use edgechat_core::testing::{World, frames_for};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, Role, ServerMsg};

#[test]
fn live_events_applied_to_an_old_state_equal_a_fresh_join() {
    let mut world = World::public();
    let mut watched = Vec::new();
    for user in ["bo", "ana", "cy"] {
        let effects = world.connect(user, user);
        watched.extend(frames_for(&effects, "bo"));
    }
    let react = |id: &str, emoji: &str| ClientMsg::AddReaction {
        message_id: id.into(),
        emoji: emoji.into(),
    };
    let script: Vec<(&str, ClientMsg)> = vec![
        ("ana", ClientMsg::text("lobby", "one", "a1")),
        ("cy", ClientMsg::text("lobby", "two", "c1")),
        ("ana", ClientMsg::text("lobby", "three", "a2")),
        ("bo", react("lobby:4", "👍")),
        ("cy", react("lobby:4", "👍")),
        ("cy", react("lobby:5", "🎉")),
        (
            "bo",
            ClientMsg::RemoveReaction {
                message_id: "lobby:4".into(),
                emoji: "👍".into(),
            },
        ),
        (
            "ana",
            ClientMsg::EditMessage {
                message_id: "lobby:4".into(),
                new_text: "one, edited".into(),
            },
        ),
        (
            "ana",
            ClientMsg::PinMessage {
                message_id: "lobby:4".into(),
            },
        ),
        (
            "ana",
            ClientMsg::PinMessage {
                message_id: "lobby:6".into(),
            },
        ),
        (
            "ana",
            ClientMsg::UnpinMessage {
                message_id: "lobby:6".into(),
            },
        ),
        (
            "ana",
            ClientMsg::DeleteMessage {
                message_id: "lobby:6".into(),
            },
        ),
        (
            "ana",
            ClientMsg::SetRole {
                user_id: "cy".into(),
                role: Role::Moderator,
            },
        ),
        (
            "cy",
            ClientMsg::SendMessage {
                room_id: "lobby".into(),
                text: "a reply".into(),
                attachments: vec![],
                reply_to: Some("lobby:4".into()),
                client_msg_id: "c2".into(),
            },
        ),
        (
            "ana",
            ClientMsg::UpdateRoom {
                name: Some("Front desk".into()),
                topic: Some("Questions welcome".into()),
                capacity: Some(40),
            },
        ),
        ("ana", ClientMsg::SetSlowMode { seconds: 30 }),
        (
            "ana",
            ClientMsg::TypingStart {
                room_id: "lobby".into(),
            },
        ),
        (
            "cy",
            ClientMsg::LeaveRoom {
                room_id: "lobby".into(),
            },
        ),
    ];
    for (who, msg) in script {
        world.advance(1_000);
        let effects = world.send(who, msg);
        assert!(
            !frames_for(&effects, who)
                .iter()
                .any(|m| matches!(m, ServerMsg::Error(frame::Error { .. }))),
            "{who} was refused: {effects:?}"
        );
        watched.extend(frames_for(&effects, "bo"));
    }
    world.advance(1_000);
    let joined = world.connect("dee", "dee");
    watched.extend(frames_for(&joined, "bo"));

    let mut old = ChatState::for_user("lobby", "bo");
    for msg in watched {
        old.apply(msg);
    }
    let mut fresh = ChatState::for_user("lobby", "bo");
    for msg in frames_for(&joined, "dee") {
        fresh.apply(msg);
    }
    assert!(old.messages.len() >= 4, "{:?}", old.messages);
    assert_eq!(old.messages, fresh.messages);
    let members = |s: &ChatState| {
        s.users
            .values()
            .map(|u| (u.user_id.clone(), u.role))
            .collect::<Vec<_>>()
    };
    assert_eq!(members(&old), members(&fresh));
    assert_eq!(
        old.settings.info, fresh.settings.info,
        "the room's name and topic"
    );
    assert_eq!(old.settings.slow_mode, fresh.settings.slow_mode);
    assert_eq!(
        old.settings.info.as_ref().map(|i| i.topic.as_str()),
        Some("Questions welcome")
    );
    assert_eq!(
        old.typing_names(world.now),
        ["Ana"],
        "typing is live state, not history"
    );
    assert!(
        old.messages
            .iter()
            .any(|m| m.pinned && m.text == "one, edited")
    );
    assert!(old.messages.iter().any(|m| m.deleted));
}
