//! The audit log (docs/api.md, "Audit log"): every moderation and administration act,
//! over a socket or over HTTP, in a room or on an account, leaves exactly one entry with
//! who, what, whom, when and how it came; a room's admins read their room's, the
//! deployment's admins everything, and nobody else any of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use edgechat_e2e::{account::Session, server::Server, socket::Client, wait::until};
use edgechat_protocol::{ClientMsg, Role, RoomEvent, ServerMsg, frame};
use serde_json::{Value, json};

/// Sends `msg` with the `reqId` `req_id`, and waits on `watcher` for the event it causes.
async fn act(
    client: &mut Client,
    watcher: Option<&mut Client>,
    msg: ClientMsg,
    req_id: &str,
    done: impl Fn(&RoomEvent) -> bool,
) {
    let mut frame = serde_json::to_value(&msg).unwrap();
    frame["reqId"] = json!(req_id);
    client.send_raw(&frame.to_string()).await;
    let seen = watcher.unwrap_or(client);
    let event = seen
        .recv_until(|m| {
            matches!(m, ServerMsg::Event(e) if done(e)) || matches!(m, ServerMsg::Error(_))
        })
        .await;
    assert!(matches!(event, ServerMsg::Event(_)), "{req_id}: {event:?}");
}

/// Sends a message and returns its id.
async fn post(client: &mut Client, text: &str, id: &str) -> String {
    client.send(&ClientMsg::text("ops", text, id)).await;
    match client
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(_) | ServerMsg::Error(_)))
        .await
    {
        ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) => message_id,
        refused => panic!("{refused:?}"),
    }
}

