//! Sending, editing, deleting, replying, reacting and pinning.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::sockets::SocketEffect;
use edgechat_core::testing::*;
use edgechat_core::{Command, Effect};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, Role, RoomEvent, ServerMsg};

#[test]
fn a_message_is_stored_then_acked_then_broadcast_with_the_next_seq() {
    let mut world = World::with_three();
    let head = world.room.head_seq();
    let effects = world.say_with_id("bo", "  hello  ", "c-9");
    let [
        Effect::Stored(RoomEvent::NewMessage(stored)),
        Effect::Socket(SocketEffect::Send { conn, msg: ack }),
        Effect::Socket(SocketEffect::Broadcast {
            msg: ServerMsg::Event(RoomEvent::NewMessage(sent)),
            except: None,
        }),
    ] = effects.as_slice()
    else {
        panic!("unexpected effects {effects:?}");
    };
    assert_eq!(stored.seq, head + 1);
    assert_eq!(stored.text, "hello");
    assert_eq!(stored.username, "Bo");
    assert_eq!(stored.timestamp, world.now);
    assert_eq!(stored.client_msg_id, "c-9");
    assert_eq!(stored, sent);
    assert_eq!(conn, "bo");
    assert_eq!(
        ack,
        &ServerMsg::MessageAck(frame::MessageAck {
            req_id: None,
            client_msg_id: "c-9".into(),
            message_id: stored.message_id.clone(),
            seq: head + 1
        })
    );
}

#[test]
fn a_resend_with_the_same_client_id_is_not_duplicated() {
    let mut world = World::with_three();
    let first = world.say_with_id("bo", "once", "c-1");
    world.advance(3_600_000);
    let again = world.say_with_id("bo", "once", "c-1");
    assert!(appended(&again).is_empty(), "{again:?}");
    assert_eq!(sent_to(&again, "bo"), sent_to(&first, "bo"));
}

#[test]
fn the_same_client_id_from_another_user_is_another_message() {
    let mut world = World::with_three();
    world.say_with_id("bo", "mine", "c-1");
    assert_eq!(
        appended(&world.say_with_id("cy", "mine too", "c-1")).len(),
        1
    );
}

#[test]
fn an_empty_message_is_refused_and_takes_no_seq() {
    let mut world = World::with_three();
    let head = world.room.head_seq();
    assert_eq!(
        error_code(&world.say("bo", " \n\t\u{7} ")),
        Some(ErrorCode::Empty)
    );
    assert_eq!(world.room.head_seq(), head);
}

#[test]
fn a_message_over_the_limit_is_too_long() {
    let limits = edgechat_core::Limits {
        max_message_chars: 5,
        ..Default::default()
    };
    let mut world = World::new(edgechat_protocol::RoomKind::Public, limits);
    world.connect("bo", "bo");
    assert_eq!(
        error_code(&world.say("bo", "éééééé")),
        Some(ErrorCode::TooLong)
    );
    assert_eq!(error_code(&world.say("bo", "ééééé")), None);
}

#[test]
fn control_characters_are_removed_before_storing() {
    let mut world = World::with_three();
    let id = world.post("bo", "a\u{0}b\u{1b}[2Jc");
    assert_eq!(world.store().message(&id).unwrap().unwrap().text, "ab[2Jc");
}

#[test]
fn a_message_for_another_room_is_refused() {
    let mut world = World::with_three();
    let effects = world.send(
        "bo",
        ClientMsg::SendMessage {
            room_id: "elsewhere".into(),
            text: "hi".into(),
            attachments: vec![],
            reply_to: None,
            client_msg_id: "c".into(),
        },
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::WrongRoom));
}

fn reply(world: &mut World, conn: &str, to: &str) -> Vec<Effect> {
    world.send(
        conn,
        ClientMsg::SendMessage {
            room_id: "lobby".into(),
            text: "answer".into(),
            attachments: vec![],
            reply_to: Some(to.into()),
            client_msg_id: format!("reply-{to}"),
        },
    )
}

#[test]
fn a_reply_must_target_a_message_in_this_room() {
    let mut world = World::with_three();
    let id = world.post("ana", "question");
    let ok = reply(&mut world, "bo", &id);
    assert!(
        matches!(appended(&ok).as_slice(), [RoomEvent::NewMessage(m)] if m.reply_to.as_deref() == Some(id.as_str()))
    );
    assert_eq!(
        error_code(&reply(&mut world, "bo", "other:1")),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        error_code(&reply(&mut world, "bo", "lobby:999")),
        Some(ErrorCode::NotFound)
    );
}

#[test]
fn too_many_attachments_are_refused() {
    let mut world = World::with_three();
    let files: Vec<String> = (0..11).map(|i| format!("f-{i}")).collect();
    let effects = world.send(
        "bo",
        ClientMsg::SendMessage {
            room_id: "lobby".into(),
            text: String::new(),
            attachments: files,
            reply_to: None,
            client_msg_id: "many".into(),
        },
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::TooManyAttachments));
}

fn edit(world: &mut World, conn: &str, id: &str, text: &str) -> Vec<Effect> {
    world.send(
        conn,
        ClientMsg::EditMessage {
            message_id: id.into(),
            new_text: text.into(),
        },
    )
}

#[test]
fn only_the_author_can_edit_even_an_admin_cannot() {
    let mut world = World::with_three();
    let id = world.post("bo", "typo");
    assert_eq!(
        error_code(&edit(&mut world, "ana", &id, "fixed")),
        Some(ErrorCode::Forbidden)
    );
    let effects = edit(&mut world, "bo", &id, "fixed");
    assert!(
        matches!(appended(&effects).as_slice(), [RoomEvent::MessageEdited { new_text, .. }] if new_text == "fixed")
    );
    let message = world.store().message(&id).unwrap().unwrap();
    assert_eq!(message.text, "fixed");
    assert_eq!(message.edited_at, Some(world.now));
}

