//! Arrivals told together: sockets of version 5 hear a presence window's joins and
//! arrival statuses in one `members-arrived`; older sockets one frame per arrival.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::sockets::SocketEffect;
use edgechat_core::testing::*;
use edgechat_core::{Command, Effect, Identity, Limits};
use edgechat_protocol::{RoomEvent, RoomKind, ServerMsg, Status, frame};

/// A room with a presence window of 250 ms, `ana` on version 5 and `olga` on version 4,
/// and the window since their arrival over.
fn mixed() -> World {
    let mut world = World::new(RoomKind::Public, Limits::default());
    assert_eq!(world.limits.presence_coalesce_ms, 250);
    world.connect("ana", "ana");
    world.connect_as("olga", speaking("olga", 4), None);
    world.advance(1_000);
    world.run(Command::Tick);
    world.advance(1_000);
    world
}

/// One `members-arrived`: who joined (with their seqs), whose status came, and which
/// socket was left out.
type Told = (Vec<(String, u64)>, Vec<String>, Option<String>);

/// Each `members-arrived` among `effects`.
fn told_together(effects: &[Effect]) -> Vec<Told> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Socket(SocketEffect::Broadcast {
                msg:
                    ServerMsg::MembersArrived(frame::MembersArrived {
                        joined, statuses, ..
                    }),
                except,
            }) => Some((
                joined
                    .iter()
                    .map(|e| match e {
                        RoomEvent::UserJoined { user_id, seq, .. } => (user_id.clone(), *seq),
                        other => panic!("not a join: {other:?}"),
                    })
                    .collect(),
                statuses.iter().map(|s| s.user_id.clone()).collect(),
                except.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// What sockets before version 5 are sent one by one among `effects`.
fn one_by_one(effects: &[Effect]) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Socket(SocketEffect::BroadcastBefore { msg, until: 5, .. }) => {
                Some(msg.clone())
            }
            _ => None,
        })
        .collect()
}

fn joined(msgs: &[ServerMsg]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m {
            ServerMsg::Event(RoomEvent::UserJoined { user_id, .. }) => Some(user_id.clone()),
            _ => None,
        })
        .collect()
}

fn arriving(user: &str) -> Identity {
    Identity {
        status: Some(Status::Online),
        ..who(user)
    }
}

#[test]
fn a_windows_arrivals_reach_the_newest_sockets_in_one_frame_and_older_ones_one_by_one() {
    let mut world = mixed();
    // The first arrival after a quiet spell goes at once, to all but the joiner.
    let effects = world.connect_as("bo", arriving("bo"), None);
    let bo_seq = world.room.head_seq();
    assert_eq!(
        told_together(&effects),
        [(
            vec![("bo".to_owned(), bo_seq)],
            vec!["bo".to_owned()],
            Some("bo".to_owned())
        )]
    );
    assert_eq!(joined(&one_by_one(&effects)), ["bo"]);
    // Within the window each is stored at once and told to the old socket at once, and
    // the newest sockets wait.
    for user in ["cy", "di"] {
        world.advance(10);
        let effects = world.connect_as(user, arriving(user), None);
        assert!(told_together(&effects).is_empty(), "{effects:?}");
        assert_eq!(joined(&one_by_one(&effects)), [user]);
        assert!(one_by_one(&effects).iter().any(|m| matches!(
            m,
            ServerMsg::UserStatus(frame::UserStatus { user_id, .. }) if user_id == user
        )));
    }
    world.advance(250);
    let effects = world.run(Command::Tick);
    let head = world.room.head_seq();
    assert_eq!(
        told_together(&effects),
        [(
            vec![("cy".to_owned(), head - 1), ("di".to_owned(), head)],
            vec!["cy".to_owned(), "di".to_owned()],
            None
        )]
    );
    // The joins come before the presence change that shows them online.
    let arrivals = effects
        .iter()
        .position(|e| !told_together(std::slice::from_ref(e)).is_empty());
    let presence = effects.iter().position(|e| {
        matches!(
            e,
            Effect::Socket(SocketEffect::BroadcastOr {
                msg: ServerMsg::PresenceChanged(frame::PresenceChanged {
                    online_count: Some(5),
                    ..
                }),
                ..
            })
        )
    });
    assert!(arrivals.unwrap() < presence.unwrap(), "{effects:?}");
}

