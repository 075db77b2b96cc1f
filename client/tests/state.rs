//! The client's reducer: events in, what the screen shows out. `convergence.rs` checks it
//! against the real room core.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::joined;
use edgechat_client::state::{ChatState, Connection, Pending};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, Message, RoomEvent, ServerMsg};

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
        preview: None,
        bot: None,
    }
}

#[test]
fn messages_are_kept_in_seq_order_whatever_order_they_arrive_in() {
    let mut state = ChatState::new("lobby");
    for seq in [3, 1, 2] {
        state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(seq))));
    }
    let seqs: Vec<u64> = state.messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
}

#[test]
fn a_message_delivered_twice_is_shown_once() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
    assert_eq!(state.messages.len(), 1);
}

#[test]
fn a_message_for_another_room_is_ignored() {
    let mut state = ChatState::new("elsewhere");
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
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
    state.apply(ServerMsg::MessageAck(frame::MessageAck {
        req_id: None,
        client_msg_id: "c-1".into(),
        message_id: "lobby:1".into(),
        seq: 1,
    }));
    assert!(state.pending.is_empty());
    assert_eq!(state.last_error, None);
}

#[test]
fn edits_and_deletes_change_the_shown_message() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
    state.apply(ServerMsg::Event(RoomEvent::MessageEdited {
        message_id: "lobby:1".into(),
        new_text: "fixed".into(),
        edited_at: 5,
        seq: 2,
    }));
    assert_eq!(state.messages[0].text, "fixed");
    state.apply(ServerMsg::Event(RoomEvent::MessageDeleted {
        message_id: "lobby:1".into(),
        by: String::new(),
        seq: 3,
    }));
    assert!(state.messages[0].deleted);
    assert_eq!(state.messages[0].text, "");
}

#[test]
fn a_new_message_with_a_pending_client_id_settles_it() {
    let mut state = ChatState::new("lobby");
    state.sent(pending("c-1", "m1"));
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
    assert!(state.pending.is_empty());
}

#[test]
fn room_joined_loads_history_and_marks_the_socket_connected() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(2))));
    state.apply(joined(vec![message(1), message(2)], 2, 0, 2));
    assert_eq!(state.connection, Connection::Connected);
    assert_eq!(state.messages.len(), 2);
}

#[test]
fn the_resume_point_is_the_highest_seq_seen_and_resets_on_resync() {
    let mut state = ChatState::new("lobby");
    assert_eq!(state.seen_seq(), None);
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(4))));
    state.apply(ServerMsg::Event(RoomEvent::MessageDeleted {
        message_id: "lobby:4".into(),
        by: String::new(),
        seq: 7,
    }));
    assert_eq!(state.seen_seq(), Some(7));
    state.apply(ServerMsg::Resync(frame::Resync {
        room_id: "lobby".into(),
        head_seq: 9,
    }));
    assert_eq!(state.seen_seq(), None);
    assert!(state.messages.is_empty());
}

#[test]
fn an_outbox_from_storage_keeps_only_what_was_not_delivered() {
    let mut state = ChatState::new("lobby");
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
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
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
    state.apply(ServerMsg::Event(RoomEvent::ReactionUpdated {
        message_id: "lobby:1".into(),
        emoji: "👍".into(),
        count: 2,
        user_ids: vec!["a".into(), "b".into()],
        seq: 2,
    }));
    state.apply(ServerMsg::Event(RoomEvent::MessagePinned {
        message_id: "lobby:1".into(),
        by: "a".into(),
        seq: 3,
    }));
    assert_eq!(state.messages[0].reactions[0].count, 2);
    assert!(state.messages[0].pinned);
    state.apply(ServerMsg::Event(RoomEvent::ReactionUpdated {
        message_id: "lobby:1".into(),
        emoji: "👍".into(),
        count: 0,
        user_ids: vec![],
        seq: 4,
    }));
    assert!(state.messages[0].reactions.is_empty());

    let typing = |user: &str, is_typing: bool| {
        ServerMsg::TypingIndicator(frame::TypingIndicator {
            room_id: "lobby".into(),
            user_id: user.into(),
            username: user.to_uppercase(),
            is_typing,
            expires_at: 100,
        })
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
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(from_b)));
    assert!(state.typing_names(50).is_empty(), "a message ends typing");
}

#[test]
fn the_new_messages_divider_sits_at_the_first_unread_message_of_someone_else() {
    let mut state = ChatState::for_user("lobby", "me");
    let mut mine = message(3);
    mine.user_id = "me".into();
    let history = vec![message(1), message(2), mine, message(4)];
    state.apply(joined(history.clone(), 4, 2, 1));
    assert_eq!(
        state.first_new(),
        Some(4),
        "the user's own message is not new to them"
    );
    assert_eq!(state.unread_count, 1);
    // A reconnect does not move it.
    state.apply(joined(history, 4, 4, 0));
    assert_eq!(state.first_new(), Some(4));
}

