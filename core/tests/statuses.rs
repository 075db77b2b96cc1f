//! What a member list shows beyond names, and what the room lists of members elsewhere
//! are told: account names, statuses kept as inboxes relay them, and unread counts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Command, Identity};
use edgechat_protocol::{ClientMsg, RoomEvent, RoomUser, ServerMsg, Status};

fn status(user: &str, status: Status, text: Option<&str>, at: u64) -> Command {
    Command::Status(ServerMsg::UserStatus {
        user_id: user.into(),
        status,
        last_seen: Some(at),
        status_text: text.map(str::to_owned),
    })
}

fn listed(world: &World, conn: &str, effects: &[edgechat_core::Effect]) -> Vec<RoomUser> {
    let _ = world;
    match room_joined(effects, conn) {
        Some(ServerMsg::RoomJoined { users, .. }) => users,
        other => panic!("no room-joined: {other:?}"),
    }
}

#[test]
fn a_relayed_status_is_kept_so_a_member_list_opened_later_shows_it() {
    let mut world = World::with_three();
    world.disconnect("cy");
    let at = world.now;
    let effects = world.run(status("bo", Status::Away, Some("lunch"), at));
    assert!(
        broadcasts(&effects)
            .iter()
            .any(|m| matches!(m, ServerMsg::UserStatus { user_id, status: Status::Away, .. } if user_id == "bo")),
        "those here are told at once"
    );
    world.run(status("cy", Status::Offline, None, at - 300_000));
    // A stranger's status is not the room's business.
    assert!(broadcasts(&world.run(status("zed", Status::Online, None, at))).is_empty());

    let effects = world.connect("ana-2", "ana");
    let users = listed(&world, "ana-2", &effects);
    let bo = users.iter().find(|u| u.user_id == "bo").unwrap();
    assert_eq!(
        (bo.status, bo.status_text.as_deref(), bo.last_seen),
        (Status::Away, Some("lunch"), Some(at))
    );
    let cy = users.iter().find(|u| u.user_id == "cy").unwrap();
    assert_eq!(
        (cy.status, cy.last_seen),
        (Status::Offline, Some(at - 300_000))
    );
    assert!(users.iter().all(|u| u.user_id != "zed"));
}

#[test]
fn a_member_arrives_with_the_status_the_door_read_but_never_as_offline() {
    let mut world = World::with_three();
    let away = Identity {
        status: Some(Status::Away),
        status_text: Some("in a meeting".into()),
        ..who("dee")
    };
    let effects = world.connect_as("dee", away, None);
    assert!(broadcasts(&effects).iter().any(|m| matches!(
        m,
        ServerMsg::UserStatus { user_id, status: Status::Away, status_text: Some(t), .. }
            if user_id == "dee" && t == "in a meeting"
    )));
    let dee = world.member("dee").unwrap();
    assert_eq!(dee.status, Status::Away);

    // A stale "offline" from the door changes nothing; the same status again is not news.
    let offline = Identity {
        status: Some(Status::Offline),
        status_text: Some("in a meeting".into()),
        ..who("dee")
    };
    let effects = world.connect_as("dee-2", offline, None);
    assert!(
        !broadcasts(&effects)
            .iter()
            .any(|m| matches!(m, ServerMsg::UserStatus { .. }))
    );
    assert_eq!(world.member("dee").unwrap().status, Status::Away);
}

#[test]
fn members_carry_their_account_name_and_a_leaver_their_name() {
    let mut world = World::with_three();
    let effects = world.connect("dee", "dee");
    assert!(appended(&effects).iter().any(|e| matches!(
        e,
        RoomEvent::UserJoined { user_id, username, handle, .. }
            if user_id == "dee" && username == "Dee" && handle == "dee"
    )));
    let users = listed(&world, "dee", &effects);
    assert!(
        users
            .iter()
            .all(|u| u.handle == u.user_id && !u.username.is_empty()),
        "{users:?}"
    );
    let effects = world.send(
        "dee",
        ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        },
    );
    assert!(appended(&effects).iter().any(|e| matches!(
        e,
        RoomEvent::UserLeft { user_id, username, .. } if user_id == "dee" && username == "Dee"
    )));
}

#[test]
fn members_with_an_inbox_open_elsewhere_are_told_the_count_after_every_batch() {
    let mut world = World::with_three();
    world.disconnect("bo");
    world.disconnect("cy");
    world.advance(10_000);
    world.run(Command::Tick);
    // Bo's inbox is open somewhere; Cy's is not.
    let at = world.now;
    world.run(status("bo", Status::Online, None, at));
    world.run(status("cy", Status::Offline, None, at));

    let mut told = Vec::new();
    for text in ["one", "two", "three"] {
        let before = world.room.head_seq();
        world.post("ana", text);
        told.push(
            world
                .room
                .unread_counts(before, world.room.head_seq(), true)
                .unwrap(),
        );
    }
    let counts = |batch: &Vec<(String, u64, u64)>| -> Vec<(String, u64)> {
        batch.iter().map(|(u, _, n)| (u.clone(), *n)).collect()
    };
    assert_eq!(
        counts(&told[0]),
        [("bo".to_owned(), 1), ("cy".to_owned(), 1)],
        "the first unread message: both, Cy as the transition"
    );
    assert_eq!(counts(&told[1]), [("bo".to_owned(), 2)], "then Bo only");
    assert_eq!(counts(&told[2]), [("bo".to_owned(), 3)]);

    // A batch without new messages tells the live ones nothing.
    let head = world.room.head_seq();
    assert!(
        world
            .room
            .unread_counts(head, head, false)
            .unwrap()
            .is_empty()
    );
    // What Bo read is not counted, and a member here is not told.
    world.connect("bo", "bo");
    world.send("bo", ClientMsg::MarkRead { seq: head });
    let before = world.room.head_seq();
    world.post("ana", "four");
    assert!(
        world
            .room
            .unread_counts(before, world.room.head_seq(), true)
            .unwrap()
            .iter()
            .all(|(user, _, _)| user != "bo")
    );
}
