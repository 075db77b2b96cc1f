//! The room core, driven the way the Room object drives it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::{Command, Effect, Limits, Member, Room};
use edgechat_protocol::{ErrorCode, ServerMsg};

fn ana() -> Member {
    Member {
        user_id: "u-ana".into(),
        username: "Ana".into(),
    }
}

fn send(room: &mut Room, text: &str, client_msg_id: &str) -> Vec<Effect> {
    let raw = serde_json::json!({
        "type": "send-message",
        "roomId": room.id(),
        "text": text,
        "clientMsgId": client_msg_id,
    })
    .to_string();
    room.handle(Command::Frame { member: ana(), raw }, 1_000)
}

fn error_code(effects: &[Effect]) -> Option<ErrorCode> {
    match effects {
        [Effect::Reply(ServerMsg::Error { code, .. })] => Some(*code),
        _ => None,
    }
}

#[test]
fn a_connecting_socket_is_told_the_protocol_version() {
    let mut room = Room::new("lobby", 0, Limits::default());
    let effects = room.handle(Command::Connect { member: ana() }, 0);
    assert_eq!(
        effects,
        vec![Effect::Reply(ServerMsg::Connected {
            protocol_version: edgechat_protocol::PROTOCOL_VERSION
        })]
    );
}

#[test]
fn a_message_is_appended_then_acked_then_broadcast_with_the_next_seq() {
    let mut room = Room::new("lobby", 41, Limits::default());
    let effects = send(&mut room, "  hello  ", "c-1");
    let [
        Effect::Append(stored),
        Effect::Reply(ack),
        Effect::Broadcast(ServerMsg::NewMessage(sent)),
    ] = effects.as_slice()
    else {
        panic!("unexpected effects {effects:?}");
    };
    assert_eq!(stored.seq, 42);
    assert_eq!(stored.text, "hello");
    assert_eq!(stored.username, "Ana");
    assert_eq!(stored.timestamp, 1_000);
    assert_eq!(stored, sent);
    assert_eq!(
        ack,
        &ServerMsg::MessageAck {
            req_id: None,
            client_msg_id: "c-1".into(),
            message_id: stored.message_id.clone(),
            seq: 42
        }
    );
    assert_eq!(room.head_seq(), 42);
}

#[test]
fn seqs_increase_by_one_per_message() {
    let mut room = Room::new("lobby", 0, Limits::default());
    for expected in 1..=5 {
        send(&mut room, "x", &format!("c-{expected}"));
        assert_eq!(room.head_seq(), expected);
    }
}

#[test]
fn an_empty_message_is_refused_and_takes_no_seq() {
    let mut room = Room::new("lobby", 0, Limits::default());
    assert_eq!(
        error_code(&send(&mut room, " \n\t\u{7} ", "c")),
        Some(ErrorCode::Empty)
    );
    assert_eq!(room.head_seq(), 0);
}

#[test]
fn a_message_over_the_limit_is_too_long() {
    let limits = Limits {
        max_message_chars: 5,
        ..Limits::default()
    };
    let mut room = Room::new("lobby", 0, limits);
    assert_eq!(
        error_code(&send(&mut room, "éééééé", "c")),
        Some(ErrorCode::TooLong)
    );
    assert_eq!(error_code(&send(&mut room, "ééééé", "c")), None);
}

#[test]
fn a_message_for_another_room_is_refused() {
    let mut room = Room::new("lobby", 0, Limits::default());
    let raw = r#"{"type":"send-message","roomId":"elsewhere","text":"hi","clientMsgId":"c"}"#;
    let effects = room.handle(
        Command::Frame {
            member: ana(),
            raw: raw.into(),
        },
        0,
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::WrongRoom));
}

#[test]
fn a_bad_frame_is_answered_with_an_error_and_changes_nothing() {
    let mut room = Room::new("lobby", 3, Limits::default());
    let effects = room.handle(
        Command::Frame {
            member: ana(),
            raw: "{not json".into(),
        },
        0,
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::BadFrame));
    assert_eq!(room.head_seq(), 3);
}

#[test]
fn a_ping_that_reaches_the_room_is_answered_with_pong() {
    let mut room = Room::new("lobby", 0, Limits::default());
    let effects = room.handle(
        Command::Frame {
            member: ana(),
            raw: r#"{"type":"ping","reqId":"p"}"#.into(),
        },
        0,
    );
    assert_eq!(effects, vec![Effect::Reply(ServerMsg::Pong)]);
}
