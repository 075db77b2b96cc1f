//! The send path: one write per message, no read in steady state, and every guarantee
//! kept (exactly once by `clientMsgId`, however old the message and whatever refuses a
//! new one).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Limits, rate::Rate, store::Sql};
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, RoomKind};

fn roomy() -> Limits {
    let plenty = Rate {
        per_window: 100_000,
        window_ms: 1_000,
        burst: 100_000,
    };
    Limits {
        rate_per_window: 100_000,
        rate_burst: 100_000,
        action_rate: plenty,
        moderation_rate: plenty,
        ..Limits::default()
    }
}

#[test]
fn a_send_after_the_first_reads_nothing_and_writes_one_row() {
    let mut world = World::new(RoomKind::Public, roomy());
    world.connect("bo", "bo");
    world.advance(10_000);
    // The first send after a load reads its sender once, and the room's outgoing hooks
    // once (kept in memory after).
    let before = world.sqlite.statements();
    assert_eq!(
        acked(&world.say_with_id("bo", "one", "c-1"), "bo", "c-1"),
        Some(3)
    );
    assert_eq!(
        world.sqlite.statements() - before,
        3,
        "two reads, one write"
    );
    for i in 2..20 {
        world.advance(10_000);
        let before = world.sqlite.statements();
        let effects = world.say_with_id("bo", &format!("m{i}"), &format!("c-{i}"));
        assert!(
            acked(&effects, "bo", &format!("c-{i}")).is_some(),
            "{effects:?}"
        );
        assert_eq!(world.sqlite.statements() - before, 1, "send {i}");
    }
    // The log holds no message: each is its own row.
    let log = world
        .sqlite
        .run("SELECT COUNT(*) FROM events WHERE seq > 2", &[])
        .unwrap();
    assert_eq!(log[0].uint(0).unwrap(), 0);
}

#[test]
fn a_resend_long_after_compaction_gets_its_original_ack() {
    let mut world = World::new(RoomKind::Public, roomy());
    world.connect("ana", "ana");
    world.connect("bo", "bo");
    let first = acked(
        &world.say_with_id("bo", "early", "c-early"),
        "bo",
        "c-early",
    )
    .unwrap();
    for i in 0..300 {
        world.advance(10);
        world.say_with_id("bo", &format!("m{i}"), &format!("c-{i}"));
        world.send(
            "ana",
            ClientMsg::AddReaction {
                message_id: format!("lobby:{first}"),
                emoji: if i % 2 == 0 { "👍" } else { "🎉" }.into(),
            },
        );
    }
    let head = world.room.head_seq();
    let store = world.store().clone();
    store.set_archived(head).unwrap();
    store.compact(10).unwrap();
    assert!(store.log_len().unwrap() <= 10);
    world.room = world.restored();
    world.advance(60_000);

    // Nothing refuses it: its row's ack key is taken, and that is the answer.
    let resend = world.say_with_id("bo", "early", "c-early");
    assert_eq!(acked(&resend, "bo", "c-early"), Some(first), "{resend:?}");
    assert!(appended(&resend).is_empty());
    assert_eq!(world.room.head_seq(), head);

    // Refused as new (muted, then the same text again at once), it is still acked.
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "bo".into(),
            until: world.now + 60_000,
        },
    );
    let muted = world.say_with_id("bo", "early", "c-early");
    assert_eq!(acked(&muted, "bo", "c-early"), Some(first), "{muted:?}");
    assert_eq!(
        error_code(&world.say_with_id("bo", "new", "c-new")),
        Some(ErrorCode::Muted)
    );
    world.send(
        "ana",
        ClientMsg::UnmuteUser {
            user_id: "bo".into(),
        },
    );
    world.say_with_id("bo", "again", "c-again");
    let duplicate = world.say_with_id("bo", "again", "c-other");
    assert_eq!(error_code(&duplicate), Some(ErrorCode::Duplicate));
    let resent = world.say_with_id("bo", "again", "c-again");
    assert!(acked(&resent, "bo", "c-again").is_some(), "{resent:?}");
    assert_eq!(
        world.room.head_seq(),
        head + 3,
        "the mute, the unmute, one message"
    );
}

#[test]
fn what_a_send_keeps_of_its_sender_follows_moderation_and_edits() {
    let mut world = World::new(RoomKind::Public, roomy());
    world.connect("ana", "ana");
    world.connect("bo", "bo");
    world.say("bo", "warm");
    world.advance(60_000);
    // Slow mode set after the sender was read applies to their next message.
    world.send("ana", ClientMsg::SetSlowMode { seconds: 30 });
    world.say("bo", "one");
    assert_eq!(
        error_code(&world.say("bo", "two")),
        Some(ErrorCode::SlowMode)
    );
    // Made a moderator, they are above slow mode at once.
    world.send(
        "ana",
        ClientMsg::SetRole {
            user_id: "bo".into(),
            role: edgechat_protocol::Role::Moderator,
        },
    );
    assert_eq!(error_code(&world.say("bo", "two")), None);
    // Their latest message deleted, the same text is no duplicate.
    let id = world.post("bo", "three");
    assert_eq!(
        error_code(&world.say("bo", "three")),
        Some(ErrorCode::Duplicate)
    );
    world.send("bo", ClientMsg::DeleteMessage { message_id: id });
    let again = world.say("bo", "three");
    assert!(
        matches!(appended(&again).as_slice(), [RoomEvent::NewMessage(_)]),
        "{again:?}"
    );
}

