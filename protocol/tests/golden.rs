//! Every wire type round-trips through its documented JSON, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, Message, ServerMsg};
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;

fn assert_golden<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T, json: &str) {
    assert_eq!(serde_json::to_string(&value).expect("serialize"), json);
    assert_eq!(serde_json::from_str::<T>(json).expect("deserialize"), value);
}

pub fn client_samples() -> Vec<(ClientFrame, &'static str)> {
    vec![
        (
            ClientMsg::SendMessage {
                room_id: "lobby".into(),
                text: "hi".into(),
                client_msg_id: "c-1".into(),
            }
            .into(),
            r#"{"type":"send-message","roomId":"lobby","text":"hi","clientMsgId":"c-1"}"#,
        ),
        (
            ClientFrame {
                req_id: Some("7".into()),
                msg: ClientMsg::Ping,
            },
            r#"{"reqId":"7","type":"ping"}"#,
        ),
        (ClientMsg::Ping.into(), r#"{"type":"ping"}"#),
    ]
}

pub fn server_samples() -> Vec<(ServerMsg, &'static str)> {
    vec![
        (
            ServerMsg::Connected {
                protocol_version: 1,
            },
            r#"{"type":"connected","protocolVersion":1}"#,
        ),
        (
            ServerMsg::NewMessage(Message {
                message_id: "lobby:3".into(),
                room_id: "lobby".into(),
                user_id: "u-1".into(),
                username: "Ana".into(),
                text: "hi".into(),
                timestamp: 1_700_000_000_000,
                seq: 3,
            }),
            r#"{"type":"new-message","messageId":"lobby:3","roomId":"lobby","userId":"u-1","username":"Ana","text":"hi","timestamp":1700000000000,"seq":3}"#,
        ),
        (
            ServerMsg::MessageAck {
                req_id: Some("r".into()),
                client_msg_id: "c-1".into(),
                message_id: "lobby:3".into(),
                seq: 3,
            },
            r#"{"type":"message-ack","reqId":"r","clientMsgId":"c-1","messageId":"lobby:3","seq":3}"#,
        ),
        (
            ServerMsg::Error {
                code: ErrorCode::TooLong,
                message: "too long".into(),
                req_id: None,
                retry_after: Some(1500),
            },
            r#"{"type":"error","code":"too-long","message":"too long","retryAfter":1500}"#,
        ),
        (ServerMsg::Pong, r#"{"type":"pong"}"#),
    ]
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
    let value: serde_json::Value = serde_json::from_str(json).expect("json");
    value["type"].as_str().expect("type").to_owned()
}

#[test]
fn every_client_type_has_a_golden_sample() {
    let covered: Vec<String> = client_samples().iter().map(|(_, j)| type_of(j)).collect();
    for kind in ClientMsg::TYPES {
        assert!(
            covered.iter().any(|c| c == kind),
            "no golden sample for {kind}"
        );
    }
    for kind in &covered {
        assert!(
            ClientMsg::TYPES.contains(&kind.as_str()),
            "{kind} missing from TYPES"
        );
    }
}

#[test]
fn every_server_type_has_a_golden_sample() {
    let covered: Vec<String> = server_samples().iter().map(|(_, j)| type_of(j)).collect();
    for kind in ServerMsg::TYPES {
        assert!(
            covered.iter().any(|c| c == kind),
            "no golden sample for {kind}"
        );
    }
    for kind in &covered {
        assert!(
            ServerMsg::TYPES.contains(&kind.as_str()),
            "{kind} missing from TYPES"
        );
    }
}

#[test]
fn the_ping_constants_are_the_serialized_events() {
    assert_eq!(
        serde_json::to_string(&ClientMsg::Ping).expect("ping"),
        edgechat_protocol::PING_FRAME
    );
    assert_eq!(
        serde_json::to_string(&ServerMsg::Pong).expect("pong"),
        edgechat_protocol::PONG_FRAME
    );
}

#[test]
fn every_error_code_is_kebab_case_on_the_wire() {
    for code in ErrorCode::ALL {
        let json = serde_json::to_string(code).expect("code");
        let name = json.trim_matches('"');
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name}"
        );
    }
}
