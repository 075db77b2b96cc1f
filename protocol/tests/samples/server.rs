//! One value of every server event with its exact JSON.

use edgechat_protocol::frame;
use edgechat_protocol::{
    Attachment, BannedUser, Bot, ErrorCode, LinkPreview, Message, NotificationKind, PreviewImage,
    Reaction, Role, RoomEvent, RoomInfo, RoomKind, RoomUser, ServerMsg, Status,
};

fn room_info() -> RoomInfo {
    RoomInfo {
        room_id: "lobby".into(),
        name: "Lobby".into(),
        kind: RoomKind::Public,
        capacity: None,
        created_by: "u-1".into(),
        created_at: 1_700_000_000_000,
        topic: String::new(),
    }
}

fn message() -> Message {
    Message {
        message_id: "lobby:3".into(),
        room_id: "lobby".into(),
        user_id: "u-1".into(),
        username: "Ana".into(),
        text: "hi".into(),
        timestamp: 1_700_000_000_000,
        attachments: vec![],
        reply_to: None,
        seq: 3,
        client_msg_id: "c-1".into(),
        edited_at: None,
        deleted: false,
        pinned: false,
        reactions: vec![],
        preview: None,
        bot: None,
    }
}

pub fn server_samples() -> Vec<(ServerMsg, &'static str)> {
    let mut samples = vec![
        (
            ServerMsg::Connected(frame::Connected {
                protocol_version: 1,
            }),
            r#"{"type":"connected","protocolVersion":1}"#,
        ),
        (
            ServerMsg::Authenticated(frame::Authenticated {
                user_id: "u-1".into(),
                expires_at: 1_700_000_900_000,
            }),
            r#"{"type":"authenticated","userId":"u-1","expiresAt":1700000900000}"#,
        ),
        (
            ServerMsg::Error(frame::Error {
                code: ErrorCode::RateLimited,
                message: "slow down".into(),
                req_id: Some("7".into()),
                retry_after: Some(1500),
            }),
            r#"{"type":"error","code":"rate-limited","message":"slow down","reqId":"7","retryAfter":1500}"#,
        ),
        (
            ServerMsg::RoomJoined(frame::RoomJoined {
                room_id: "lobby".into(),
                room: room_info(),
                users: vec![RoomUser {
                    user_id: "u-1".into(),
                    username: "Ana".into(),
                    handle: "ana".into(),
                    role: Role::Admin,
                    online: true,
                    status: Status::Online,
                    last_seen: Some(1_700_000_000_000),
                    status_text: Some("on call".into()),
                }],
                member_count: 1,
                message_history: vec![message()],
                your_role: Role::Admin,
                head_seq: 3,
                last_read_seq: 3,
                unread_count: 0,
                read_marks: [("u-1".to_owned(), 3)].into(),
                slow_mode: 0,
                online_count: Some(1),
                req_id: None,
            }),
            r#"{"type":"room-joined","roomId":"lobby","room":{"roomId":"lobby","name":"Lobby","kind":"public","createdBy":"u-1","createdAt":1700000000000},"users":[{"userId":"u-1","username":"Ana","handle":"ana","role":"admin","online":true,"status":"online","lastSeen":1700000000000,"statusText":"on call"}],"memberCount":1,"messageHistory":[{"messageId":"lobby:3","roomId":"lobby","userId":"u-1","username":"Ana","text":"hi","timestamp":1700000000000,"seq":3,"clientMsgId":"c-1"}],"yourRole":"admin","headSeq":3,"lastReadSeq":3,"unreadCount":0,"readMarks":{"u-1":3},"slowMode":0,"onlineCount":1}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserJoined {
                room_id: "lobby".into(),
                user_id: "u-2".into(),
                username: "Bo".into(),
                handle: "bo".into(),
                role: Role::Member,
                seq: 4,
            }),
            r#"{"type":"user-joined","roomId":"lobby","userId":"u-2","username":"Bo","handle":"bo","role":"member","seq":4}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserLeft {
                room_id: "lobby".into(),
                user_id: "u-2".into(),
                username: "Bo".into(),
                seq: 5,
            }),
            r#"{"type":"user-left","roomId":"lobby","userId":"u-2","username":"Bo","seq":5}"#,
        ),
        (
            ServerMsg::RoomCreated(frame::RoomCreated {
                room: RoomInfo {
                    room_id: "r-9".into(),
                    name: "Design".into(),
                    kind: RoomKind::Private,
                    capacity: Some(50),
                    created_by: "u-1".into(),
                    created_at: 1_700_000_000_000,
                    topic: String::new(),
                },
            }),
            r#"{"type":"room-created","room":{"roomId":"r-9","name":"Design","kind":"private","capacity":50,"createdBy":"u-1","createdAt":1700000000000}}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::NewMessage(Message {
                attachments: vec![Attachment {
                    file_id: "f-1".into(),
                    name: "cat.png".into(),
                    content_type: "image/png".into(),
                    size: 2048,
                    width: Some(640),
                    height: Some(480),
                    thumbnail_id: Some("f-2".into()),
                }],
                reply_to: Some("lobby:2".into()),
                edited_at: Some(1_700_000_001_000),
                pinned: true,
                reactions: vec![Reaction {
                    emoji: "🎉".into(),
                    count: 1,
                    user_ids: vec!["u-2".into()],
                }],
                ..message()
            })),
            r#"{"type":"new-message","messageId":"lobby:3","roomId":"lobby","userId":"u-1","username":"Ana","text":"hi","timestamp":1700000000000,"attachments":[{"fileId":"f-1","name":"cat.png","contentType":"image/png","size":2048,"width":640,"height":480,"thumbnailId":"f-2"}],"replyTo":"lobby:2","seq":3,"clientMsgId":"c-1","editedAt":1700000001000,"pinned":true,"reactions":[{"emoji":"🎉","count":1,"userIds":["u-2"]}]}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::NewMessage(Message {
                user_id: "hk-1".into(),
                username: "Grafana".into(),
                client_msg_id: "hook-3".into(),
                bot: Some(Box::new(Bot {
                    emoji: Some("🚨".into()),
                })),
                ..message()
            })),
            r#"{"type":"new-message","messageId":"lobby:3","roomId":"lobby","userId":"hk-1","username":"Grafana","text":"hi","timestamp":1700000000000,"seq":3,"clientMsgId":"hook-3","bot":{"emoji":"🚨"}}"#,
        ),
        (
            ServerMsg::Ephemeral(frame::Ephemeral {
                room_id: "ops".into(),
                user_id: "hk-2".into(),
                username: "Deployer".into(),
                text: "Deploying **prod**".into(),
                bot: Some(Box::new(Bot::default())),
                req_id: Some("9".into()),
            }),
            r#"{"type":"ephemeral","roomId":"ops","userId":"hk-2","username":"Deployer","text":"Deploying **prod**","bot":{},"reqId":"9"}"#,
        ),
        (
            ServerMsg::MessageAck(frame::MessageAck {
                req_id: Some("7".into()),
                client_msg_id: "c-1".into(),
                message_id: "lobby:3".into(),
                seq: 3,
            }),
            r#"{"type":"message-ack","reqId":"7","clientMsgId":"c-1","messageId":"lobby:3","seq":3}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::MessageEdited {
                message_id: "lobby:3".into(),
                new_text: "hello".into(),
                edited_at: 1_700_000_001_000,
                seq: 6,
            }),
            r#"{"type":"message-edited","messageId":"lobby:3","newText":"hello","editedAt":1700000001000,"seq":6}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::MessageDeleted {
                message_id: "lobby:3".into(),
                by: String::new(),
                seq: 7,
            }),
            r#"{"type":"message-deleted","messageId":"lobby:3","seq":7}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::ReactionUpdated {
                message_id: "lobby:3".into(),
                emoji: "👍".into(),
                count: 2,
                user_ids: vec!["u-1".into(), "u-2".into()],
                seq: 8,
            }),
            r#"{"type":"reaction-updated","messageId":"lobby:3","emoji":"👍","count":2,"userIds":["u-1","u-2"],"seq":8}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::MessagePinned {
                message_id: "lobby:3".into(),
                by: "u-1".into(),
                seq: 9,
            }),
            r#"{"type":"message-pinned","messageId":"lobby:3","by":"u-1","seq":9}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::MessageUnpinned {
                message_id: "lobby:3".into(),
                by: "u-1".into(),
                seq: 10,
            }),
            r#"{"type":"message-unpinned","messageId":"lobby:3","by":"u-1","seq":10}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::LinkPreview {
                message_id: "lobby:3".into(),
                preview: Some(Box::new(LinkPreview {
                    link: "https://example.com/a".into(),
                    url: "https://www.example.com/a".into(),
                    title: Some("A story".into()),
                    description: Some("What happened.".into()),
                    site_name: Some("Example".into()),
                    image: Some(PreviewImage {
                        file_id: "f-9".into(),
                        content_type: "image/jpeg".into(),
                        width: Some(1200),
                        height: Some(630),
                    }),
                })),
                seq: 11,
            }),
            r#"{"type":"link-preview","messageId":"lobby:3","preview":{"link":"https://example.com/a","url":"https://www.example.com/a","title":"A story","description":"What happened.","siteName":"Example","image":{"fileId":"f-9","contentType":"image/jpeg","width":1200,"height":630}},"seq":11}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::LinkPreview {
                message_id: "lobby:3".into(),
                preview: None,
                seq: 12,
            }),
            r#"{"type":"link-preview","messageId":"lobby:3","preview":null,"seq":12}"#,
        ),
        (
            ServerMsg::ReadReceipt(frame::ReadReceipt {
                user_id: "u-2".into(),
                seq: 10,
            }),
            r#"{"type":"read-receipt","userId":"u-2","seq":10}"#,
        ),
        (
            ServerMsg::HistoryPage(frame::HistoryPage {
                room_id: "lobby".into(),
                messages: vec![message()],
                has_more: false,
                req_id: Some("h-1".into()),
            }),
            r#"{"type":"history-page","roomId":"lobby","messages":[{"messageId":"lobby:3","roomId":"lobby","userId":"u-1","username":"Ana","text":"hi","timestamp":1700000000000,"seq":3,"clientMsgId":"c-1"}],"hasMore":false,"reqId":"h-1"}"#,
        ),
        (
            ServerMsg::MemberPage(frame::MemberPage {
                room_id: "lobby".into(),
                users: vec![RoomUser {
                    user_id: "u-2".into(),
                    username: "Bo".into(),
                    handle: "bo".into(),
                    role: Role::Member,
                    online: false,
                    status: Status::Away,
                    last_seen: None,
                    status_text: None,
                }],
                has_more: true,
                req_id: Some("m-1".into()),
            }),
            r#"{"type":"member-page","roomId":"lobby","users":[{"userId":"u-2","username":"Bo","handle":"bo","role":"member","online":false,"status":"away"}],"hasMore":true,"reqId":"m-1"}"#,
        ),
        (
            ServerMsg::Resync(frame::Resync {
                room_id: "lobby".into(),
                head_seq: 5000,
            }),
            r#"{"type":"resync","roomId":"lobby","headSeq":5000}"#,
        ),
        (ServerMsg::Pong(frame::Pong {}), r#"{"type":"pong"}"#),
        (
            ServerMsg::Batch(frame::Batch {
                frames: vec![
                    ServerMsg::MessageAck(frame::MessageAck {
                        req_id: None,
                        client_msg_id: "c-1".into(),
                        message_id: "lobby:3".into(),
                        seq: 3,
                    }),
                    ServerMsg::Event(RoomEvent::NewMessage(message())),
                    ServerMsg::Pong(frame::Pong {}),
                ],
            }),
            concat!(
                r#"{"type":"batch","frames":[{"type":"message-ack","clientMsgId":"c-1","#,
                r#""messageId":"lobby:3","seq":3},"#,
                r#"{"type":"new-message","messageId":"lobby:3","roomId":"lobby","userId":"u-1","#,
                r#""username":"Ana","text":"hi","timestamp":1700000000000,"seq":3,"clientMsgId":"c-1"},"#,
                r#"{"type":"pong"}]}"#
            ),
        ),
        (
            ServerMsg::Event(RoomEvent::UserMuted {
                user_id: "u-2".into(),
                until: 1_700_000_600_000,
                by: "u-1".into(),
                seq: 11,
            }),
            r#"{"type":"user-muted","userId":"u-2","until":1700000600000,"by":"u-1","seq":11}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserUnmuted {
                user_id: "u-2".into(),
                by: "u-1".into(),
                seq: 12,
            }),
            r#"{"type":"user-unmuted","userId":"u-2","by":"u-1","seq":12}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserBanned {
                user_id: "u-2".into(),
                by: "u-1".into(),
                seq: 13,
            }),
            r#"{"type":"user-banned","userId":"u-2","by":"u-1","seq":13}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserUnbanned {
                user_id: "u-2".into(),
                username: "Bo".into(),
                by: "u-1".into(),
                seq: 14,
            }),
            r#"{"type":"user-unbanned","userId":"u-2","username":"Bo","by":"u-1","seq":14}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserKicked {
                user_id: "u-2".into(),
                by: "u-1".into(),
                seq: 15,
            }),
            r#"{"type":"user-kicked","userId":"u-2","by":"u-1","seq":15}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::RoleChanged {
                user_id: "u-2".into(),
                role: Role::Moderator,
                by: "u-1".into(),
                seq: 16,
            }),
            r#"{"type":"role-changed","userId":"u-2","role":"moderator","by":"u-1","seq":16}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::SlowModeChanged {
                seconds: 30,
                by: "u-1".into(),
                seq: 17,
            }),
            r#"{"type":"slow-mode-changed","seconds":30,"by":"u-1","seq":17}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::RoomUpdated {
                name: "Release planning".into(),
                topic: "Ship on Friday".into(),
                capacity: None,
                by: "u-1".into(),
                seq: 18,
            }),
            r#"{"type":"room-updated","name":"Release planning","topic":"Ship on Friday","by":"u-1","seq":18}"#,
        ),
        (
            ServerMsg::BanPage(frame::BanPage {
                room_id: "lobby".into(),
                users: vec![BannedUser {
                    user_id: "u-3".into(),
                    username: "Cy".into(),
                }],
                has_more: false,
                req_id: Some("b-1".into()),
            }),
            r#"{"type":"ban-page","roomId":"lobby","users":[{"userId":"u-3","username":"Cy"}],"hasMore":false,"reqId":"b-1"}"#,
        ),
        (
            ServerMsg::PinList(frame::PinList {
                room_id: "lobby".into(),
                messages: vec![Message {
                    text: "Read this first".into(),
                    pinned: true,
                    ..message()
                }],
                req_id: Some("p-1".into()),
            }),
            r#"{"type":"pin-list","roomId":"lobby","messages":[{"messageId":"lobby:3","roomId":"lobby","userId":"u-1","username":"Ana","text":"Read this first","timestamp":1700000000000,"seq":3,"clientMsgId":"c-1","pinned":true}],"reqId":"p-1"}"#,
        ),
        (
            ServerMsg::Notification(frame::Notification {
                room_id: "lobby".into(),
                kind: NotificationKind::Mention,
                seq: 19,
                message_id: Some("lobby:19".into()),
                from: Some("Ana".into()),
                excerpt: Some("@bob are you there?".into()),
                unread_count: None,
            }),
            r#"{"type":"notification","roomId":"lobby","kind":"mention","seq":19,"messageId":"lobby:19","from":"Ana","excerpt":"@bob are you there?"}"#,
        ),
        (
            ServerMsg::Notification(frame::Notification {
                room_id: "lobby".into(),
                kind: NotificationKind::Unread,
                seq: 21,
                message_id: None,
                from: None,
                excerpt: None,
                unread_count: Some(4),
            }),
            r#"{"type":"notification","roomId":"lobby","kind":"unread","seq":21,"unreadCount":4}"#,
        ),
        (
            ServerMsg::Event(RoomEvent::UserInvited {
                user_id: "u-3".into(),
                username: "Cy".into(),
                by: "u-1".into(),
                seq: 18,
            }),
            r#"{"type":"user-invited","userId":"u-3","username":"Cy","by":"u-1","seq":18}"#,
        ),
    ];
    samples.extend(super::presence::presence_samples());
    samples
}
