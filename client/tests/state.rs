//! The client's reducer: events in, what the screen shows out. The last test drives the
//! real room core and checks that live events applied to an old state end where a fresh
//! join starts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_client::state::{ChatState, Connection, Pending};
use edgechat_core::{Command, Effect, Identity, Limits, Room};
use edgechat_protocol::{ClientMsg, Message, Role, RoomInfo, RoomKind, ServerMsg};

fn pending(id: &str, text: &str) -> Pending {
    Pending {
        client_msg_id: id.into(),
        text: text.into(),
        attachments: vec![],
        reply_to: None,
    }
}

fn message(seq: u64) -> Message {
    Message {
        message_id: format!("lobby:{seq}"),
        room_id: "lobby".into(),
        user_id: "u".into(),
        username: "Ana".into(),
        text: format!("m{seq}"),
        timestamp: seq,
        attachments: vec![],
        reply_to: None,
        seq,
        client_msg_id: format!("c-{seq}"),
        edited_at: None,
        deleted: false,
        pinned: false,
        reactions: vec![],
    }
}

#[test]
fn messages_are_kept_in_seq_order_whatever_order_they_arrive_in() {
    let mut state = ChatState::new("lobby");
    for seq in [3, 1, 2] {
        state.apply(ServerMsg::NewMessage(message(seq)));
    }
    let seqs: Vec<u64> = state.messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
}

#[test]
fn a_message_delivered_twice_is_shown_once() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::NewMessage(message(1)));
    state.apply(ServerMsg::NewMessage(message(1)));
    assert_eq!(state.messages.len(), 1);
}

#[test]
fn a_message_for_another_room_is_ignored() {
    let mut state = ChatState::new("elsewhere");
    state.apply(ServerMsg::NewMessage(message(1)));
    assert!(state.messages.is_empty());
}

#[test]
fn an_ack_clears_the_pending_message_and_the_last_error() {
    let mut state = ChatState::new("lobby");
    state.sent(pending("c-1", "hi"));
    state.apply(ServerMsg::error(
        edgechat_protocol::ErrorCode::TooLong,
        "too long",
        None,
    ));
    state.apply(ServerMsg::MessageAck {
        req_id: None,
        client_msg_id: "c-1".into(),
        message_id: "lobby:1".into(),
        seq: 1,
    });
    assert!(state.pending.is_empty());
    assert_eq!(state.last_error, None);
}

#[test]
fn edits_and_deletes_change_the_shown_message() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::NewMessage(message(1)));
    state.apply(ServerMsg::MessageEdited {
        message_id: "lobby:1".into(),
        new_text: "fixed".into(),
        edited_at: 5,
        seq: 2,
    });
    assert_eq!(state.messages[0].text, "fixed");
    state.apply(ServerMsg::MessageDeleted {
        message_id: "lobby:1".into(),
        seq: 3,
    });
    assert!(state.messages[0].deleted);
    assert_eq!(state.messages[0].text, "");
}

#[test]
fn a_new_message_with_a_pending_client_id_settles_it() {
    let mut state = ChatState::new("lobby");
    state.sent(pending("c-1", "m1"));
    state.apply(ServerMsg::NewMessage(message(1)));
    assert!(state.pending.is_empty());
}

#[test]
fn room_joined_loads_history_and_marks_the_socket_connected() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::NewMessage(message(2)));
    let room = edgechat_protocol::RoomInfo {
        room_id: "lobby".into(),
        name: "lobby".into(),
        kind: edgechat_protocol::RoomKind::Public,
        capacity: None,
        created_by: "u".into(),
        created_at: 0,
    };
    state.apply(ServerMsg::RoomJoined {
        room_id: "lobby".into(),
        room,
        users: vec![],
        message_history: vec![message(1), message(2)],
        your_role: edgechat_protocol::Role::Member,
        head_seq: 2,
        last_read_seq: 0,
        unread_count: 2,
        read_marks: Default::default(),
        slow_mode: 0,
        req_id: None,
    });
    assert_eq!(state.connection, Connection::Connected);
    assert_eq!(state.messages.len(), 2);
}

