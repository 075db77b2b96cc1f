//! Importing an export into a new room, as the core decides it: who may, into which
//! room, what each entry becomes, and that the round trip gives the same messages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::export::tar;
use edgechat_core::room::{ExportStep, ImportRead};
use edgechat_core::testing::*;
use edgechat_core::{Limits, rate::Rate};
use edgechat_protocol::{ClientMsg, ErrorCode, Message, RoomEvent, RoomKind, ServerMsg, frame};

fn limits() -> Limits {
    Limits {
        export_chunk: 3,
        export_pace_ms: 10,
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

fn room(messages: usize) -> World {
    let mut world = World::new(RoomKind::Public, limits());
    for user in ["ana", "bo"] {
        world.connect(user, user);
    }
    for i in 0..messages {
        world.post(["ana", "bo"][i % 2], &format!("message {i}"));
    }
    world
}

/// The room's export as one archive, written as the object writes it.
fn exported(world: &mut World, export_id: &str) -> Vec<u8> {
    world
        .room
        .start_export(&who("ana"), export_id, world.now)
        .unwrap()
        .unwrap();
    let mut parts = Vec::new();
    loop {
        world.advance(10);
        match world
            .room
            .next_export_step(world.now)
            .unwrap()
            .expect("a step")
        {
            ExportStep::Part {
                part,
                entries,
                moved,
                ..
            } => {
                let mut bytes = Vec::new();
                for (name, text) in &entries {
                    tar::append(&mut bytes, name, text.as_bytes(), 0);
                }
                world
                    .room
                    .export_stepped(export_id, part, &moved, bytes.len() as u64, 0, world.now)
                    .unwrap();
                parts.extend(bytes);
            }
            ExportStep::Manifest { manifest, .. } => {
                world.room.export_finished(export_id, world.now).unwrap();
                let mut archive = Vec::new();
                tar::append(
                    &mut archive,
                    "manifest.json",
                    &serde_json::to_vec(&manifest).unwrap(),
                    0,
                );
                archive.extend(parts);
                archive.extend(tar::END);
                return archive;
            }
        }
    }
}

/// Runs an import of `archive` as the object does; its outcome (`Ok`, or the error).
fn imported(world: &mut World, import_id: &str, archive: &[u8]) -> Result<(), String> {
    world
        .room
        .import_stored(import_id, archive.len() as u64, world.now)
        .unwrap();
    let now = world.now;
    let mut next = world.room.next_import_read(now).unwrap();
    for _ in 0..1_000 {
        next = match next.take() {
            Some(ImportRead::Header { import_id, offset }) => {
                let at = offset as usize;
                let block = &archive[at.min(archive.len())..(at + tar::BLOCK).min(archive.len())];
                world.room.import_header(&import_id, block, now).unwrap()
            }
            Some(ImportRead::Entry {
                import_id,
                offset,
                len,
                entry,
            }) => {
                let end = ((offset + len) as usize).min(archive.len());
                let bytes = &archive[(offset as usize).min(end)..end];
                if bytes.len() as u64 != len {
                    // The object's answer to an archive that ends inside an entry.
                    world.room.import_header(&import_id, &[], now).unwrap()
                } else {
                    world
                        .room
                        .import_entry(&import_id, offset, &entry, bytes, now)
                        .unwrap()
                }
            }
            Some(ImportRead::Finished { import_id }) => {
                let view = world
                    .room
                    .import_view(&who("ana"), &import_id)
                    .unwrap()
                    .unwrap();
                return match view.error {
                    None => Ok(()),
                    Some(error) => Err(error),
                };
            }
            None => world.room.next_import_read(now).unwrap(),
        };
    }
    panic!("the import never ended");
}

/// The messages of a room as an export holds them, without what names the room.
fn words(world: &World) -> Vec<Message> {
    let (messages, _) = world.store().messages_before(u64::MAX, 100).unwrap();
    messages
        .into_iter()
        .map(|mut m| {
            m.message_id = m.message_id.rsplit_once(':').unwrap().1.into();
            m.room_id = String::new();
            m.seq = 0;
            m.reply_to = m.reply_to.map(|r| r.rsplit_once(':').unwrap().1.into());
            m
        })
        .collect()
}

#[test]
fn an_export_imports_into_an_empty_room_with_every_message_equal() {
    let mut source = room(7);
    let replied = source.post("bo", "the one to answer");
    source.send(
        "ana",
        ClientMsg::SendMessage {
            room_id: "lobby".into(),
            text: "an answer".into(),
            attachments: Vec::new(),
            reply_to: Some(replied),
            client_msg_id: "answer".into(),
        },
    );
    let archive = exported(&mut source, "x1");

    let mut target = World::new(RoomKind::Public, limits());
    target.connect("ana", "ana");
    target
        .room
        .begin_import(&who("ana"), "i1", target.now)
        .unwrap()
        .unwrap();
    imported(&mut target, "i1", &archive).unwrap();
    let view = target.room.import_view(&who("ana"), "i1").unwrap().unwrap();
    assert_eq!((view.state, view.messages), ("done", 9));

    // Same words, authors, times and client ids; the seqs moved up past the new room's
    // own join, the reply pointing at its message here. (Message ids name the seq.)
    let (before, after) = (words(&source), words(&target));
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(
            (&a.text, &a.user_id, &a.username, a.timestamp),
            (&b.text, &b.user_id, &b.username, b.timestamp)
        );
        assert_eq!(a.client_msg_id, b.client_msg_id);
    }
    let answer = after.last().unwrap();
    let answered = &after[after.len() - 2];
    assert_eq!(
        answer.reply_to.as_deref(),
        Some(answered.message_id.as_str())
    );

    // A resend of an imported message is recognised, not stored again.
    let effects = target.say_with_id("ana", "a resend", "answer");
    let acked = effects.iter().find_map(|e| match e {
        edgechat_core::Effect::Socket(edgechat_core::room::SocketEffect::Send {
            msg: ServerMsg::MessageAck(frame::MessageAck { seq, .. }),
            ..
        }) => Some(*seq),
        _ => None,
    });
    assert_eq!(acked, Some(target.room.head_seq()), "{effects:?}");
    assert!(
        appended(&effects)
            .iter()
            .all(|e| !matches!(e, RoomEvent::NewMessage(_)))
    );

    // The write-behind tells nobody of imported messages, only of what comes after.
    target.connect("bo", "bo");
    target.disconnect("bo");
    let (stored, _) = target.store().messages_before(u64::MAX, 100).unwrap();
    let effects = target.say_with_id("ana", "after the import", "fresh");
    let stored_now = appended(&effects);
    let [RoomEvent::NewMessage(fresh)] = stored_now.as_slice() else {
        panic!("stored: {effects:?}");
    };
    let later = fresh.message_id.clone();
    let (newest, _) = target.store().messages_before(u64::MAX, 1).unwrap();
    let messages: Vec<Message> = stored.iter().chain(&newest).cloned().collect();
    let mentions = [
        (stored[0].message_id.clone(), "bo".to_owned()),
        (later.clone(), "bo".to_owned()),
    ];
    target
        .room
        .owe_notifications(&edgechat_core::Batch {
            after: 0,
            through: target.room.head_seq(),
            messages: &messages,
            welcomed: &[],
            mentions: &mentions,
        })
        .unwrap();
    let due = target.room.notifications_due(100).unwrap();
    let [(user, events)] = due.as_slice() else {
        panic!("bo alone is owed: {due:?}");
    };
    assert_eq!(user, "bo");
    assert!(events.contains(&later), "{events}");
    assert!(
        !events.contains(&format!("\"{}\"", stored[0].message_id)),
        "{events}"
    );
}

#[test]
fn only_an_admin_imports_once_into_a_room_with_no_messages() {
    let mut target = World::new(RoomKind::Public, limits());
    target.connect("ana", "ana");
    target.connect("bo", "bo");
    let refused = target
        .room
        .begin_import(&who("bo"), "i1", target.now)
        .unwrap();
    assert_eq!(refused.unwrap_err().code(), ErrorCode::Forbidden);
    target
        .room
        .begin_import(&who("ana"), "i1", target.now)
        .unwrap()
        .unwrap();
    let again = target
        .room
        .begin_import(&who("ana"), "i2", target.now)
        .unwrap();
    assert_eq!(again.unwrap_err().code(), ErrorCode::Conflict);
    assert!(target.room.import_view(&who("bo"), "i1").unwrap().is_err());

    let mut busy = room(1);
    let refused = busy.room.begin_import(&who("ana"), "i1", busy.now).unwrap();
    assert_eq!(refused.unwrap_err().code(), ErrorCode::Conflict);
}

#[test]
fn an_archive_that_is_not_an_export_or_is_damaged_fails_with_a_reason() {
    let mut source = room(4);
    let archive = exported(&mut source, "x1");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not a tar at all, just words".repeat(40), "damaged"),
        (
            {
                let mut other = Vec::new();
                tar::append(&mut other, "notes.txt", b"hello", 0);
                other
            },
            "no manifest",
        ),
        (archive[..archive.len() - 1500].to_vec(), "damaged"),
        (
            String::from_utf8_lossy(&archive)
                .replacen("\"version\":1", "\"version\":9", 1)
                .into_bytes(),
            "newer format",
        ),
        (
            {
                let account = edgechat_core::export::account::AccountExport::new("x2", "ana", 0);
                let manifest = serde_json::to_vec(&account.manifest()).unwrap();
                let mut other = Vec::new();
                tar::append(&mut other, "manifest.json", &manifest, 0);
                tar::append(&mut other, "profile.json", b"{}", 0);
                other.extend_from_slice(&tar::END);
                other
            },
            "not an edgechat room export",
        ),
    ];
    for (i, (bytes, why)) in cases.into_iter().enumerate() {
        let mut target = World::new(RoomKind::Public, limits());
        let id = format!("i{i}");
        target
            .room
            .begin_import(&who("ana"), &id, target.now)
            .unwrap()
            .unwrap();
        let error = imported(&mut target, &id, &bytes)
            .err()
            .unwrap_or_else(|| panic!("case {i} ({why}) was imported"));
        assert!(error.contains(why), "case {i}: {error}");
    }
}
