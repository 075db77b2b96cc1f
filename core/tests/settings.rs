//! The settings panel's server side: renaming, the topic and the capacity as one durable
//! event, each for the role that may change it; the ban list; the pins.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{limits::MAX_PINS, store::apply};
use edgechat_protocol::frame;
use edgechat_protocol::{BannedUser, ClientMsg, ErrorCode, Role, RoomEvent, RoomKind, ServerMsg};

fn update(name: Option<&str>, topic: Option<&str>, capacity: Option<u32>) -> ClientMsg {
    ClientMsg::UpdateRoom {
        name: name.map(str::to_owned),
        topic: topic.map(str::to_owned),
        capacity,
    }
}

/// The one frame `frames` holds.
fn only(frames: Vec<ServerMsg>) -> ServerMsg {
    assert_eq!(frames.len(), 1, "{frames:?}");
    frames.into_iter().next().unwrap()
}

fn promote(world: &mut World, user: &str) {
    world.send(
        "ana",
        ClientMsg::SetRole {
            user_id: user.into(),
            role: Role::Moderator,
        },
    );
}

#[test]
fn an_admin_renames_the_room_and_everyone_hears_it_while_its_id_stays() {
    let mut world = World::with_three();
    let effects = world.send("ana", update(Some("  Release\nplanning "), None, None));
    let stored = appended(&effects);
    let [
        RoomEvent::RoomUpdated {
            name,
            topic,
            capacity,
            by,
            ..
        },
    ] = stored.as_slice()
    else {
        panic!("no room-updated in {effects:?}");
    };
    assert_eq!(
        (name.as_str(), topic.as_str(), *capacity, by.as_str()),
        ("Release planning", "", None, "ana")
    );
    assert!(
        broadcasts(&effects)
            .iter()
            .any(|m| matches!(m, ServerMsg::Event(RoomEvent::RoomUpdated { .. })))
    );
    assert_eq!(world.room.info().name, "Release planning");
    assert_eq!(world.room.info().room_id, "lobby");
    // The rename is stored: the room wakes with it, and a joiner's snapshot carries it.
    let restored = world.restored();
    assert_eq!(restored.info().name, "Release planning");
    let joined = world.connect("dee", "dee");
    let Some(ServerMsg::RoomJoined(frame::RoomJoined { room, .. })) = room_joined(&joined, "dee")
    else {
        panic!("no room-joined");
    };
    assert_eq!(room.name, "Release planning");
}

#[test]
fn a_moderator_sets_the_topic_but_not_the_name_or_capacity_and_a_member_neither() {
    let mut world = World::with_three();
    promote(&mut world, "bo");
    let set = world.send("bo", update(None, Some("Ship it on Friday"), None));
    assert_eq!(error_code(&set), None);
    assert_eq!(world.room.info().topic, "Ship it on Friday");
    for msg in [
        update(Some("bo's room"), None, None),
        update(None, None, Some(20)),
    ] {
        let refused = world.send("bo", msg.clone());
        assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden), "{msg:?}");
        assert!(appended(&refused).is_empty());
    }
    let refused = world.send("cy", update(None, Some("cy was here"), None));
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));
    assert_eq!(world.room.info().topic, "Ship it on Friday");
    // Sending a setting as it already is needs no role and changes nothing.
    let same = world.send("cy", update(Some("Lobby"), Some("Ship it on Friday"), None));
    assert_eq!(error_code(&same), None);
    assert!(appended(&same).is_empty());
}

#[test]
fn an_empty_topic_clears_it_and_one_too_long_is_refused() {
    let mut world = World::with_three();
    world.send("ana", update(None, Some("about things"), None));
    let long = "x".repeat(251);
    assert_eq!(
        error_code(&world.send("ana", update(None, Some(&long), None))),
        Some(ErrorCode::TooLong)
    );
    world.send("ana", update(None, Some("  "), None));
    assert_eq!(world.room.info().topic, "");
}

#[test]
fn a_bad_name_is_refused_with_its_reason() {
    let mut world = World::with_three();
    for (name, code) in [
        ("\u{200B} \n", ErrorCode::TooShort),
        (&"n".repeat(65)[..], ErrorCode::TooLong),
        ("!!!", ErrorCode::Invalid),
    ] {
        let refused = world.send("ana", update(Some(name), None, None));
        assert_eq!(error_code(&refused), Some(code), "{name:?}");
    }
    assert_eq!(world.room.info().name, "Lobby");
}

#[test]
fn a_rename_to_another_rooms_name_is_refused_after_the_door_looked_and_nothing_changes() {
    let mut world = World::with_three();
    world.other_rooms.push("general".into());
    let refused = world.send("ana", update(Some("General"), Some("new topic"), None));
    assert_eq!(error_code(&refused), Some(ErrorCode::RoomExists));
    assert!(appended(&refused).is_empty());
    assert_eq!(world.room.info().name, "Lobby");
    assert_eq!(world.room.info().topic, "", "the request is all or nothing");
    // A name no other room has goes through the same check and is stored.
    let renamed = world.send("ana", update(Some("Town square"), None, None));
    assert!(matches!(
        appended(&renamed).as_slice(),
        [RoomEvent::RoomUpdated { name, .. }] if name == "Town square"
    ));
}

#[test]
fn the_capacity_is_set_and_cleared_but_never_below_the_members() {
    let mut world = World::with_three();
    assert_eq!(
        error_code(&world.send("ana", update(None, None, Some(2)))),
        Some(ErrorCode::BadRequest),
        "three members do not fit in two"
    );
    assert_eq!(
        error_code(&world.send("ana", update(None, None, Some(1)))),
        Some(ErrorCode::BadRequest)
    );
    world.send("ana", update(None, None, Some(3)));
    assert_eq!(world.room.info().capacity, Some(3));
    // Full now: a fourth is refused at the door.
    let refused = world.connect("dee", "dee");
    assert_eq!(error_code(&refused), Some(ErrorCode::RoomFull));
    world.send("ana", update(None, None, Some(0)));
    assert_eq!(world.room.info().capacity, None);
    assert_eq!(error_code(&world.connect("dee", "dee")), None);
}

