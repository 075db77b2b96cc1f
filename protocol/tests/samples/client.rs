//! One value of every client event with its exact JSON.

use edgechat_protocol::{ClientFrame, ClientMsg, Role, Status};

fn frame(msg: ClientMsg) -> ClientFrame {
    msg.into()
}

pub fn client_samples() -> Vec<(ClientFrame, &'static str)> {
    vec![
        (
            frame(ClientMsg::Authenticate {
                token: "eyJ…".into(),
            }),
            r#"{"type":"authenticate","token":"eyJ…"}"#,
        ),
        (
            frame(ClientMsg::JoinRoom {
                room_id: "lobby".into(),
            }),
            r#"{"type":"join-room","roomId":"lobby"}"#,
        ),
        (
            frame(ClientMsg::LeaveRoom {
                room_id: "lobby".into(),
            }),
            r#"{"type":"leave-room","roomId":"lobby"}"#,
        ),
        (
            frame(ClientMsg::CreateRoom {
                room_name: "Design".into(),
                is_private: true,
                members: vec!["u-2".into()],
            }),
            r#"{"type":"create-room","roomName":"Design","isPrivate":true,"members":["u-2"]}"#,
        ),
        (
            ClientFrame {
                req_id: Some("7".into()),
                msg: ClientMsg::SendMessage {
                    room_id: "lobby".into(),
                    text: "hi".into(),
                    attachments: vec!["f-1".into()],
                    reply_to: Some("lobby:2".into()),
                    client_msg_id: "c-1".into(),
                },
            },
            r#"{"reqId":"7","type":"send-message","roomId":"lobby","text":"hi","attachments":["f-1"],"replyTo":"lobby:2","clientMsgId":"c-1"}"#,
        ),
        (
            frame(ClientMsg::RunCommand {
                room_id: "ops".into(),
                command: "/deploy".into(),
                text: "prod".into(),
            }),
            r#"{"type":"run-command","roomId":"ops","command":"/deploy","text":"prod"}"#,
        ),
        (
            frame(ClientMsg::EditMessage {
                message_id: "lobby:3".into(),
                new_text: "hello".into(),
            }),
            r#"{"type":"edit-message","messageId":"lobby:3","newText":"hello"}"#,
        ),
        (
            frame(ClientMsg::DeleteMessage {
                message_id: "lobby:3".into(),
            }),
            r#"{"type":"delete-message","messageId":"lobby:3"}"#,
        ),
        (
            frame(ClientMsg::TypingStart {
                room_id: "lobby".into(),
            }),
            r#"{"type":"typing-start","roomId":"lobby"}"#,
        ),
        (
            frame(ClientMsg::TypingStop {
                room_id: "lobby".into(),
            }),
            r#"{"type":"typing-stop","roomId":"lobby"}"#,
        ),
        (
            frame(ClientMsg::StatusChange {
                status: Status::Away,
                status_text: Some("lunch".into()),
            }),
            r#"{"type":"status-change","status":"away","statusText":"lunch"}"#,
        ),
        (
            frame(ClientMsg::AddReaction {
                message_id: "lobby:3".into(),
                emoji: "👍".into(),
            }),
            r#"{"type":"add-reaction","messageId":"lobby:3","emoji":"👍"}"#,
        ),
        (
            frame(ClientMsg::RemoveReaction {
                message_id: "lobby:3".into(),
                emoji: "👍".into(),
            }),
            r#"{"type":"remove-reaction","messageId":"lobby:3","emoji":"👍"}"#,
        ),
        (
            frame(ClientMsg::PinMessage {
                message_id: "lobby:3".into(),
            }),
            r#"{"type":"pin-message","messageId":"lobby:3"}"#,
        ),
        (
            frame(ClientMsg::UnpinMessage {
                message_id: "lobby:3".into(),
            }),
            r#"{"type":"unpin-message","messageId":"lobby:3"}"#,
        ),
        (
            frame(ClientMsg::RemovePreview {
                message_id: "lobby:3".into(),
            }),
            r#"{"type":"remove-preview","messageId":"lobby:3"}"#,
        ),
        (
            frame(ClientMsg::MarkRead { seq: 12 }),
            r#"{"type":"mark-read","seq":12}"#,
        ),
        (
            frame(ClientMsg::LoadHistory {
                before_seq: 40,
                limit: Some(20),
            }),
            r#"{"type":"load-history","beforeSeq":40,"limit":20}"#,
        ),
        (
            frame(ClientMsg::ListMembers {
                after: Some("u-1".into()),
            }),
            r#"{"type":"list-members","after":"u-1"}"#,
        ),
        (frame(ClientMsg::Ping {}), r#"{"type":"ping"}"#),
        (
            frame(ClientMsg::MuteUser {
                user_id: "u-2".into(),
                until: 1_700_000_600_000,
            }),
            r#"{"type":"mute-user","userId":"u-2","until":1700000600000}"#,
        ),
        (
            frame(ClientMsg::UnmuteUser {
                user_id: "u-2".into(),
            }),
            r#"{"type":"unmute-user","userId":"u-2"}"#,
        ),
        (
            frame(ClientMsg::BanUser {
                user_id: "u-2".into(),
            }),
            r#"{"type":"ban-user","userId":"u-2"}"#,
        ),
        (
            frame(ClientMsg::UnbanUser {
                user_id: "u-2".into(),
            }),
            r#"{"type":"unban-user","userId":"u-2"}"#,
        ),
        (
            frame(ClientMsg::KickUser {
                user_id: "u-2".into(),
            }),
            r#"{"type":"kick-user","userId":"u-2"}"#,
        ),
        (
            frame(ClientMsg::SetRole {
                user_id: "u-2".into(),
                role: Role::Moderator,
            }),
            r#"{"type":"set-role","userId":"u-2","role":"moderator"}"#,
        ),
        (
            frame(ClientMsg::SetSlowMode { seconds: 30 }),
            r#"{"type":"set-slow-mode","seconds":30}"#,
        ),
        (
            frame(ClientMsg::InviteUser {
                user_id: "u-3".into(),
            }),
            r#"{"type":"invite-user","userId":"u-3"}"#,
        ),
        (
            frame(ClientMsg::UpdateRoom {
                name: Some("Release planning".into()),
                topic: Some("Ship on Friday".into()),
                capacity: Some(0),
            }),
            r#"{"type":"update-room","name":"Release planning","topic":"Ship on Friday","capacity":0}"#,
        ),
        (
            frame(ClientMsg::ListBans {
                after: Some("u-3".into()),
            }),
            r#"{"type":"list-bans","after":"u-3"}"#,
        ),
        (frame(ClientMsg::ListPins {}), r#"{"type":"list-pins"}"#),
    ]
}
