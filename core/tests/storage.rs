//! The room's own SQLite: steps that fail change nothing, a long history is never read
//! whole, and the log is compacted down to the replay window once D1 has it. (Upgrades
//! of old rooms: tests/migration.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Command, Effect, Limits, Room, Upload, store::Sql};
use edgechat_protocol::frame;
use edgechat_protocol::{Attachment, ClientMsg, RoomEvent, RoomKind, Seq, ServerMsg};

fn upload(world: &World, user: &str, file_id: &str) -> Upload {
    Upload {
        attachment: Attachment {
            file_id: file_id.into(),
            name: format!("{file_id}.png"),
            content_type: "image/png".into(),
            size: 10,
            width: Some(4),
            height: Some(3),
            thumbnail_id: None,
        },
        uploader: user.into(),
        uploaded_at: world.now,
    }
}

fn send_message(text: &str, files: &[&str], reply_to: Option<&str>, client: &str) -> ClientMsg {
    ClientMsg::SendMessage {
        room_id: "lobby".into(),
        text: text.into(),
        attachments: files.iter().map(|f| f.to_string()).collect(),
        reply_to: reply_to.map(str::to_owned),
        client_msg_id: client.into(),
    }
}

/// The seq of the message `bo`'s `client` id was acked with, if it was.
fn seqs(frames: &[ServerMsg]) -> Vec<Seq> {
    frames.iter().filter_map(ServerMsg::seq).collect()
}

fn count_messages(world: &World) -> u64 {
    world
        .sqlite
        .run("SELECT COUNT(*) FROM messages", &[])
        .unwrap()[0]
        .uint(0)
        .unwrap()
}

/// A room with a little of everything: `bo` has sent a picture with its thumbnail
/// (`f-1`, `t-1`, message `lobby:5`) and has another upload waiting (`f-2`).
fn busy() -> World {
    let mut world = World::with_three();
    world.post("ana", "welcome");
    for (file, thumbnail_of) in [("f-1", None), ("t-1", Some("f-1")), ("f-2", None)] {
        let upload = upload(&world, "bo", file);
        world
            .room
            .register_upload(&upload.uploader.clone(), upload, thumbnail_of, world.now)
            .unwrap();
    }
    world.advance(1_000);
    world.send("bo", send_message("a picture", &["f-1"], None, "c-picture"));
    world.send("cy", ClientMsg::MarkRead { seq: 5 });
    assert_eq!(world.room.head_seq(), 5);
    world
}

/// How many statements `command` runs on `world`: the fewest it can be allowed
/// before the failure that every later statement meets.
fn statements_in(mut world: World, command: &Command) -> usize {
    (0..1_000)
        .find(|&allowed| {
            world.sqlite.fail_after(allowed);
            let landed = world.room.handle(command.clone(), world.now).is_ok();
            world.sqlite.heal();
            world.room = world.restored();
            landed
        })
        .expect("the step ends")
}

/// Makes `command` fail at each of its statements in turn, on a room `build` makes:
/// each time the step is an error and every table is as it was. Then, healed, the room
/// loaded again takes the command; its effects are returned.
fn fails_cleanly_at_every_statement(
    build: fn() -> World,
    command: Command,
) -> (World, Vec<Effect>) {
    let statements = statements_in(build(), &command);
    assert!(statements > 1, "{command:?} ran {statements} statement");
    let mut world = build();
    let before = tables::every_table(&world.sqlite);
    for allowed in 0..statements {
        world.sqlite.fail_after(allowed);
        let result = world.room.handle(command.clone(), world.now);
        world.sqlite.heal();
        assert!(
            result.is_err(),
            "{command:?} survived a failure after {allowed} statements"
        );
        assert_eq!(
            tables::every_table(&world.sqlite),
            before,
            "{command:?} failed after {allowed} statements"
        );
        // The object drops a room whose step failed and loads it again.
        world.room = world.restored();
    }
    let effects = world.run(command);
    (world, effects)
}

