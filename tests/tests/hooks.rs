//! Incoming hooks under `wrangler dev`: a room admin makes one, and a program posts to
//! its URL in Slack's formats (JSON, or a form's `payload`) as it would to Slack. Each
//! post is one message marked as a bot's on the wire; an older socket sees "(bot)" after
//! the label. Every refusal answers as Slack's hooks do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::Session, server::Server, socket::Client, wait::until};
use edgechat_protocol::{Message, RoomEvent, ServerMsg};
use reqwest::Method;
use serde_json::{Value, json};

/// A new hook in `room`, made by `admin`: its id and URL.
async fn make_hook(server: &Server, admin: &Session, room: &str, name: &str) -> (String, String) {
    let (status, body) = server
        .post_as(
            &format!("/api/rooms/{room}/hooks"),
            &admin.access_token,
            &json!({ "name": name }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let hook = &body["hook"];
    (
        hook["hookId"].as_str().unwrap().to_owned(),
        hook["url"].as_str().unwrap().to_owned(),
    )
}

/// Posts `body` to a hook's URL as a tool would: its status, `Retry-After` and the text.
async fn call(url: &str, content_type: &str, body: String) -> (u16, Option<String>, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, response.text().await.unwrap())
}

async fn post_json(url: &str, body: &Value) -> (u16, Option<String>, String) {
    call(url, "application/json", body.to_string()).await
}

async fn next_message(client: &mut Client) -> Message {
    match client
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await
    {
        ServerMsg::Event(RoomEvent::NewMessage(message)) => message,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_slack_json_body_and_a_form_body_each_post_one_bot_message() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let (ana, bob, cy) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Cyd").await,
    );
    let room = server.room(&ana, "deploys").await;
    let (hook_id, url) = make_hook(&server, &ana, &room, "CI").await;
    assert!(
        url.starts_with(&server.http_url(&format!("/api/hooks/{room}/{hook_id}/"))),
        "{url}"
    );
    let mut bob_socket = Client::join(&server, &room, &bob).await;
    let (mut old_socket, _) = Client::join_on_version(&server, &room, &cy, 6).await;

    let alert = json!({
        "text": "*Deploy* of <https://ci.example/b/12|build 12> done &amp; <!here>",
        "username": "deploy-bot",
        "icon_emoji": ":rocket:",
        "attachments": [{ "title": "Changes", "title_link": "https://ci.example/c/12", "fields": [{ "title": "Env", "value": "prod" }] }],
    });
    assert_eq!(post_json(&url, &alert).await, (200, None, "ok".to_owned()));
    let message = next_message(&mut bob_socket).await;
    assert_eq!(message.user_id, hook_id);
    assert_eq!(message.username, "deploy-bot");
    assert_eq!(
        message.bot.as_ref().and_then(|b| b.emoji.as_deref()),
        Some("🚀")
    );
    assert_eq!(
        message.text,
        "**Deploy** of [build 12](https://ci.example/b/12) done & @here\n> **[Changes](https://ci.example/c/12)**\n> **Env**: prod"
    );
    // A client of version 6 knows no bot mark: the label says it.
    let old = next_message(&mut old_socket).await;
    assert_eq!(old.username, "deploy-bot (bot)");
    assert!(old.bot.is_none());

    let form = format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(
            json!({ "text": "from a form" }).to_string().as_bytes()
        )
        .collect::<String>()
    );
    let answer = call(&url, "application/x-www-form-urlencoded", form).await;
    assert_eq!(answer, (200, None, "ok".to_owned()));
    let message = next_message(&mut bob_socket).await;
    assert_eq!(message.text, "from a form");
    assert_eq!(message.username, "CI", "no username: the hook's name");
    assert!(message.bot.is_some());

    // Both are in the history as they were sent, marked.
    let (status, page) = server
        .get_as(&format!("/api/rooms/{room}/messages"), &bob.access_token)
        .await;
    assert_eq!(status, 200, "{page}");
    let marked: Vec<&Value> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["bot"].is_object())
        .collect();
    assert_eq!(marked.len(), 2, "{page}");
    // And search, once D1 has them, says whose they are.
    let hit = until("the form's message is searchable", async || {
        let (_, found) = server.get_as("/api/search?q=form", &bob.access_token).await;
        match found["results"].as_array().map(Vec::as_slice) {
            Some([hit]) => Ok(hit.clone()),
            _ => Err(found),
        }
    })
    .await;
    assert_eq!(
        (hit["username"].as_str(), hit["bot"].as_bool()),
        (Some("CI"), Some(true)),
        "{hit}"
    );
}

