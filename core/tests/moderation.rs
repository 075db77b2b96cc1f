//! Roles and who may do what to whom.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Identity, Room, store::sqlite::Sqlite};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, Role, RoomEvent, RoomKind, close};

fn set_role(world: &mut World, by: &str, user: &str, role: Role) -> Vec<edgechat_core::Effect> {
    world.send(
        by,
        ClientMsg::SetRole {
            user_id: user.into(),
            role,
        },
    )
}

#[test]
fn the_creator_is_the_admin_and_everyone_else_a_member() {
    let world = World::with_three();
    assert_eq!(world.member("ana").unwrap().role, Role::Admin);
    assert_eq!(world.member("bo").unwrap().role, Role::Member);
}

#[test]
fn a_member_cannot_use_moderator_actions() {
    let mut world = World::with_three();
    let until = world.now + 1000;
    for msg in [
        ClientMsg::MuteUser {
            user_id: "cy".into(),
            until,
        },
        ClientMsg::KickUser {
            user_id: "cy".into(),
        },
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
        ClientMsg::SetRole {
            user_id: "cy".into(),
            role: Role::Moderator,
        },
        ClientMsg::SetSlowMode { seconds: 3 },
    ] {
        let effects = world.send("bo", msg.clone());
        assert_eq!(error_code(&effects), Some(ErrorCode::Forbidden), "{msg:?}");
        assert!(appended(&effects).is_empty());
    }
}

#[test]
fn a_moderator_mutes_and_kicks_members_but_cannot_ban_or_set_roles() {
    let mut world = World::with_three();
    set_role(&mut world, "ana", "bo", Role::Moderator);
    let until = world.now + 1000;
    assert_eq!(
        error_code(&world.send(
            "bo",
            ClientMsg::MuteUser {
                user_id: "cy".into(),
                until
            }
        )),
        None
    );
    assert_eq!(
        error_code(&world.send(
            "bo",
            ClientMsg::BanUser {
                user_id: "cy".into()
            }
        )),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        error_code(&set_role(&mut world, "bo", "cy", Role::Moderator)),
        Some(ErrorCode::Forbidden)
    );
    let kicked = world.send(
        "bo",
        ClientMsg::KickUser {
            user_id: "cy".into(),
        },
    );
    assert!(matches!(
        appended(&kicked).as_slice(),
        [RoomEvent::UserKicked { .. }]
    ));
    assert_eq!(closed(&kicked), vec![("cy".to_owned(), close::KICKED)]);
}

#[test]
fn nobody_acts_on_someone_of_equal_or_higher_role() {
    let mut world = World::with_three();
    set_role(&mut world, "ana", "bo", Role::Moderator);
    set_role(&mut world, "ana", "cy", Role::Moderator);
    let until = world.now + 1000;
    assert_eq!(
        error_code(&world.send(
            "bo",
            ClientMsg::MuteUser {
                user_id: "cy".into(),
                until
            }
        )),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        error_code(&world.send(
            "bo",
            ClientMsg::KickUser {
                user_id: "ana".into()
            }
        )),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        error_code(&set_role(&mut world, "ana", "ana", Role::Member)),
        Some(ErrorCode::Forbidden)
    );
}

#[test]
fn an_admin_cannot_demote_another_admin() {
    let mut world = World::with_three();
    set_role(&mut world, "ana", "bo", Role::Admin);
    assert_eq!(
        error_code(&set_role(&mut world, "bo", "ana", Role::Member)),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(world.member("ana").unwrap().role, Role::Admin);
}

#[test]
fn a_global_admin_outranks_every_room_role() {
    let mut world = World::with_three();
    let root = Identity {
        user_id: "root".into(),
        username: "Root".into(),
        handle: "root".into(),
        global_admin: true,
        expires_at: None,
        version: edgechat_protocol::PROTOCOL_VERSION,
        status: None,
        status_text: None,
    };
    world.connect_as("root", root, None);
    let effects = world.send(
        "root",
        ClientMsg::BanUser {
            user_id: "ana".into(),
        },
    );
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::UserBanned { .. }]
    ));
}