#[test]
fn a_refused_send_leaves_the_outbox_and_comes_back_to_the_composer() {
    let mut state = ChatState::for_user("lobby", "me");
    state.sent(pending("c-1", "way too long"));
    state.sent(pending("c-2", "fine"));
    state.apply(ServerMsg::Error(frame::Error {
        code: edgechat_protocol::ErrorCode::TooLong,
        message: "too long".into(),
        req_id: Some("c-1".into()),
        retry_after: None,
    }));
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
    // The composer takes it once.
    assert_eq!(
        state.take_returned().map(|p| p.text),
        Some("way too long".into())
    );
    assert_eq!(state.take_returned(), None);
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
    let mut state = ChatState::for_user("lobby", "me");
    state.apply(joined(vec![message(40), message(41)], 41, 0, 0));
    assert!(state.has_more);
    assert_eq!(state.seen_seq(), Some(41));
    // Resumed after 41 while the room went on to 45: the replay follows the join.
    state.apply(joined(vec![], 45, 0, 0));
    assert!(state.has_more, "a resumed join carries no page");
    assert_eq!(
        state.seen_seq(),
        Some(41),
        "a drop before the replay resumes from 41 again"
    );
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(42))));
    assert_eq!(state.seen_seq(), Some(42));
}

#[test]
fn the_stored_outbox_keeps_another_tabs_messages_and_drops_what_was_delivered() {
    let mut state = ChatState::for_user("lobby", "me");
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(1))));
    state.sent(pending("mine", "from this tab"));
    state.sent(pending("acked", "sent and acknowledged"));
    state.apply(ServerMsg::MessageAck(frame::MessageAck {
        req_id: None,
        client_msg_id: "acked".into(),
        message_id: "lobby:2".into(),
        seq: 2,
    }));
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

#[test]
fn frames_from_a_newer_server_leave_the_state_usable() {
    let mut state = ChatState::for_user("lobby", "me");
    state.apply(joined(vec![message(1)], 1, 1, 0));
    let decode = |json: &str| serde_json::from_str::<ServerMsg>(json).unwrap();
    let before = state.clone();
    state.apply(decode(
        r#"{"type":"some-future-event","roomId":"lobby","seq":2}"#,
    ));
    assert_eq!(state, before, "an unknown frame changes nothing");
    state.apply(decode(
        r#"{"type":"error","code":"some-future-code","message":"not now"}"#,
    ));
    assert_eq!(state.last_error.as_deref(), Some("not now"));
    state.apply(ServerMsg::Event(RoomEvent::NewMessage(message(2))));
    let seqs: Vec<u64> = state.messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(state.seen_seq(), Some(2));
}

#[test]
fn up_edits_the_users_newest_message_still_shown() {
    let mut state = ChatState::for_user("lobby", "me");
    assert_eq!(state.last_own_message(), None);
    let mine = |seq| Message {
        user_id: "me".into(),
        ..message(seq)
    };
    state.apply(joined(vec![mine(1), mine(2), message(3)], 3, 3, 0));
    assert_eq!(
        state.last_own_message(),
        Some("lobby:2"),
        "not someone else's"
    );
    state.apply(ServerMsg::Event(RoomEvent::MessageDeleted {
        message_id: "lobby:2".into(),
        by: String::new(),
        seq: 4,
    }));
    assert_eq!(
        state.last_own_message(),
        Some("lobby:1"),
        "not a deleted one"
    );
}

#[test]
fn a_programs_answer_for_this_user_alone_shows_until_dismissed_and_is_never_a_message() {
    let mut state = ChatState::new("lobby");
    let answer = |room: &str, text: &str| {
        ServerMsg::Ephemeral(frame::Ephemeral {
            room_id: room.into(),
            user_id: "hk-1".into(),
            username: "Deployer".into(),
            text: text.into(),
            bot: None,
            req_id: None,
        })
    };
    state.apply(answer("lobby", "deploying"));
    state.apply(answer("elsewhere", "not here"));
    state.apply(answer("lobby", "done"));
    let texts: Vec<&str> = state.ephemerals.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["deploying", "done"]);
    assert!(state.messages.is_empty());
    state.dismiss_ephemeral(0);
    state.dismiss_ephemeral(7);
    assert_eq!(state.ephemerals.len(), 1);
    assert_eq!(state.ephemerals[0].text, "done");
}
