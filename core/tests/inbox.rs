//! The inbox's rules: status across devices, the grace before offline, user-level
//! frames, and the socket lifecycle it shares with rooms.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::sockets::SocketEffect;
use edgechat_core::testing::{inbox_connect as connect, inbox_of_u};
use edgechat_core::{
    Identity, Limits,
    inbox::{Inbox, InboxCommand, InboxEffect, Presence},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ErrorCode, ServerMsg, Status};

fn inbox() -> Inbox {
    inbox_of_u(Limits::default())
}

/// A socket of a user who chose to appear away (`?status=away`).
fn connect_away(conn: &str) -> InboxCommand {
    match connect(conn) {
        InboxCommand::Connect { conn, who, version } => InboxCommand::Connect {
            conn,
            who: Identity {
                status: Some(Status::Away),
                ..who
            },
            version,
        },
        _ => unreachable!(),
    }
}

fn saved_text(effects: &[InboxEffect]) -> Option<Option<String>> {
    effects.iter().find_map(|e| match e {
        InboxEffect::Save(presence) => Some(presence.status_text.clone()),
        _ => None,
    })
}

#[test]
fn a_user_who_chose_to_appear_away_arrives_away_never_online() {
    let mut inbox = inbox();
    let effects = inbox.handle(connect_away("a"), 10);
    assert_eq!(relayed(&effects), [Status::Away]);
    assert_eq!(inbox.presence().status, Status::Away);
}

#[test]
fn the_profiles_status_text_is_the_inboxs_to_store_write_and_relay() {
    let mut inbox = inbox();
    inbox.handle(connect("a"), 0);
    let effects = inbox.handle(InboxCommand::StatusText(Some("on call".into())), 20_000);
    assert_eq!(saved_text(&effects), Some(Some("on call".into())));
    assert!(effects.iter().any(|e| matches!(
        e,
        InboxEffect::Relay(ServerMsg::UserStatus(frame::UserStatus { status_text: Some(t), status: Status::Online, .. })) if t == "on call"
    )));
    // A status change that brings no text keeps it (the client's away/online reports).
    let effects = inbox.handle(
        InboxCommand::Frame {
            conn: "a".into(),
            raw: r#"{"type":"status-change","status":"away"}"#.into(),
        },
        40_000,
    );
    assert_eq!(saved_text(&effects), Some(Some("on call".into())));
    // Cleared through the profile, it is gone for good.
    let effects = inbox.handle(InboxCommand::StatusText(None), 60_000);
    assert_eq!(saved_text(&effects), Some(None));
}

#[test]
fn profile_status_texts_spend_the_status_budget() {
    let mut inbox = inbox();
    let limits = Limits::default();
    let budget = limits.status_rate.burst.max(limits.status_rate.per_window);
    let refused = (0..=budget + 1).find_map(|i| {
        inbox
            .handle(InboxCommand::StatusText(Some(format!("s{i}"))), 1)
            .into_iter()
            .find_map(|e| match e {
                InboxEffect::TooOften { retry_after } => Some(retry_after),
                _ => None,
            })
    });
    assert!(refused.is_some_and(|wait| wait > 0), "{refused:?}");
}

