//! D1 and R2 failing on purpose (the bench build's outage switch, for `OUTAGE_MS`): a room
//! whose members are connected goes on, the write-behind catches up with nothing lost or
//! copied twice, everything that needs a store at the door answers 503 with
//! `Retry-After`, and `/api/health` says which store is down.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::PASSWORD,
    files::png,
    server::Server,
    socket::{Client, attempt_upgrade},
    wait::{until, until_within},
};
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg, frame};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// How long an outage lasts in these tests.
const OUTAGE_MS: u64 = 3_000;

async fn outage(server: &Server, store: &str) {
    server
        .bench(&format!("/api/bench/outages/{store}"), &json!({}))
        .await;
}

/// The health answer: its status and body.
async fn health(server: &Server) -> (u16, Value) {
    let response = reqwest::get(server.http_url("/api/health")).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A store's refusal: 503, `Retry-After`, the `unavailable` code and the request's id.
async fn assert_unavailable(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), 503, "{what}");
    let retry_after = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        retry_after.parse::<u64>().unwrap() > 0,
        "{what}: {retry_after}"
    );
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{what}: {body}");
    assert_eq!(body["error"]["requestId"], id.as_str(), "{what}: {body}");
}

async fn said(client: &mut Client, room: &str, text: &str, id: &str) {
    client.send(&ClientMsg::text(room, text, id)).await;
    client
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
}

#[tokio::test]
async fn a_connected_room_chats_through_a_d1_outage_and_the_archive_catches_up() {
    let server = Server::builder()
        .var("OUTAGE_MS", OUTAGE_MS)
        .var("ARCHIVE_DELAY_MS", 100)
        .var("ARCHIVE_RETRY_MS", 200)
        .var("ARCHIVE_RETRY_MAX_MS", 1_000)
        .start()
        .await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "ponds").await;
    let mut ana_socket = Client::join(&server, "ponds", &ana).await;
    let mut bob_socket = Client::join(&server, "ponds", &bob).await;

    outage(&server, "d1").await;
    // The room goes on: each message acked, stored and delivered.
    for n in 0..5 {
        said(
            &mut ana_socket,
            "ponds",
            &format!("heron {n}"),
            &format!("h-{n}"),
        )
        .await;
        bob_socket
            .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
            .await;
    }
    // The door needs D1: each answer a 503 the client waits out, never a 500 or a hang.
    let rooms = server
        .request(Method::GET, "/api/rooms", &ana.access_token)
        .send()
        .await
        .unwrap();
    assert_unavailable(rooms, "the room list").await;
    let search = server
        .request(Method::GET, "/api/search?q=heron", &ana.access_token)
        .send()
        .await
        .unwrap();
    assert_unavailable(search, "search").await;
    let login = reqwest::Client::new()
        .post(server.http_url("/api/auth/login"))
        .json(&json!({ "username": "ana", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_unavailable(login, "signing in").await;
    let protocol = format!("edgechat.v6, bearer.{}", ana.access_token);
    let (status, body) = attempt_upgrade(
        &server,
        "/api/rooms/ponds/ws",
        &[("Sec-WebSocket-Protocol", &protocol)],
    )
    .await;
    assert_eq!(status, 503, "a new socket: {body}");
    let (status, body) = health(&server).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["state"], "down", "{body}");
    assert_eq!(body["d1"]["state"], "down", "{body}");
    assert_eq!(body["r2"]["state"], "ok", "{body}");
    assert!(body["d1"]["latencyMs"].is_number(), "{body}");

    // Back by itself: the door answers again, and every message reached D1 once.
    until_within(
        "D1 is back",
        Duration::from_millis(OUTAGE_MS * 5),
        async || match health(&server).await {
            (200, _) => Ok(()),
            seen => Err(seen),
        },
    )
    .await;
    until("the write-behind caught up", async || {
        let (status, found) = server
            .get_as("/api/search?q=heron", &ana.access_token)
            .await;
        match found["results"].as_array().map(Vec::len) {
            Some(5) => Ok(()),
            _ => Err((status, found)),
        }
    })
    .await;
    let copies = server.query("SELECT COUNT(*) AS n FROM messages WHERE room_id = 'ponds'");
    assert_eq!(copies[0]["n"], 5, "each message copied once");
    // It backed off while D1 refused, and said so.
    let log = server.log();
    assert!(
        log.contains("\"event\":\"write-behind-failed\""),
        "the failed rounds are in the log"
    );
    // A socket opens again.
    let mut again = Client::join(&server, "ponds", &bob).await;
    said(&mut again, "ponds", "heron back", "h-back").await;
}

#[tokio::test]
async fn files_answer_503_while_r2_is_down_and_nothing_half_written_stays() {
    let server = Server::builder().var("OUTAGE_MS", OUTAGE_MS).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "pics").await;
    let kept = server
        .uploaded(&ana.access_token, "pics", "kept.png", &png(3, 3, [1, 2, 3]))
        .await;
    let (blobs, rows) = (server.r2_blobs(), server.count("files"));

    outage(&server, "r2").await;
    let upload = server
        .request(Method::POST, "/api/rooms/pics/files", &ana.access_token)
        .header(edgechat_e2e::files::NAME_HEADER, "lost.png")
        .header("Content-Type", "image/png")
        .body(png(4, 4, [4, 5, 6]))
        .send()
        .await
        .unwrap();
    assert_unavailable(upload, "an upload").await;
    // An existing file is there, only out of reach: 503, not 404.
    let download = server
        .request(
            Method::GET,
            &format!("/api/files/{kept}"),
            &ana.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_unavailable(download, "a download").await;
    let (status, body) = health(&server).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["r2"]["state"], "down", "{body}");
    assert_eq!(body["d1"]["state"], "ok", "{body}");
    assert_eq!(server.r2_blobs(), blobs, "nothing half-written in R2");
    assert_eq!(server.count("files"), rows, "nor in D1");

    until_within(
        "R2 is back",
        Duration::from_millis(OUTAGE_MS * 5),
        async || match health(&server).await {
            (200, _) => Ok(()),
            seen => Err(seen),
        },
    )
    .await;
    let response = server
        .download(&format!("/api/files/{kept}"), &ana.access_token, None)
        .await;
    assert_eq!(response.status(), 200);
    server
        .uploaded(
            &ana.access_token,
            "pics",
            "after.png",
            &png(4, 4, [4, 5, 6]),
        )
        .await;
}

