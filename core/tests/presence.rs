//! Who is here now, across devices, and who is typing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::Command;
use edgechat_core::sockets::SocketEffect;
use edgechat_core::testing::*;
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg};

fn typing(world: &mut World, conn: &str, start: bool) -> Vec<edgechat_core::Effect> {
    let room_id = "lobby".to_owned();
    world.send(
        conn,
        if start {
            ClientMsg::TypingStart { room_id }
        } else {
            ClientMsg::TypingStop { room_id }
        },
    )
}

#[test]
fn joining_shows_the_user_online_to_everyone() {
    let mut world = World::public();
    world.connect("ana", "ana");
    let effects = world.connect("bo", "bo");
    assert_eq!(
        online(&effects),
        Some(vec!["ana".to_owned(), "bo".to_owned()])
    );
}

#[test]
fn a_join_goes_as_a_change_to_version_2_and_the_whole_set_to_version_1_and_an_older_joiner() {
    let mut world = World::public();
    world.connect("ana", "ana");
    let effects = world.connect_as("bo", speaking("bo", 4), None);
    assert_eq!(
        presence_changes(&effects),
        [(vec!["bo".to_owned()], vec![])]
    );
    let whole = Some(vec!["ana".to_owned(), "bo".to_owned()]);
    assert_eq!(online(&effects), whole, "what version 1 sockets get");
    let told = sent_to(&effects, "bo").into_iter().find_map(|m| match m {
        ServerMsg::OnlineUsers(frame::OnlineUsers { user_ids, .. }) => Some(user_ids),
        _ => None,
    });
    assert_eq!(told, whole, "the joiner is told the whole set");
}

/// A room with a presence window of 250 ms, `ana` connected and shown.
fn coalescing() -> World {
    let mut world = World::new(
        edgechat_protocol::RoomKind::Public,
        edgechat_core::Limits::default(),
    );
    assert_eq!(world.limits.presence_coalesce_ms, 250);
    world.connect("ana", "ana");
    world
}

#[test]
fn joins_close_together_go_as_one_change_at_the_end_of_the_window() {
    let mut world = coalescing();
    let shown_at = world.now;
    // Within the window of ana's frame: nothing is broadcast, but each joiner (of
    // version 4 here) is told the whole set, itself included.
    for user in ["bo", "cy", "di"] {
        world.advance(10);
        let effects = world.connect_as(user, speaking(user, 4), None);
        assert!(presence_changes(&effects).is_empty(), "{effects:?}");
        assert_eq!(online(&effects), None);
        let told = sent_to(&effects, user).into_iter().find_map(|m| match m {
            ServerMsg::OnlineUsers(frame::OnlineUsers { user_ids, .. }) => Some(user_ids),
            _ => None,
        });
        assert!(told.is_some_and(|ids| ids.contains(&user.to_owned())));
    }
    assert_eq!(
        world.room.next_deadline().unwrap(),
        Some(shown_at + 250),
        "the alarm comes at the window's end"
    );
    world.advance(250);
    let effects = world.run(Command::Tick);
    assert_eq!(
        presence_changes(&effects),
        [(
            vec!["bo".to_owned(), "cy".to_owned(), "di".to_owned()],
            vec![]
        )]
    );
    assert_eq!(world.room.next_deadline().unwrap(), None);
    // Quiet since: the next change goes at once.
    world.advance(1_000);
    assert_eq!(
        presence_changes(&world.connect("ed", "ed")),
        [(vec!["ed".to_owned()], vec![])]
    );
}

#[test]
fn a_second_device_changes_nothing_and_closing_one_of_two_keeps_the_user_online() {
    let mut world = World::with_three();
    assert_eq!(online(&world.connect("bo-phone", "bo")), None);
    assert_eq!(online(&world.disconnect("bo")), None);
    world.advance(60_000);
    assert_eq!(online(&world.run(Command::Tick)), None);
    assert!(world.room.online().contains("bo"));
}