#[test]
fn a_banned_user_is_removed_closed_and_cannot_rejoin_until_unbanned() {
    let mut world = World::with_three();
    let banned = world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "bo".into(),
        },
    );
    assert_eq!(closed(&banned), vec![("bo".to_owned(), close::BANNED)]);
    assert_eq!(world.member("bo"), None);
    assert!(world.store().is_banned("bo").unwrap());

    let again = world.connect("bo-2", "bo");
    assert_eq!(error_code(&again), Some(ErrorCode::Banned));
    assert_eq!(closed(&again), vec![("bo-2".to_owned(), close::BANNED)]);
    assert!(appended(&again).is_empty());

    world.send(
        "ana",
        ClientMsg::UnbanUser {
            user_id: "bo".into(),
        },
    );
    assert_eq!(error_code(&world.connect("bo-3", "bo")), None);
}

#[test]
fn a_banned_user_cannot_be_invited_back() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "dee".into(),
        },
    );
    assert_eq!(
        error_code(&world.send(
            "bo",
            ClientMsg::InviteUser {
                user_id: "dee".into()
            }
        )),
        Some(ErrorCode::Banned)
    );
}

#[test]
fn a_kicked_member_may_come_back_to_a_public_room() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::KickUser {
            user_id: "bo".into(),
        },
    );
    assert_eq!(error_code(&world.connect("bo-2", "bo")), None);
    assert!(world.store().is_member("bo").unwrap());
}

#[test]
fn a_stranger_cannot_join_a_private_room_but_an_invitee_can() {
    let mut world = World::new(RoomKind::Private, Default::default());
    world.connect("ana", "ana");
    let refused = world.connect("eve", "eve");
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));
    assert_eq!(closed(&refused), vec![("eve".to_owned(), close::FORBIDDEN)]);

    let invited = world.send(
        "ana",
        ClientMsg::InviteUser {
            user_id: "bo".into(),
        },
    );
    assert!(matches!(
        appended(&invited).as_slice(),
        [RoomEvent::UserInvited { .. }]
    ));
    assert_eq!(
        world.member("bo").unwrap().username,
        "bo",
        "an invitee is listed under their id until they arrive"
    );
    assert_eq!(error_code(&world.connect("bo", "bo")), None);
    assert_eq!(
        world.member("bo").unwrap().username,
        "Bo",
        "the name arrives with the user"
    );
}

#[test]
fn a_full_room_refuses_new_members() {
    let mut info = edgechat_core::testing::info(RoomKind::Public);
    info.capacity = Some(2);
    let mut world = World::created(info, Default::default());
    world.connect("ana", "ana");
    world.connect("bo", "bo");
    let refused = world.connect("cy", "cy");
    assert_eq!(error_code(&refused), Some(ErrorCode::RoomFull));
    assert_eq!(closed(&refused), vec![("cy".to_owned(), close::ROOM_FULL)]);
    assert_eq!(
        error_code(&world.connect("bo-2", "bo")),
        None,
        "a member's second device is not a new member"
    );
}

#[test]
fn leaving_ends_membership_and_closes_every_device() {
    let mut world = World::with_three();
    world.connect("bo-phone", "bo");
    let effects = world.send(
        "bo",
        ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        },
    );
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::UserLeft { .. }]
    ));
    let mut closed = closed(&effects);
    closed.sort();
    assert_eq!(
        closed,
        vec![
            ("bo".to_owned(), close::LEFT),
            ("bo-phone".to_owned(), close::LEFT)
        ]
    );
    assert_eq!(world.member("bo"), None);
}

#[test]
fn a_created_room_has_its_creator_as_admin_and_its_invitees_as_members() {
    let info = edgechat_core::testing::info(RoomKind::Private);
    let members = [
        ("bo".to_owned(), "Bo".to_owned()),
        ("ana".to_owned(), "Ana".to_owned()),
    ];
    let sqlite = Sqlite::memory();
    let (room, effects) = Room::create(
        info,
        Default::default(),
        prepared(&sqlite),
        &who("ana"),
        &members,
        START,
    )
    .unwrap();
    let events = appended(&effects);
    assert!(
        matches!(&events[0], RoomEvent::UserJoined { user_id, role: Role::Admin, seq: 1, .. } if user_id == "ana")
    );
    assert!(
        matches!(&events[1], RoomEvent::UserInvited { user_id, seq: 2, .. } if user_id == "bo")
    );
    assert_eq!(
        events.len(),
        2,
        "the creator is not invited to their own room"
    );
    assert_eq!(room.store().member("bo").unwrap().unwrap().username, "Bo");
}

