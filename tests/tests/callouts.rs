//! The programs a room calls, under `wrangler dev` against the harness's own web server:
//! an outgoing hook is called with Slack's fields, signed as Slack signs (checked here
//! with Slack's published algorithm), and its answer comes back into the room; a slow or
//! failing program never holds a message up; a registered command answers in the room
//! and for its asker alone, now or later through its `response_url`; and each budget and
//! refusal on the way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::Session,
    server::Server,
    socket::{Client, error_code},
    wait::until,
    web::{Route, Web},
};
use edgechat_protocol::{ClientMsg, ErrorCode, Message, RoomEvent, ServerMsg, frame};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::{collections::HashMap, time::Duration};

async fn server(vars: &[(&str, u64)]) -> Server {
    let mut builder = Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .var("RATE_BURST", 50);
    for (name, value) in vars {
        builder = builder.var(name, *value);
    }
    builder.start().await
}

/// A hook the room calls, made by `admin`: its id and what the answer showed once.
async fn make(server: &Server, admin: &Session, room: &str, body: Value) -> (String, Value) {
    let (status, made) = server
        .post_as(
            &format!("/api/rooms/{room}/hooks"),
            &admin.access_token,
            &body,
        )
        .await;
    assert_eq!(status, 201, "{made}");
    (
        made["hook"]["hookId"].as_str().unwrap().to_owned(),
        made["hook"].clone(),
    )
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Whether `seen` carries Slack's signature of its body with `secret`, computed as
/// Slack's documentation says: `v0=` hex HMAC-SHA256 of `v0:{timestamp}:{body}`.
fn signed_by(seen: &edgechat_e2e::web::Seen, secret: &str) -> bool {
    let timestamp = &seen.headers["x-slack-request-timestamp"];
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(&seen.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    seen.headers["x-slack-signature"] == format!("v0={expected}")
}

async fn said(client: &mut Client, room: &str, text: &str, id: &str) {
    client.send(&ClientMsg::text(room, text, id)).await;
    client
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(ack) if ack.client_msg_id == id))
        .await;
}

async fn message_from(client: &mut Client, hook_id: &str) -> Message {
    match client
        .recv_until(
            |m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(m)) if m.user_id == hook_id),
        )
        .await
    {
        ServerMsg::Event(RoomEvent::NewMessage(message)) => message,
        _ => unreachable!(),
    }
}

/// Hook `hook_id` as its admin lists it, once it has failed for good once.
async fn failed_once(server: &Server, admin: &Session, room: &str, hook_id: &str) -> Value {
    until("the failure shows on the hook", async || {
        let (_, listed) = server
            .get_as(&format!("/api/rooms/{room}/hooks"), &admin.access_token)
            .await;
        let hook = listed["hooks"]
            .as_array()
            .and_then(|hooks| hooks.iter().find(|h| h["hookId"] == hook_id).cloned());
        match hook {
            Some(hook) if hook["failures"] == 1 => Ok(hook),
            other => Err(other),
        }
    })
    .await
}

fn run(room: &str, command: &str, text: &str) -> ClientMsg {
    ClientMsg::RunCommand {
        room_id: room.into(),
        command: command.into(),
        text: text.into(),
    }
}