#[test]
fn a_failed_step_leaves_storage_as_it_was() {
    let send = frame_from(
        "bo",
        send_message("another", &["f-2"], Some("lobby:4"), "c-again"),
    );
    let (mut world, effects) = fails_cleanly_at_every_statement(busy, send.clone());
    let stored = appended(&effects);
    let [RoomEvent::NewMessage(message)] = stored.as_slice() else {
        panic!("the send was not stored once healed: {effects:?}");
    };
    assert_eq!(message.seq, 6);
    assert_eq!(acked(&effects, "bo", "c-again"), Some(6));
    assert!(matches!(
        world.store().upload("f-2").unwrap(),
        Some((_, true))
    ));
    let resent = world.run(send);
    assert!(appended(&resent).is_empty(), "{resent:?}");
    assert_eq!(acked(&resent, "bo", "c-again"), Some(6));
    assert_eq!(world.store().sent_with("bo", "c-again").unwrap(), Some(6));
    assert_eq!(count_messages(&world), 3, "welcome, the picture, another");

    let delete = frame_from(
        "bo",
        ClientMsg::DeleteMessage {
            message_id: "lobby:5".into(),
        },
    );
    let (world, effects) = fails_cleanly_at_every_statement(busy, delete);
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::MessageDeleted { seq: 6, .. }]
    ));
    assert!(effects.contains(&Effect::RemoveFiles(vec!["f-1".into(), "t-1".into()])));
    assert_eq!(world.store().upload("f-1").unwrap(), None);
    assert_eq!(world.store().doomed().unwrap(), ["f-1", "t-1"]);
    assert!(world.store().message("lobby:5").unwrap().is_none());

    let ban = frame_from(
        "ana",
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
    );
    let (world, effects) = fails_cleanly_at_every_statement(busy, ban);
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::UserBanned { seq: 6, .. }]
    ));
    assert_eq!(
        closed(&effects),
        [("cy".to_owned(), edgechat_protocol::close::BANNED)]
    );
    assert_eq!(world.member("cy"), None);
    assert!(world.store().is_banned("cy").unwrap());
}

/// A room that has lived a while: a few hundred events of every kind.
#[test]
fn a_room_loads_without_reading_its_history() {
    const SENT: u64 = 3_000;
    let limits = Limits {
        rate_per_window: 100_000,
        rate_burst: 100_000,
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    world.connect("bo", "bo");
    world.connect("cy", "cy");
    world.disconnect("cy");
    let first = world.room.head_seq() + 1;
    for i in 0..SENT {
        world.advance(10);
        let effects = world.say_with_id("bo", &format!("m{i}"), &format!("old-{i}"));
        assert_eq!(acked(&effects, "bo", &format!("old-{i}")), Some(first + i));
    }
    let head = world.room.head_seq();
    assert_eq!(head, first + SENT - 1);

    // Loading reads the room's info and its head: two statements, whatever its age.
    world.sqlite.fail_after(2);
    let loaded = Room::load(
        world.store().clone(),
        world.limits.clone(),
        world.sockets.clone(),
    );
    world.sqlite.heal();
    world.room = loaded.unwrap().unwrap();
    assert_eq!(world.room.head_seq(), head);

    let joined = world.connect("cy-2", "cy");
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        message_history,
        head_seq,
        unread_count,
        ..
    })) = room_joined(&joined, "cy-2")
    else {
        panic!("no room-joined: {joined:?}");
    };
    assert_eq!(head_seq, head);
    assert_eq!(
        message_history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (head - 49..=head).collect::<Vec<_>>(),
        "only the last page"
    );
    assert_eq!(unread_count, edgechat_core::store::UNREAD_COUNT_CAP);

    let mut paged: Vec<Seq> = message_history.iter().map(|m| m.seq).collect();
    loop {
        let effects = world.send(
            "cy-2",
            ClientMsg::LoadHistory {
                before_seq: paged[0],
                limit: Some(100),
            },
        );
        let Some(ServerMsg::HistoryPage(frame::HistoryPage {
            messages, has_more, ..
        })) = sent_to(&effects, "cy-2").pop()
        else {
            panic!("no page: {effects:?}");
        };
        paged.splice(0..0, messages.iter().map(|m| m.seq));
        if !has_more {
            break;
        }
    }
    assert_eq!(
        paged,
        (first..=head).collect::<Vec<_>>(),
        "back to the first"
    );

    let since = head - 10;
    let resumed = world.connect_as("cy-3", who("cy"), Some(since));
    assert_eq!(
        seqs(&sent_to(&resumed, "cy-3")),
        (since + 1..=head).collect::<Vec<_>>()
    );
    let too_old = head - world.limits.max_replay as u64 - 1;
    let resynced = world.connect_as("cy-4", who("cy"), Some(too_old));
    assert!(matches!(
        sent_to(&resynced, "cy-4").first(),
        Some(ServerMsg::Resync(frame::Resync { head_seq, .. })) if *head_seq == head
    ));

    let oldest = format!("lobby:{first}");
    let reply = world.send(
        "cy-2",
        send_message("so long ago", &[], Some(&oldest), "r-1"),
    );
    assert!(matches!(
        appended(&reply).as_slice(),
        [RoomEvent::NewMessage(m)] if m.reply_to.as_deref() == Some(oldest.as_str())
    ));
    let resend = world.say_with_id("bo", "m0", "old-0");
    assert!(appended(&resend).is_empty(), "{resend:?}");
    assert_eq!(acked(&resend, "bo", "old-0"), Some(first));
}

