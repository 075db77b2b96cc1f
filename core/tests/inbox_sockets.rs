//! The inbox's sockets over their life: tokens that run out or belong to someone else,
//! binary frames, and the cap on how many one account holds.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::sockets::SocketEffect;
use edgechat_core::testing::{inbox_connect as connect, inbox_of_u};
use edgechat_core::{
    Limits,
    inbox::{Inbox, InboxCommand, InboxEffect},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ErrorCode, Millis, ServerMsg, Status};

fn inbox() -> Inbox {
    inbox_of_u(Limits::default())
}

fn connect_until(conn: &str, expires_at: Millis) -> InboxCommand {
    match connect(conn) {
        InboxCommand::Connect {
            conn,
            mut who,
            version,
        } => {
            who.expires_at = Some(expires_at);
            InboxCommand::Connect { conn, who, version }
        }
        other => other,
    }
}

#[test]
fn a_socket_whose_token_runs_out_is_closed_unless_a_fresh_one_came() {
    let mut inbox = inbox();
    inbox.handle(connect_until("a", 1_000), 0);
    inbox.handle(connect_until("b", 1_000), 0);
    assert_eq!(inbox.next_deadline(), Some(1_000));
    let raw = r#"{"type":"authenticate","token":"t","reqId":"1"}"#;
    let asked = inbox.handle(
        InboxCommand::Frame {
            conn: "a".into(),
            raw: raw.into(),
        },
        500,
    );
    assert!(
        matches!(&asked[..], [InboxEffect::Socket(SocketEffect::Authenticate { conn, .. })] if conn == "a")
    );
    let answered = inbox.handle(
        InboxCommand::Reauthenticated {
            conn: "a".into(),
            user_id: "u".into(),
            expires_at: 5_000,
            req_id: Some("1".into()),
        },
        500,
    );
    assert!(matches!(
        &answered[..],
        [InboxEffect::Socket(SocketEffect::Send {
            msg: ServerMsg::Authenticated(frame::Authenticated {
                expires_at: 5_000,
                ..
            }),
            ..
        })]
    ));
    let closed = inbox.handle(InboxCommand::Tick, 1_000);
    assert!(matches!(
        &closed[..],
        [InboxEffect::Socket(SocketEffect::Close { conn, code: edgechat_protocol::close::TOKEN_EXPIRED, .. })] if conn == "b"
    ));
    assert_eq!(inbox.next_deadline(), Some(5_000));
}

#[test]
fn another_users_token_is_refused_and_binary_frames_are_bad_frames() {
    let mut inbox = inbox();
    inbox.handle(connect_until("a", 1_000), 0);
    let refused = inbox.handle(
        InboxCommand::Reauthenticated {
            conn: "a".into(),
            user_id: "someone-else".into(),
            expires_at: 5_000,
            req_id: None,
        },
        10,
    );
    assert!(matches!(
        &refused[..],
        [InboxEffect::Socket(SocketEffect::Send {
            msg: ServerMsg::Error(frame::Error {
                code: ErrorCode::Unauthorized,
                ..
            }),
            ..
        })]
    ));
    assert_eq!(inbox.next_deadline(), Some(1_000), "the old expiry stands");
    let binary = inbox.handle(InboxCommand::Binary { conn: "a".into() }, 10);
    assert!(matches!(
        &binary[..],
        [InboxEffect::Socket(SocketEffect::Send {
            msg: ServerMsg::Error(frame::Error {
                code: ErrorCode::BadFrame,
                ..
            }),
            ..
        })]
    ));
}

#[test]
fn an_inbox_socket_past_the_cap_closes_the_oldest_and_the_user_stays_online() {
    let limits = Limits {
        max_inbox_sockets: 3,
        ..Limits::default()
    };
    let mut inbox = inbox_of_u(limits);
    for (i, conn) in ["a", "b", "c"].iter().enumerate() {
        let effects = inbox.handle(connect(conn), 1_000 + i as u64);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, InboxEffect::Socket(SocketEffect::Close { .. }))),
            "{conn}: {effects:?}"
        );
    }
    let effects = inbox.handle(connect("d"), 2_000);
    let closed: Vec<(&str, u16)> = effects
        .iter()
        .filter_map(|e| match e {
            InboxEffect::Socket(SocketEffect::Close { conn, code, .. }) => {
                Some((conn.as_str(), *code))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        closed,
        [("a", edgechat_protocol::close::TOO_MANY_SOCKETS)],
        "only the oldest"
    );
    // The newest is answered as any socket is, and the user is still online: three
    // sockets remain, and no grace period starts.
    assert!(effects.iter().any(|e| matches!(
        e,
        InboxEffect::Socket(SocketEffect::Send { conn, msg: ServerMsg::Connected(frame::Connected { .. }) }) if conn == "d"
    )));
    assert_eq!(inbox.presence().status, Status::Online);
    assert_eq!(inbox.next_deadline(), None, "{:?}", inbox.next_deadline());
}
