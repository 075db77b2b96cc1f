//! Reads have a budget: what a room sends in answer to a read (a socket's first frames,
//! `join-room`, `load-history`, `list-members`, `list-bans`, `list-pins`) is paid for by
//! the user who asked, in KiB; and a socket is never asked to wait for an answer it
//! could not read.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{Identity, Limits, rate::Rate};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, RoomKind, ServerMsg, close};

/// A public room with messages of about 3 KiB each, and reads budgeted at `burst` KiB,
/// coming back at 1 KiB a second.
fn long_room(burst: u32) -> World {
    let mut world = World::new(
        RoomKind::Public,
        Limits {
            presence_coalesce_ms: 0,
            rate_burst: 1_000,
            rate_per_window: 1_000,
            read_rate: Rate {
                per_window: 1,
                window_ms: 1_000,
                burst,
            },
            ..Limits::default()
        },
    );
    world.connect("ana", "ana");
    for i in 0..60 {
        world.post("ana", &format!("{i} {}", "long words ".repeat(280)));
    }
    world
}

fn history(req: &str) -> ClientFrame {
    ClientFrame {
        req_id: Some(req.into()),
        msg: ClientMsg::LoadHistory {
            before_seq: u64::MAX,
            limit: Some(100),
        },
    }
}

#[test]
fn heavy_reads_are_served_while_the_budget_lasts_then_refused_until_it_comes_back() {
    let mut world = long_room(1_000);
    // The snapshot of ana's own connect spent a part already. Each page of 60 long
    // messages weighs about 190 KiB: four or five go through, then refusals.
    let mut served = 0;
    let mut refused = None;
    for i in 0..20 {
        let effects = world.send_frame("ana", history(&format!("h{i}")));
        match sent_to(&effects, "ana").as_slice() {
            [ServerMsg::HistoryPage(frame::HistoryPage { messages, .. })] => {
                assert_eq!(messages.len(), 60);
                served += 1;
            }
            [
                ServerMsg::Error(frame::Error {
                    code: ErrorCode::RateLimited,
                    retry_after,
                    req_id,
                    ..
                }),
            ] => {
                assert_eq!(req_id.as_deref(), Some(format!("h{i}").as_str()));
                refused = Some(retry_after.expect("a refusal says how long to wait"));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!((4..=6).contains(&served), "{served} pages served");
    let wait = refused.expect("the reads were refused");
    // The debt of the last page is paid back at 1 KiB a second before a read is let in.
    assert!(wait > 1_000, "{wait} ms");
    world.advance(wait - 1);
    assert_eq!(
        error_code(&world.send_frame("ana", history("early"))),
        Some(ErrorCode::RateLimited)
    );
    world.advance(1);
    assert!(matches!(
        sent_to(&world.send_frame("ana", history("later")), "ana").as_slice(),
        [ServerMsg::HistoryPage(frame::HistoryPage { .. })]
    ));
    // Writes are not reads: ana may still talk meanwhile.
    assert!(error_code(&world.say("ana", "still here")).is_none());
}

#[test]
fn every_read_spends_the_same_budget_per_user_not_per_socket() {
    let mut world = long_room(300);
    // Two sockets of ana's: the second's snapshot (50 long messages) and a page on the
    // first take the budget past its end.
    world.connect("ana-2", "ana");
    world.send_frame("ana", history("h1"));
    for (conn, read) in [
        (
            "ana-2",
            ClientMsg::JoinRoom {
                room_id: "lobby".into(),
            },
        ),
        ("ana", ClientMsg::ListMembers { after: None }),
        ("ana-2", ClientMsg::ListPins {}),
    ] {
        assert_eq!(
            error_code(&world.send(conn, read.clone())),
            Some(ErrorCode::RateLimited),
            "{read:?}"
        );
    }
    // Another member's budget is their own.
    world.connect("bo", "bo");
    assert!(matches!(
        sent_to(&world.send_frame("bo", history("b")), "bo").as_slice(),
        [ServerMsg::HistoryPage(frame::HistoryPage { .. })]
    ));
}

#[test]
fn reconnecting_in_a_loop_spends_the_read_budget_and_is_closed_with_4008() {
    let mut world = long_room(800);
    let mut refused = None;
    for i in 0..20 {
        let conn = format!("again-{i}");
        let effects = world.connect(&conn, "ana");
        if closed(&effects).contains(&(conn.clone(), close::READ_LIMITED)) {
            refused = Some((i, effects));
            break;
        }
        assert!(room_joined(&effects, &conn).is_some());
        world.disconnect(&conn);
    }
    let (attempt, effects) = refused.expect("a reconnect loop is refused");
    // Each snapshot of 50 long messages is about 160 KiB.
    assert!((3..=6).contains(&attempt), "refused at connect {attempt}");
    assert_eq!(error_code(&effects), Some(ErrorCode::RateLimited));
    assert!(retry_after(&effects).is_some());
    assert!(
        room_joined(&effects, &format!("again-{attempt}")).is_none(),
        "no snapshot is built for a refused connect"
    );
}

fn on_version(user: &str, version: u32) -> Identity {
    Identity {
        version,
        ..who(user)
    }
}

#[test]
fn a_request_an_older_socket_could_not_read_is_refused_naming_the_version_it_needs() {
    let mut world = World::with_three();
    for (version, msg, needs) in [
        (2, ClientMsg::ListMembers { after: None }, 3),
        (3, ClientMsg::ListPins {}, 4),
        (3, ClientMsg::ListBans { after: None }, 4),
    ] {
        let conn = format!("old-{version}-{needs}");
        world.connect_as(&conn, on_version("ana", version), None);
        let effects = world.send_frame(
            &conn,
            ClientFrame {
                req_id: Some("r".into()),
                msg: msg.clone(),
            },
        );
        match sent_to(&effects, &conn).as_slice() {
            [
                ServerMsg::Error(frame::Error {
                    code: ErrorCode::VersionRequired,
                    message,
                    req_id,
                    ..
                }),
            ] => {
                assert_eq!(req_id.as_deref(), Some("r"), "{msg:?}");
                assert!(message.contains(&format!("edgechat.v{needs}")), "{message}");
            }
            other => panic!("{msg:?} on version {version}: {other:?}"),
        }
        world.disconnect(&conn);
    }
    // The same asks on a socket of the version that has them are answered.
    let effects = world.send("ana", ClientMsg::ListPins {});
    assert!(matches!(
        sent_to(&effects, "ana").as_slice(),
        [ServerMsg::PinList(frame::PinList { .. })]
    ));
}