/// docs/protocol.md, *What a replay sends*.
#[test]
fn a_since_replay_sends_each_message_as_it_is_now_then_what_changed_it() {
    let mut world = World::new(RoomKind::Public, roomy());
    world.connect("ana", "ana");
    world.connect("bo", "bo");
    let before = world.post("bo", "sent before since");
    let since = world.room.head_seq();
    let edited = world.post("bo", "first words");
    world.send(
        "bo",
        ClientMsg::EditMessage {
            message_id: edited.clone(),
            new_text: "second words".into(),
        },
    );
    let deleted = world.post("bo", "soon gone");
    world.send(
        "ana",
        ClientMsg::AddReaction {
            message_id: deleted.clone(),
            emoji: "👍".into(),
        },
    );
    world.send(
        "bo",
        ClientMsg::DeleteMessage {
            message_id: deleted.clone(),
        },
    );
    world.send(
        "bo",
        ClientMsg::EditMessage {
            message_id: before.clone(),
            new_text: "changed after since".into(),
        },
    );
    let head = world.room.head_seq();

    world.room = world.restored();
    let resumed = world.connect_as("bo-2", who("bo"), Some(since));
    let replayed: Vec<RoomEvent> = sent_to(&resumed, "bo-2")
        .into_iter()
        .filter_map(|msg| match msg {
            edgechat_protocol::ServerMsg::Event(event) => Some(event),
            _ => None,
        })
        .collect();
    let seqs: Vec<u64> = replayed.iter().map(RoomEvent::seq).collect();
    assert_eq!(
        seqs,
        (since + 1..=head).collect::<Vec<_>>(),
        "one event per seq"
    );
    let [
        RoomEvent::NewMessage(first),
        RoomEvent::MessageEdited {
            message_id: edit, ..
        },
        RoomEvent::NewMessage(gone),
        RoomEvent::ReactionUpdated { .. },
        RoomEvent::MessageDeleted {
            message_id: delete, ..
        },
        RoomEvent::MessageEdited {
            message_id: late_edit,
            new_text,
            ..
        },
    ] = replayed.as_slice()
    else {
        panic!("{replayed:#?}");
    };
    // Each message as it stands now, at the seq it was sent with…
    assert_eq!(
        (first.message_id.as_str(), first.text.as_str()),
        (edited.as_str(), "second words")
    );
    assert!(first.edited_at.is_some());
    assert_eq!(gone.message_id, deleted);
    assert!(
        gone.deleted && gone.text.is_empty() && gone.reactions.is_empty(),
        "{gone:?}"
    );
    // …then what changed it, at their own seqs; a message from before `since` only so.
    assert_eq!((edit, delete), (&edited, &deleted));
    assert_eq!(
        (late_edit, new_text.as_str()),
        (&before, "changed after since")
    );
}

/// A room stored before schema 10 still has its messages' events in the log beside their
/// rows until compaction: a replay and the write-behind take the row, as it stands now.
#[test]
fn a_message_whose_old_event_the_log_still_holds_is_sent_as_it_stands_now() {
    let mut world = World::new(RoomKind::Public, roomy());
    world.connect("bo", "bo");
    let since = world.room.head_seq();
    let id = world.post("bo", "as first sent");
    let seq = since + 1;
    let first = world.store().stored_message(&id).unwrap().unwrap();
    world.send("bo", ClientMsg::DeleteMessage { message_id: id });
    let old_event = serde_json::to_string(&RoomEvent::NewMessage(first)).unwrap();
    world
        .sqlite
        .run(
            "INSERT INTO events (seq, body, at) VALUES (?, ?, 0)",
            &[seq.into(), old_event.into()],
        )
        .unwrap();

    let replayed = world.store().replay_after(since, 50).unwrap().unwrap();
    assert_eq!(replayed.len(), 2, "{replayed:?}");
    assert!(
        matches!(&replayed[0], RoomEvent::NewMessage(m) if m.deleted && m.text.is_empty()),
        "{replayed:?}"
    );
    let pending = world.store().pending(since, 50).unwrap();
    assert_eq!(
        pending.iter().map(|p| p.event.clone()).collect::<Vec<_>>(),
        replayed
    );
}
