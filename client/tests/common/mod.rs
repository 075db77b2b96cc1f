//! What the reducer's tests share: a `room-joined` to start from.

use edgechat_protocol::frame;
use edgechat_protocol::{Message, Role, RoomInfo, RoomKind, ServerMsg};

/// `room-joined` for "lobby" with `history`, at `head_seq`, read up to `last_read_seq`.
pub fn joined(
    history: Vec<Message>,
    head_seq: u64,
    last_read_seq: u64,
    unread_count: u64,
) -> ServerMsg {
    ServerMsg::RoomJoined(frame::RoomJoined {
        room_id: "lobby".into(),
        room: RoomInfo {
            room_id: "lobby".into(),
            name: "lobby".into(),
            kind: RoomKind::Public,
            capacity: None,
            created_by: "u".into(),
            created_at: 0,
            topic: String::new(),
        },
        users: vec![],
        member_count: 0,
        message_history: history,
        your_role: Role::Member,
        head_seq,
        last_read_seq,
        unread_count,
        read_marks: Default::default(),
        slow_mode: 0,
        online_count: None,
        req_id: None,
    })
}