/// The whole log at `path` as `who` reads it, page after page of `limit`.
async fn read_all(server: &Server, path: &str, who: &Session, limit: u32) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut before = String::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{path}{sep}limit={limit}{before}");
        let (status, body) = server.get_as(&url, &who.access_token).await;
        assert_eq!(status, 200, "{url}: {body}");
        let page = body["entries"].as_array().unwrap();
        assert!(page.len() <= limit as usize);
        entries.extend(page.iter().cloned());
        match body["next"].as_str() {
            Some(next) => before = format!("&before={}", urlencode(next)),
            None => return entries,
        }
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn every_act_leaves_one_entry_that_only_admins_read() {
    let server = Server::builder()
        .without_budgets()
        .var("ARCHIVE_DELAY_MS", 50)
        .start()
        .await;
    let root = server.register("Root").await; // the first account is the global admin
    let (ana, bob, carl, dan) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Carl").await,
        server.register("Dan").await,
    );
    server.room(&ana, "ops").await;
    let mut a = Client::join(&server, "ops", &ana).await;
    let mut b = Client::join(&server, "ops", &bob).await;
    let mut c = Client::join(&server, "ops", &carl).await;
    let _d = Client::join(&server, "ops", &dan).await;
    let carls = post(&mut c, "carl's words", "c-1").await;
    let anas = post(&mut a, "ana's words", "a-1").await;
    let own = post(&mut a, "ana's slip", "a-2").await;

    // Over the socket, each with its reqId.
    let role = ClientMsg::SetRole {
        user_id: bob.user_id.clone(),
        role: Role::Moderator,
    };
    act(&mut a, None, role, "r-role", |e| {
        matches!(e, RoomEvent::RoleChanged { .. })
    })
    .await;
    let delete = ClientMsg::DeleteMessage {
        message_id: carls.clone(),
    };
    // A moderator's deletion says whose it was, on the wire too.
    let deleted =
        |e: &RoomEvent| matches!(e, RoomEvent::MessageDeleted { by, .. } if !by.is_empty());
    act(&mut b, None, delete, "r-delete", deleted).await;
    let own_delete = ClientMsg::DeleteMessage { message_id: own };
    let any_deleted =
        |e: &RoomEvent| matches!(e, RoomEvent::MessageDeleted { by, .. } if by.is_empty());
    act(&mut a, None, own_delete, "r-own", any_deleted).await;
    let carl_id = carl.user_id.clone();
    let mute = ClientMsg::MuteUser {
        user_id: carl_id.clone(),
        until: 4_000_000_000_000,
    };
    act(&mut a, None, mute, "r-mute", |e| {
        matches!(e, RoomEvent::UserMuted { .. })
    })
    .await;
    let unmute = ClientMsg::UnmuteUser {
        user_id: carl_id.clone(),
    };
    act(&mut a, None, unmute, "r-unmute", |e| {
        matches!(e, RoomEvent::UserUnmuted { .. })
    })
    .await;
    let kick = ClientMsg::KickUser {
        user_id: dan.user_id.clone(),
    };
    act(&mut a, None, kick, "r-kick", |e| {
        matches!(e, RoomEvent::UserKicked { .. })
    })
    .await;
    let ban = ClientMsg::BanUser {
        user_id: carl_id.clone(),
    };
    act(&mut a, None, ban, "r-ban", |e| {
        matches!(e, RoomEvent::UserBanned { .. })
    })
    .await;
    let unban = ClientMsg::UnbanUser {
        user_id: carl_id.clone(),
    };
    act(&mut a, None, unban, "r-unban", |e| {
        matches!(e, RoomEvent::UserUnbanned { .. })
    })
    .await;
    let slow = ClientMsg::SetSlowMode { seconds: 10 };
    act(&mut a, None, slow, "r-slow", |e| {
        matches!(e, RoomEvent::SlowModeChanged { .. })
    })
    .await;
    let topic = ClientMsg::UpdateRoom {
        name: None,
        topic: Some("ops talk".into()),
        capacity: None,
    };
    act(&mut a, None, topic, "r-topic", |e| {
        matches!(e, RoomEvent::RoomUpdated { .. })
    })
    .await;
    let pin = ClientMsg::PinMessage {
        message_id: anas.clone(),
    };
    act(&mut a, None, pin, "r-pin", |e| {
        matches!(e, RoomEvent::MessagePinned { .. })
    })
    .await;
    let unpin = ClientMsg::UnpinMessage { message_id: anas };
    act(&mut a, None, unpin, "r-unpin", |e| {
        matches!(e, RoomEvent::MessageUnpinned { .. })
    })
    .await;

    // Over HTTP: a hook made and removed, an export started, an account disabled and
    // enabled again.
    let (status, body) = server
        .post_as(
            "/api/rooms/ops/hooks",
            &ana.access_token,
            &json!({ "name": "ci" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let hook_id = body["hook"]["hookId"].as_str().unwrap().to_owned();
    let (status, _) = server
        .delete_as(
            &format!("/api/rooms/ops/hooks/{hook_id}"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = server
        .post_as("/api/rooms/ops/exports", &ana.access_token, &json!({}))
        .await;
    assert_eq!(status, 202);
    // Disabling twice (a retry) is one act.
    for way in ["disable", "disable", "enable"] {
        let (status, body) = server
            .post_as(
                &format!("/api/admin/users/{}/{way}", dan.user_id),
                &root.access_token,
                &json!({}),
            )
            .await;
        assert_eq!(status, 204, "{way}: {body}");
    }

    // The room's log, once its write-behind has copied it: one entry an act.
    const ROOM_ACTS: [&str; 13] = [
        "role-changed",
        "message-deleted",
        "user-muted",
        "user-unmuted",
        "user-kicked",
        "user-banned",
        "user-unbanned",
        "slow-mode-changed",
        "room-updated",
        "message-pinned",
        "message-unpinned",
        "hook-created",
        "hook-removed",
    ];
    let log = until("the room's acts reach the log", async || {
        let entries = read_all(&server, "/api/rooms/ops/audit", &ana, 4).await;
        if entries.len() > ROOM_ACTS.len() {
            Ok(entries)
        } else {
            Err(entries.len())
        }
    })
    .await;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &log {
        *counts.entry(entry["action"].as_str().unwrap()).or_default() += 1;
    }
    let expected: BTreeMap<&str, usize> = ROOM_ACTS
        .iter()
        .chain(&["export-started"])
        .map(|action| (*action, 1))
        .collect();
    assert_eq!(
        counts, expected,
        "one entry an act, the author's own deletion none"
    );
    assert!(
        log.windows(2)
            .all(|w| w[0]["at"].as_u64() >= w[1]["at"].as_u64()),
        "newest first"
    );
    let find = |action: &str| log.iter().find(|e| e["action"] == action).unwrap();
    let role = find("role-changed");
    assert_eq!(
        (&role["actorId"], &role["targetId"], &role["detail"]["role"]),
        (
            &json!(ana.user_id),
            &json!(bob.user_id),
            &json!("moderator")
        )
    );
    assert_eq!(
        (&role["reqId"], role["connId"].is_string()),
        (&json!("r-role"), true)
    );
    assert_eq!(role["actorName"], "Ana");
    let deletion = find("message-deleted");
    assert_eq!(
        (
            &deletion["actorId"],
            &deletion["targetId"],
            &deletion["detail"]["messageId"]
        ),
        (&json!(bob.user_id), &json!(carl_id), &json!(carls))
    );
    let hook = find("hook-created");
    assert!(
        hook["requestId"].is_string() && hook.get("connId").is_none(),
        "{hook}"
    );
    assert_eq!(hook["targetId"], hook_id.as_str());

    // Who may read it.
    for who in [&bob, &carl] {
        let (status, body) = server
            .get_as("/api/rooms/ops/audit", &who.access_token)
            .await;
        assert_eq!(status, 403, "a moderator or member reads no log: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(server.get_as("/api/audit", &ana.access_token).await.0, 403);
    assert_eq!(server.get_as("/api/audit", "").await.0, 401);
    let everything = read_all(&server, "/api/audit", &root, 50).await;
    let account = |action: &str| {
        everything
            .iter()
            .filter(|e| e["action"] == action && e["targetId"] == dan.user_id.as_str())
            .count()
    };
    assert_eq!(
        (account("account-disabled"), account("account-enabled")),
        (1, 1)
    );
    assert_eq!(everything.len(), log.len() + 2);
    let banned = read_all(&server, "/api/audit?action=user-banned", &root, 50).await;
    assert_eq!(banned.len(), 1);
    assert_eq!(banned[0]["roomId"], "ops");
    let (status, body) = server
        .get_as("/api/audit?action=made-tea", &root.access_token)
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("bad-request"))
    );
}

#[tokio::test]
async fn entries_older_than_the_logs_own_time_leave_it_as_new_ones_come() {
    let server = Server::builder()
        .without_budgets()
        .var("ARCHIVE_DELAY_MS", 50)
        .var("AUDIT_TTL_MS", 2_000)
        .start()
        .await;
    let root = server.register("Root").await;
    server.room(&root, "ops").await;
    let mut client = Client::join(&server, "ops", &root).await;
    let slow = |seconds| ClientMsg::SetSlowMode { seconds };
    let changed = |e: &RoomEvent| matches!(e, RoomEvent::SlowModeChanged { .. });
    act(&mut client, None, slow(5), "r-old", changed).await;
    let kept = |wanted: &'static [&'static str]| {
        let server = &server;
        async move {
            until("the log holds what it should", async || {
                let rows = server.query("SELECT req_id FROM audit_log ORDER BY at");
                let ids: Vec<&str> = rows.iter().map(|r| r["req_id"].as_str().unwrap()).collect();
                if ids == wanted {
                    Ok(())
                } else {
                    Err(rows.clone())
                }
            })
            .await;
        }
    };
    kept(&["r-old"]).await;
    // The first entry's time passes: it is older than AUDIT_TTL_MS by the clock.
    edgechat_e2e::wait::eventually("the first entry's time is over", async || {
        let at = server.query("SELECT at FROM audit_log")[0]["at"]
            .as_u64()
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        now > at + 2_000
    })
    .await;
    act(&mut client, None, slow(10), "r-new", changed).await;
    kept(&["r-new"]).await;
}