#[tokio::test]
async fn an_outgoing_hook_is_called_signed_as_slack_signs_and_its_answer_is_posted_once() {
    let web = Web::start().await;
    web.route(
        "/out",
        Route::new(200, "application/json", r#"{"text":"deploy *started*"}"#),
    );
    let server = server(&[]).await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let room = server.room(&ana, "ops").await;
    let (hook_id, shown) = make(
        &server,
        &ana,
        &room,
        json!({ "name": "deployer", "kind": "outgoing", "url": web.url("/out"), "triggerWords": ["deploy"] }),
    )
    .await;
    let (token, secret) = (
        shown["token"].as_str().unwrap().to_owned(),
        shown["signingSecret"].as_str().unwrap().to_owned(),
    );
    let mut bob_socket = Client::join(&server, &room, &bob).await;
    said(&mut bob_socket, &room, "deploy prod", "m-1").await;

    // The answer comes back as the hook's bot; being a bot's, it calls nothing again,
    // though it starts with the trigger word.
    let reply = message_from(&mut bob_socket, &hook_id).await;
    assert_eq!(
        (reply.text.as_str(), reply.username.as_str()),
        ("deploy **started**", "deployer")
    );
    assert!(reply.bot.is_some());
    said(&mut bob_socket, &room, "anything else", "m-2").await;
    let seen = web.seen_at("/out");
    assert_eq!(seen.len(), 1, "one call, no loop");
    let call = &seen[0];
    assert_eq!(call.method, "POST");
    assert!(signed_by(call, &secret), "{:?}", call.headers);
    let fields = form(&call.body);
    for (key, value) in [
        ("token", token.as_str()),
        ("channel_id", room.as_str()),
        ("channel_name", "ops"),
        ("user_id", bob.user_id.as_str()),
        ("user_name", "bob"),
        ("text", "deploy prod"),
        ("trigger_word", "deploy"),
    ] {
        assert_eq!(
            fields.get(key).map(String::as_str),
            Some(value),
            "{key}: {fields:?}"
        );
    }
    assert!(fields["timestamp"].contains('.'), "{fields:?}");
}

#[tokio::test]
async fn a_slow_or_failing_program_never_holds_a_message_up_and_its_failure_shows_to_admins() {
    let web = Web::start().await;
    web.route(
        "/slow",
        Route::new(200, "application/json", r#"{"text":"done thinking"}"#)
            .slow(Duration::from_millis(2_500)),
    );
    web.route("/fail", Route::new(500, "text/plain", "boom"));
    let server = server(&[]).await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let room = server.room(&ana, "ops").await;
    let (slow_id, _) = make(
        &server,
        &ana,
        &room,
        json!({ "name": "slowbot", "kind": "outgoing", "url": web.url("/slow"), "triggerWords": ["think"] }),
    )
    .await;
    let (fail_id, _) = make(
        &server,
        &ana,
        &room,
        json!({ "name": "failbot", "kind": "outgoing", "url": web.url("/fail"), "triggerWords": ["break"] }),
    )
    .await;
    let mut bob_socket = Client::join(&server, &room, &bob).await;

    said(&mut bob_socket, &room, "think hard", "m-1").await;
    // The next message is stored, acked and delivered while the program still thinks.
    bob_socket
        .send(&ClientMsg::text(&room, "meanwhile", "m-2"))
        .await;
    let first = bob_socket
        .recv_until(|m| {
            matches!(m, ServerMsg::MessageAck(ack) if ack.client_msg_id == "m-2")
                || matches!(m, ServerMsg::Event(RoomEvent::NewMessage(m)) if m.user_id == slow_id)
        })
        .await;
    assert!(
        matches!(first, ServerMsg::MessageAck(_)),
        "the answer came first: {first:?}"
    );
    let answer = message_from(&mut bob_socket, &slow_id).await;
    assert_eq!(answer.text, "done thinking");

    // A failing program is tried three times, then its admins see why on the hook.
    said(&mut bob_socket, &room, "break it", "m-3").await;
    until(
        "the failing hook is tried three times",
        async || match web.seen_at("/fail").len() {
            3 => Ok(()),
            n => Err(n),
        },
    )
    .await;
    let listed = failed_once(&server, &ana, &room, &fail_id).await;
    assert_eq!(listed["lastError"], "answered 500", "{listed}");
    assert!(!listed.to_string().contains("signingSecret"), "{listed}");
}

#[tokio::test]
async fn a_registered_command_answers_its_asker_alone_or_the_room_now_and_later() {
    let web = Web::start().await;
    web.route(
        "/cmd",
        Route::new(
            200,
            "application/json",
            r#"{"response_type":"ephemeral","text":"Deploying *prod*"}"#,
        ),
    );
    let server = server(&[]).await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let room = server.room(&ana, "ops").await;
    let (hook_id, shown) = make(
        &server,
        &ana,
        &room,
        json!({ "name": "Deployer", "kind": "command", "command": "/deploy", "url": web.url("/cmd"), "description": "Deploys a build" }),
    )
    .await;
    let secret = shown["signingSecret"].as_str().unwrap().to_owned();
    let mut ana_socket = Client::join(&server, &room, &ana).await;
    let mut bob_socket = Client::join(&server, &room, &bob).await;
    // A member's composer lists it; someone not in the room is not told.
    let (status, listed) = server
        .get_as(&format!("/api/rooms/{room}/commands"), &bob.access_token)
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        listed["commands"],
        json!([{ "command": "/deploy", "description": "Deploys a build" }])
    );
    let cyd = server.register("Cyd").await;
    let (status, _) = server
        .get_as(&format!("/api/rooms/{room}/commands"), &cyd.access_token)
        .await;
    assert_eq!(status, 403);

    bob_socket.send(&run(&room, "/deploy", "prod")).await;
    let ephemeral = bob_socket
        .recv_until(|m| matches!(m, ServerMsg::Ephemeral(_)))
        .await;
    let ServerMsg::Ephemeral(frame::Ephemeral { text, username, .. }) = ephemeral else {
        unreachable!()
    };
    assert_eq!(
        (text.as_str(), username.as_str()),
        ("Deploying **prod**", "Deployer")
    );
    let call = web.seen_at("/cmd").remove(0);
    assert!(signed_by(&call, &secret));
    let fields = form(&call.body);
    assert_eq!(fields["command"], "/deploy");
    assert_eq!(fields["text"], "prod");
    assert_eq!(fields["user_name"], "bob");
    let response_url = fields["response_url"].clone();
    assert!(
        response_url.starts_with(&server.http_url(&format!("/api/commands/{room}/"))),
        "{response_url}"
    );

    // Later, through the response_url: in the channel, both see it.
    let later = reqwest::Client::new()
        .post(&response_url)
        .json(&json!({ "response_type": "in_channel", "text": "prod is live" }))
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), 200);
    for socket in [&mut ana_socket, &mut bob_socket] {
        let posted = message_from(socket, &hook_id).await;
        assert_eq!(posted.text, "prod is live");
    }
    // Ana never got Bob's ephemeral: her socket saw the room's message and nothing for
    // Bob alone before it.
    said(&mut ana_socket, &room, "thanks", "a-1").await;

    // An answer in the channel straight away.
    web.route(
        "/cmd",
        Route::new(
            200,
            "application/json",
            r#"{"response_type":"in_channel","text":"rolled back"}"#,
        ),
    );
    bob_socket.send(&run(&room, "/deploy", "rollback")).await;
    assert_eq!(
        message_from(&mut ana_socket, &hook_id).await.text,
        "rolled back"
    );

    // A command the room has not is refused, and the socket goes on.
    bob_socket.send(&run(&room, "/nope", "")).await;
    let refused = bob_socket.recv_until(|m| error_code(m).is_some()).await;
    assert_eq!(error_code(&refused), Some(ErrorCode::NotFound));
    said(&mut bob_socket, &room, "still here", "b-9").await;
}

