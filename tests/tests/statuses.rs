//! Presence and profiles end to end: the status text has one owner (the inbox), "appear
//! away" holds from the first moment, member lists carry account names and statuses,
//! leavers are named, and search finds an author by account name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_e2e::{server::Server, socket::Client, wait::eventually};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, RoomUser, ServerMsg, Status};
use serde_json::json;

/// The member `user_id` as a fresh `room-joined` lists them.
async fn listed(
    server: &Server,
    room: &str,
    viewer: &edgechat_e2e::account::Session,
    user_id: &str,
) -> RoomUser {
    let (_client, frames) = Client::join_since(server, room, viewer, None).await;
    match frames.first() {
        Some(ServerMsg::RoomJoined(frame::RoomJoined { users, .. })) => users
            .iter()
            .find(|u| u.user_id == user_id)
            .cloned()
            .expect("the member is listed"),
        other => panic!("first frame was {other:?}"),
    }
}

#[tokio::test]
async fn a_status_text_set_in_the_profile_outlives_reloads_and_reaches_rooms_and_profiles() {
    let server = Server::builder()
        .var("STATUS_RELAY_MS", 1)
        .var("PRESENCE_GRACE_MS", 300)
        .start()
        .await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let mut bob_room = Client::join(&server, "lobby", &bob).await;
    drop(Client::join(&server, "lobby", &ana).await);
    let (inbox, _) = Client::inbox(&server, &ana).await;

    let (status, me) = server
        .patch_as(
            "/api/me",
            &ana.access_token,
            &json!({ "statusText": "on call" }),
        )
        .await;
    assert_eq!(
        (status, me["statusText"].as_str()),
        (200, Some("on call")),
        "{me}"
    );
    // The room hears it from the inbox, and keeps it for those who open it later.
    bob_room
        .recv_until_any(|m| matches!(m, ServerMsg::UserStatus(frame::UserStatus { user_id, status_text: Some(t), .. }) if *user_id == ana.user_id && t == "on call"))
        .await;

    // A reload (the inbox socket closes and opens again) and a later visit after the
    // user went offline both keep it: the inbox no longer writes an empty copy over it.
    drop(inbox);
    let (inbox, _) = Client::inbox(&server, &ana).await;
    drop(inbox);
    let profile = async || {
        server
            .get_as(&format!("/api/users/{}", ana.user_id), &bob.access_token)
            .await
            .1
    };
    eventually("Ana is offline", async || {
        profile().await["status"] == "offline"
    })
    .await;
    assert_eq!(profile().await["statusText"], "on call");
    let (_, me) = server.get_as("/api/me", &ana.access_token).await;
    assert_eq!(me["statusText"], "on call", "{me}");
    let ana_listed = listed(&server, "lobby", &bob, &ana.user_id).await;
    assert_eq!(ana_listed.status_text.as_deref(), Some("on call"));
    assert_eq!(ana_listed.handle, "ana");

    // Cleared in the profile, it is gone everywhere.
    let (status, _) = server
        .patch_as("/api/me", &ana.access_token, &json!({ "statusText": "" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(profile().await["statusText"], "");
}

#[tokio::test]
async fn a_member_who_chose_to_appear_away_shows_away_to_whoever_opens_the_room_later() {
    let server = Server::start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    // Ana appears away from her first moment: she never shows online.
    let (_inbox, frames) = Client::inbox_at(&server, &ana, "/api/me/ws?status=away").await;
    assert!(
        frames.iter().any(|m| matches!(
            m,
            ServerMsg::UserStatus(frame::UserStatus {
                status: Status::Away,
                ..
            })
        )),
        "{frames:?}"
    );
    let _ana_room = Client::join(&server, "lobby", &ana).await;
    // Bob opens the room afterwards: she is here, and away.
    let ana_listed = listed(&server, "lobby", &bob, &ana.user_id).await;
    assert!(ana_listed.online);
    assert_eq!(ana_listed.status, Status::Away);
    // Her profile says so too.
    let (_, profile) = server
        .get_as(&format!("/api/users/{}", ana.user_id), &bob.access_token)
        .await;
    assert_eq!(profile["status"], "away", "{profile}");
}

#[tokio::test]
async fn a_leaver_is_named_and_a_joiner_carries_the_account_name_mentions_match() {
    let server = Server::start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bobby").await);
    server.room(&ana, "lobby").await;
    let mut ana_room = Client::join(&server, "lobby", &ana).await;
    let mut bob_room = Client::join(&server, "lobby", &bob).await;
    let joined = ana_room
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserJoined { .. })))
        .await;
    assert!(
        matches!(&joined, ServerMsg::Event(RoomEvent::UserJoined { username, handle, .. }) if username == "Bobby" && handle == "bobby"),
        "{joined:?}"
    );
    bob_room
        .send(&ClientMsg::LeaveRoom {
            room_id: "lobby".into(),
        })
        .await;
    let left = ana_room
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserLeft { .. })))
        .await;
    assert!(
        matches!(&left, ServerMsg::Event(RoomEvent::UserLeft { user_id, username, .. }) if *user_id == bob.user_id && username == "Bobby"),
        "{left:?}"
    );
}

#[tokio::test]
async fn search_finds_an_author_by_account_name_or_id_and_dates_each_hit() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let mut ana_room = Client::join(&server, "lobby", &ana).await;
    let mut bob_room = Client::join(&server, "lobby", &bob).await;
    for (client, text, id) in [
        (&mut ana_room, "kiwi from ana", "a-1"),
        (&mut bob_room, "kiwi from bob", "b-1"),
    ] {
        client.send(&ClientMsg::text("lobby", text, id)).await;
        client
            .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
    }
    let authors = async |from: &str| -> Vec<(String, u64)> {
        let (status, body) = server
            .get_as(
                &format!("/api/search?q=kiwi&from={from}"),
                &ana.access_token,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| {
                (
                    hit["username"].as_str().unwrap().to_owned(),
                    hit["timestamp"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    eventually("both messages are searchable", async || {
        authors("ana").await.len() + authors("bob").await.len() == 2
    })
    .await;
    for from in ["bob", "BOB", "%40bob", bob.user_id.as_str()] {
        let hits = authors(from).await;
        assert_eq!(hits.len(), 1, "from={from}: {hits:?}");
        assert_eq!(hits[0].0, "Bob");
        assert!(hits[0].1 > 1_700_000_000_000, "each hit carries its date");
    }
    assert!(
        authors("nobody").await.is_empty(),
        "an unknown author finds nothing"
    );
}