#[test]
fn nobody_administers_a_direct_room() {
    let mut info = edgechat_core::testing::info(RoomKind::Direct);
    info.room_id = "dm-1".into();
    let members = [("bo".to_owned(), "Bo".to_owned())];
    let sqlite = Sqlite::memory();
    let (room, _) = Room::create(
        info,
        Default::default(),
        prepared(&sqlite),
        &who("ana"),
        &members,
        START,
    )
    .unwrap();
    let members = room.store().members().unwrap();
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|m| m.role == Role::Member));
}

#[test]
fn a_renamed_member_is_listed_under_their_new_name_once_they_connect() {
    let mut world = World::with_three();
    let renamed = Identity {
        username: "Bobby".into(),
        ..who("bo")
    };
    let effects = world.connect_as("bo-2", renamed, None);
    assert!(appended(&effects).is_empty(), "a rename is not an event");
    assert_eq!(world.member("bo").unwrap().username, "Bobby");
    let Some(edgechat_protocol::ServerMsg::RoomJoined(frame::RoomJoined { users, .. })) =
        room_joined(&effects, "bo-2")
    else {
        panic!("no room-joined: {effects:?}");
    };
    assert!(
        users
            .iter()
            .any(|u| u.user_id == "bo" && u.username == "Bobby")
    );
}

#[test]
fn a_restored_socket_of_a_removed_user_is_closed_before_it_is_served() {
    let mut world = World::with_three();
    // The kick is stored, but its close never reached the socket (a crash between
    // the step and its effects): the object still has the socket after a wake.
    world.send(
        "ana",
        ClientMsg::KickUser {
            user_id: "bo".into(),
        },
    );
    world.send(
        "ana",
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
    );
    world.sockets = ["ana", "bo", "cy"]
        .into_iter()
        .map(|user| (user.to_owned(), who(user)))
        .collect();
    let mut room = world.restored();
    let effects = room.close_strays(world.now).unwrap();
    let mut gone = closed(&effects);
    gone.sort();
    assert_eq!(
        gone,
        vec![
            ("bo".to_owned(), close::KICKED),
            ("cy".to_owned(), close::BANNED)
        ]
    );
    assert!(room.is_here("ana") && !room.is_here("bo") && !room.is_here("cy"));
}

#[test]
fn nobody_is_invited_into_a_direct_room_and_a_room_has_a_member_cap() {
    let mut info = info(RoomKind::Direct);
    info.room_id = edgechat_core::ids::direct_room_id("ana", "bo");
    let mut world = World::created(info, Default::default());
    world.connect("ana", "ana");
    let effects = world.send(
        "ana",
        ClientMsg::InviteUser {
            user_id: "cy".into(),
        },
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::Forbidden));
    assert!(!world.store().is_member("cy").unwrap());

    let limits = edgechat_core::Limits {
        max_room_members: 2,
        ..Default::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    world.connect("ana", "ana");
    world.connect("bo", "bo");
    let effects = world.send(
        "ana",
        ClientMsg::InviteUser {
            user_id: "cy".into(),
        },
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::RoomFull));
    assert_eq!(
        closed(&world.connect("cy", "cy")),
        vec![("cy".to_owned(), close::ROOM_FULL)]
    );
}

#[test]
fn a_disabled_account_loses_every_socket_at_once() {
    let mut world = World::with_three();
    world.connect("bo-phone", "bo");
    let effects = world.run(edgechat_core::Command::Revoke {
        user_id: "bo".into(),
    });
    let mut gone = closed(&effects);
    gone.sort();
    assert_eq!(
        gone,
        vec![
            ("bo".to_owned(), close::ACCOUNT_DISABLED),
            ("bo-phone".to_owned(), close::ACCOUNT_DISABLED)
        ]
    );
    assert!(
        world.store().is_member("bo").unwrap(),
        "still a member, just gone"
    );
}
