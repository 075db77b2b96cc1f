//! Attacks on rooms and inboxes (docs/security.md, "Rooms and inboxes"): each test
//! performs one against the real Worker under wrangler dev and sees it fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    server::Server,
    socket::{Client, error_code},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, ServerMsg, close};
use serde_json::json;

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
        let (status, body) = server
            .post_as(
                "/api/rooms",
                &mallory.access_token,
                &json!({ "name": name }),
            )
            .await;
        if status == 201 {
            let taken = body["room"]["roomId"].as_str().unwrap();
            assert_ne!(taken, direct, "no name slugs to a direct room's id");
        }
    }
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &mallory.access_token,
            &json!({ "name": "g.x", "group": false }),
        )
        .await;
    assert_eq!(status, 201, "a name with a dot is still a name: it slugs");
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &mallory.access_token,
            &json!({ "name": "team", "group": true }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["room"]["roomId"].as_str().unwrap().starts_with("g."));

    // Both open their conversation: the same direct room, theirs alone.
    let (status, opened) = server
        .post_as(
            "/api/rooms/direct",
            &ana.access_token,
            &json!({ "userId": bo.user_id }),
        )
        .await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["room"]["roomId"], direct.as_str());
    assert_eq!(opened["room"]["kind"], "direct");
    let (status, again) = server
        .post_as(
            "/api/rooms/direct",
            &bo.access_token,
            &json!({ "userId": ana.user_id }),
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
    ana_socket
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;

    // Mallory's public room at the old id is not passed off as theirs, and Mallory
    // cannot reach the real one.
    let (status, _) = server
        .post_as(
            "/api/rooms/direct",
            &mallory.access_token,
            &json!({ "userId": ana.user_id }),
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
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "Merger Plans", "isPrivate": true }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &eve.access_token,
            &json!({ "name": "merger plans" }),
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
    let (status, body) = server
        .post_as("/api/rooms", &eve.access_token, &json!({ "name": "Lobby" }))
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        body["room"]["roomId"], "lobby",
        "a public room may be shown"
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
            error_code(&ana.answer(invited).await),
            Some(ErrorCode::UnknownUser),
            "{ghost}"
        );
    }
    ana.send(&invite(&bo.user_id)).await;
    let ServerMsg::Event(RoomEvent::UserInvited {
        user_id, username, ..
    }) = ana.answer(invited).await
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
        error_code(&ana.answer(invited).await),
        Some(ErrorCode::RoomFull)
    );
    let mut late = Client::connect(&server, "lobby", Some(&dee.access_token), None)
        .await
        .unwrap();
    assert_eq!(late.closed_with().await, Some(close::ROOM_FULL));

    // Nobody joins a direct conversation.
    let (status, body) = server
        .post_as(
            "/api/rooms/direct",
            &admin.access_token,
            &json!({ "userId": bo.user_id }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let direct = body["room"]["roomId"].as_str().unwrap().to_owned();
    let mut pair = Client::join(&server, &direct, &admin).await;
    pair.send(&invite(&cy.user_id)).await;
    assert_eq!(
        error_code(&pair.answer(invited).await),
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
        let (status, _) = server
            .post_as(
                "/api/rooms",
                &mallory.access_token,
                &json!({ "name": "taken", "members": [victim.user_id] }),
            )
            .await;
        assert_eq!(status, 409);
    }
    for name in ["spam one", "spam two"] {
        let (status, body) = server
            .post_as(
                "/api/rooms",
                &mallory.access_token,
                &json!({ "name": name, "isPrivate": true, "members": [victim.user_id] }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &mallory.access_token,
            &json!({ "name": "spam three", "isPrivate": true, "members": [victim.user_id] }),
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
    let reply = socket
        .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::UserInvited { .. })))
        .await;
    assert_eq!(error_code(&reply), Some(ErrorCode::AddedTooOften));
    let rooms = server.listed_rooms(&victim).await;
    assert_eq!(rooms.len(), 2, "{rooms:?}");
}
