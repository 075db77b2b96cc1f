//! Properties over random command sequences.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeSet;

use edgechat_core::sockets::SocketEffect;
use edgechat_core::store::Sql;
use edgechat_core::testing::*;
use edgechat_core::{Command, Effect, Room, store::sqlite::Sqlite};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, Role, RoomEvent, ServerMsg};
use proptest::prelude::*;

const USERS: &[&str] = &["ana", "bo", "cy", "dee"];

#[derive(Debug, Clone)]
enum Step {
    Connect(usize, usize),
    Disconnect(usize),
    Say(usize, u8, bool),
    Moderate(usize, usize, u8),
    React(usize, u8),
    Delete(usize, u8),
    Advance(u64),
    Tick,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..8usize, 0..4usize).prop_map(|(c, u)| Step::Connect(c, u)),
        (0..8usize).prop_map(Step::Disconnect),
        (0..8usize, 0..6u8, any::<bool>()).prop_map(|(c, id, again)| Step::Say(c, id, again)),
        (0..8usize, 0..4usize, 0..8u8).prop_map(|(c, u, a)| Step::Moderate(c, u, a)),
        (0..8usize, 0..12u8).prop_map(|(c, m)| Step::React(c, m)),
        (0..8usize, 0..12u8).prop_map(|(c, m)| Step::Delete(c, m)),
        (0..20_000u64).prop_map(Step::Advance),
        Just(Step::Tick),
    ]
}

fn moderation(action: u8, target: &str, now: u64) -> ClientMsg {
    let user_id = target.to_owned();
    match action {
        0 => ClientMsg::MuteUser {
            user_id,
            until: now + 5_000,
        },
        1 => ClientMsg::UnmuteUser { user_id },
        2 => ClientMsg::BanUser { user_id },
        3 => ClientMsg::UnbanUser { user_id },
        4 => ClientMsg::KickUser { user_id },
        5 => ClientMsg::SetRole {
            user_id,
            role: Role::Moderator,
        },
        6 => ClientMsg::SetRole {
            user_id,
            role: Role::Member,
        },
        _ => ClientMsg::SetSlowMode {
            seconds: (now % 3) as u32,
        },
    }
}

fn is_moderation(event: &RoomEvent) -> bool {
    matches!(
        event,
        RoomEvent::UserMuted { .. }
            | RoomEvent::UserUnmuted { .. }
            | RoomEvent::UserBanned { .. }
            | RoomEvent::UserUnbanned { .. }
            | RoomEvent::UserKicked { .. }
            | RoomEvent::RoleChanged { .. }
            | RoomEvent::SlowModeChanged { .. }
    )
}

