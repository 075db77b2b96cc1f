//! The room's audit entries (docs/api.md, "Audit log"): every moderation and
//! administration act records one, in the step that does it, with how it came; nothing
//! else records any, and a failed act records nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::room::{HookChange, HookSpec, Via};
use edgechat_core::testing::*;
use edgechat_protocol::{ClientFrame, ClientMsg, ErrorCode, Role, RoomEvent};

fn entries(world: &World) -> Vec<edgechat_core::store::AuditRow> {
    world.store().audit_unsynced(100).unwrap()
}

fn framed(msg: ClientMsg, req_id: &str) -> ClientFrame {
    ClientFrame {
        req_id: Some(req_id.into()),
        msg,
    }
}

#[test]
fn each_act_records_one_entry_with_who_whom_and_the_frame_it_came_in() {
    let mut world = World::with_three();
    let cys = world.post("cy", "cy's words");
    let anas = world.post("ana", "ana's words");
    world.post("bo", "bo's words");
    assert!(entries(&world).is_empty(), "messages are not acts");
    let role = ClientMsg::SetRole {
        user_id: "bo".into(),
        role: Role::Moderator,
    };
    world.send_frame("ana", framed(role, "r-1"));
    let deleted = world.send_frame(
        "bo",
        framed(
            ClientMsg::DeleteMessage {
                message_id: cys.clone(),
            },
            "r-2",
        ),
    );
    assert!(
        appended(&deleted)
            .iter()
            .any(|e| matches!(e, RoomEvent::MessageDeleted { by, .. } if by == "bo"))
    );
    // An author's own deletion is not an act of moderation.
    let own = world.send("ana", ClientMsg::DeleteMessage { message_id: anas });
    assert!(
        appended(&own)
            .iter()
            .any(|e| matches!(e, RoomEvent::MessageDeleted { by, .. } if by.is_empty()))
    );
    let until = world.now + 60_000;
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "cy".into(),
            until,
        },
    );
    world.send("ana", ClientMsg::SetSlowMode { seconds: 5 });
    // Refused acts record nothing.
    let refused = world.send(
        "cy",
        ClientMsg::BanUser {
            user_id: "ana".into(),
        },
    );
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));

    let log = entries(&world);
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "role-changed",
            "message-deleted",
            "user-muted",
            "slow-mode-changed"
        ]
    );
    assert_eq!(
        (log[0].actor.as_str(), log[0].target.as_str()),
        ("ana", "bo")
    );
    assert_eq!(
        (log[0].conn.as_str(), log[0].req_id.as_str()),
        ("ana", "r-1")
    );
    assert_eq!(log[0].detail, r#"{"role":"moderator"}"#);
    assert_eq!(
        (log[1].actor.as_str(), log[1].target.as_str()),
        ("bo", "cy")
    );
    assert_eq!(log[1].req_id, "r-2");
    assert_eq!(log[2].req_id, "", "a frame without a reqId");
    assert!(log.windows(2).all(|w| w[0].id < w[1].id));

    // Once D1 has them, the room forgets them.
    world.room.store().audit_synced(log[1].id).unwrap();
    assert_eq!(entries(&world).len(), 2);
}

#[test]
fn an_act_over_http_records_the_request_it_came_in() {
    let mut world = World::with_three();
    world.room.acting(Via::request("req-9"));
    let change = HookChange::Create {
        hook_id: "h1".into(),
        name: "ci".into(),
        secret: "s".repeat(32),
        token: String::new(),
        spec: HookSpec::Incoming,
    };
    world
        .room
        .change_hook(&who("ana"), change, world.now)
        .unwrap()
        .unwrap();
    world.room.acting(Via::request("req-10"));
    let delete = HookChange::Delete {
        hook_id: "h1".into(),
    };
    world
        .room
        .change_hook(&who("ana"), delete, world.now)
        .unwrap()
        .unwrap();
    let log = entries(&world);
    let seen: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str(), e.request_id.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("hook-created", "h1", "req-9"),
            ("hook-removed", "h1", "req-10")
        ]
    );
    assert!(log.iter().all(|e| e.conn.is_empty()));
    // The next frame says how it came itself.
    world.send("ana", ClientMsg::SetSlowMode { seconds: 5 });
    let last = entries(&world).pop().unwrap();
    assert_eq!((last.request_id.as_str(), last.conn.as_str()), ("", "ana"));
}
