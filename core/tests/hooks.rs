//! Incoming hooks: who makes them, what a post through one becomes, and what refuses it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::room::{HookChange, HookPost, HookSpec};
use edgechat_core::testing::*;
use edgechat_core::{Effect, Limits, rate::Rate};
use edgechat_protocol::{ErrorCode, RoomEvent, RoomKind, ServerMsg};

fn create(world: &mut World, by: &str, hook_id: &str, secret: &str) -> Result<(), ErrorCode> {
    let change = HookChange::Create {
        hook_id: hook_id.into(),
        name: "CI".into(),
        secret: secret.into(),
        token: "unused".into(),
        spec: HookSpec::Incoming,
    };
    world
        .room
        .change_hook(&who(by), change, world.now)
        .unwrap()
        .map(|_| ())
        .map_err(|refusal| refusal.code())
}

fn post(
    world: &mut World,
    hook_id: &str,
    secret: &str,
    text: &str,
) -> Result<Vec<Effect>, ErrorCode> {
    let post = HookPost {
        text: text.into(),
        label: None,
        emoji: None,
    };
    let posted = world
        .room
        .post_by_hook(hook_id, secret, post, world.now)
        .unwrap();
    if let Ok(effects) = &posted {
        world.keep(effects);
    }
    posted.map_err(|refusal| refusal.code())
}

#[test]
fn only_an_admin_makes_a_hook() {
    let mut world = World::with_three();
    assert_eq!(
        create(&mut world, "bo", "hk-1", "s"),
        Err(ErrorCode::Forbidden)
    );
    assert_eq!(create(&mut world, "ana", "hk-1", "s"), Ok(()));
    let listed = world.room.list_hooks(&who("ana")).unwrap().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "CI");
    assert!(world.room.list_hooks(&who("bo")).unwrap().is_err());
}

#[test]
fn the_secret_is_stored_only_as_its_hash() {
    let mut world = World::with_three();
    create(&mut world, "ana", "hk-1", "the-secret").unwrap();
    let stored = world.store().hook("hk-1").unwrap().unwrap();
    assert_ne!(stored.secret_hash, "the-secret");
    assert_eq!(
        stored.secret_hash,
        edgechat_core::room::secret_hash("the-secret")
    );
}

#[test]
fn a_post_becomes_a_bot_message_everyone_is_sent() {
    let mut world = World::with_three();
    create(&mut world, "ana", "hk-1", "s").unwrap();
    let effects = post(&mut world, "hk-1", "s", "build **passed**").unwrap();
    let appended = appended(&effects);
    let [RoomEvent::NewMessage(message)] = appended.as_slice() else {
        panic!("one message: {effects:?}");
    };
    assert_eq!(message.user_id, "hk-1");
    assert_eq!(message.username, "CI");
    assert_eq!(message.text, "build **passed**");
    assert!(message.bot.is_some());
    assert!(matches!(
        broadcasts(&effects).as_slice(),
        [ServerMsg::Event(RoomEvent::NewMessage(_))]
    ));
}

#[test]
fn a_wrong_secret_or_an_unknown_hook_read_alike() {
    let mut world = World::with_three();
    create(&mut world, "ana", "hk-1", "s").unwrap();
    assert_eq!(
        post(&mut world, "hk-1", "t", "x").err(),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        post(&mut world, "hk-2", "s", "x").err(),
        Some(ErrorCode::NotFound)
    );
}

#[test]
fn a_new_secret_retires_the_old_one_and_a_deleted_hook_posts_nothing() {
    let mut world = World::with_three();
    create(&mut world, "ana", "hk-1", "old").unwrap();
    let change = HookChange::NewSecret {
        hook_id: "hk-1".into(),
        secret: "new".into(),
    };
    world
        .room
        .change_hook(&who("ana"), change, world.now)
        .unwrap()
        .unwrap();
    assert_eq!(
        post(&mut world, "hk-1", "old", "x").err(),
        Some(ErrorCode::NotFound)
    );
    assert!(post(&mut world, "hk-1", "new", "x").is_ok());
    let delete = HookChange::Delete {
        hook_id: "hk-1".into(),
    };
    world
        .room
        .change_hook(&who("ana"), delete, world.now)
        .unwrap()
        .unwrap();
    assert_eq!(
        post(&mut world, "hk-1", "new", "y").err(),
        Some(ErrorCode::NotFound)
    );
}

#[test]
fn a_bot_repeats_itself_freely_within_its_own_budget() {
    let limits = Limits {
        hook_rate: Rate {
            per_window: 1,
            window_ms: 60_000,
            burst: 3,
        },
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    create(&mut world, "ana", "hk-1", "s").unwrap();
    for _ in 0..3 {
        post(&mut world, "hk-1", "s", "deploy done").expect("the same text again");
    }
    assert_eq!(
        post(&mut world, "hk-1", "s", "deploy done").err(),
        Some(ErrorCode::RateLimited)
    );
}

#[test]
fn a_bot_message_obeys_the_text_rules() {
    let mut world = World::with_three();
    create(&mut world, "ana", "hk-1", "s").unwrap();
    assert_eq!(
        post(&mut world, "hk-1", "s", "  ").err(),
        Some(ErrorCode::Empty)
    );
    let long = "x".repeat(Limits::default().max_message_chars + 1);
    assert_eq!(
        post(&mut world, "hk-1", "s", &long).err(),
        Some(ErrorCode::TooLong)
    );
}

#[test]
fn a_room_has_a_bounded_number_of_hooks() {
    let limits = Limits {
        max_hooks: 2,
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    create(&mut world, "ana", "hk-1", "s").unwrap();
    create(&mut world, "ana", "hk-2", "s").unwrap();
    assert_eq!(
        create(&mut world, "ana", "hk-3", "s"),
        Err(ErrorCode::TooManyHooks)
    );
}

#[test]
fn an_older_socket_is_sent_the_label_with_bot_after_it() {
    let mut world = World::with_three();
    create(&mut world, "ana", "hk-1", "s").unwrap();
    let effects = post(&mut world, "hk-1", "s", "hi").unwrap();
    let [msg] = broadcasts(&effects).try_into().unwrap();
    assert_eq!(msg.since_version(), 7);
    let Some(ServerMsg::Event(RoomEvent::NewMessage(older))) = msg.older() else {
        panic!("an older form");
    };
    assert_eq!(older.username, "CI (bot)");
    assert!(older.bot.is_none());
}