/// Runs the steps; checks the invariants after every one.
fn run(steps: Vec<Step>) -> World {
    let mut world = World::public();
    let mut conn_user: Vec<Option<&str>> = vec![None; 8];
    let mut messages: Vec<String> = Vec::new();
    let mut created: BTreeSet<(String, String)> = BTreeSet::new();
    for step in steps {
        let head_before = world.room.head_seq();
        let conn = |c: usize| format!("c{c}");
        let (effects, actor) = match step {
            Step::Connect(c, u) => {
                if conn_user[c].is_some() {
                    continue;
                }
                conn_user[c] = Some(USERS[u]);
                (world.connect(&conn(c), USERS[u]), None)
            }
            Step::Disconnect(c) => {
                conn_user[c] = None;
                (world.disconnect(&conn(c)), None)
            }
            Step::Say(c, id, again) => {
                let text = if again {
                    "same".to_owned()
                } else {
                    format!("t{id}-{}", world.now)
                };
                (
                    world.say_with_id(&conn(c), &text, &format!("cid-{id}")),
                    None,
                )
            }
            Step::Moderate(c, u, action) => {
                let actor = conn_user[c].map(|user| (user, world.member(user).map(|m| m.role)));
                let msg = moderation(action, USERS[u], world.now);
                (world.send(&conn(c), msg), actor)
            }
            Step::React(c, m) => {
                let Some(id) = messages.get(m as usize).cloned() else {
                    continue;
                };
                (
                    world.send(
                        &conn(c),
                        ClientMsg::AddReaction {
                            message_id: id,
                            emoji: "👍".into(),
                        },
                    ),
                    None,
                )
            }
            Step::Delete(c, m) => {
                let Some(id) = messages.get(m as usize).cloned() else {
                    continue;
                };
                (
                    world.send(&conn(c), ClientMsg::DeleteMessage { message_id: id }),
                    None,
                )
            }
            Step::Advance(ms) => {
                world.advance(ms);
                continue;
            }
            Step::Tick => (world.run(Command::Tick), None),
        };
        // Sockets the room closed are gone.
        for (closed_conn, _) in closed(&effects) {
            if let Some(i) = closed_conn
                .strip_prefix('c')
                .and_then(|i| i.parse::<usize>().ok())
            {
                conn_user[i] = None;
            }
        }

        // Seqs strictly increase with no gaps.
        let new = appended(&effects);
        for (i, event) in new.iter().enumerate() {
            assert_eq!(event.seq(), head_before + 1 + i as u64, "{effects:?}");
        }
        // Nothing is acknowledged or broadcast before it is stored.
        if let Some(first_append) = effects.iter().position(|e| matches!(e, Effect::Stored(_))) {
            let first_out = effects.iter().position(|e| {
                matches!(e, Effect::Socket(SocketEffect::Broadcast { msg, .. }) | Effect::Socket(SocketEffect::Send { msg, .. }) if msg.seq().is_some() || matches!(msg, ServerMsg::MessageAck(frame::MessageAck { .. })))
            });
            assert!(
                first_out.is_none_or(|out| out > first_append),
                "{effects:?}"
            );
        }
        for event in &new {
            // No clientMsgId yields two messages.
            if let RoomEvent::NewMessage(m) = event {
                assert!(
                    created.insert((m.user_id.clone(), m.client_msg_id.clone())),
                    "duplicate {m:?}"
                );
                messages.push(m.message_id.clone());
            }
            // Moderation changes only come from someone with the role.
            if is_moderation(event) {
                let (_, role) = actor.expect("moderation comes from a moderation command");
                assert!(
                    matches!(role, Some(Role::Moderator | Role::Admin)),
                    "{event:?} by {actor:?}"
                );
            }
        }
        // The fold's count of members is the table's.
        let counted = world
            .sqlite
            .run("SELECT COUNT(*) FROM members", &[])
            .unwrap();
        assert_eq!(
            world.store().member_count().unwrap(),
            counted[0].uint(0).unwrap()
        );
        // A user with a connected device is never shown as gone.
        let connected: BTreeSet<String> =
            conn_user.iter().flatten().map(|u| u.to_string()).collect();
        let shown = world.room.online();
        assert!(
            connected.is_subset(&shown),
            "{connected:?} not in {shown:?}"
        );
        if let Some(broadcast) = online(&effects) {
            let broadcast: BTreeSet<String> = broadcast.into_iter().collect();
            assert!(
                connected.is_subset(&broadcast),
                "{connected:?} not in {broadcast:?}"
            );
        }
    }
    world
}

/// What a step's actor is answered (acks and errors) and what the step stored.
fn outcome(effects: &[Effect], conn: &str) -> (Vec<RoomEvent>, Vec<ServerMsg>) {
    let answers = sent_to(effects, conn)
        .into_iter()
        .filter(|m| matches!(m, ServerMsg::MessageAck(_) | ServerMsg::Error(_)))
        .collect();
    (appended(effects), answers)
}

