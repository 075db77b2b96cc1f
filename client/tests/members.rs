//! The reducer and the room's members: arrivals told together, and who is online.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::joined;
use edgechat_client::state::ChatState;
use edgechat_protocol::frame;
use edgechat_protocol::{Role, RoomEvent, ServerMsg};

fn user_joined(user: &str, seq: u64) -> RoomEvent {
    RoomEvent::UserJoined {
        room_id: "lobby".into(),
        user_id: user.into(),
        username: user.into(),
        handle: user.into(),
        role: Role::Member,
        seq,
    }
}

#[test]
fn arrivals_told_together_apply_each_join_once_and_keep_the_online_count() {
    let mut state = ChatState::new("lobby");
    let mut first = joined(vec![], 5, 5, 0);
    if let ServerMsg::RoomJoined(frame::RoomJoined {
        member_count,
        online_count,
        ..
    }) = &mut first
    {
        *member_count = 3;
        *online_count = Some(2);
    }
    state.apply(first);
    assert_eq!(state.online_count(), 2);
    // A joiner within the window meets joins its `room-joined` already counted.
    state.apply(ServerMsg::MembersArrived(frame::MembersArrived {
        room_id: "lobby".into(),
        joined: vec![user_joined("bo", 5), user_joined("cy", 6)],
        statuses: vec![frame::UserStatus {
            user_id: "cy".into(),
            status: edgechat_protocol::Status::Away,
            last_seen: None,
            status_text: None,
        }],
    }));
    assert_eq!(state.member_count, 4, "bo was in the count already");
    assert_eq!(state.seen_seq(), Some(6));
    assert_eq!(
        state.notes.iter().map(|n| n.seq).collect::<Vec<_>>(),
        [6],
        "one join line, cy's"
    );
    assert_eq!(state.users["cy"].status, edgechat_protocol::Status::Away);
    state.apply(ServerMsg::PresenceChanged(frame::PresenceChanged {
        room_id: "lobby".into(),
        online: vec!["cy".into()],
        offline: Vec::new(),
        online_count: Some(3),
    }));
    assert_eq!(state.online_count(), 3);
}