#[test]
fn the_resume_point_is_the_highest_seq_seen_and_resets_on_resync() {
    let mut state = ChatState::new("lobby");
    assert_eq!(state.seen_seq(), None);
    state.apply(ServerMsg::NewMessage(message(4)));
    state.apply(ServerMsg::MessageDeleted {
        message_id: "lobby:4".into(),
        seq: 7,
    });
    assert_eq!(state.seen_seq(), Some(7));
    state.apply(ServerMsg::Resync {
        room_id: "lobby".into(),
        head_seq: 9,
    });
    assert_eq!(state.seen_seq(), None);
    assert!(state.messages.is_empty());
}

#[test]
fn an_outbox_from_storage_keeps_only_what_was_not_delivered() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::NewMessage(message(1)));
    state.sent(pending("c-2", "typed"));
    let stored: Vec<Pending> = serde_json::from_str(
        r#"[{"clientMsgId":"c-1","text":"m1"},{"clientMsgId":"c-2","text":"typed"},{"clientMsgId":"c-3","text":"offline","attachments":["f-1"]}]"#,
    )
    .unwrap();
    state.restore_outbox(stored);
    let ids: Vec<&str> = state
        .pending
        .iter()
        .map(|p| p.client_msg_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["c-2", "c-3"],
        "c-1 was delivered, c-2 is already pending"
    );
    assert!(matches!(
        state.pending[1].to_msg("lobby"),
        ClientMsg::SendMessage { attachments, .. } if attachments == ["f-1"]
    ));
}