#[tokio::test]
async fn every_refusal_answers_as_slacks_hooks_do() {
    let server = Server::builder()
        .var("HOOK_RATE_BURST", 3)
        .var("HOOK_RATE_PER_WINDOW", 1)
        .var("HOOK_RATE_WINDOW_MS", 60_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let room = server.room(&ana, "alerts").await;
    let (hook_id, url) = make_hook(&server, &ana, &room, "Grafana").await;

    assert_eq!(post_json(&url, &json!({ "text": " " })).await.2, "no_text");
    assert_eq!(post_json(&url, &json!({})).await.0, 400);
    let (status, _, word) = call(&url, "application/json", "{not json".into()).await;
    assert_eq!((status, word.as_str()), (400, "invalid_payload"));
    let (status, _, word) = post_json(&url, &json!({ "text": "x".repeat(4_001) })).await;
    assert_eq!((status, word.as_str()), (400, "msg_too_long"));
    let huge = json!({ "text": "x".repeat(70 * 1024) }).to_string();
    let (status, _, word) = call(&url, "application/json", huge).await;
    assert_eq!((status, word.as_str()), (413, "request_too_large"));
    let wrong = url.rsplit_once('/').unwrap().0.to_owned() + "/not-the-secret";
    assert_eq!(
        post_json(&wrong, &json!({ "text": "hi" })).await.2,
        "no_service"
    );
    let unknown = server.http_url(&format!("/api/hooks/{room}/hk-nope/secret"));
    assert_eq!(post_json(&unknown, &json!({ "text": "hi" })).await.0, 404);
    let no_room = server.http_url("/api/hooks/no-such-room/hk-nope/secret");
    assert_eq!(
        post_json(&no_room, &json!({ "text": "hi" })).await.2,
        "no_service"
    );

    // None of those spent the budget: three posts of the same text pass, the fourth waits.
    for _ in 0..3 {
        assert_eq!(post_json(&url, &json!({ "text": "disk 91%" })).await.0, 200);
    }
    let (status, retry, word) = post_json(&url, &json!({ "text": "disk 91%" })).await;
    assert_eq!((status, word.as_str()), (429, "rate_limited"));
    assert!(retry.unwrap().parse::<u64>().unwrap() > 0);

    // A new secret retires the old URL at once; a deleted hook answers no_service.
    let (status, body) = server
        .post_as(
            &format!("/api/rooms/{room}/hooks/{hook_id}/secret"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let renewed = body["hook"]["url"].as_str().unwrap().to_owned();
    assert_ne!(renewed, url);
    assert_eq!(post_json(&url, &json!({ "text": "old" })).await.0, 404);
    let (status, _) = server
        .delete_as(
            &format!("/api/rooms/{room}/hooks/{hook_id}"),
            &ana.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        post_json(&renewed, &json!({ "text": "gone" })).await.2,
        "no_service"
    );
}

#[tokio::test]
async fn only_a_room_admin_manages_its_hooks_and_never_sees_a_secret_again() {
    let server = Server::builder().var("MAX_HOOKS", 2).start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let room = server.room(&ana, "builds").await;
    let _bob_socket = Client::join(&server, &room, &bob).await;
    let path = format!("/api/rooms/{room}/hooks");

    let (status, body) = server
        .post_as(&path, &bob.access_token, &json!({ "name": "Mine" }))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let (status, _) = server.get_as(&path, &bob.access_token).await;
    assert_eq!(status, 403);
    let unsigned = reqwest::Client::new()
        .get(server.http_url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);

    let (hook_id, url) = make_hook(&server, &ana, &room, "CI").await;
    make_hook(&server, &ana, &room, "Alerts").await;
    let (status, body) = server
        .post_as(&path, &ana.access_token, &json!({ "name": "Third" }))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("too-many-hooks")),
        "{body}"
    );
    let (status, body) = server
        .post_as(&path, &ana.access_token, &json!({ "name": " " }))
        .await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = server
        .patch_as(
            &format!("{path}/{hook_id}"),
            &ana.access_token,
            &json!({ "name": "Builds" }),
        )
        .await;
    assert_eq!(
        (status, body["hook"]["name"].as_str()),
        (200, Some("Builds")),
        "{body}"
    );
    let (status, listed) = server.get_as(&path, &ana.access_token).await;
    assert_eq!(status, 200, "{listed}");
    let names: Vec<&str> = listed["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Builds", "Alerts"]);
    let secret = url.rsplit('/').next().unwrap();
    assert!(
        !listed.to_string().contains(secret),
        "the list shows no secret: {listed}"
    );
    let refused = server
        .request(
            Method::DELETE,
            &format!("{path}/{hook_id}"),
            &bob.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}
