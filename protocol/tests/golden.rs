//! Every wire type round-trips through its documented JSON, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod samples;

use edgechat_protocol::frame;
use edgechat_protocol::{
    ClientFrame, ClientMsg, ErrorCode, Role, RoomEvent, ServerMsg, UnknownMsg,
};
use samples::{client_samples, server_samples};
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;

fn assert_golden<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T, json: &str) {
    assert_eq!(serde_json::to_string(&value).unwrap(), json);
    assert_eq!(serde_json::from_str::<T>(json).unwrap(), value);
}

#[test]
fn every_client_sample_round_trips() {
    for (value, json) in client_samples() {
        assert_golden(value, json);
    }
}

#[test]
fn every_server_sample_round_trips() {
    for (value, json) in server_samples() {
        assert_golden(value, json);
    }
}

fn type_of(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["type"].as_str().unwrap().to_owned()
}

fn assert_covers(types: &[&str], covered: Vec<String>) {
    for kind in types {
        assert!(
            covered.iter().any(|c| c == kind),
            "no golden sample for {kind}"
        );
    }
    for kind in &covered {
        assert!(types.contains(&kind.as_str()), "{kind} missing from TYPES");
    }
}

#[test]
fn every_client_type_has_a_golden_sample() {
    assert_covers(
        ClientMsg::TYPES,
        client_samples().iter().map(|(_, j)| type_of(j)).collect(),
    );
}

#[test]
fn every_server_type_has_a_golden_sample() {
    assert_covers(
        ServerMsg::TYPES,
        server_samples().iter().map(|(_, j)| type_of(j)).collect(),
    );
}

#[test]
fn every_room_event_type_has_a_golden_sample() {
    assert_covers(
        RoomEvent::TYPES,
        server_samples()
            .iter()
            .filter(|(msg, _)| matches!(msg, ServerMsg::Event(_)))
            .map(|(_, j)| type_of(j))
            .collect(),
    );
}

#[test]
fn no_server_type_is_listed_twice() {
    // A variant of `ServerMsg` named like a `RoomEvent` would decode in its place.
    for (at, kind) in ServerMsg::TYPES.iter().enumerate() {
        assert!(!ServerMsg::TYPES[at + 1..].contains(kind), "{kind}");
    }
}

#[test]
fn a_stored_room_event_is_the_same_json_as_its_frame() {
    for (msg, json) in server_samples() {
        if let ServerMsg::Event(event) = msg {
            assert_golden(event, json);
        }
    }
}

#[test]
fn a_durable_event_round_trips_through_server_msg() {
    let json = r#"{"type":"message-deleted","messageId":"lobby:3","seq":7}"#;
    assert_golden(
        ServerMsg::Event(RoomEvent::MessageDeleted {
            message_id: "lobby:3".into(),
            by: String::new(),
            seq: 7,
        }),
        json,
    );
}

