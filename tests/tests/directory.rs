//! Rooms of every kind, the directory, unread and mention counts, discovery.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::Session,
    server::Server,
    socket::{Client, attempt_upgrade},
    wait,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, ServerMsg, close};
use serde_json::{Value, json};

async fn my_rooms(server: &Server, who: &Session) -> Vec<Value> {
    let (status, body) = server.get_as("/api/rooms", &who.access_token).await;
    assert_eq!(status, 200, "{body}");
    body["rooms"].as_array().cloned().unwrap_or_default()
}

/// Polls the caller's room list until `done` holds (counts come from D1).
async fn rooms_until(
    server: &Server,
    who: &Session,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    wait::until("the room list says so", async || {
        let rooms = my_rooms(server, who).await;
        if done(&rooms) { Ok(rooms) } else { Err(rooms) }
    })
    .await
}

async fn error_then_close(client: &mut Client) -> (ErrorCode, Option<u16>) {
    let code = match client.recv_any().await {
        ServerMsg::Error(frame::Error { code, .. }) => code,
        other => panic!("expected an error, got {other:?}"),
    };
    (code, client.closed_with().await)
}

#[tokio::test]
async fn a_room_is_created_once_by_name_and_a_missing_room_cannot_be_opened() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({"name": "Design Team!"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["room"]["roomId"], "design-team");
    assert_eq!(body["room"]["name"], "Design Team!");
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({"name": "design team"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("room-exists"))
    );

    let bearer = format!("Bearer {}", ana.access_token);
    let (status, body) = attempt_upgrade(
        &server,
        "/api/rooms/nowhere/ws",
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not-found"))
    );
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({"name": "x", "members": ["u_nobody"]}),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_private_room_admits_only_its_members() {
    let server = Server::start().await;
    let (ana, bob, eve) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Eve").await,
    );
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({"name": "plans", "isPrivate": true, "members": [bob.user_id]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut ana_socket = Client::join(&server, "plans", &ana).await;
    ana_socket
        .send(&ClientMsg::text("plans", "the secret", "a-1"))
        .await;
    ana_socket
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;

    let _bob_socket = Client::join(&server, "plans", &bob).await;
    let mut intruder = Client::connect(&server, "plans", Some(&eve.access_token), None)
        .await
        .unwrap();
    assert_eq!(
        error_then_close(&mut intruder).await,
        (ErrorCode::Forbidden, Some(close::FORBIDDEN))
    );
    assert_eq!(
        server
            .get_as("/api/rooms/plans/messages", &eve.access_token)
            .await
            .0,
        403
    );
    assert_eq!(
        server
            .get_as("/api/rooms/plans/messages", &bob.access_token)
            .await
            .0,
        200
    );

    // An invitation lets Eve in.
    ana_socket
        .send(&ClientMsg::InviteUser {
            user_id: eve.user_id.clone(),
        })
        .await;
    ana_socket
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserInvited { .. })))
        .await;
    Client::join(&server, "plans", &eve).await;
}