#[test]
fn a_direct_room_has_no_settings() {
    let mut world = World::new(RoomKind::Direct, Default::default());
    world.connect("ana", "ana");
    let refused = world.send("ana", update(None, Some("us"), None));
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));
}

#[test]
fn settings_changes_spend_the_moderation_budget() {
    let mut world = World::with_three();
    let mut limited = false;
    for i in 0..100 {
        let effects = world.send("ana", update(None, Some(&format!("topic {i}")), None));
        if error_code(&effects) == Some(ErrorCode::RateLimited) {
            limited = true;
            break;
        }
    }
    assert!(
        limited,
        "a hundred topic changes in a moment were all accepted"
    );
}

#[test]
fn admins_list_the_banned_with_the_names_they_had_and_unban_them() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
    );
    world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "zed".into(),
        },
    );
    let effects = world.send("ana", ClientMsg::ListBans { after: None });
    let ServerMsg::BanPage(frame::BanPage {
        users, has_more, ..
    }) = only(sent_to(&effects, "ana"))
    else {
        panic!("no ban-page in {effects:?}");
    };
    assert_eq!(
        users,
        vec![
            BannedUser {
                user_id: "cy".into(),
                username: "Cy".into()
            },
            BannedUser {
                user_id: "zed".into(),
                username: String::new()
            },
        ]
    );
    assert!(!has_more);
    // Only admins see it, as only they may unban.
    let refused = world.send("bo", ClientMsg::ListBans { after: None });
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));
    // The unban names them too, for the line others see.
    let unbanned = world.send(
        "ana",
        ClientMsg::UnbanUser {
            user_id: "cy".into(),
        },
    );
    assert!(matches!(
        appended(&unbanned).as_slice(),
        [RoomEvent::UserUnbanned { username, .. }] if username == "Cy"
    ));
    let effects = world.send("ana", ClientMsg::ListBans { after: None });
    let ServerMsg::BanPage(frame::BanPage { users, .. }) = only(sent_to(&effects, "ana")) else {
        panic!("no ban-page");
    };
    assert_eq!(users.len(), 1);
}

#[test]
fn the_ban_list_comes_a_page_at_a_time() {
    let mut world = World::new(
        RoomKind::Public,
        edgechat_core::Limits {
            member_page: 2,
            ..Default::default()
        },
    );
    world.connect("ana", "ana");
    for user in ["u1", "u2", "u3"] {
        world.advance(60_000);
        world.send(
            "ana",
            ClientMsg::BanUser {
                user_id: user.into(),
            },
        );
    }
    let first = world.send("ana", ClientMsg::ListBans { after: None });
    let ServerMsg::BanPage(frame::BanPage {
        users, has_more, ..
    }) = only(sent_to(&first, "ana"))
    else {
        panic!("no ban-page");
    };
    assert_eq!((users.len(), has_more), (2, true));
    let after = users[1].user_id.clone();
    let next = world.send("ana", ClientMsg::ListBans { after: Some(after) });
    let ServerMsg::BanPage(frame::BanPage {
        users, has_more, ..
    }) = only(sent_to(&next, "ana"))
    else {
        panic!("no ban-page");
    };
    assert_eq!((users[0].user_id.as_str(), has_more), ("u3", false));
}

#[test]
fn anyone_lists_the_pins_and_a_room_keeps_at_most_fifty() {
    let mut world = World::with_three();
    let mut ids = Vec::new();
    for i in 0..=MAX_PINS {
        world.advance(60_000);
        ids.push(world.post("ana", &format!("note {i}")));
    }
    for id in &ids[..MAX_PINS] {
        world.advance(60_000);
        let pinned = world.send(
            "ana",
            ClientMsg::PinMessage {
                message_id: id.clone(),
            },
        );
        assert_eq!(error_code(&pinned), None);
    }
    let refused = world.send(
        "ana",
        ClientMsg::PinMessage {
            message_id: ids[MAX_PINS].clone(),
        },
    );
    assert_eq!(error_code(&refused), Some(ErrorCode::TooManyPins));
    world.advance(60_000);
    world.send(
        "ana",
        ClientMsg::UnpinMessage {
            message_id: ids[0].clone(),
        },
    );
    let effects = world.send("cy", ClientMsg::ListPins {});
    let ServerMsg::PinList(frame::PinList { messages, .. }) = only(sent_to(&effects, "cy")) else {
        panic!("no pin-list in {effects:?}");
    };
    assert_eq!(messages.len(), MAX_PINS - 1);
    assert_eq!(messages[0].text, "note 1");
    assert!(messages.iter().all(|m| m.pinned));
}

#[test]
fn replaying_the_log_into_fresh_tables_ends_with_the_same_settings() {
    let mut world = World::with_three();
    world.send("ana", update(Some("Renamed"), Some("a topic"), Some(50)));
    // The info is saved at creation, outside the log; the fold keeps it current.
    let fresh = prepared(&edgechat_core::store::sqlite::Sqlite::memory());
    fresh.save_info(&info(RoomKind::Public)).unwrap();
    for event in &world.log {
        apply(&fresh, event).unwrap();
    }
    let replayed = fresh.info().unwrap().unwrap();
    assert_eq!(
        (
            replayed.name.as_str(),
            replayed.topic.as_str(),
            replayed.capacity
        ),
        ("Renamed", "a topic", Some(50))
    );
}
