//! What a member list shows beyond names, and what the room lists of members elsewhere
//! are told: account names, statuses kept as inboxes relay them, and unread counts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Command, Identity};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, RoomUser, ServerMsg, Status};

fn status(user: &str, status: Status, text: Option<&str>, at: u64) -> Command {
    Command::Status(ServerMsg::UserStatus(frame::UserStatus {
        user_id: user.into(),
        status,
        last_seen: Some(at),
        status_text: text.map(str::to_owned),
    }))
}

fn listed(world: &World, conn: &str, effects: &[edgechat_core::Effect]) -> Vec<RoomUser> {
    let _ = world;
    match room_joined(effects, conn) {
        Some(ServerMsg::RoomJoined(frame::RoomJoined { users, .. })) => users,
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
            .any(|m| matches!(m, ServerMsg::UserStatus(frame::UserStatus { user_id, status: Status::Away, .. }) if user_id == "bo")),
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
    assert!(heard(&effects).iter().any(|m| matches!(
        m,
        ServerMsg::UserStatus(frame::UserStatus { user_id, status: Status::Away, status_text: Some(t), .. })
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
        !heard(&effects)
            .iter()
            .any(|m| matches!(m, ServerMsg::UserStatus(frame::UserStatus { .. })))
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
        told.push(unread_counts(&world.notify(before, &[])));
    }
    assert_eq!(
        told[0],
        [("bo".to_owned(), 1), ("cy".to_owned(), 1)],
        "the first unread message: both, Cy as the transition"
    );
    assert_eq!(told[1], [("bo".to_owned(), 2)], "then Bo only");
    assert_eq!(told[2], [("bo".to_owned(), 3)]);

    // A batch without new messages tells the live ones nothing.
    let head = world.room.head_seq();
    assert!(world.notify(head, &[]).is_empty());
    // What Bo read is not counted, and a member here is not told.
    world.connect("bo", "bo");
    world.send("bo", ClientMsg::MarkRead { seq: head });
    let before = world.room.head_seq();
    world.post("ana", "four");
    assert!(
        unread_counts(&world.notify(before, &[]))
            .iter()
            .all(|(user, _)| user != "bo")
    );
}

#[test]
fn counts_owed_while_deliveries_fall_behind_go_as_one_notification_counted_as_it_goes() {
    let mut world = World::with_three();
    world.disconnect("bo");
    world.advance(10_000);
    world.run(Command::Tick);
    let at = world.now;
    world.run(status("bo", Status::Online, None, at));
    // Three batches are owed to Bo before a round delivers any of them.
    let start = world.room.head_seq();
    let mut after = start;
    for text in ["one", "two", "three"] {
        world.post("ana", text);
        let through = world.room.head_seq();
        let messages: Vec<_> = world
            .log
            .iter()
            .filter_map(|e| match e {
                RoomEvent::NewMessage(m) if m.seq > after && m.seq <= through => Some(m.clone()),
                _ => None,
            })
            .collect();
        world
            .room
            .owe_notifications(&edgechat_core::Batch {
                after,
                through,
                messages: &messages,
                welcomed: &[],
                mentions: &[],
            })
            .unwrap();
        after = through;
    }
    let due = world.room.notifications_due(100).unwrap();
    assert_eq!(due.len(), 1, "one row for Bo: {due:?}");
    let frames: Vec<ServerMsg> = serde_json::from_str(&due[0].1).unwrap();
    assert_eq!(
        unread_counts(&[("bo".to_owned(), frames)]),
        [("bo".to_owned(), 3)]
    );
    // Read before it went: what goes is the count then, and none when it is 0.
    world.connect("bo", "bo");
    world.send("bo", ClientMsg::MarkRead { seq: after });
    world.disconnect("bo");
    assert!(world.room.notifications_due(100).unwrap().is_empty());
}

/// Each member's unread count among what their inbox was sent.
fn unread_counts(told: &[(String, Vec<ServerMsg>)]) -> Vec<(String, u64)> {
    told.iter()
        .filter_map(|(user, frames)| {
            frames.iter().find_map(|frame| match frame {
                ServerMsg::Notification(frame::Notification {
                    kind: edgechat_protocol::NotificationKind::Unread,
                    unread_count: Some(count),
                    ..
                }) => Some((user.clone(), *count)),
                _ => None,
            })
        })
        .collect()
}

#[test]
fn mentions_go_with_the_count_and_no_more_than_twenty_wait_for_one_member() {
    let mut world = World::with_three();
    world.disconnect("bo");
    let mut mentions = Vec::new();
    let start = world.room.head_seq();
    for i in 0..25 {
        let id = world.post("ana", &format!("@bo look at {i}"));
        mentions.push((id, "bo".to_owned()));
        world.advance(2_000);
    }
    let told = world.notify(start, &mentions);
    let [(user, frames)] = told.as_slice() else {
        panic!("only bo is away: {told:?}")
    };
    assert_eq!(user, "bo");
    let kinds: Vec<_> = frames
        .iter()
        .map(|f| match f {
            ServerMsg::Notification(frame::Notification {
                kind,
                excerpt,
                unread_count,
                ..
            }) => (*kind, excerpt.clone(), *unread_count),
            other => panic!("{other:?}"),
        })
        .collect();
    // The first twenty mentions in order, then the count, which says all 25.
    assert_eq!(kinds.len(), 21);
    assert_eq!(
        kinds[0],
        (
            edgechat_protocol::NotificationKind::Mention,
            Some("@bo look at 0".to_owned()),
            None
        )
    );
    assert_eq!(kinds[19].1.as_deref(), Some("@bo look at 19"));
    assert_eq!(
        kinds[20],
        (edgechat_protocol::NotificationKind::Unread, None, Some(25))
    );
    // Delivered, nothing is owed any more.
    assert!(world.notify(world.room.head_seq(), &[]).is_empty());
}