#[tokio::test]
async fn health_names_each_store_with_its_latency_and_says_when_one_is_slow() {
    let server = Server::builder()
        .var("OUTAGE_MS", OUTAGE_MS)
        .var("HEALTH_SLOW_MS", 200)
        .var("OUTAGE_LAG_MS", 400)
        .start()
        .await;
    server.bench("/api/bench/outages/d1/slow", &json!({})).await;
    // Slow is degraded, not down: a monitor that alerts on the status is not woken.
    let (status, body) = health(&server).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "degraded", "{body}");
    assert_eq!(body["d1"]["state"], "degraded", "{body}");
    assert!(body["d1"]["latencyMs"].as_u64().unwrap() >= 400, "{body}");
    assert_eq!(body["r2"]["state"], "ok", "{body}");
    assert!(body["r2"]["latencyMs"].as_u64().is_some(), "{body}");
}

/// The messages a resuming join replayed: their texts.
fn replayed(frames: &[ServerMsg]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|frame| match frame {
            ServerMsg::Event(RoomEvent::NewMessage(message)) => Some(message.text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_deploy_drops_every_socket_of_a_room_and_each_resumes_from_its_seq() {
    let server = Server::start().await;
    let owner = server.register("Owner").await;
    server.room(&owner, "quay").await;
    let mut people = Vec::new();
    for n in 0..12 {
        let who = server.register(&format!("Sailor{n}")).await;
        let client = Client::join(&server, "quay", &who).await;
        people.push((who, client));
    }
    let mut speaker = Client::join(&server, "quay", &owner).await;
    said(&mut speaker, "quay", "before the deploy", "d-1").await;
    let mut seen = Vec::new();
    for (_, client) in &mut people {
        let ServerMsg::Event(RoomEvent::NewMessage(message)) = client
            .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
            .await
        else {
            unreachable!()
        };
        seen.push(message.seq);
    }

    server
        .bench("/api/bench/rooms/quay/redeploy", &json!({}))
        .await;
    // Every socket at once, with the code a client retries.
    for (_, client) in &mut people {
        assert_eq!(client.closed_with().await, Some(1012));
    }
    assert_eq!(speaker.closed_with().await, Some(1012));
    // Two messages while everyone is away.
    let mut speaker = Client::join(&server, "quay", &owner).await;
    said(&mut speaker, "quay", "while you were away", "d-2").await;
    said(&mut speaker, "quay", "and this too", "d-3").await;
    // Each comes back from the seq it last saw and gets exactly what it missed.
    for ((who, _), since) in people.iter().zip(seen) {
        let (_, frames) = Client::join_since(&server, "quay", who, Some(since)).await;
        assert_eq!(
            replayed(&frames),
            ["while you were away", "and this too"],
            "{} resumed after {since}",
            who.username
        );
    }
}
