//! Seqs, resuming after a reconnect, read state, and a room loaded again from its store.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Effect, Limits};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, RoomKind, ServerMsg};

fn first_frames(effects: &[Effect], conn: &str) -> Vec<ServerMsg> {
    sent_to(effects, conn)
}

#[test]
fn every_durable_event_takes_the_next_seq() {
    let mut world = World::with_three();
    let id = world.post("bo", "a");
    world.send(
        "cy",
        ClientMsg::AddReaction {
            message_id: id.clone(),
            emoji: "👍".into(),
        },
    );
    world.send("ana", ClientMsg::PinMessage { message_id: id });
    let seqs: Vec<u64> = world.log.iter().map(RoomEvent::seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(world.room.head_seq(), seqs.len() as u64);
}

#[test]
fn a_new_socket_gets_room_joined_first_with_history_and_its_role() {
    let mut world = World::with_three();
    world.post("bo", "hello");
    let effects = world.connect("ana-2", "ana");
    let frames = first_frames(&effects, "ana-2");
    let ServerMsg::RoomJoined(frame::RoomJoined {
        message_history,
        your_role,
        head_seq,
        users,
        ..
    }) = &frames[0]
    else {
        panic!("{frames:?}");
    };
    assert_eq!(message_history.len(), 1);
    assert_eq!(*your_role, edgechat_protocol::Role::Admin);
    assert_eq!(*head_seq, world.room.head_seq());
    assert!(users.iter().all(|u| u.online));
}

#[test]
fn a_reconnect_with_since_gets_exactly_the_missed_events() {
    let mut world = World::with_three();
    world.post("bo", "seen");
    let since = world.room.head_seq();
    world.disconnect("cy");
    let missed = world.post("bo", "missed 1");
    world.send("ana", ClientMsg::PinMessage { message_id: missed });
    world.post("bo", "missed 2");
    let effects = world.connect_as("cy-2", who("cy"), Some(since));
    let frames = first_frames(&effects, "cy-2");
    assert!(
        matches!(&frames[0], ServerMsg::RoomJoined(frame::RoomJoined { message_history, .. }) if message_history.is_empty())
    );
    let replayed: Vec<u64> = frames[1..].iter().filter_map(ServerMsg::seq).collect();
    assert_eq!(
        replayed,
        (since + 1..=world.room.head_seq()).collect::<Vec<_>>()
    );
}

#[test]
fn a_reconnect_that_missed_nothing_gets_nothing_more() {
    let mut world = World::with_three();
    let since = world.room.head_seq();
    let effects = world.connect_as("cy-2", who("cy"), Some(since));
    let frames = first_frames(&effects, "cy-2");
    assert_eq!(frames.iter().filter_map(ServerMsg::seq).count(), 0);
}

#[test]
fn a_since_too_far_back_asks_for_a_resync_then_sends_a_fresh_room() {
    let limits = Limits {
        max_replay: 3,
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    world.connect("ana", "ana");
    for i in 0..5 {
        world.advance(60_000);
        world.post("ana", &format!("m{i}"));
    }
    let effects = world.connect_as("ana-2", who("ana"), Some(1));
    let frames = first_frames(&effects, "ana-2");
    assert!(
        matches!(&frames[0], ServerMsg::Resync(frame::Resync { head_seq, .. }) if *head_seq == world.room.head_seq())
    );
    assert!(
        matches!(&frames[1], ServerMsg::RoomJoined(frame::RoomJoined { message_history, .. }) if message_history.len() == 5)
    );
}

#[test]
fn a_since_from_the_future_is_a_resync() {
    let mut world = World::with_three();
    let effects = world.connect_as("cy-2", who("cy"), Some(9_999));
    assert!(matches!(
        first_frames(&effects, "cy-2")[0],
        ServerMsg::Resync(frame::Resync { .. })
    ));
}

#[test]
fn unread_counts_other_peoples_live_messages_above_the_read_mark() {
    let mut world = World::with_three();
    world.post("ana", "one");
    let deleted = world.post("ana", "two");
    world.post("bo", "my own");
    world.post("ana", "three");
    world.send(
        "ana",
        ClientMsg::DeleteMessage {
            message_id: deleted,
        },
    );
    assert_eq!(world.store().unread_count("bo").unwrap(), 2);
    let seq_of_one = world.log.iter().find_map(|e| match e {
        RoomEvent::NewMessage(m) if m.text == "one" => Some(m.seq),
        _ => None,
    });
    world.send(
        "bo",
        ClientMsg::MarkRead {
            seq: seq_of_one.unwrap(),
        },
    );
    assert_eq!(world.store().unread_count("bo").unwrap(), 1);
}

#[test]
fn read_marks_only_move_forward_and_stop_at_the_head() {
    let mut world = World::with_three();
    world.post("ana", "x");
    let head = world.room.head_seq();
    let effects = world.send("bo", ClientMsg::MarkRead { seq: 10_000 });
    assert_eq!(world.store().read_mark("bo").unwrap(), head);
    assert!(
        broadcasts(&effects).contains(&ServerMsg::ReadReceipt(frame::ReadReceipt {
            user_id: "bo".into(),
            seq: head
        }))
    );
    assert!(world.send("bo", ClientMsg::MarkRead { seq: 1 }).is_empty());
    assert_eq!(world.store().read_mark("bo").unwrap(), head);
}

#[test]
fn the_tables_a_room_builds_live_equal_those_its_log_migrates_into() {
    let mut world = World::with_three();
    let id = world.post("bo", "a");
    world.advance(40_000);
    world.post("cy", "b");
    world.send(
        "cy",
        ClientMsg::AddReaction {
            message_id: id.clone(),
            emoji: "🎉".into(),
        },
    );
    world.send(
        "bo",
        ClientMsg::EditMessage {
            message_id: id.clone(),
            new_text: "a!".into(),
        },
    );
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "cy".into(),
            until: world.now + 1_000,
        },
    );
    world.send("ana", ClientMsg::SetSlowMode { seconds: 5 });
    world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
    );
    world.send("bo", ClientMsg::MarkRead { seq: 2 });
    let migrated = tables::migrate(&tables::stored_by_v1(&world.sqlite), 3);
    assert_eq!(tables::state(migrated.sql()), tables::state(&world.sqlite));
    assert_eq!(migrated.read_mark("bo").unwrap(), 2);
}

