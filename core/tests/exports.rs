//! A room's export, as the core decides it: who may start one, what each part holds,
//! when the next is due, and when its archive goes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::export::{Manifest, MemberLine};
use edgechat_core::room::{ExportStep, Moved};
use edgechat_core::testing::*;
use edgechat_core::{Limits, rate::Rate};
use edgechat_protocol::{ErrorCode, Message, RoomKind};

const PACE: u64 = 100;

fn limits() -> Limits {
    Limits {
        export_chunk: 3,
        export_pace_ms: PACE,
        export_ttl_ms: 60_000,
        rate_burst: 1_000,
        presence_coalesce_ms: 0,
        action_rate: Rate {
            per_window: 1_000,
            window_ms: 1_000,
            burst: 1_000,
        },
        ..Limits::default()
    }
}

fn world_with(limits: Limits, messages: usize) -> World {
    let mut world = World::new(RoomKind::Public, limits);
    for user in ["ana", "bo", "cy"] {
        world.connect(user, user);
    }
    for i in 0..messages {
        world.post(["ana", "bo"][i % 2], &format!("message {i}"));
    }
    world
}

/// What one export wrote: each part's entries (name, text), then the manifest.
struct Written {
    parts: Vec<Vec<(String, String)>>,
    manifest: Manifest,
}

/// Runs the export's steps as the object would, a part per alarm at the room's pace.
fn run_export(world: &mut World, export_id: &str) -> Written {
    let mut parts = Vec::new();
    for _ in 0..100 {
        world.advance(PACE);
        match world.room.next_export_step(world.now).unwrap() {
            Some(ExportStep::Part {
                export_id: id,
                part,
                entries,
                files,
                moved,
                ..
            }) => {
                assert_eq!(id, export_id);
                let bytes: u64 = entries.iter().map(|(_, t)| t.len() as u64 + 512).sum();
                world
                    .room
                    .export_stepped(&id, part, &moved, bytes, files.len() as u64, world.now)
                    .unwrap();
                if !entries.is_empty() {
                    parts.push(entries);
                }
            }
            Some(ExportStep::Manifest {
                export_id: id,
                manifest,
            }) => {
                world.room.export_finished(&id, world.now).unwrap();
                return Written {
                    parts,
                    manifest: *manifest,
                };
            }
            None => panic!("the export stalled"),
        }
    }
    panic!("the export never finished");
}

#[test]
fn an_admin_exports_every_message_in_parts_of_the_chunk_then_the_members_then_the_manifest() {
    let mut world = world_with(limits(), 7);
    let started = world
        .room
        .start_export(&who("ana"), "x1", world.now)
        .unwrap()
        .unwrap();
    assert_eq!(started.state, "running");
    let written = run_export(&mut world, "x1");
    let names: Vec<Vec<&str>> = written
        .parts
        .iter()
        .map(|p| p.iter().map(|(n, _)| n.as_str()).collect())
        .collect();
    assert_eq!(
        names,
        [
            vec!["messages/000001.jsonl"],
            vec!["messages/000002.jsonl"],
            vec!["messages/000003.jsonl"],
            vec!["members/000004.jsonl"],
        ]
    );
    let texts: Vec<String> = written.parts[..3]
        .iter()
        .flat_map(|p| p[0].1.lines().map(str::to_owned).collect::<Vec<_>>())
        .map(|line| serde_json::from_str::<Message>(&line).unwrap().text)
        .collect();
    assert_eq!(
        texts,
        (0..7).map(|i| format!("message {i}")).collect::<Vec<_>>()
    );
    let members: Vec<MemberLine> = written.parts[3][0]
        .1
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        members
            .iter()
            .map(|m| m.user_id.as_str())
            .collect::<Vec<_>>(),
        ["ana", "bo", "cy"]
    );
    let manifest = written.manifest;
    assert_eq!((manifest.messages, manifest.members), (7, 3));
    assert_eq!(manifest.parts.len(), 4);
    assert_eq!(manifest.format, "edgechat-export");
    let view = world.room.export_view(&who("ana"), "x1").unwrap().unwrap();
    assert_eq!(view.state, "ready");
    assert_eq!(view.written_seq, view.through_seq);
    assert_eq!(view.expires_at, Some(world.now + 60_000));
}

#[test]
fn a_message_sent_during_an_export_is_not_in_it() {
    let mut world = world_with(limits(), 4);
    world
        .room
        .start_export(&who("ana"), "x1", world.now)
        .unwrap()
        .unwrap();
    world.post("ana", "after the export began");
    let written = run_export(&mut world, "x1");
    assert_eq!(written.manifest.messages, 4);
    assert!(
        !written
            .parts
            .iter()
            .flatten()
            .any(|(_, text)| text.contains("after the export began"))
    );
}

