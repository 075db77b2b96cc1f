//! The member list a joiner is sent: one page from version 3 on, the rest by
//! `list-members`, so a join costs the same in a big room as in a small one; to older
//! sockets, which predate paging, the largest page there is and no more.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::Limits;
use edgechat_core::testing::*;
use edgechat_protocol::frame;
use edgechat_protocol::{ClientFrame, ClientMsg, RoomKind, ServerMsg};

/// A public room with `ana` and `m00`…`m{n-1}` as members (each joined once and left
/// their socket), members listed 4 to a page.
fn room_of(n: usize) -> World {
    let mut world = World::new(
        RoomKind::Public,
        Limits {
            member_page: 4,
            presence_coalesce_ms: 0,
            ..Limits::default()
        },
    );
    for i in 0..n {
        let user = format!("m{i:02}");
        world.connect(&user, &user);
        world.disconnect(&user);
    }
    world
}

fn ids(users: &[edgechat_protocol::RoomUser]) -> Vec<&str> {
    users.iter().map(|u| u.user_id.as_str()).collect()
}

#[test]
fn a_version_3_joiner_gets_one_page_counted_and_pages_the_rest_in_order() {
    let mut world = room_of(9);
    let effects = world.connect_as("zed", speaking("zed", 3), None);
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        users,
        member_count,
        ..
    })) = room_joined(&effects, "zed")
    else {
        panic!("room-joined")
    };
    // ana, m00…m08 and zed: 11 members; the page is the first 4 by id, zed first since
    // it is beyond them.
    assert_eq!(member_count, 11);
    assert_eq!(ids(&users), ["zed", "ana", "m00", "m01", "m02"]);

    let mut seen: Vec<String> = users.iter().map(|u| u.user_id.clone()).collect();
    let mut after = users.last().map(|u| u.user_id.clone());
    let mut pages = 0;
    while let Some(cursor) = after.take() {
        let effects = world.send_frame(
            "zed",
            ClientFrame {
                req_id: Some(format!("p{pages}")),
                msg: ClientMsg::ListMembers {
                    after: Some(cursor),
                },
            },
        );
        let sent = sent_to(&effects, "zed");
        let [
            ServerMsg::MemberPage(frame::MemberPage {
                users,
                has_more,
                req_id,
                ..
            }),
        ] = sent.as_slice()
        else {
            panic!("one member-page: {effects:?}")
        };
        assert_eq!(req_id.as_deref(), Some(format!("p{pages}").as_str()));
        assert!(users.len() <= 4);
        seen.extend(users.iter().map(|u| u.user_id.clone()));
        if *has_more {
            after = users.last().map(|u| u.user_id.clone());
        }
        pages += 1;
    }
    assert_eq!(pages, 2);
    let mut expected: Vec<String> = ["ana".to_owned(), "zed".to_owned()]
        .into_iter()
        .chain((0..9).map(|i| format!("m{i:02}")))
        .collect();
    expected.sort();
    // Each member comes once, but the joiner, listed first and again in its own page.
    let mut all = seen.clone();
    all.sort();
    all.dedup();
    assert_eq!(all, expected, "every member: {seen:?}");
    assert_eq!(
        seen.len(),
        expected.len() + 1,
        "only the joiner twice: {seen:?}"
    );
}

#[test]
fn older_sockets_get_every_member_and_read_mark_of_a_small_room() {
    let mut world = room_of(9);
    for i in 0..9 {
        let user = format!("m{i:02}");
        world.connect(&user, &user);
        world.send(&user, ClientMsg::MarkRead { seq: 1 });
        world.disconnect(&user);
    }
    for old in [1, 2] {
        let user = format!("old{old}");
        let effects = world.connect_as(&user, speaking(&user, old), None);
        let Some(ServerMsg::RoomJoined(frame::RoomJoined {
            users, read_marks, ..
        })) = room_joined(&effects, &user)
        else {
            panic!("room-joined")
        };
        assert_eq!(users.len(), 10 + old as usize, "version {old}");
        assert!(read_marks.len() >= 9, "version {old}: {read_marks:?}");
    }
}

#[test]
fn older_sockets_get_at_most_the_largest_page_of_members_and_read_marks() {
    let mut world = World::public();
    let largest = edgechat_core::limits::MAX_MEMBER_PAGE;
    for i in 0..largest + 20 {
        let user = format!("m{i:04}");
        world.connect(&user, &user);
        world.send(&user, ClientMsg::MarkRead { seq: 1 });
        world.disconnect(&user);
    }
    let effects = world.connect_as("zz-old", speaking("zz-old", 1), None);
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        users, read_marks, ..
    })) = room_joined(&effects, "zz-old")
    else {
        panic!("room-joined")
    };
    // The first page by id, and the joiner, beyond it, first.
    assert_eq!(users.len(), largest + 1);
    assert_eq!(users[0].user_id, "zz-old");
    assert_eq!(read_marks.len(), largest);
}

#[test]
fn a_version_3_joiner_gets_the_furthest_read_marks_so_read_by_counts_hold() {
    let mut world = room_of(0);
    let mut seqs = Vec::new();
    for i in 0..6 {
        let reader = format!("r{i}");
        world.connect(&reader, &reader);
        let id = world.post(&reader, &format!("message {i}"));
        seqs.push(world.store().message(&id).unwrap().map(|m| m.seq).unwrap());
    }
    // r0 read the first message only … r5 the sixth: "read by" message k counts 6 - k.
    for (i, seq) in seqs.iter().enumerate() {
        world.send(&format!("r{i}"), ClientMsg::MarkRead { seq: *seq });
    }
    let effects = world.connect("zed", "zed");
    let Some(ServerMsg::RoomJoined(frame::RoomJoined { read_marks, .. })) =
        room_joined(&effects, "zed")
    else {
        panic!("room-joined")
    };
    // Four marks, the furthest: r2…r5. A message read by at most four is counted right.
    assert_eq!(read_marks.len(), 4, "{read_marks:?}");
    for (k, seq) in seqs.iter().enumerate().skip(2) {
        let read_by = read_marks.values().filter(|mark| **mark >= *seq).count();
        assert_eq!(read_by, 6 - k, "message {k}");
    }
}
