//! Reactions and pins.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::Effect;
use edgechat_core::testing::*;
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent};

fn react(world: &mut World, conn: &str, id: &str, emoji: &str, add: bool) -> Vec<Effect> {
    let (message_id, emoji) = (id.to_owned(), emoji.to_owned());
    world.send(
        conn,
        if add {
            ClientMsg::AddReaction { message_id, emoji }
        } else {
            ClientMsg::RemoveReaction { message_id, emoji }
        },
    )
}

#[test]
fn reactions_count_each_user_once_and_toggle_off() {
    let mut world = World::with_three();
    let id = world.post("ana", "party");
    react(&mut world, "bo", &id, "🎉", true);
    assert!(
        react(&mut world, "bo", &id, "🎉", true).is_empty(),
        "adding twice changes nothing"
    );
    let effects = react(&mut world, "cy", &id, "🎉", true);
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::ReactionUpdated { count: 2, user_ids, .. }] if user_ids == &["bo", "cy"]
    ));
    let effects = react(&mut world, "bo", &id, "🎉", false);
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::ReactionUpdated { count: 1, .. }]
    ));
    assert!(
        react(&mut world, "bo", &id, "🎉", false).is_empty(),
        "removing twice changes nothing"
    );
}

#[test]
fn a_reaction_must_be_a_single_emoji() {
    let mut world = World::with_three();
    let id = world.post("ana", "hi");
    assert_eq!(
        error_code(&react(&mut world, "bo", &id, "lol", true)),
        Some(ErrorCode::BadEmoji)
    );
    assert_eq!(
        error_code(&react(&mut world, "bo", &id, "👍👍", true)),
        Some(ErrorCode::BadEmoji)
    );
    assert_eq!(error_code(&react(&mut world, "bo", &id, "👍🏽", true)), None);
}

#[test]
fn a_message_takes_a_limited_number_of_different_reactions() {
    let mut world = World::with_three();
    let id = world.post("ana", "hi");
    let emoji: Vec<char> = ('\u{1F600}'..).take(21).collect();
    for e in &emoji[..20] {
        // Past the burst of the action budget: tokens come back at its sustained rate.
        world.advance(1_000);
        assert_eq!(
            error_code(&react(&mut world, "bo", &id, &e.to_string(), true)),
            None
        );
    }
    let last = emoji[20].to_string();
    assert_eq!(
        error_code(&react(&mut world, "bo", &id, &last, true)),
        Some(ErrorCode::TooManyReactions)
    );
    assert_eq!(
        error_code(&react(&mut world, "cy", &id, "😀", true)),
        None,
        "an existing emoji still takes more users"
    );
}

#[test]
fn only_moderators_pin_and_pinning_twice_changes_nothing() {
    let mut world = World::with_three();
    let id = world.post("bo", "important");
    let pin = |id: &str| ClientMsg::PinMessage {
        message_id: id.into(),
    };
    assert_eq!(
        error_code(&world.send("bo", pin(&id))),
        Some(ErrorCode::Forbidden)
    );
    assert!(matches!(
        appended(&world.send("ana", pin(&id))).as_slice(),
        [RoomEvent::MessagePinned { .. }]
    ));
    assert!(world.send("ana", pin(&id)).is_empty());
    let unpinned = world.send(
        "ana",
        ClientMsg::UnpinMessage {
            message_id: id.clone(),
        },
    );
    assert!(matches!(
        appended(&unpinned).as_slice(),
        [RoomEvent::MessageUnpinned { .. }]
    ));
    assert!(!world.store().message(&id).unwrap().unwrap().pinned);
}