#[test]
fn reactions_pins_and_typing_show_and_clear() {
    let mut state = ChatState::for_user("lobby", "me");
    state.apply(ServerMsg::NewMessage(message(1)));
    state.apply(ServerMsg::ReactionUpdated {
        message_id: "lobby:1".into(),
        emoji: "👍".into(),
        count: 2,
        user_ids: vec!["a".into(), "b".into()],
        seq: 2,
    });
    state.apply(ServerMsg::MessagePinned {
        message_id: "lobby:1".into(),
        by: "a".into(),
        seq: 3,
    });
    assert_eq!(state.messages[0].reactions[0].count, 2);
    assert!(state.messages[0].pinned);
    state.apply(ServerMsg::ReactionUpdated {
        message_id: "lobby:1".into(),
        emoji: "👍".into(),
        count: 0,
        user_ids: vec![],
        seq: 4,
    });
    assert!(state.messages[0].reactions.is_empty());

    let typing = |user: &str, is_typing: bool| ServerMsg::TypingIndicator {
        room_id: "lobby".into(),
        user_id: user.into(),
        username: user.to_uppercase(),
        is_typing,
        expires_at: 100,
    };
    state.apply(typing("a", true));
    state.apply(typing("me", true));
    state.apply(typing("b", true));
    assert_eq!(
        state.typing_names(50),
        ["A", "B"],
        "never the user themself"
    );
    assert!(state.typing_names(100).is_empty(), "expired");
    state.apply(typing("a", false));
    assert_eq!(state.typing_names(50), ["B"]);
    let mut from_b = message(5);
    from_b.user_id = "b".into();
    state.apply(ServerMsg::NewMessage(from_b));
    assert!(state.typing_names(50).is_empty(), "a message ends typing");
}

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
        global_admin: false,
        expires_at: None,
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
    };
    let (mut room, _) = Room::create(info, Limits::default(), &identity("ana"), &[]);
    let mut now = 1_000;
    let mut watched = Vec::new();
    for user in ["bo", "ana", "cy"] {
        let who = identity(user);
        let (conn, since) = (user.into(), None);
        watched.extend(frames_for(
            "bo",
            &room.handle(Command::Connect { conn, who, since }, now),
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
        let effects = room.handle(command, now);
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
    let joined = room.handle(
        Command::Connect {
            conn,
            who,
            since: None,
        },
        now,
    );
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

#[test]
fn the_new_messages_divider_sits_at_the_first_unread_message_of_someone_else() {
    let mut state = ChatState::for_user("lobby", "me");
    let room = RoomInfo {
        room_id: "lobby".into(),
        name: "lobby".into(),
        kind: RoomKind::Public,
        capacity: None,
        created_by: "u".into(),
        created_at: 0,
    };
    let mut mine = message(3);
    mine.user_id = "me".into();
    let joined = |last_read_seq| ServerMsg::RoomJoined {
        room_id: "lobby".into(),
        room: room.clone(),
        users: vec![],
        message_history: vec![message(1), message(2), mine.clone(), message(4)],
        your_role: Role::Member,
        head_seq: 4,
        last_read_seq,
        unread_count: 1,
        read_marks: Default::default(),
        slow_mode: 0,
        req_id: None,
    };
    state.apply(joined(2));
    assert_eq!(
        state.first_new(),
        Some(4),
        "the user's own message is not new to them"
    );
    assert_eq!(state.unread_count, 1);
    // A reconnect does not move it.
    state.apply(joined(4));
    assert_eq!(state.first_new(), Some(4));
}

#[test]
fn a_refused_send_leaves_the_outbox_and_comes_back_to_the_composer() {
    let mut state = ChatState::for_user("lobby", "me");
    state.sent(pending("c-1", "way too long"));
    state.sent(pending("c-2", "fine"));
    state.apply(ServerMsg::Error {
        code: edgechat_protocol::ErrorCode::TooLong,
        message: "too long".into(),
        req_id: Some("c-1".into()),
        retry_after: None,
    });
    let ids: Vec<&str> = state
        .pending
        .iter()
        .map(|p| p.client_msg_id.as_str())
        .collect();
    assert_eq!(ids, ["c-2"], "never resent after a reconnect");
    assert_eq!(
        state.returned.as_ref().map(|p| p.text.as_str()),
        Some("way too long")
    );
    assert_eq!(state.last_error.as_deref(), Some("too long"));
    // An error about something else leaves the outbox alone.
    state.apply(ServerMsg::error(
        edgechat_protocol::ErrorCode::Forbidden,
        "no",
        None,
    ));
    assert_eq!(state.pending.len(), 1);
}

#[test]
fn a_resumed_join_keeps_older_history_loadable_and_resumes_from_the_replay() {
    let room = RoomInfo {
        room_id: "lobby".into(),
        name: "lobby".into(),
        kind: RoomKind::Public,
        capacity: None,
        created_by: "u".into(),
        created_at: 0,
    };
    let joined = |history: Vec<Message>, head_seq| ServerMsg::RoomJoined {
        room_id: "lobby".into(),
        room: room.clone(),
        users: vec![],
        message_history: history,
        your_role: Role::Member,
        head_seq,
        last_read_seq: 0,
        unread_count: 0,
        read_marks: Default::default(),
        slow_mode: 0,
        req_id: None,
    };
    let mut state = ChatState::for_user("lobby", "me");
    state.apply(joined(vec![message(40), message(41)], 41));
    assert!(state.has_more);
    assert_eq!(state.seen_seq(), Some(41));
    // Resumed after 41 while the room went on to 45: the replay follows the join.
    state.apply(joined(vec![], 45));
    assert!(state.has_more, "a resumed join carries no page");
    assert_eq!(
        state.seen_seq(),
        Some(41),
        "a drop before the replay resumes from 41 again"
    );
    state.apply(ServerMsg::NewMessage(message(42)));
    assert_eq!(state.seen_seq(), Some(42));
}

#[test]
fn the_stored_outbox_keeps_another_tabs_messages_and_drops_what_was_delivered() {
    let mut state = ChatState::for_user("lobby", "me");
    state.apply(ServerMsg::NewMessage(message(1)));
    state.sent(pending("mine", "from this tab"));
    state.sent(pending("acked", "sent and acknowledged"));
    state.apply(ServerMsg::MessageAck {
        req_id: None,
        client_msg_id: "acked".into(),
        message_id: "lobby:2".into(),
        seq: 2,
    });
    let stored = vec![
        pending("c-1", "delivered already (message 1)"),
        pending("acked", "sent and acknowledged"),
        pending("other-tab", "typed in another tab"),
    ];
    let ids: Vec<String> = state
        .merged_outbox(stored)
        .into_iter()
        .map(|p| p.client_msg_id)
        .collect();
    assert_eq!(ids, ["other-tab", "mine"]);
}