#[test]
fn a_user_whose_last_device_left_is_offline_only_after_the_grace_period() {
    let mut world = World::with_three();
    world.disconnect("bo");
    assert!(world.room.online().contains("bo"));
    assert_eq!(world.room.next_deadline().unwrap(), Some(world.now + 5_000));
    world.advance(4_999);
    assert_eq!(online(&world.run(Command::Tick)), None);
    world.advance(1);
    let effects = world.run(Command::Tick);
    assert_eq!(
        online(&effects),
        Some(vec!["ana".to_owned(), "cy".to_owned()])
    );
    assert_eq!(world.room.next_deadline().unwrap(), None);
}

#[test]
fn a_fast_reconnect_does_not_flap() {
    let mut world = World::with_three();
    world.disconnect("bo");
    world.advance(1_000);
    assert_eq!(online(&world.connect("bo-again", "bo")), None);
    world.advance(10_000);
    assert_eq!(online(&world.run(Command::Tick)), None);
}

#[test]
fn typing_is_shown_to_others_with_an_expiry() {
    let mut world = World::with_three();
    let effects = typing(&mut world, "bo", true);
    let [
        edgechat_core::Effect::Socket(SocketEffect::Broadcast {
            msg:
                ServerMsg::TypingIndicator(frame::TypingIndicator {
                    is_typing: true,
                    expires_at,
                    username,
                    ..
                }),
            except: Some(except),
        }),
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(*expires_at, world.now + 6_000);
    assert_eq!(username, "Bo");
    assert_eq!(except, "bo");
}

#[test]
fn typing_refreshes_are_throttled_to_half_the_expiry() {
    let mut world = World::with_three();
    typing(&mut world, "bo", true);
    world.advance(2_000);
    assert!(typing(&mut world, "bo", true).is_empty());
    world.advance(1_500);
    assert_eq!(broadcasts(&typing(&mut world, "bo", true)).len(), 1);
}

#[test]
fn sending_stops_typing() {
    let mut world = World::with_three();
    typing(&mut world, "bo", true);
    let effects = world.say("bo", "done");
    assert!(broadcasts(&effects).iter().any(|m| matches!(
        m,
        ServerMsg::TypingIndicator(frame::TypingIndicator {
            is_typing: false,
            ..
        })
    )));
}

#[test]
fn typing_stop_and_the_last_device_leaving_clear_the_indicator() {
    let mut world = World::with_three();
    typing(&mut world, "bo", true);
    assert_eq!(broadcasts(&typing(&mut world, "bo", false)).len(), 1);
    assert!(
        typing(&mut world, "bo", false).is_empty(),
        "nothing to stop"
    );
    typing(&mut world, "cy", true);
    let effects = world.disconnect("cy");
    assert!(broadcasts(&effects).iter().any(|m| matches!(
        m,
        ServerMsg::TypingIndicator(frame::TypingIndicator {
            is_typing: false,
            ..
        })
    )));
}

#[test]
fn a_socket_that_joins_sees_who_is_typing() {
    let mut world = World::with_three();
    typing(&mut world, "bo", true);
    let effects = world.connect("dee", "dee");
    assert!(
        sent_to(&effects, "dee")
            .iter()
            .any(|m| matches!(m, ServerMsg::TypingIndicator(frame::TypingIndicator { user_id, .. }) if user_id == "bo"))
    );
}

#[test]
fn an_expired_indicator_is_not_sent_to_a_new_socket() {
    let mut world = World::with_three();
    typing(&mut world, "bo", true);
    world.advance(6_000);
    let effects = world.connect("dee", "dee");
    assert!(
        !sent_to(&effects, "dee")
            .iter()
            .any(|m| matches!(m, ServerMsg::TypingIndicator(frame::TypingIndicator { .. })))
    );
}

#[test]
fn a_members_status_is_relayed_and_a_strangers_is_not() {
    let mut world = World::with_three();
    let status = |user: &str| {
        ServerMsg::UserStatus(frame::UserStatus {
            user_id: user.into(),
            status: edgechat_protocol::Status::Away,
            last_seen: None,
            status_text: None,
        })
    };
    assert_eq!(
        broadcasts(&world.run(Command::Status(status("bo")))).len(),
        1
    );
    assert!(world.run(Command::Status(status("zed"))).is_empty());
}

#[test]
fn after_a_load_the_next_tick_reannounces_who_is_here() {
    let mut world = World::with_three();
    world.disconnect("cy");
    world.room = world.restored();
    assert_eq!(world.room.next_deadline().unwrap(), Some(0));
    let effects = world.run(Command::Tick);
    assert_eq!(
        online(&effects),
        Some(vec!["ana".to_owned(), "bo".to_owned()]),
        "the sockets handed back are who is here"
    );
}

fn with_expiry(user: &str, expires_at: u64) -> edgechat_core::Identity {
    edgechat_core::Identity {
        expires_at: Some(expires_at),
        version: edgechat_protocol::PROTOCOL_VERSION,
        ..who(user)
    }
}

#[test]
fn a_socket_whose_token_expires_is_closed_at_the_expiry() {
    let mut world = World::public();
    world.connect_as("bo", with_expiry("bo", START + 60_000), None);
    assert_eq!(world.room.next_deadline().unwrap(), Some(START + 60_000));
    world.advance(59_999);
    assert!(closed(&world.run(Command::Tick)).is_empty());
    world.advance(1);
    let effects = world.run(Command::Tick);
    assert_eq!(
        closed(&effects),
        vec![("bo".to_owned(), edgechat_protocol::close::TOKEN_EXPIRED)]
    );
}

#[test]
fn a_fresh_token_for_the_same_user_extends_the_socket() {
    let mut world = World::public();
    world.connect_as("bo", with_expiry("bo", START + 60_000), None);
    let effects = world.run(Command::Reauthenticated {
        conn: "bo".into(),
        user_id: "bo".into(),
        expires_at: START + 120_000,
        req_id: None,
    });
    assert!(
        matches!(sent_to(&effects, "bo").as_slice(), [ServerMsg::Authenticated(frame::Authenticated { expires_at, .. })] if *expires_at == START + 120_000)
    );
    world.advance(90_000);
    assert!(closed(&world.run(Command::Tick)).is_empty());
}

#[test]
fn a_token_for_another_user_cannot_take_over_a_socket() {
    let mut world = World::public();
    world.connect_as("bo", with_expiry("bo", START + 60_000), None);
    let effects = world.run(Command::Reauthenticated {
        conn: "bo".into(),
        user_id: "eve".into(),
        expires_at: START + 120_000,
        req_id: Some("r".into()),
    });
    assert_eq!(
        error_code(&effects),
        Some(edgechat_protocol::ErrorCode::Unauthorized)
    );
    world.advance(60_000);
    assert_eq!(closed(&world.run(Command::Tick)).len(), 1);
}

#[test]
fn a_socket_past_the_per_user_cap_closes_the_oldest() {
    let mut world = World::public();
    for i in 0..5 {
        assert!(closed(&world.connect(&format!("bo-{i}"), "bo")).is_empty());
    }
    let effects = world.connect("bo-5", "bo");
    assert_eq!(
        closed(&effects),
        vec![(
            "bo-0".to_owned(),
            edgechat_protocol::close::TOO_MANY_SOCKETS
        )]
    );
    assert!(
        sent_to(&effects, "bo-5")
            .iter()
            .any(|m| matches!(m, ServerMsg::RoomJoined(frame::RoomJoined { .. })))
    );
    assert!(world.room.online().contains("bo"));
    // Other users have their own allowance.
    assert!(closed(&world.connect("cy-0", "cy")).is_empty());
}
