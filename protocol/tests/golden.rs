//! Every wire type round-trips through its documented JSON, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod samples;

use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, ServerMsg};
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
        serde_json::to_string(&ClientMsg::Ping).unwrap(),
        edgechat_protocol::PING_FRAME
    );
    assert_eq!(
        serde_json::to_string(&ServerMsg::Pong).unwrap(),
        edgechat_protocol::PONG_FRAME
    );
}

#[test]
fn every_error_code_is_listed_once_in_order() {
    for (position, code) in ErrorCode::ALL.iter().enumerate() {
        assert_eq!(code.index(), position, "{code:?}");
    }
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
        // These two name a seq without being events in the log themselves.
        let durable = !matches!(
            msg,
            ServerMsg::MessageAck { .. }
                | ServerMsg::ReadReceipt { .. }
                | ServerMsg::Notification { .. }
        );
        if durable {
            assert_eq!(msg.seq(), wire_seq, "{json}");
        } else {
            assert_eq!(msg.seq(), None, "{json}");
        }
    }
}
