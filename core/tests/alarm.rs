//! The room's one alarm: the soonest of its own deadlines and the write-behind's, set only
//! when it comes before the alarm already set.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Command, Schedule};
use edgechat_protocol::Millis;

const DELAY: u64 = 2_000;

fn schedule(world: &World, retry_at: Option<Millis>, armed: Option<Millis>) -> Schedule {
    Schedule {
        now: world.now,
        delay_ms: DELAY,
        retry_at,
        armed,
    }
}

/// A room with a message D1 does not have yet, its presence settled.
fn waiting() -> World {
    let mut world = World::public();
    world.connect("ana", "ana");
    world.say("ana", "for the write-behind");
    world.advance(60_000);
    world.run(Command::Tick);
    assert!(world.store().has_pending().unwrap());
    world
}

/// As after a flush that copied everything: D1 has the log, the marks and the members,
/// and every inbox has what it was owed.
fn caught_up(world: &World) {
    let store = world.store();
    store.set_archived(world.room.head_seq()).unwrap();
    store
        .read_marks_synced(&store.unsynced_read_marks().unwrap())
        .unwrap();
    store
        .membership_synced(&store.membership_unsynced(100).unwrap())
        .unwrap();
    for owed in store.owed(100).unwrap() {
        store.delivered(&owed.user_id, true).unwrap();
    }
    assert!(!store.has_pending().unwrap());
}

#[test]
fn the_write_behind_is_due_a_delay_after_now_while_events_wait() {
    let world = waiting();
    let own = world.room.next_deadline().unwrap();
    let at = world.room.alarm(&schedule(&world, None, None)).unwrap();
    let expected = own.into_iter().fold(world.now + DELAY, Millis::min);
    assert_eq!(at, Some(expected));
    assert_eq!(
        at,
        Some(world.now + DELAY),
        "nothing of the room's own comes sooner"
    );
}

#[test]
fn with_nothing_waiting_only_the_rooms_own_deadlines_count() {
    let world = waiting();
    caught_up(&world);
    let at = world.room.alarm(&schedule(&world, None, None)).unwrap();
    assert_eq!(at, world.room.next_deadline().unwrap());
}

#[test]
fn after_a_failed_batch_the_write_behind_waits_for_its_retry() {
    let world = waiting();
    let retry = world.now + 30_000;
    let at = world
        .room
        .alarm(&schedule(&world, Some(retry), None))
        .unwrap();
    let expected = world
        .room
        .next_deadline()
        .unwrap()
        .into_iter()
        .fold(retry, Millis::min);
    assert_eq!(at, Some(expected));
    assert!(
        at > Some(world.now + DELAY),
        "not the usual delay: the retry"
    );
}

#[test]
fn an_alarm_already_set_sooner_is_kept_and_a_later_one_is_brought_forward() {
    let world = waiting();
    let sooner = world.now + 1;
    assert_eq!(
        world
            .room
            .alarm(&schedule(&world, None, Some(sooner)))
            .unwrap(),
        None
    );
    let later = world.now + 3_600_000;
    assert_eq!(
        world
            .room
            .alarm(&schedule(&world, None, Some(later)))
            .unwrap(),
        Some(world.now + DELAY)
    );
}

#[test]
fn a_room_waiting_for_nothing_sets_no_alarm() {
    let mut world = World::public();
    world.advance(60_000);
    world.run(Command::Tick);
    caught_up(&world);
    assert_eq!(world.room.next_deadline().unwrap(), None);
    assert_eq!(
        world.room.alarm(&schedule(&world, None, None)).unwrap(),
        None
    );
}
