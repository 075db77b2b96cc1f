//! Smaller holes an attacker or a race found (docs/security.md, "Loose ends"): each test
//! performs the attack against the real Worker under wrangler dev and sees it fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::Session,
    files::png,
    server::Server,
    socket::{Client, error_code},
    wait::eventually,
};
use edgechat_protocol::{ClientMsg, ErrorCode, ServerMsg, close};
use futures_util::{StreamExt, stream};
use serde_json::json;

/// Disables `who` as the global admin `admin`.
async fn disable(server: &Server, admin: &Session, who: &Session) {
    let response = server
        .request(
            reqwest::Method::POST,
            &format!("/api/admin/users/{}/disable", who.user_id),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn disabling_an_account_closes_its_sockets_in_every_room_not_only_the_first_500() {
    const ROOMS: usize = 520;
    let server = Server::start().await;
    let admin = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let rooms: Vec<String> = (0..ROOMS).map(|i| format!("r{i:03}")).collect();
    stream::iter(&rooms)
        .for_each_concurrent(8, |room| {
            let (server, bob) = (&server, &bob);
            async move {
                server.room(bob, room).await;
            }
        })
        .await;
    eventually("D1 lists Bob in every room", async || {
        let rows = server.query(&format!(
            "SELECT COUNT(*) AS n FROM room_members WHERE user_id = '{}' AND member = 1",
            bob.user_id
        ));
        rows[0]["n"].as_u64() == Some(ROOMS as u64)
    })
    .await;
    let mut sockets: Vec<Client> = stream::iter(&rooms)
        .map(|room| Client::join(&server, room, &bob))
        .buffered(8)
        .collect()
        .await;

    disable(&server, &admin, &bob).await;
    let mut open = Vec::new();
    for (room, socket) in rooms.iter().zip(&mut sockets) {
        if socket.closed_with().await != Some(close::ACCOUNT_DISABLED) {
            open.push(room.clone());
        }
    }
    assert!(open.is_empty(), "sockets not closed with 4007 in {open:?}");
}

#[tokio::test]
async fn a_rename_or_a_new_room_cannot_take_a_name_another_room_holds() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "general").await;
    server.room(&ana, "dev").await;
    let mut dev = Client::join(&server, "dev", &ana).await;
    for taken in ["General", "GENERAL", "general"] {
        dev.send(&ClientMsg::UpdateRoom {
            name: Some(taken.into()),
            topic: None,
            capacity: None,
        })
        .await;
        let reply = dev.answer(|m| matches!(m, ServerMsg::Event(_))).await;
        assert_eq!(error_code(&reply), Some(ErrorCode::RoomExists), "{taken}");
    }
    // A name of its own goes through; then it is the room's, and a new room cannot
    // take it.
    dev.send(&ClientMsg::UpdateRoom {
        name: Some("Team Chat".into()),
        topic: None,
        capacity: None,
    })
    .await;
    let reply = dev.answer(|m| matches!(m, ServerMsg::Event(_))).await;
    assert_eq!(error_code(&reply), None, "{reply:?}");
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "team chat" }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("room-exists")),
        "{body}"
    );
    let rows = server.query("SELECT id, name FROM rooms ORDER BY id");
    assert_eq!(
        rows,
        [
            json!({"id": "dev", "name": "Team Chat"}),
            json!({"id": "general", "name": "general"})
        ]
    );
}

#[tokio::test]
async fn patching_the_profile_applies_all_of_its_fields_or_none() {
    let server = Server::builder()
        .var("STATUS_RATE_BURST", 1)
        .var("STATUS_RATE_PER_WINDOW", 1)
        .var("STATUS_RATE_WINDOW_MS", 600_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let (status, _) = server
        .patch_as(
            "/api/me",
            &ana.access_token,
            &json!({ "statusText": "on call" }),
        )
        .await;
    assert_eq!(status, 200);
    // The status is over its budget: the name in the same request is not changed either.
    let (status, body) = server
        .patch_as(
            "/api/me",
            &ana.access_token,
            &json!({ "displayName": "Someone Else", "statusText": "off" }),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    let (_, me) = server.get_as("/api/me", &ana.access_token).await;
    assert_eq!(me["displayName"], "Ana");
    assert_eq!(me["statusText"], "on call");
}

#[tokio::test]
async fn replacing_an_avatar_twice_at_once_leaves_one_picture_in_r2() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let put = |shade: u8| {
        server
            .request(reqwest::Method::PUT, "/api/me/avatar", &ana.access_token)
            .header("Content-Type", "image/png")
            .body(png(300, 300, [shade, 0, 0]))
            .send()
    };
    for round in 0..3u8 {
        let (a, b, c) = tokio::join!(put(round * 3), put(round * 3 + 1), put(round * 3 + 2));
        for response in [a, b, c] {
            assert_eq!(response.unwrap().status(), 200);
        }
        eventually(
            &format!("round {round}: one picture, none that nobody names"),
            async || server.r2_blobs() == 1,
        )
        .await;
    }
    let response = server
        .request(reqwest::Method::DELETE, "/api/me/avatar", &ana.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    eventually("no picture left", async || server.r2_blobs() == 0).await;
}

#[tokio::test]
async fn a_disabled_accounts_profile_is_found_no_more_than_its_name() {
    let server = Server::start().await;
    let admin = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let path = format!("/api/users/{}", bob.user_id);
    assert_eq!(server.get_as(&path, &admin.access_token).await.0, 200);
    disable(&server, &admin, &bob).await;
    let (status, body) = server.get_as(&path, &admin.access_token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not-found"))
    );
    let (status, _) = server
        .get_as("/api/users?username=bob", &admin.access_token)
        .await;
    assert_eq!(status, 404, "the search treats it the same");
}

#[tokio::test]
async fn a_history_page_asked_with_a_cursor_that_is_not_a_number_is_a_400() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    for query in ["before=abc", "before=-1", "limit=ten", "before=12abc"] {
        let (status, body) = server
            .get_as(
                &format!("/api/rooms/lobby/messages?{query}"),
                &ana.access_token,
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad-request")),
            "{query}: {body}"
        );
    }
    let (status, _) = server
        .get_as(
            "/api/rooms/lobby/messages?before=5&limit=2",
            &ana.access_token,
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_rooms_capacity_has_the_same_bounds_when_made_as_when_changed() {
    let server = Server::builder().var("MAX_ROOM_MEMBERS", 50).start().await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let cyd = server.register("Cyd").await;
    let create = |name: &str, capacity: u32, members: Vec<&str>| {
        let body = json!({ "name": name, "capacity": capacity, "members": members });
        let (server, token) = (&server, ana.access_token.clone());
        async move { server.post_as("/api/rooms", &token, &body).await }
    };
    for (name, capacity, members) in [
        ("over", 100, vec![]),
        ("one", 1, vec![]),
        ("tight", 2, vec![bob.user_id.as_str(), cyd.user_id.as_str()]),
    ] {
        let (status, body) = create(name, capacity, members).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad-request")),
            "{name}: {body}"
        );
    }
    let (status, body) = create("fits", 50, vec![]).await;
    assert_eq!(status, 201, "{body}");
    // Changed, the same bound holds.
    let mut socket = Client::join(&server, "fits", &ana).await;
    socket
        .send(&ClientMsg::UpdateRoom {
            name: None,
            topic: None,
            capacity: Some(100),
        })
        .await;
    let reply = socket.answer(|m| matches!(m, ServerMsg::Event(_))).await;
    assert_eq!(error_code(&reply), Some(ErrorCode::BadRequest));
}