#[test]
fn only_an_admin_starts_an_export_and_only_its_maker_sees_it() {
    let mut world = world_with(limits(), 1);
    let refused = world
        .room
        .start_export(&who("bo"), "x1", world.now)
        .unwrap();
    assert_eq!(refused.unwrap_err().code(), ErrorCode::Forbidden);
    let mut admin = who("zed");
    admin.global_admin = true;
    world
        .room
        .start_export(&admin, "x2", world.now)
        .unwrap()
        .unwrap();
    world
        .room
        .start_export(&who("ana"), "x1", world.now)
        .unwrap()
        .unwrap();
    let again = world
        .room
        .start_export(&who("ana"), "x1", world.now)
        .unwrap()
        .unwrap();
    assert_eq!(
        again.export_id, "x1",
        "asking again answers the same export"
    );
    let latest = world.room.latest_export(&who("ana")).unwrap().unwrap();
    assert_eq!(latest.export_id, "x1", "ana's newest, not the admin's");
    assert!(world.room.latest_export(&who("bo")).unwrap().is_err());
    for (user, id) in [("bo", "x1"), ("ana", "x2"), ("ana", "nope")] {
        let seen = world.room.export_view(&who(user), id).unwrap();
        assert_eq!(seen.unwrap_err().code(), ErrorCode::NotFound, "{user} {id}");
    }
}

#[test]
fn parts_wait_for_the_pace_and_the_alarm_is_asked_for_them() {
    let mut world = world_with(limits(), 7);
    world
        .room
        .start_export(&who("ana"), "x1", world.now)
        .unwrap()
        .unwrap();
    assert_eq!(world.room.next_deadline().unwrap(), Some(world.now));
    let Some(ExportStep::Part { part, moved, .. }) =
        world.room.next_export_step(world.now).unwrap()
    else {
        panic!("the first part is due at once");
    };
    world
        .room
        .export_stepped("x1", part, &moved, 600, 0, world.now)
        .unwrap();
    assert_eq!(world.room.next_export_step(world.now).unwrap(), None);
    assert_eq!(world.room.next_deadline().unwrap(), Some(world.now + PACE));
    // Reported twice (an object that retried): counted once.
    world
        .room
        .export_stepped("x1", part, &moved, 600, 0, world.now)
        .unwrap();
    let view = world.room.export_view(&who("ana"), "x1").unwrap().unwrap();
    assert_eq!((view.messages, view.bytes), (3, 600));
    // A room loaded again (a restart) carries on from its stored cursor.
    world.room = world.restored();
    world.advance(PACE);
    let Some(ExportStep::Part { entries, .. }) = world.room.next_export_step(world.now).unwrap()
    else {
        panic!("the second part");
    };
    assert_eq!(entries[0].0, "messages/000002.jsonl");
    assert!(entries[0].1.starts_with("{\"messageId\":\"lobby:"));
    assert!(entries[0].1.contains("message 3"));
}

#[test]
fn an_archive_past_its_size_fails_and_every_archive_goes_after_its_time() {
    let mut world = world_with(
        Limits {
            export_max_bytes: 1_000,
            ..limits()
        },
        7,
    );
    world
        .room
        .start_export(&who("ana"), "big", world.now)
        .unwrap()
        .unwrap();
    for _ in 0..2 {
        world.advance(PACE);
        let Some(ExportStep::Part { part, moved, .. }) =
            world.room.next_export_step(world.now).unwrap()
        else {
            panic!("a part");
        };
        world
            .room
            .export_stepped("big", part, &moved, 600, 0, world.now)
            .unwrap();
    }
    let view = world.room.export_view(&who("ana"), "big").unwrap().unwrap();
    assert_eq!(view.state, "failed");
    assert_eq!(world.room.next_export_step(world.now).unwrap(), None);
    assert!(world.room.expired_exports(world.now).unwrap().is_empty());
    world.advance(60_000);
    assert_eq!(
        world.room.expired_exports(world.now).unwrap(),
        [("big".to_owned(), 3)],
        "its two parts, and one more it may have written unreported"
    );
    world.room.forget_export("big", world.now).unwrap();
    assert!(world.room.export_view(&who("ana"), "big").unwrap().is_err());
    assert_eq!(world.room.next_deadline().unwrap(), None);
}

#[test]
fn a_part_stops_taking_messages_once_its_files_reach_the_part_size() {
    let mut world = world_with(
        Limits {
            export_part_bytes: 10,
            ..limits()
        },
        3,
    );
    world
        .room
        .start_export(&who("ana"), "x1", world.now)
        .unwrap()
        .unwrap();
    // Without files every message fits; the cut is by the files' sizes (tested with
    // attachments end to end), but never below one message a part.
    let Some(ExportStep::Part { moved, .. }) = world.room.next_export_step(world.now).unwrap()
    else {
        panic!("a part");
    };
    assert!(
        matches!(
            moved,
            Moved::Messages {
                count: 1,
                done: false,
                ..
            }
        ),
        "{moved:?}"
    );
}