#[tokio::test]
async fn each_budget_and_refusal_of_the_programs_a_room_calls() {
    let web = Web::start().await;
    web.route("/out", Route::new(200, "application/json", "{}"));
    web.route("/cmd", Route::new(200, "text/plain", "noted"));
    let server = server(&[
        ("HOOK_RATE_BURST", 2),
        ("HOOK_RATE_PER_WINDOW", 1),
        ("HOOK_RATE_WINDOW_MS", 600_000),
    ])
    .await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let room = server.room(&ana, "ops").await;
    let path = format!("/api/rooms/{room}/hooks");

    // The outbound policy refuses a private address, and what is not a program's URL.
    for url in [
        "http://10.0.0.1/x",
        "http://localhost/x",
        "ftp://bots.example/x",
    ] {
        let (status, body) = server
            .post_as(
                &path,
                &ana.access_token,
                &json!({ "name": "bad", "kind": "outgoing", "url": url, "triggerWords": ["x"] }),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid")),
            "{url}: {body}"
        );
    }
    let (status, body) = server
        .post_as(
            &path,
            &ana.access_token,
            &json!({ "name": "x", "kind": "webhook" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");

    // A hook past its budget is not called: two calls of three.
    make(
        &server,
        &ana,
        &room,
        json!({ "name": "counter", "kind": "outgoing", "url": web.url("/out"), "triggerWords": ["count"] }),
    )
    .await;
    let mut bob_socket = Client::join(&server, &room, &bob).await;
    for n in 0..3 {
        said(
            &mut bob_socket,
            &room,
            &format!("count {n}"),
            &format!("c-{n}"),
        )
        .await;
    }
    until("two calls reached the program", async || {
        match web.seen_at("/out").len() {
            2 => Ok(()),
            n => Err(n),
        }
    })
    .await;
    said(&mut bob_socket, &room, "after", "c-9").await;
    assert_eq!(
        web.seen_at("/out").len(),
        2,
        "the third was past the budget"
    );

    // An answer longer than the room reads (64 KiB) is a failure its admins see.
    let huge = format!(r#"{{"text":"{}"}}"#, "x".repeat(70 * 1024));
    web.route("/huge", Route::new(200, "application/json", huge));
    let (big_id, _) = make(
        &server,
        &ana,
        &room,
        json!({ "name": "bigbot", "kind": "outgoing", "url": web.url("/huge"), "triggerWords": ["huge"] }),
    )
    .await;
    said(&mut bob_socket, &room, "huge please", "h-1").await;
    let failed = failed_once(&server, &ana, &room, &big_id).await;
    assert_eq!(
        failed["lastError"], "answered with more than 65536 bytes",
        "{failed}"
    );

    // A command answered in plain text is for its asker; its response_url answers five
    // times, then no more.
    make(
        &server,
        &ana,
        &room,
        json!({ "name": "Noter", "kind": "command", "command": "/note", "url": web.url("/cmd") }),
    )
    .await;
    bob_socket.send(&run(&room, "/note", "hi")).await;
    bob_socket
        .recv_until(|m| matches!(m, ServerMsg::Ephemeral(_)))
        .await;
    let fields = form(&web.seen_at("/cmd")[0].body);
    let response_url = fields["response_url"].clone();
    for n in 0..6 {
        let answer = reqwest::Client::new()
            .post(&response_url)
            .json(&json!({ "text": format!("update {n}") }))
            .send()
            .await
            .unwrap();
        let expected = if n < 5 { 200 } else { 404 };
        assert_eq!(answer.status(), expected, "use {n}");
    }
    // A socket of a version before commands is told which version it needs.
    let (mut old, _) = Client::join_on_version(&server, &room, &bob, 7).await;
    old.send(&run(&room, "/note", "")).await;
    let refused = old.recv_until(|m| error_code(m).is_some()).await;
    assert_eq!(error_code(&refused), Some(ErrorCode::VersionRequired));
}
