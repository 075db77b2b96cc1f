//! The presence frames: who is here, who is typing, who arrived, and each status.

use edgechat_protocol::frame;
use edgechat_protocol::{Role, RoomEvent, ServerMsg, Status};

pub fn presence_samples() -> Vec<(ServerMsg, &'static str)> {
    vec![
        (
            ServerMsg::TypingIndicator(frame::TypingIndicator {
                room_id: "lobby".into(),
                user_id: "u-2".into(),
                username: "Bo".into(),
                is_typing: true,
                expires_at: 1_700_000_006_000,
            }),
            r#"{"type":"typing-indicator","roomId":"lobby","userId":"u-2","username":"Bo","isTyping":true,"expiresAt":1700000006000}"#,
        ),
        (
            ServerMsg::UserStatus(frame::UserStatus {
                user_id: "u-2".into(),
                status: Status::Away,
                last_seen: Some(1_700_000_000_000),
                status_text: Some("lunch".into()),
            }),
            r#"{"type":"user-status","userId":"u-2","status":"away","lastSeen":1700000000000,"statusText":"lunch"}"#,
        ),
        (
            ServerMsg::OnlineUsers(frame::OnlineUsers {
                room_id: "lobby".into(),
                user_ids: vec!["u-1".into(), "u-2".into()],
            }),
            r#"{"type":"online-users","roomId":"lobby","userIds":["u-1","u-2"]}"#,
        ),
        (
            ServerMsg::PresenceChanged(frame::PresenceChanged {
                room_id: "lobby".into(),
                online: vec!["u-3".into()],
                offline: vec!["u-1".into()],
                online_count: None,
            }),
            r#"{"type":"presence-changed","roomId":"lobby","online":["u-3"],"offline":["u-1"]}"#,
        ),
        (
            ServerMsg::PresenceChanged(frame::PresenceChanged {
                room_id: "lobby".into(),
                online: vec!["u-3".into()],
                offline: Vec::new(),
                online_count: Some(2),
            }),
            r#"{"type":"presence-changed","roomId":"lobby","online":["u-3"],"onlineCount":2}"#,
        ),
        (
            ServerMsg::MembersArrived(frame::MembersArrived {
                room_id: "lobby".into(),
                joined: vec![RoomEvent::UserJoined {
                    room_id: "lobby".into(),
                    user_id: "u-3".into(),
                    username: "Carol".into(),
                    handle: "carol".into(),
                    role: Role::Member,
                    seq: 9,
                }],
                statuses: vec![frame::UserStatus {
                    user_id: "u-3".into(),
                    status: Status::Online,
                    last_seen: Some(1_700_000_000_000),
                    status_text: None,
                }],
            }),
            r#"{"type":"members-arrived","roomId":"lobby","joined":[{"type":"user-joined","roomId":"lobby","userId":"u-3","username":"Carol","handle":"carol","role":"member","seq":9}],"statuses":[{"userId":"u-3","status":"online","lastSeen":1700000000000}]}"#,
        ),
    ]
}