#[test]
fn an_unknown_server_type_decodes_as_unknown() {
    let msg: ServerMsg = serde_json::from_str(r#"{"type":"some-future-event","x":1}"#).unwrap();
    assert_eq!(
        msg,
        ServerMsg::Unknown(UnknownMsg {
            kind: "some-future-event".into()
        })
    );
    assert_eq!(msg.seq(), None);
}

#[test]
fn an_unknown_error_code_decodes_as_unknown() {
    let msg: ServerMsg =
        serde_json::from_str(r#"{"type":"error","code":"some-future-code","message":"m"}"#)
            .unwrap();
    assert_eq!(
        msg,
        ServerMsg::Error(frame::Error {
            code: ErrorCode::Unknown,
            message: "m".into(),
            req_id: None,
            retry_after: None,
        })
    );
}

#[test]
fn a_known_type_with_missing_fields_is_an_error_that_names_the_field() {
    // Decoded by its type first (protocol/src/decode.rs): a malformed frame of a known
    // type says what is wrong with it, where serde's untagged fallback made it `Unknown`.
    let err = serde_json::from_str::<ServerMsg>(r#"{"type":"message-deleted","seq":7}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field `messageId`"), "{err}");
}

#[test]
fn a_frame_must_name_its_type_first() {
    let err = serde_json::from_str::<ServerMsg>(r#"{"seq":7,"type":"pong"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`type` must be the frame's first field"),
        "{err}"
    );
    let err = serde_json::from_str::<RoomEvent>(r#"{"type":"no-such-event","seq":1}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no-such-event"), "{err}");
}

#[test]
fn an_unknown_type_keeps_its_name_and_skips_its_fields() {
    let msg: ServerMsg =
        serde_json::from_str(r#"{"type":"from-the-future","nested":{"a":[1,2]},"n":1}"#).unwrap();
    assert_eq!(
        msg,
        ServerMsg::Unknown(UnknownMsg {
            kind: "from-the-future".into()
        })
    );
}

#[test]
fn members_and_leavers_from_an_older_server_or_log_decode() {
    // Before account names and statuses were carried: no handle, offline, no name.
    let member: edgechat_protocol::RoomUser =
        serde_json::from_str(r#"{"userId":"u-2","username":"Bo","role":"member","online":true}"#)
            .unwrap();
    assert_eq!(
        (member.handle.as_str(), member.status, member.last_seen),
        ("", edgechat_protocol::Status::Offline, None)
    );
    let left: RoomEvent =
        serde_json::from_str(r#"{"type":"user-left","roomId":"lobby","userId":"u-2","seq":5}"#)
            .unwrap();
    assert!(matches!(left, RoomEvent::UserLeft { username, .. } if username.is_empty()));
    let joined: RoomEvent = serde_json::from_str(
        r#"{"type":"user-joined","roomId":"lobby","userId":"u-2","username":"Bo","role":"member","seq":4}"#,
    )
    .unwrap();
    assert!(matches!(joined, RoomEvent::UserJoined { handle, .. } if handle.is_empty()));
}

#[test]
fn a_frame_without_a_type_does_not_decode() {
    for json in [r#"{"seq":7}"#, r#"{"type":7}"#, "[]", r#""pong""#] {
        assert!(serde_json::from_str::<ServerMsg>(json).is_err(), "{json}");
    }
}

#[test]
fn optional_client_fields_may_be_left_out() {
    let frame: ClientFrame = serde_json::from_str(
        r#"{"type":"send-message","roomId":"lobby","text":"hi","clientMsgId":"c-1"}"#,
    )
    .unwrap();
    assert_eq!(
        frame.msg,
        ClientMsg::SendMessage {
            room_id: "lobby".into(),
            text: "hi".into(),
            attachments: vec![],
            reply_to: None,
            client_msg_id: "c-1".into(),
        }
    );
}

#[test]
fn the_ping_constants_are_the_serialized_events() {
    assert_eq!(
        serde_json::to_string(&ClientMsg::Ping {}).unwrap(),
        edgechat_protocol::PING_FRAME
    );
    assert_eq!(
        serde_json::to_string(&ServerMsg::Pong(frame::Pong {})).unwrap(),
        edgechat_protocol::PONG_FRAME
    );
}

#[test]
fn every_error_code_is_listed_once_in_order() {
    for (position, code) in ErrorCode::ALL.iter().enumerate() {
        assert_eq!(code.index(), position, "{code:?}");
        assert_eq!(ErrorCode::ALL[code.index()], *code);
    }
    assert_eq!(ErrorCode::ALL.last(), Some(&ErrorCode::Unknown));
}

#[test]
fn every_error_code_has_its_wire_name() {
    let names: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|code| {
            serde_json::to_value(code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "bad-frame",
            "unknown-type",
            "too-large",
            "wrong-socket",
            "wrong-room",
            "bad-request",
            "empty",
            "too-long",
            "too-many-attachments",
            "unknown-attachment",
            "bad-emoji",
            "too-many-reactions",
            "too-many-pins",
            "too-many-hooks",
            "not-found",
            "forbidden",
            "muted",
            "banned",
            "room-full",
            "rate-limited",
            "slow-mode",
            "duplicate",
            "unauthorized",
            "unavailable",
            "internal",
            "invalid",
            "too-short",
            "unknown-user",
            "too-many-members",
            "room-exists",
            "bad-room",
            "invalid-credentials",
            "account-disabled",
            "invalid-token",
            "token-reused",
            "csrf-required",
            "forbidden-origin",
            "upgrade-required",
            "username-taken",
            "unsupported-type",
            "empty-file",
            "length-required",
            "length-mismatch",
            "conflict",
            "range-not-satisfiable",
            "added-too-often",
            "version-required",
            "gone",
            "unknown",
        ]
    );
}

#[test]
fn every_error_code_decodes_as_itself() {
    for code in ErrorCode::ALL {
        let json = serde_json::to_string(code).unwrap();
        assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *code);
    }
}

#[test]
fn roles_are_named_as_the_wire_names_them_and_ordered_lowest_first() {
    let roles = [Role::Member, Role::Moderator, Role::Admin];
    for role in roles {
        assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
    }
    assert!(roles.is_sorted_by(|lower, higher| lower < higher));
}

#[test]
fn every_error_code_is_kebab_case_on_the_wire() {
    for code in ErrorCode::ALL {
        let json = serde_json::to_string(code).unwrap();
        let name = json.trim_matches('"');
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name}"
        );
    }
}

#[test]
fn durable_events_report_their_seq_and_others_none() {
    for (msg, json) in server_samples() {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let wire_seq = value.get("seq").and_then(|s| s.as_u64());
        // `message-ack`, `read-receipt` and `notification` name a seq without being events
        // in the log themselves.
        if let ServerMsg::Event(event) = &msg {
            assert_eq!(Some(event.seq()), wire_seq, "{json}");
            assert_eq!(msg.seq(), wire_seq, "{json}");
        } else {
            assert_eq!(msg.seq(), None, "{json}");
        }
    }
}