#[tokio::test]
async fn a_direct_room_is_found_again_and_closed_to_others() {
    let server = Server::start().await;
    let (ana, bob, eve) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Eve").await,
    );
    let (status, first) = server
        .post_as(
            "/api/rooms/direct",
            &ana.access_token,
            &json!({"userId": bob.user_id}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = server
        .post_as(
            "/api/rooms/direct",
            &bob.access_token,
            &json!({"userId": ana.user_id}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    let id = first["room"]["roomId"].as_str().unwrap().to_owned();
    assert_eq!(again["room"]["roomId"], id.as_str());
    assert_eq!(first["room"]["kind"], "direct");

    Client::join(&server, &id, &bob).await;
    let mut intruder = Client::connect(&server, &id, Some(&eve.access_token), None)
        .await
        .unwrap();
    assert_eq!(
        error_then_close(&mut intruder).await.0,
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn my_rooms_show_unread_and_mention_counts_that_reading_clears() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let mut ana_socket = Client::join(&server, "lobby", &ana).await;
    let bob_socket = Client::join(&server, "lobby", &bob).await;
    drop(bob_socket);
    for (i, text) in ["hello all", "@bob are you there?", "@BOB?"]
        .iter()
        .enumerate()
    {
        ana_socket
            .send(&ClientMsg::text("lobby", *text, format!("a-{i}")))
            .await;
        ana_socket
            .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
    }
    let rooms = rooms_until(&server, &bob, |rooms| {
        rooms.first().is_some_and(|r| r["unreadCount"] == 3)
    })
    .await;
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0]["roomId"], "lobby");
    assert_eq!(rooms[0]["mentionCount"], 2);
    assert_eq!(rooms[0]["role"], "member");
    let mine = my_rooms(&server, &ana).await;
    assert_eq!(
        mine[0]["unreadCount"], 0,
        "one's own messages are not unread"
    );
    assert_eq!(mine[0]["role"], "admin");

    let mut bob_socket = Client::join(&server, "lobby", &bob).await;
    bob_socket.send(&ClientMsg::MarkRead { seq: 1_000 }).await;
    rooms_until(&server, &bob, |rooms| {
        rooms
            .first()
            .is_some_and(|r| r["unreadCount"] == 0 && r["mentionCount"] == 0)
    })
    .await;

    // Leaving removes the room from the list.
    bob_socket
        .send(&ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        })
        .await;
    assert_eq!(bob_socket.closed_with().await, Some(close::LEFT));
    rooms_until(&server, &bob, <[Value]>::is_empty).await;
}

#[tokio::test]
async fn public_rooms_can_be_discovered_by_name_and_private_ones_cannot() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    for (name, private) in [
        ("Rust Lovers", false),
        ("Rustic Kitchen", false),
        ("rust secrets", true),
        ("Gardening", false),
    ] {
        let (status, _) = server
            .post_as(
                "/api/rooms",
                &ana.access_token,
                &json!({"name": name, "isPrivate": private}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, body) = server
        .get_as("/api/rooms/public?q=rust", &ana.access_token)
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Rust Lovers", "Rustic Kitchen"]);
    let (_, all) = server
        .get_as("/api/rooms/public?q=%25", &ana.access_token)
        .await;
    assert!(
        all["rooms"].as_array().unwrap().is_empty(),
        "% is a literal, not a wildcard"
    );
}

#[tokio::test]
async fn a_user_with_too_many_sockets_loses_the_oldest() {
    let server = Server::builder()
        .var("MAX_SOCKETS_PER_USER", 2)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    let mut oldest = Client::join(&server, "lobby", &ana).await;
    let _second = Client::join(&server, "lobby", &ana).await;
    let _third = Client::join(&server, "lobby", &ana).await;
    assert_eq!(oldest.closed_with().await, Some(close::TOO_MANY_SOCKETS));
}

#[tokio::test]
async fn a_banned_user_cannot_rejoin_and_a_member_cannot_delete_anothers_message() {
    let server = Server::start().await;
    let (ana, bob, cyd) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Cyd").await,
    );
    server.room(&ana, "lobby").await;
    let mut ana_socket = Client::join(&server, "lobby", &ana).await;
    let mut bob_socket = Client::join(&server, "lobby", &bob).await;
    let mut cyd_socket = Client::join(&server, "lobby", &cyd).await;

    ana_socket
        .send(&ClientMsg::text("lobby", "mine", "a-1"))
        .await;
    let message_id = match ana_socket
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await
    {
        ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) => message_id,
        _ => unreachable!(),
    };
    cyd_socket
        .send(&ClientMsg::DeleteMessage { message_id })
        .await;
    match cyd_socket
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await
    {
        ServerMsg::Error(frame::Error { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        _ => unreachable!(),
    }

    ana_socket
        .send(&ClientMsg::BanUser {
            user_id: bob.user_id.clone(),
        })
        .await;
    assert_eq!(bob_socket.closed_with().await, Some(close::BANNED));
    let mut again = Client::connect(&server, "lobby", Some(&bob.access_token), None)
        .await
        .unwrap();
    assert_eq!(
        error_then_close(&mut again).await,
        (ErrorCode::Banned, Some(close::BANNED))
    );
    assert_eq!(
        server
            .get_as("/api/rooms/lobby/messages", &bob.access_token)
            .await
            .0,
        403
    );
}