#[test]
fn compaction_keeps_the_replay_window_and_drops_what_d1_has() {
    const WINDOW: usize = 50;
    let limits = Limits {
        max_replay: WINDOW,
        // Edits have their own budget; the flood must still land.
        action_rate: edgechat_core::rate::Rate {
            per_window: 100_000,
            window_ms: 1_000,
            burst: 100_000,
        },
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    world.connect("bo", "bo");
    world.post("bo", "before");
    let id = world.post("bo", "v0");
    world.post("bo", "after");
    for i in 1..=500 {
        world.advance(10);
        let effects = world.send(
            "bo",
            ClientMsg::EditMessage {
                message_id: id.clone(),
                new_text: format!("v{i}"),
            },
        );
        assert_eq!(appended(&effects).len(), 1, "{effects:?}");
    }
    let head = world.room.head_seq();
    let store = world.store().clone();
    // Every event is in the log but the three messages, which are rows of their own.
    assert_eq!(store.log_len().unwrap(), head - 3);

    // D1 lags behind: what it lacks stays, window or not.
    let lagging = head - 200;
    store.set_archived(lagging).unwrap();
    assert_eq!(store.compact(WINDOW).unwrap(), lagging);
    assert_eq!(store.log_len().unwrap(), head - lagging);
    let pending: Vec<Seq> = store
        .pending(store.archived().unwrap(), 1_000)
        .unwrap()
        .iter()
        .map(|p| p.event.seq())
        .collect();
    assert_eq!(pending, (lagging + 1..=head).collect::<Vec<_>>());

    store.set_archived(head).unwrap();
    assert_eq!(store.compact(WINDOW).unwrap(), head - WINDOW as u64);
    assert!(store.log_len().unwrap() <= WINDOW as u64);
    assert_eq!(count_messages(&world), 3);
    assert_eq!(store.message(&id).unwrap().unwrap().text, "v500");

    world.room = world.restored();
    let since = head - WINDOW as u64;
    let resumed = world.connect_as("bo-2", who("bo"), Some(since));
    assert_eq!(
        seqs(&sent_to(&resumed, "bo-2")),
        (since + 1..=head).collect::<Vec<_>>()
    );
    let resynced = world.connect_as("bo-3", who("bo"), Some(since - 1));
    assert!(matches!(
        sent_to(&resynced, "bo-3").first(),
        Some(ServerMsg::Resync(frame::Resync { .. }))
    ));
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        message_history, ..
    })) = room_joined(&resynced, "bo-3")
    else {
        panic!("no room-joined: {resynced:?}");
    };
    let texts: Vec<&str> = message_history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["before", "v500", "after"]);

    // A log compacted shorter than the window cannot replay across the gap.
    store.compact(10).unwrap();
    assert_eq!(store.replay_after(since, WINDOW).unwrap(), None);
    assert!(store.replay_after(head - 10, WINDOW).unwrap().is_some());
}

#[test]
fn a_shard_catches_up_a_page_at_a_time_however_far_behind_it_fell() {
    const PAGE: usize = 10;
    let mut world = World::new(RoomKind::Public, Limits::default());
    world.connect("bo", "bo");
    let id = world.post("bo", "v0");
    for i in 1..=20 {
        world.advance(1_000);
        world.post("bo", &format!("m{i}"));
        world.send(
            "bo",
            ClientMsg::EditMessage {
                message_id: id.clone(),
                new_text: format!("v{i}"),
            },
        );
    }
    let store = world.store().clone();
    let head = world.room.head_seq();
    assert!(head > 3 * PAGE as u64, "{head}");
    assert_eq!(
        store.replay_after(0, PAGE).unwrap(),
        None,
        "a client this far behind resyncs"
    );
    // Messages are rows of their own and edits are log rows: a page interleaves both.
    let mut after = 0;
    while after < head {
        let page = store.replay_page(after, PAGE).unwrap().expect("a page");
        let seqs: Vec<Seq> = page.iter().map(|e| e.seq()).collect();
        let through = (after + PAGE as u64).min(head);
        assert_eq!(seqs, (after + 1..=through).collect::<Vec<_>>());
        after = through;
    }
    assert_eq!(store.replay_page(head, PAGE).unwrap(), Some(Vec::new()));
    assert_eq!(
        store.replay_page(head + 1, PAGE).unwrap(),
        None,
        "past the head"
    );

    store.set_archived(head).unwrap();
    store.compact(PAGE).unwrap();
    assert_eq!(
        store.replay_page(0, PAGE).unwrap(),
        None,
        "compacted past it: its sockets resync"
    );
}
