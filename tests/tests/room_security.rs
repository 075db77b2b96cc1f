//! Attacks on rooms and inboxes (docs/security.md, "Rooms and inboxes"): each test
//! performs one against the real Worker under wrangler dev and sees it fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use edgechat_e2e::{account::Session, server::Server, socket::Client};
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, ServerMsg, Status, close};
use serde_json::{Value, json};

/// The code of an `error` event, or `None` for anything else.
fn code(msg: &ServerMsg) -> Option<ErrorCode> {
    match msg {
        ServerMsg::Error { code, .. } => Some(*code),
        _ => None,
    }
}

/// Reads past presence until an `error` or the event `wanted` accepts.
async fn answer(client: &mut Client, wanted: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
    client
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }) || wanted(m))
        .await
}

async fn post(server: &Server, who: &Session, path: &str, body: Value) -> (u16, Value) {
    let response = server
        .request(reqwest::Method::POST, path, &who.access_token)
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The ids of the rooms `who` is a member of, as D1 lists them (`GET /api/rooms`).
async fn listed_rooms(server: &Server, who: &Session) -> Vec<String> {
    let (status, body) = server.get_as("/api/rooms", &who.access_token).await;
    assert_eq!(status, 200, "{body}");
    body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["roomId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_public_room_cannot_pre_empt_a_direct_room() {
    let server = Server::start().await;
    server.register("Root").await; // the first account is the global admin
    let mallory = server.register("Mallory").await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;

    // User ids are public, so anyone computes the id a direct room of theirs would get,
    // and may name a public room so that it slugs to it (the id scheme before the fix).
    let legacy = edgechat_core::ids::legacy_direct_room_id(&ana.user_id, &bo.user_id);
    let direct = edgechat_core::ids::direct_room_id(&ana.user_id, &bo.user_id);
    for name in [legacy.as_str(), direct.as_str()] {
        let (status, body) = post(&server, &mallory, "/api/rooms", json!({ "name": name })).await;
        if status == 201 {
            let taken = body["room"]["roomId"].as_str().unwrap();
            assert_ne!(taken, direct, "no name slugs to a direct room's id");
        }
    }
    let (status, _) = post(
        &server,
        &mallory,
        "/api/rooms",
        json!({ "name": "g.x", "group": false }),
    )
    .await;
    assert_eq!(status, 201, "a name with a dot is still a name: it slugs");
    let (status, body) = post(
        &server,
        &mallory,
        "/api/rooms",
        json!({ "name": "team", "group": true }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["room"]["roomId"].as_str().unwrap().starts_with("g."));

    // Both open their conversation: the same direct room, theirs alone.
    let (status, opened) = post(
        &server,
        &ana,
        "/api/rooms/direct",
        json!({ "userId": bo.user_id }),
    )
    .await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["room"]["roomId"], direct.as_str());
    assert_eq!(opened["room"]["kind"], "direct");
    let (status, again) = post(
        &server,
        &bo,
        "/api/rooms/direct",
        json!({ "userId": ana.user_id }),
    )
    .await;
    assert_eq!(
        (status, &again["room"]["roomId"]),
        (200, &opened["room"]["roomId"])
    );
    let mut ana_socket = Client::join(&server, &direct, &ana).await;
    ana_socket
        .send(&ClientMsg::text(&direct, "just us", "a-1"))
        .await;
    answer(&mut ana_socket, |m| {
        matches!(m, ServerMsg::MessageAck { .. })
    })
    .await;

    // Mallory's public room at the old id is not passed off as theirs, and Mallory
    // cannot reach the real one.
    let (status, _) = post(
        &server,
        &mallory,
        "/api/rooms/direct",
        json!({ "userId": ana.user_id }),
    )
    .await;
    assert_eq!(
        status, 201,
        "Mallory's own conversation with Ana is another room"
    );
    let mut intruder = Client::connect(&server, &direct, Some(&mallory.access_token), None)
        .await
        .expect("the upgrade is answered");
    assert_eq!(intruder.closed_with().await, Some(close::FORBIDDEN));
    let (status, _) = server
        .get_as(
            &format!("/api/rooms/{direct}/messages"),
            &mallory.access_token,
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_taken_name_reveals_no_private_room() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let eve = server.register("Eve").await;
    let (status, _) = post(
        &server,
        &ana,
        "/api/rooms",
        json!({ "name": "Merger Plans", "isPrivate": true }),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = post(
        &server,
        &eve,
        "/api/rooms",
        json!({ "name": "merger plans" }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("room-exists"))
    );
    assert!(
        body.get("room").is_none(),
        "a private room's info stays hidden: {body}"
    );
    assert!(!body.to_string().contains("Merger"), "{body}");

    server.room(&ana, "lobby").await;
    let (status, body) = post(&server, &eve, "/api/rooms", json!({ "name": "Lobby" })).await;
    assert_eq!(status, 409);
    assert_eq!(
        body["room"]["roomId"], "lobby",
        "a public room may be shown"
    );
}

#[tokio::test]
async fn every_durable_write_is_rate_limited() {
    let server = Server::builder()
        .var("ACTION_RATE_BURST", 3)
        .var("ACTION_RATE_PER_WINDOW", 1)
        .var("ACTION_RATE_WINDOW_MS", 600_000)
        .var("MODERATION_RATE_BURST", 2)
        .var("MODERATION_RATE_PER_WINDOW", 1)
        .var("MODERATION_RATE_WINDOW_MS", 600_000)
        .var("MEMBERSHIP_RATE_BURST", 1)
        .var("MEMBERSHIP_RATE_PER_WINDOW", 1)
        .var("MEMBERSHIP_RATE_WINDOW_MS", 600_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    server.room(&ana, "lobby").await;
    let mut admin = Client::join(&server, "lobby", &ana).await;
    let mut member = Client::join(&server, "lobby", &bo).await;
    admin
        .send(&ClientMsg::text("lobby", "react to me", "a-1"))
        .await;
    let ServerMsg::MessageAck { message_id, .. } =
        answer(&mut admin, |m| matches!(m, ServerMsg::MessageAck { .. })).await
    else {
        panic!("no ack")
    };

    // Reactions, pins and edits share one budget: three, then refused with a wait.
    let actions = [
        ClientMsg::AddReaction {
            message_id: message_id.clone(),
            emoji: "👍".into(),
        },
        ClientMsg::RemoveReaction {
            message_id: message_id.clone(),
            emoji: "👍".into(),
        },
        ClientMsg::AddReaction {
            message_id: message_id.clone(),
            emoji: "🎉".into(),
        },
    ];
    for action in actions {
        admin.send(&action).await;
        let reply = answer(&mut admin, |m| {
            matches!(m, ServerMsg::Event(RoomEvent::ReactionUpdated { .. }))
        })
        .await;
        assert_eq!(code(&reply), None, "{reply:?}");
    }
    for refused in [
        ClientMsg::EditMessage {
            message_id: message_id.clone(),
            new_text: "edited".into(),
        },
        ClientMsg::PinMessage {
            message_id: message_id.clone(),
        },
        ClientMsg::DeleteMessage {
            message_id: message_id.clone(),
        },
    ] {
        admin.send(&refused).await;
        let reply = admin
            .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
            .await;
        let ServerMsg::Error {
            code, retry_after, ..
        } = reply
        else {
            unreachable!()
        };
        assert_eq!(code, ErrorCode::RateLimited);
        assert!(retry_after.is_some_and(|ms| ms > 0));
    }
    // A message has its own budget, untouched by those.
    admin
        .send(&ClientMsg::text("lobby", "still talking", "a-2"))
        .await;
    assert!(matches!(
        answer(&mut admin, |m| matches!(m, ServerMsg::MessageAck { .. })).await,
        ServerMsg::MessageAck { .. }
    ));

    // Moderation: two, then refused, whatever the action.
    let until = 4_102_444_800_000; // 2100
    admin
        .send(&ClientMsg::MuteUser {
            user_id: bo.user_id.clone(),
            until,
        })
        .await;
    answer(&mut admin, |m| {
        matches!(m, ServerMsg::Event(RoomEvent::UserMuted { .. }))
    })
    .await;
    admin
        .send(&ClientMsg::UnmuteUser {
            user_id: bo.user_id.clone(),
        })
        .await;
    answer(&mut admin, |m| {
        matches!(m, ServerMsg::Event(RoomEvent::UserUnmuted { .. }))
    })
    .await;
    admin
        .send(&ClientMsg::KickUser {
            user_id: bo.user_id.clone(),
        })
        .await;
    let reply = admin
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await;
    assert_eq!(code(&reply), Some(ErrorCode::RateLimited));

    // Leaving and joining again: once, then the leave is refused and Bo stays.
    member
        .send(&ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        })
        .await;
    assert_eq!(member.closed_with().await, Some(close::LEFT));
    let mut member = Client::join(&server, "lobby", &bo).await;
    member
        .send(&ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        })
        .await;
    let reply = member
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await;
    assert_eq!(code(&reply), Some(ErrorCode::RateLimited));
    member
        .send(&ClientMsg::text("lobby", "still here", "b-1"))
        .await;
    assert!(matches!(
        answer(&mut member, |m| matches!(m, ServerMsg::MessageAck { .. })).await,
        ServerMsg::MessageAck { .. }
    ));
}

#[tokio::test]
async fn a_status_loop_is_refused_and_its_relay_coalesced() {
    const RELAY_MS: u64 = 5_000;
    let server = Server::builder()
        .var("STATUS_RATE_BURST", 3)
        .var("STATUS_RATE_PER_WINDOW", 1)
        .var("STATUS_RATE_WINDOW_MS", 600_000)
        .var("STATUS_RELAY_MS", RELAY_MS)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bo = server.register("Bob").await;
    server.room(&ana, "lobby").await;
    let _ana_room = Client::join(&server, "lobby", &ana).await;
    let mut watcher = Client::join(&server, "lobby", &bo).await;
    let (mut inbox, _) = Client::inbox(&server, &ana).await;
    // Coming online reaches the room at once.
    watcher
        .recv_until_any(|m| matches!(m, ServerMsg::UserStatus { user_id, status: Status::Online, .. } if *user_id == ana.user_id))
        .await;

    let started = Instant::now();
    let mut refused = 0;
    for i in 0..10 {
        let status = if i % 2 == 0 { "away" } else { "online" };
        inbox
            .send_raw(&format!(
                r#"{{"type":"status-change","status":"{status}","reqId":"s{i}"}}"#
            ))
            .await;
    }
    // Three accepted (each shown on Ana's own socket), seven refused.
    let mut shown = 0;
    while shown + refused < 10 {
        match inbox.recv_any().await {
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            } => refused += 1,
            ServerMsg::UserStatus { .. } => shown += 1,
            _ => {}
        }
    }
    assert_eq!((shown, refused), (3, 7));

    // The room hears of the loop once, with the last accepted status, when the
    // interval since the last relay ends.
    let mut heard = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(RELAY_MS * 2);
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, watcher.recv_any()).await {
            Ok(ServerMsg::UserStatus {
                user_id, status, ..
            }) if user_id == ana.user_id => {
                heard.push((status, started.elapsed()));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(
        heard[0].0,
        Status::Away,
        "the last accepted change was `away`"
    );
}

#[tokio::test]
async fn disabling_an_account_closes_its_sockets_at_once() {
    let server = Server::start().await;
    let admin = server.register("Admin").await; // the first account is the global admin
    let bo = server.register("Bob").await;
    server.room(&admin, "lobby").await;
    server.room(&admin, "ops").await;
    let mut lobby = Client::join(&server, "lobby", &bo).await;
    let mut ops = Client::join(&server, "ops", &bo).await;
    let (mut inbox, _) = Client::inbox(&server, &bo).await;

    let response = server
        .request(
            reqwest::Method::POST,
            &format!("/api/admin/users/{}/disable", bo.user_id),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    for socket in [&mut lobby, &mut ops, &mut inbox] {
        assert_eq!(socket.closed_with().await, Some(close::ACCOUNT_DISABLED));
    }
    // And the door refuses what it would send next.
    assert!(
        Client::connect(&server, "lobby", Some(&bo.access_token), None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn invites_reach_only_real_people() {
    let server = Server::builder().var("MAX_ROOM_MEMBERS", 3).start().await;
    let admin = server.register("Ana").await; // global admin
    let bo = server.register("Bob").await;
    let cy = server.register("Cyd").await;
    let gone = server.register("Gone").await;
    let dee = server.register("Dee").await;
    let response = server
        .request(
            reqwest::Method::POST,
            &format!("/api/admin/users/{}/disable", gone.user_id),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    server.room(&admin, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &admin).await;

    let invite = |user_id: &str| ClientMsg::InviteUser {
        user_id: user_id.to_owned(),
    };
    let invited = |m: &ServerMsg| matches!(m, ServerMsg::Event(RoomEvent::UserInvited { .. }));
    for ghost in ["u_nobody_at_all", gone.user_id.as_str()] {
        ana.send(&invite(ghost)).await;
        assert_eq!(
            code(&answer(&mut ana, invited).await),
            Some(ErrorCode::UnknownUser),
            "{ghost}"
        );
    }
    ana.send(&invite(&bo.user_id)).await;
    let ServerMsg::Event(RoomEvent::UserInvited {
        user_id, username, ..
    }) = answer(&mut ana, invited).await
    else {
        panic!("Bo was not invited")
    };
    assert_eq!(
        (user_id.as_str(), username.as_str()),
        (bo.user_id.as_str(), "Bob"),
        "listed by name"
    );

    // A room has a member cap even without a capacity: Ana, Bo, Cy, and no more.
    let _cy = Client::join(&server, "lobby", &cy).await;
    ana.send(&invite(&dee.user_id)).await;
    assert_eq!(
        code(&answer(&mut ana, invited).await),
        Some(ErrorCode::RoomFull)
    );
    let mut late = Client::connect(&server, "lobby", Some(&dee.access_token), None)
        .await
        .unwrap();
    assert_eq!(late.closed_with().await, Some(close::ROOM_FULL));

    // Nobody joins a direct conversation.
    let (status, body) = post(
        &server,
        &admin,
        "/api/rooms/direct",
        json!({ "userId": bo.user_id }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let direct = body["room"]["roomId"].as_str().unwrap().to_owned();
    let mut pair = Client::join(&server, &direct, &admin).await;
    pair.send(&invite(&cy.user_id)).await;
    assert_eq!(
        code(&answer(&mut pair, invited).await),
        Some(ErrorCode::Forbidden)
    );
}

#[tokio::test]
async fn one_user_is_added_to_few_rooms_an_hour() {
    let server = Server::builder()
        .var("ADDED_TO_ROOMS_PER_HOUR", 2)
        .start()
        .await;
    let mallory = server.register("Mallory").await;
    let victim = server.register("Victim").await;
    // A creation that fails (the name is taken) costs the victim nothing.
    server.room(&mallory, "taken").await;
    for _ in 0..3 {
        let (status, _) = post(
            &server,
            &mallory,
            "/api/rooms",
            json!({ "name": "taken", "members": [victim.user_id] }),
        )
        .await;
        assert_eq!(status, 409);
    }
    for name in ["spam one", "spam two"] {
        let (status, body) = post(
            &server,
            &mallory,
            "/api/rooms",
            json!({ "name": name, "isPrivate": true, "members": [victim.user_id] }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = post(
        &server,
        &mallory,
        "/api/rooms",
        json!({ "name": "spam three", "isPrivate": true, "members": [victim.user_id] }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("added-too-often")),
        "{body}"
    );
    assert!(body["retryAfter"].as_u64().is_some_and(|ms| ms > 0));

    // Inviting counts against the same cap, whoever invites.
    server.room(&mallory, "lobby").await;
    let mut socket = Client::join(&server, "lobby", &mallory).await;
    socket
        .send(&ClientMsg::InviteUser {
            user_id: victim.user_id.clone(),
        })
        .await;
    let reply = answer(&mut socket, |m| {
        matches!(m, ServerMsg::Event(RoomEvent::UserInvited { .. }))
    })
    .await;
    assert_eq!(code(&reply), Some(ErrorCode::AddedTooOften));
    let rooms = listed_rooms(&server, &victim).await;
    assert_eq!(rooms.len(), 2, "{rooms:?}");
}