#[test]
fn arrivals_waiting_for_their_window_go_before_a_later_durable_event() {
    let mut world = mixed();
    world.connect("bo", "bo");
    world.advance(10);
    world.connect("cy", "cy");
    let effects = world.say("ana", "welcome, both");
    let arrivals = effects
        .iter()
        .position(|e| !told_together(std::slice::from_ref(e)).is_empty())
        .expect("the waiting arrival is told");
    let message = effects
        .iter()
        .position(|e| {
            matches!(
                e,
                Effect::Socket(SocketEffect::Broadcast {
                    msg: ServerMsg::Event(RoomEvent::NewMessage(_)),
                    ..
                })
            )
        })
        .expect("the message is broadcast");
    assert!(arrivals < message, "{effects:?}");
    // Told once: the window's end has nothing left to tell.
    world.advance(250);
    assert!(told_together(&world.run(Command::Tick)).is_empty());
}

#[test]
fn a_newest_joiner_is_told_the_online_count_and_an_older_one_the_whole_set() {
    let mut world = mixed();
    let effects = world.connect("bo", "bo");
    let Some(ServerMsg::RoomJoined(joined)) = room_joined(&effects, "bo") else {
        panic!("no room-joined: {effects:?}");
    };
    assert_eq!(joined.online_count, Some(3));
    assert!(joined.users.iter().all(|u| u.online), "{:?}", joined.users);
    assert!(
        !sent_to(&effects, "bo")
            .iter()
            .any(|m| matches!(m, ServerMsg::OnlineUsers(_))),
        "{effects:?}"
    );

    let effects = world.connect_as("oz", speaking("oz", 4), None);
    let Some(ServerMsg::RoomJoined(joined)) = room_joined(&effects, "oz") else {
        panic!("no room-joined: {effects:?}");
    };
    assert_eq!(joined.online_count, None);
    assert!(sent_to(&effects, "oz").iter().any(|m| matches!(
        m,
        ServerMsg::OnlineUsers(frame::OnlineUsers { user_ids, .. }) if user_ids.len() == 4
    )));
}

#[test]
fn a_room_without_older_sockets_sends_nothing_one_by_one() {
    let mut world = World::new(RoomKind::Public, Limits::default());
    world.connect("ana", "ana");
    world.advance(1_000);
    let effects = world.connect_as("bo", arriving("bo"), None);
    assert!(one_by_one(&effects).is_empty(), "{effects:?}");
    assert_eq!(told_together(&effects).len(), 1);
}

#[test]
fn a_failed_step_takes_back_its_own_arrival_and_the_room_still_owes_the_others() {
    // The arrival fails at each of its statements in turn, its join stored or not.
    for statement in 0.. {
        let mut world = mixed();
        world.connect("bo", "bo");
        world.advance(10);
        world.connect("cy", "cy");
        let cy_seq = world.room.head_seq();
        world.advance(10);
        world.sqlite.fail_after(statement);
        let arrival = world.room.handle(
            Command::Connect {
                conn: "di".into(),
                who: arriving("di"),
                since: None,
            },
            world.now,
        );
        world.sqlite.heal();
        if arrival.is_ok() {
            assert!(statement > 2, "the arrival runs statements");
            break;
        }
        // What the object tells the sockets before it drops the room.
        assert_eq!(
            told_together(&world.room.last_words()),
            [(vec![("cy".to_owned(), cy_seq)], vec![], None)],
            "failing at statement {statement}"
        );
        assert!(world.room.last_words().is_empty(), "told once");
    }
}