/// Runs the steps on a live room and on a twin restored from storage before every step,
/// as a room that hibernated between every two events would be: what a room keeps in
/// memory of its senders (mute, role, latest message, slow mode) must answer every send
/// as storage would. Rate limits are lifted, since buckets are memory by design.
fn twins(steps: Vec<Step>) {
    let unlimited = edgechat_core::rate::Rate {
        per_window: 1_000_000,
        window_ms: 1_000,
        burst: 1_000_000,
    };
    let limits = edgechat_core::Limits {
        presence_coalesce_ms: 0,
        rate_per_window: 1_000_000,
        rate_burst: 1_000_000,
        action_rate: unlimited,
        moderation_rate: unlimited,
        membership_rate: unlimited,
        ..edgechat_core::Limits::default()
    };
    let mut live = World::new(edgechat_protocol::RoomKind::Public, limits.clone());
    let mut twin = World::new(edgechat_protocol::RoomKind::Public, limits);
    let mut connected = [false; 8];
    let mut messages: Vec<String> = Vec::new();
    for step in steps {
        twin.room = twin.restored();
        let conn = |c: usize| format!("c{c}");
        let (actor, msg) = match step {
            Step::Connect(c, u) => {
                if !std::mem::replace(&mut connected[c], true) {
                    live.connect(&conn(c), USERS[u]);
                    twin.connect(&conn(c), USERS[u]);
                }
                continue;
            }
            Step::Disconnect(c) => {
                connected[c] = false;
                live.disconnect(&conn(c));
                twin.disconnect(&conn(c));
                continue;
            }
            Step::Advance(ms) => {
                live.advance(ms);
                twin.advance(ms);
                continue;
            }
            Step::Tick => {
                let (a, b) = (live.run(Command::Tick), twin.run(Command::Tick));
                assert_eq!(appended(&a), appended(&b));
                continue;
            }
            Step::Say(c, id, again) => {
                let text = if again {
                    "same".to_owned()
                } else {
                    format!("t{id}")
                };
                (c, ClientMsg::text("lobby", &text, format!("cid-{id}")))
            }
            Step::Moderate(c, u, action) => (c, moderation(action, USERS[u], live.now)),
            Step::React(c, m) | Step::Delete(c, m) => {
                let Some(id) = messages.get(m as usize).cloned() else {
                    continue;
                };
                let msg = if matches!(step, Step::React(..)) {
                    ClientMsg::EditMessage {
                        message_id: id,
                        new_text: format!("edited {m}"),
                    }
                } else {
                    ClientMsg::DeleteMessage { message_id: id }
                };
                (c, msg)
            }
        };
        let a = live.send(&conn(actor), msg.clone());
        let b = twin.send(&conn(actor), msg);
        assert_eq!(
            outcome(&a, &conn(actor)),
            outcome(&b, &conn(actor)),
            "{a:?}"
        );
        for event in appended(&a) {
            if let RoomEvent::NewMessage(m) = event {
                messages.push(m.message_id);
            }
        }
        for closed_conn in closed(&a).into_iter().map(|(conn, _)| conn) {
            if let Some(i) = closed_conn
                .strip_prefix('c')
                .and_then(|i| i.parse::<usize>().ok())
            {
                connected[i] = false;
            }
        }
    }
    assert_eq!(tables::state(&live.sqlite), tables::state(&twin.sqlite));
}

/// What `user` is told on joining `room` through a new socket `conn`, then on asking
/// again with `join-room` on it.
fn joins(room: &mut Room<Sqlite>, conn: &str, user: &str, now: u64) -> Vec<ServerMsg> {
    let connect = Command::Connect {
        conn: conn.into(),
        who: who(user),
        since: None,
    };
    let mut told = vec![room_joined(&room.handle(connect, now).unwrap(), conn)];
    let ask = frame_from(
        conn,
        ClientMsg::JoinRoom {
            room_id: "lobby".into(),
        },
    );
    told.push(room_joined(&room.handle(ask, now).unwrap(), conn));
    told.into_iter().flatten().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn invariants_hold_over_random_commands(steps in prop::collection::vec(step(), 1..120)) {
        run(steps);
    }

    #[test]
    fn an_event_writes_through_exactly_when_one_of_its_d1_operations_does(
        steps in prop::collection::vec(step(), 1..120),
    ) {
        for event in &run(steps).log {
            let by_ops = edgechat_core::archive::ops(event, 0)
                .iter()
                .any(edgechat_core::archive::ArchiveOp::is_write_through);
            prop_assert_eq!(edgechat_core::archive::writes_through(event), by_ops, "{:?}", event);
        }
    }

    #[test]
    fn a_room_loaded_from_its_store_answers_join_room_as_the_live_room_does(
        steps in prop::collection::vec(step(), 1..120),
    ) {
        let mut world = run(steps);
        // Who left within the grace is shown online only by the room that saw them go.
        world.advance(world.limits.presence_grace_ms);
        world.run(Command::Tick);
        let mut loaded = world.restored();
        for member in world.store().members().unwrap() {
            let user = member.user_id.as_str();
            let conn = format!("probe-{user}");
            let live = joins(&mut world.room, &conn, user, world.now);
            prop_assert_eq!(live.len(), 2, "{} was not told", user);
            prop_assert_eq!(&joins(&mut loaded, &conn, user, world.now), &live);
        }
    }

    #[test]
    fn a_live_room_answers_every_send_as_a_room_restored_before_each_step(
        steps in prop::collection::vec(step(), 1..120),
    ) {
        twins(steps);
    }

    #[test]
    fn the_tables_built_live_equal_the_tables_built_by_migrating_the_log(
        steps in prop::collection::vec(step(), 1..120),
        chunk in 1..8usize,
    ) {
        let world = run(steps);
        let migrated = tables::migrate(&tables::stored_by_v1(&world.sqlite), chunk);
        prop_assert_eq!(tables::state(migrated.sql()), tables::state(&world.sqlite));
    }
}