#[test]
fn an_edit_to_the_same_text_changes_nothing() {
    let mut world = World::with_three();
    let id = world.post("bo", "same");
    assert!(edit(&mut world, "bo", &id, " same ").is_empty());
}

#[test]
fn an_edit_is_validated_like_a_message() {
    let mut world = World::with_three();
    let id = world.post("bo", "text");
    assert_eq!(
        error_code(&edit(&mut world, "bo", &id, "  ")),
        Some(ErrorCode::Empty)
    );
    assert_eq!(
        error_code(&edit(&mut world, "bo", "lobby:999", "x")),
        Some(ErrorCode::NotFound)
    );
}

fn delete(world: &mut World, conn: &str, id: &str) -> Vec<Effect> {
    world.send(
        conn,
        ClientMsg::DeleteMessage {
            message_id: id.into(),
        },
    )
}

#[test]
fn a_member_cannot_delete_another_members_message() {
    let mut world = World::with_three();
    let id = world.post("bo", "mine");
    assert_eq!(
        error_code(&delete(&mut world, "cy", &id)),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(appended(&delete(&mut world, "bo", &id)).len(), 1);
}

#[test]
fn a_moderator_deletes_a_members_message_but_not_an_admins() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::SetRole {
            user_id: "bo".into(),
            role: Role::Moderator,
        },
    );
    let members = world.post("cy", "spam");
    let admins = world.post("ana", "rules");
    assert_eq!(appended(&delete(&mut world, "bo", &members)).len(), 1);
    assert_eq!(
        error_code(&delete(&mut world, "bo", &admins)),
        Some(ErrorCode::Forbidden)
    );
}

#[test]
fn a_deleted_message_is_a_tombstone_that_nothing_can_touch() {
    let mut world = World::with_three();
    let id = world.post("bo", "secret");
    world.send(
        "bo",
        ClientMsg::AddReaction {
            message_id: id.clone(),
            emoji: "👍".into(),
        },
    );
    delete(&mut world, "bo", &id);
    let stored = world.store().stored_message(&id).unwrap().unwrap();
    assert!(stored.deleted);
    assert_eq!(stored.text, "");
    assert!(stored.reactions.is_empty());
    assert_eq!(
        error_code(&delete(&mut world, "bo", &id)),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        error_code(&edit(&mut world, "bo", &id, "back")),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        error_code(&reply(&mut world, "cy", &id)),
        Some(ErrorCode::NotFound)
    );
}

#[test]
fn history_pages_go_back_in_seq_order() {
    let mut world = World::with_three();
    for i in 0..7 {
        world.advance(40_000);
        world.post("bo", &format!("m{i}"));
    }
    let head = world.room.head_seq();
    let effects = world.send(
        "bo",
        ClientMsg::LoadHistory {
            before_seq: head + 1,
            limit: Some(3),
        },
    );
    let Some(ServerMsg::HistoryPage(frame::HistoryPage {
        messages, has_more, ..
    })) = sent_to(&effects, "bo").pop()
    else {
        panic!("no page");
    };
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["m4", "m5", "m6"]);
    assert!(has_more);
    let effects = world.send(
        "bo",
        ClientMsg::LoadHistory {
            before_seq: messages[0].seq,
            limit: Some(100),
        },
    );
    let Some(ServerMsg::HistoryPage(frame::HistoryPage {
        messages, has_more, ..
    })) = sent_to(&effects, "bo").pop()
    else {
        panic!("no page");
    };
    assert_eq!(messages.len(), 4);
    assert!(!has_more);
}

#[test]
fn bad_frames_are_answered_with_errors_and_change_nothing() {
    let mut world = World::with_three();
    let head = world.room.head_seq();
    for (raw, code) in [
        ("{not json", ErrorCode::BadFrame),
        (r#"{"type":"launch"}"#, ErrorCode::UnknownType),
        (r#"{"type":"send-message"}"#, ErrorCode::BadFrame),
        (
            r#"{"type":"create-room","roomName":"x","isPrivate":false}"#,
            ErrorCode::WrongSocket,
        ),
    ] {
        let effects = world.run(Command::Frame {
            conn: "bo".into(),
            raw: raw.into(),
        });
        assert_eq!(error_code(&effects), Some(code), "{raw}");
    }
    let effects = world.run(Command::Binary { conn: "bo".into() });
    assert_eq!(error_code(&effects), Some(ErrorCode::BadFrame));
    assert_eq!(world.room.head_seq(), head);
}

#[test]
fn a_req_id_comes_back_on_the_answer() {
    let mut world = World::with_three();
    let frame = edgechat_protocol::ClientFrame {
        req_id: Some("r-1".into()),
        msg: ClientMsg::EditMessage {
            message_id: "lobby:999".into(),
            new_text: "x".into(),
        },
    };
    let effects = world.send_frame("bo", frame);
    assert!(
        matches!(sent_to(&effects, "bo").as_slice(), [ServerMsg::Error(frame::Error { req_id: Some(r), .. })] if r == "r-1")
    );
}

#[test]
fn authenticate_is_handed_to_the_door() {
    let mut world = World::with_three();
    let effects = world.send("bo", ClientMsg::Authenticate { token: "t".into() });
    assert!(
        matches!(effects.as_slice(), [Effect::Socket(SocketEffect::Authenticate { conn, token, .. })] if conn == "bo" && token == "t")
    );
}
