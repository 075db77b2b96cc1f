//! The client's reducer against the real room core: live events applied to an old state
//! end where a fresh join starts (Zulip's `verify_action`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_client::state::ChatState;
use edgechat_core::{
    Command, Effect, Identity, Limits, Room,
    store::{Store, sqlite::Sqlite},
};
use edgechat_protocol::{ClientMsg, Role, RoomInfo, RoomKind, ServerMsg};

/// What `conn` receives among `effects`, in order.
fn frames_for(conn: &str, effects: &[Effect]) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Send { conn: to, msg } if to == conn => Some(msg.clone()),
            Effect::Broadcast { msg, except } if except.as_deref() != Some(conn) => {
                Some(msg.clone())
            }
            _ => None,
        })
        .collect()
}

fn identity(user: &str) -> Identity {
    Identity {
        user_id: user.into(),
        username: user.to_uppercase(),
        handle: user.into(),
        global_admin: false,
        expires_at: None,
        version: edgechat_protocol::PROTOCOL_VERSION,
        status: None,
        status_text: None,
    }
}

fn frame(msg: ClientMsg) -> String {
    serde_json::to_string(&edgechat_protocol::ClientFrame::from(msg)).unwrap()
}

#[test]
fn live_events_applied_to_an_old_state_equal_a_fresh_join() {
    let info = RoomInfo {
        room_id: "lobby".into(),
        name: "Lobby".into(),
        kind: RoomKind::Public,
        capacity: None,
        created_by: "ana".into(),
        created_at: 0,
        topic: String::new(),
    };
    let store = Store::new(Sqlite::memory());
    store.prepare().unwrap();
    let mut now = 1_000;
    let (mut room, _) =
        Room::create(info, Limits::default(), store, &identity("ana"), &[], now).unwrap();
    let mut watched = Vec::new();
    for user in ["bo", "ana", "cy"] {
        let who = identity(user);
        let (conn, since) = (user.into(), None);
        watched.extend(frames_for(
            "bo",
            &room
                .handle(Command::Connect { conn, who, since }, now)
                .unwrap(),
        ));
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
        now += 1_000;
        let command = Command::Frame {
            conn: who.into(),
            raw: frame(msg),
        };
        let effects = room.handle(command, now).unwrap();
        assert!(
            !frames_for(who, &effects)
                .iter()
                .any(|m| matches!(m, ServerMsg::Error { .. })),
            "{who} was refused: {effects:?}"
        );
        watched.extend(frames_for("bo", &effects));
    }
    now += 1_000;
    let (conn, who) = ("dee".to_owned(), identity("dee"));
    let joined = room
        .handle(
            Command::Connect {
                conn,
                who,
                since: None,
            },
            now,
        )
        .unwrap();
    watched.extend(frames_for("bo", &joined));

    let mut old = ChatState::for_user("lobby", "bo");
    for msg in watched {
        old.apply(msg);
    }
    let mut fresh = ChatState::for_user("lobby", "bo");
    for msg in frames_for("dee", &joined) {
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
        old.typing_names(now),
        ["ANA"],
        "typing is live state, not history"
    );
    assert!(
        old.messages
            .iter()
            .any(|m| m.pinned && m.text == "one, edited")
    );
    assert!(old.messages.iter().any(|m| m.deleted));
}
