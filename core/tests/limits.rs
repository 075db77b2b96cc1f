//! Rate limits, duplicates, slow mode and mutes: what stops a message, and in what order.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, Role};

#[test]
fn a_burst_past_the_bucket_is_rate_limited_with_a_retry_time() {
    let mut world = World::with_three();
    for i in 0..5 {
        assert_eq!(error_code(&world.say("bo", &format!("m{i}"))), None);
    }
    let refused = world.say("bo", "one too many");
    assert_eq!(error_code(&refused), Some(ErrorCode::RateLimited));
    assert_eq!(retry_after(&refused), Some(1000));
    world.advance(1000);
    assert_eq!(error_code(&world.say("bo", "one too many")), None);
}

#[test]
fn one_users_rate_limit_does_not_touch_another() {
    let mut world = World::with_three();
    for i in 0..6 {
        world.say("bo", &format!("m{i}"));
    }
    assert_eq!(error_code(&world.say("cy", "still fine")), None);
}

#[test]
fn a_resend_is_acked_even_when_limits_would_refuse_a_new_message() {
    let mut world = World::with_three();
    world.say_with_id("bo", "first", "c-first");
    for i in 0..4 {
        world.say("bo", &format!("m{i}"));
    }
    assert_eq!(
        error_code(&world.say("bo", "new")),
        Some(ErrorCode::RateLimited)
    );
    let resend = world.say_with_id("bo", "first", "c-first");
    assert_eq!(error_code(&resend), None);
    assert!(matches!(
        sent_to(&resend, "bo").as_slice(),
        [edgechat_protocol::ServerMsg::MessageAck(
            frame::MessageAck { .. }
        )]
    ));
}

#[test]
fn the_same_text_twice_within_the_window_is_a_duplicate() {
    let mut world = World::with_three();
    world.say("bo", "hello");
    assert_eq!(
        error_code(&world.say("bo", "hello")),
        Some(ErrorCode::Duplicate)
    );
    assert_eq!(
        error_code(&world.say("cy", "hello")),
        None,
        "another user may say it"
    );
    world.advance(30_000);
    assert_eq!(error_code(&world.say("bo", "hello")), None);
}

#[test]
fn slow_mode_spaces_a_members_messages_but_not_a_moderators() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::SetRole {
            user_id: "cy".into(),
            role: Role::Moderator,
        },
    );
    world.send("ana", ClientMsg::SetSlowMode { seconds: 10 });
    world.say("bo", "first");
    world.advance(4_000);
    let refused = world.say("bo", "second");
    assert_eq!(error_code(&refused), Some(ErrorCode::SlowMode));
    assert_eq!(retry_after(&refused), Some(6_000));
    world.say("cy", "one");
    assert_eq!(error_code(&world.say("cy", "two")), None);
    world.advance(6_000);
    assert_eq!(error_code(&world.say("bo", "second")), None);
}

#[test]
fn only_admins_set_slow_mode_within_bounds() {
    let mut world = World::with_three();
    assert_eq!(
        error_code(&world.send("bo", ClientMsg::SetSlowMode { seconds: 5 })),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        error_code(&world.send("ana", ClientMsg::SetSlowMode { seconds: 100_000 })),
        Some(ErrorCode::BadRequest)
    );
    assert_eq!(world.store().slow_mode().unwrap(), 0);
}

#[test]
fn a_muted_member_cannot_send_edit_react_or_type_until_the_mute_ends() {
    let mut world = World::with_three();
    let id = world.post("bo", "before");
    let until = world.now + 60_000;
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "bo".into(),
            until,
        },
    );
    world.advance(10_000);
    let refused = world.say("bo", "during");
    assert_eq!(error_code(&refused), Some(ErrorCode::Muted));
    assert_eq!(retry_after(&refused), Some(50_000));
    let edit = ClientMsg::EditMessage {
        message_id: id.clone(),
        new_text: "x".into(),
    };
    assert_eq!(error_code(&world.send("bo", edit)), Some(ErrorCode::Muted));
    let react = ClientMsg::AddReaction {
        message_id: id,
        emoji: "👍".into(),
    };
    assert_eq!(error_code(&world.send("bo", react)), Some(ErrorCode::Muted));
    let typing = ClientMsg::TypingStart {
        room_id: "lobby".into(),
    };
    assert_eq!(
        error_code(&world.send("bo", typing)),
        Some(ErrorCode::Muted)
    );
    world.advance(50_000);
    assert_eq!(error_code(&world.say("bo", "after")), None);
}

#[test]
fn leaving_and_rejoining_does_not_lift_a_mute() {
    let mut world = World::with_three();
    let until = world.now + 60_000;
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "bo".into(),
            until,
        },
    );
    world.send(
        "bo",
        ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        },
    );
    world.connect("bo-2", "bo");
    assert_eq!(
        error_code(&world.say("bo-2", "sneaky")),
        Some(ErrorCode::Muted)
    );
}

#[test]
fn an_unmuted_member_can_send_again() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "bo".into(),
            until: world.now + 60_000,
        },
    );
    world.send(
        "ana",
        ClientMsg::UnmuteUser {
            user_id: "bo".into(),
        },
    );
    assert_eq!(error_code(&world.say("bo", "free")), None);
}