#[test]
fn a_resend_after_a_load_is_still_recognised() {
    let mut world = World::with_three();
    let first = world.say_with_id("bo", "once", "c-1");
    world.room = world.restored();
    let again = world.connect("bo-2", "bo");
    assert!(appended(&again).is_empty());
    let raw = r#"{"type":"send-message","roomId":"lobby","text":"once","clientMsgId":"c-1"}"#;
    let effects = world.run(edgechat_core::Command::Frame {
        conn: "bo-2".into(),
        raw: raw.into(),
    });
    assert!(appended(&effects).is_empty());
    let ack = |e: &[Effect], conn| {
        sent_to(e, conn)
            .into_iter()
            .find(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
    };
    assert_eq!(ack(&effects, "bo-2"), ack(&first, "bo"));
}

#[test]
fn history_over_http_is_for_members_or_anyone_in_a_public_room_but_never_the_banned() {
    let mut world = World::with_three();
    world.post("bo", "hello");
    assert_eq!(
        world
            .room
            .history_for("stranger", false, None, None)
            .unwrap()
            .map(|(m, _)| m.len())
            .map_err(|refusal| refusal.code()),
        Ok(1)
    );
    world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
    );
    assert_eq!(
        world
            .room
            .history_for("cy", false, None, None)
            .unwrap()
            .map_err(|refusal| refusal.code()),
        Err(edgechat_protocol::ErrorCode::Forbidden)
    );

    let mut private = World::new(RoomKind::Private, Limits::default());
    private.connect("ana", "ana");
    private.post("ana", "secret");
    assert_eq!(
        private
            .room
            .history_for("stranger", false, None, None)
            .unwrap()
            .map_err(|refusal| refusal.code()),
        Err(edgechat_protocol::ErrorCode::Forbidden)
    );
    assert!(
        private
            .room
            .history_for("stranger", true, None, None)
            .unwrap()
            .is_ok(),
        "a global admin reads"
    );
    assert_eq!(
        private
            .room
            .history_for("ana", false, Some(1), Some(10))
            .unwrap()
            .map(|(m, more)| (m.len(), more))
            .map_err(|refusal| refusal.code()),
        Ok((0, false))
    );
}

#[test]
fn a_member_away_from_the_room_is_told_once_when_it_goes_unread() {
    let mut world = World::with_three();
    world.disconnect("cy");
    world.advance(10_000);
    world.run(edgechat_core::Command::Tick);
    let before = world.room.head_seq();
    world.post("bo", "one");
    world.post("ana", "two");
    let head = world.room.head_seq();
    let told = world.room.unread_transitions(before, head).unwrap();
    assert_eq!(
        told,
        vec![("cy".to_owned(), before + 1)],
        "members here are not told"
    );
    world.post("bo", "three");
    assert!(
        world
            .room
            .unread_transitions(head, world.room.head_seq())
            .unwrap()
            .is_empty(),
        "already unread: not told again"
    );
}

#[test]
fn a_member_who_just_closed_the_room_is_told_without_waiting_out_the_grace() {
    let mut world = World::with_three();
    world.disconnect("cy");
    // Still shown online for the grace period, but no longer seeing the room.
    assert!(world.room.online().contains("cy"));
    let before = world.room.head_seq();
    world.post("bo", "while cy switched rooms");
    let told = world
        .room
        .unread_transitions(before, world.room.head_seq())
        .unwrap();
    assert_eq!(told, vec![("cy".to_owned(), before + 1)]);
    let told = world.notify(before, &[]);
    let counts: Vec<_> = told
        .iter()
        .flat_map(|(user, frames)| frames.iter().map(move |f| (user, f)))
        .filter_map(|(user, frame)| match frame {
            ServerMsg::Notification(frame::Notification {
                seq,
                unread_count: Some(count),
                ..
            }) => Some((user.clone(), *seq, *count)),
            _ => None,
        })
        .collect();
    assert_eq!(counts, vec![("cy".to_owned(), before + 1, 1)]);
}

#[test]
fn room_joined_carries_every_members_read_mark() {
    let mut world = World::with_three();
    world.post("ana", "x");
    world.send("bo", ClientMsg::MarkRead { seq: 2 });
    let effects = world.connect("cy-2", "cy");
    let Some(ServerMsg::RoomJoined(frame::RoomJoined { read_marks, .. })) =
        sent_to(&effects, "cy-2").into_iter().next()
    else {
        panic!("no room-joined");
    };
    assert_eq!(read_marks.get("bo"), Some(&2));
}