fn relayed(effects: &[InboxEffect]) -> Vec<Status> {
    effects
        .iter()
        .filter_map(|e| match e {
            InboxEffect::Relay(ServerMsg::UserStatus(frame::UserStatus { status, .. })) => {
                Some(*status)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_first_socket_brings_the_user_online_and_tells_their_rooms() {
    let mut inbox = inbox();
    let effects = inbox.handle(connect("a"), 10);
    assert!(matches!(
        &effects[0],
        InboxEffect::Socket(SocketEffect::Send {
            msg: ServerMsg::Connected(frame::Connected { .. }),
            ..
        })
    ));
    assert_eq!(relayed(&effects), [Status::Online]);
    assert_eq!(inbox.presence().last_seen, Some(10));
    assert!(relayed(&inbox.handle(connect("b"), 11)).is_empty());
}

#[test]
fn the_user_goes_offline_only_when_the_last_device_has_been_gone_for_the_grace_period() {
    let mut inbox = inbox();
    inbox.handle(connect("a"), 0);
    inbox.handle(connect("b"), 0);
    inbox.handle(InboxCommand::Disconnect { conn: "a".into() }, 100);
    assert_eq!(inbox.next_deadline(), None, "a device is still here");
    inbox.handle(InboxCommand::Disconnect { conn: "b".into() }, 20_000);
    assert_eq!(inbox.next_deadline(), Some(25_000));
    assert!(relayed(&inbox.handle(InboxCommand::Tick, 24_999)).is_empty());
    assert_eq!(
        relayed(&inbox.handle(InboxCommand::Tick, 25_000)),
        [Status::Offline]
    );
}

#[test]
fn a_reconnect_within_the_grace_period_does_not_flap() {
    let mut inbox = inbox();
    inbox.handle(connect("a"), 0);
    inbox.handle(InboxCommand::Disconnect { conn: "a".into() }, 100);
    let effects = inbox.handle(connect("b"), 1_000);
    assert!(relayed(&effects).is_empty());
    assert!(relayed(&inbox.handle(InboxCommand::Tick, 10_000)).is_empty());
}

fn status(status: &str) -> InboxCommand {
    InboxCommand::Frame {
        conn: "a".into(),
        raw: format!(r#"{{"type":"status-change","status":"{status}"}}"#),
    }
}

#[test]
fn a_status_change_is_saved_shown_and_relayed() {
    let mut inbox = inbox();
    inbox.handle(connect("a"), 0);
    let raw = r#"{"type":"status-change","status":"away","statusText":"  lunch\u0007 "}"#;
    let effects = inbox.handle(
        InboxCommand::Frame {
            conn: "a".into(),
            raw: raw.into(),
        },
        20_000,
    );
    assert_eq!(relayed(&effects), [Status::Away]);
    assert_eq!(inbox.presence().status_text.as_deref(), Some("lunch"));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, InboxEffect::Save(p) if p.status == Status::Away))
    );
}

#[test]
fn a_status_loop_is_refused_past_its_budget_and_reaches_rooms_once_per_interval() {
    let limits = Limits::default();
    let mut inbox = inbox_of_u(limits.clone());
    inbox.handle(connect("a"), 0);
    let mut refused = 0;
    let mut relays = Vec::new();
    for i in 0..20u64 {
        let effects = inbox.handle(status(if i % 2 == 0 { "away" } else { "online" }), 100 + i);
        relays.extend(relayed(&effects));
        refused += effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    InboxEffect::Socket(SocketEffect::Send {
                        msg: ServerMsg::Error(frame::Error {
                            code: ErrorCode::RateLimited,
                            retry_after: Some(_),
                            ..
                        }),
                        ..
                    })
                )
            })
            .count();
    }
    let burst = limits.status_rate.burst as usize;
    assert_eq!(refused, 20 - burst, "past the burst, changes are refused");
    assert!(
        relays.is_empty(),
        "the rooms heard of `online` at 0, and wait"
    );
    // The latest status reaches the rooms when the interval ends, once.
    let due = limits.status_relay_ms;
    assert_eq!(inbox.next_deadline(), Some(due));
    let latest = inbox.presence().status;
    assert_eq!(relayed(&inbox.handle(InboxCommand::Tick, due)), [latest]);
    assert!(relayed(&inbox.handle(InboxCommand::Tick, due + 1)).is_empty());
    assert_eq!(inbox.next_deadline(), None);
    // The wait is stored, so it outlives hibernation.
    let effects = inbox.handle(status("online"), due + 50);
    let saved = effects.iter().find_map(|e| match e {
        InboxEffect::Save(p) => Some(p.clone()),
        _ => None,
    });
    assert!(
        matches!(
            saved,
            Some(Presence {
                relay_pending: true,
                ..
            })
        ),
        "{saved:?}"
    );
}

#[test]
fn room_events_on_the_inbox_are_the_wrong_socket() {
    let mut inbox = inbox();
    let raw = r#"{"type":"typing-start","roomId":"lobby"}"#;
    let effects = inbox.handle(
        InboxCommand::Frame {
            conn: "a".into(),
            raw: raw.into(),
        },
        0,
    );
    assert!(matches!(
        &effects[..],
        [InboxEffect::Socket(SocketEffect::Send {
            msg: ServerMsg::Error(frame::Error {
                code: ErrorCode::WrongSocket,
                ..
            }),
            ..
        })]
    ));
}

#[test]
fn create_room_is_handed_to_the_door() {
    let mut inbox = inbox();
    let raw = r#"{"type":"create-room","roomName":"Design","isPrivate":true,"members":["v"],"reqId":"1"}"#;
    let effects = inbox.handle(
        InboxCommand::Frame {
            conn: "a".into(),
            raw: raw.into(),
        },
        0,
    );
    assert!(matches!(
        &effects[..],
        [InboxEffect::CreateRoom {
            is_private: true,
            ..
        }]
    ));
}
