//! Web Push end to end: a browser's subscription (keys made here) registered over HTTP;
//! a mention or a direct message to a user with no socket open pushed to the harness's
//! push endpoint, encrypted so only that browser reads it and signed with the server's
//! VAPID key; nothing pushed while a socket is open; a device unsubscribed, or answered
//! 410 by its push service, forgotten; subscriptions checked, capped and rate limited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::Session,
    push::{Device, verify_vapid},
    server::Server,
    socket::Client,
    wait::eventually,
    web::{Route, Seen, Web},
};
use edgechat_protocol::frame;
use edgechat_protocol::{
    ClientMsg, ServerMsg,
    push::{PushKind, PushMessage},
};
use serde_json::{Value, json};

async fn server() -> Server {
    Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .var("ARCHIVE_DELAY_MS", 100)
        .start()
        .await
}

/// A push endpoint that accepts (201) at `path`.
fn endpoint(web: &Web, path: &str) -> String {
    web.route(path, Route::new(201, "text/plain", ""));
    web.url(path)
}

async fn subscribe(
    server: &Server,
    who: &Session,
    device: &Device,
    endpoint: &str,
) -> (u16, Value) {
    server
        .post_as(
            "/api/push/subscriptions",
            &who.access_token,
            &device.subscription(endpoint),
        )
        .await
}

async fn public_key(server: &Server, who: &Session) -> String {
    let (status, body) = server.get_as("/api/push/key", &who.access_token).await;
    assert_eq!(status, 200, "{body}");
    body["publicKey"].as_str().unwrap().to_owned()
}

/// Sends `text` to `room` and waits for its ack.
async fn say(client: &mut Client, room: &str, text: &str, id: &str) {
    client.send(&ClientMsg::text(room, text, id)).await;
    let answer = client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::MessageAck(frame::MessageAck { .. })
                    | ServerMsg::Error(frame::Error { .. })
            )
        })
        .await;
    assert!(
        matches!(answer, ServerMsg::MessageAck(frame::MessageAck { .. })),
        "{answer:?}"
    );
}

/// The pushes `path` has received, once there are `n`.
async fn pushes(web: &Web, path: &str, n: usize) -> Vec<Seen> {
    eventually(&format!("{n} push(es) reach {path}"), async || {
        web.seen_at(path).len() >= n
    })
    .await;
    web.seen_at(path)
}

/// What `device` reads in `push`, after checking it is a Web Push request from this
/// server: encrypted, signed, kept a day at most, one topic per room.
fn read(push: &Seen, device: &Device, key: &str, web: &Web) -> PushMessage {
    assert_eq!(push.method, "POST");
    assert_eq!(push.headers["content-encoding"], "aes128gcm");
    assert_eq!(push.headers["ttl"], "86400");
    assert_eq!(push.headers["urgency"], "high");
    assert!(push.headers["topic"].len() <= 32);
    verify_vapid(
        &push.headers["authorization"],
        key,
        &format!("http://127.0.0.1:{}", web.port),
    );
    serde_json::from_slice(&device.open(&push.body)).expect("a push message")
}

#[tokio::test]
async fn a_mention_of_a_user_with_no_socket_open_reaches_each_device_encrypted_for_it() {
    let web = Web::start().await;
    let server = server().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    Client::join(&server, "lobby", &bob).await.leave().await;
    let (laptop, phone) = (Device::new(), Device::new());
    assert_eq!(
        subscribe(&server, &bob, &laptop, &endpoint(&web, "/push/laptop"))
            .await
            .0,
        201
    );
    assert_eq!(
        subscribe(&server, &bob, &phone, &endpoint(&web, "/push/phone"))
            .await
            .0,
        201
    );
    let key = public_key(&server, &bob).await;

    let mut ana_room = Client::join(&server, "lobby", &ana).await;
    say(&mut ana_room, "lobby", "@bob the deploy is green", "a-1").await;

    for (path, device) in [("/push/laptop", &laptop), ("/push/phone", &phone)] {
        let seen = pushes(&web, path, 1).await;
        let message = read(&seen[0], device, &key, &web);
        assert_eq!(message.kind, PushKind::Mention);
        assert_eq!(message.room_id, "lobby");
        assert_eq!(message.from, "Ana");
        assert_eq!(message.excerpt, "@bob the deploy is green");
        // Only this device can read it: the other's keys do not open it.
        let other = if path == "/push/laptop" {
            &phone
        } else {
            &laptop
        };
        let refused =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| other.open(&seen[0].body)));
        assert!(refused.is_err(), "another device read {path}'s push");
    }
    // Ana, who sent it, has no devices and is pushed nothing; Bob's push was sent once.
    assert_eq!(web.seen_at("/push/laptop").len(), 1);
}

#[tokio::test]
async fn a_direct_message_is_pushed_only_while_no_socket_of_the_user_is_open() {
    let web = Web::start().await;
    let server = server().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    let (status, created) = server
        .post_as(
            "/api/rooms/direct",
            &ana.access_token,
            &json!({ "userId": bob.user_id }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let room = created["room"]["roomId"].as_str().unwrap().to_owned();
    Client::join(&server, &room, &bob).await.leave().await;
    let device = Device::new();
    assert_eq!(
        subscribe(&server, &bob, &device, &endpoint(&web, "/push/bob"))
            .await
            .0,
        201
    );
    let key = public_key(&server, &bob).await;
    let mut ana_room = Client::join(&server, &room, &ana).await;

    // Bob's app is open (his inbox socket): he is told there, not pushed.
    let (mut inbox, _) = Client::inbox(&server, &bob).await;
    say(&mut ana_room, &room, "are you around?", "a-1").await;
    inbox
        .recv_until(|m| matches!(m, ServerMsg::Notification(frame::Notification { .. })))
        .await;
    inbox.leave().await;

    // Now he is gone: each direct message is pushed, with who sent it and what it says.
    say(&mut ana_room, &room, "lunch at noon?", "a-2").await;
    let seen = pushes(&web, "/push/bob", 1).await;
    let message = read(&seen[0], &device, &key, &web);
    assert_eq!(message.kind, PushKind::Direct);
    assert_eq!(
        (message.room_id.as_str(), message.from.as_str()),
        (room.as_str(), "Ana")
    );
    assert_eq!(message.excerpt, "lunch at noon?");
    say(&mut ana_room, &room, "I'll book a table", "a-3").await;
    let seen = pushes(&web, "/push/bob", 2).await;
    assert_eq!(
        read(&seen[1], &device, &key, &web).excerpt,
        "I'll book a table"
    );
    // The message sent while his app was open was never pushed.
    assert_eq!(seen.len(), 2);
}

#[tokio::test]
async fn a_device_unsubscribed_or_gone_from_its_push_service_is_forgotten() {
    let web = Web::start().await;
    let server = server().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    Client::join(&server, "lobby", &bob).await.leave().await;
    let (kept, turned_off, gone) = (Device::new(), Device::new(), Device::new());
    let kept_url = endpoint(&web, "/push/kept");
    let off_url = endpoint(&web, "/push/off");
    web.route("/push/gone", Route::new(410, "text/plain", "gone"));
    for (device, url) in [
        (&kept, &kept_url),
        (&turned_off, &off_url),
        (&gone, &web.url("/push/gone")),
    ] {
        assert_eq!(subscribe(&server, &bob, device, url).await.0, 201);
    }
    // The setting turned off on one device: it unsubscribes.
    let (status, _) = server
        .delete_as(
            "/api/push/subscriptions",
            &bob.access_token,
            &json!({ "endpoint": off_url }),
        )
        .await;
    assert_eq!(status, 204);
    // Someone else cannot unsubscribe Bob's device.
    let (status, _) = server
        .delete_as(
            "/api/push/subscriptions",
            &ana.access_token,
            &json!({ "endpoint": kept_url }),
        )
        .await;
    assert_eq!(status, 204);

    let mut ana_room = Client::join(&server, "lobby", &ana).await;
    say(&mut ana_room, "lobby", "@bob ping", "a-1").await;
    pushes(&web, "/push/kept", 1).await;
    pushes(&web, "/push/gone", 1).await;
    eventually(
        "the device its push service no longer knows is forgotten",
        async || {
            server
                .query("SELECT endpoint FROM push_subscriptions")
                .iter()
                .all(|row| row["endpoint"] != web.url("/push/gone").as_str())
        },
    )
    .await;
    let left: Vec<Value> = server.query("SELECT endpoint FROM push_subscriptions");
    assert_eq!(left, vec![json!({ "endpoint": kept_url })]);
    // Pushes to every device go out together: by the time the others arrived, the
    // unsubscribed one would have too.
    assert!(web.seen_at("/push/off").is_empty());
}

#[tokio::test]
async fn subscriptions_are_checked_capped_and_rate_limited() {
    let web = Web::start().await;
    let server = Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .start()
        .await;
    let bob = server.register("Bob").await;
    let device = Device::new();
    let code = |body: &Value| {
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // Not signed in: 401.
    let (status, _) = server
        .post_as(
            "/api/push/subscriptions",
            "not-a-token",
            &device.subscription(&web.url("/p")),
        )
        .await;
    assert_eq!(status, 401);
    // The outbound policy: push endpoints are https, public and on the default port.
    for endpoint in [
        "http://push.example.com/send/1",
        "https://10.0.0.7/send/1",
        "https://localhost/send/1",
        "https://push.example.com:8443/send/1",
        "https://user:pw@push.example.com/send/1",
        "not a url",
    ] {
        let (status, body) = subscribe(&server, &bob, &device, endpoint).await;
        assert_eq!(
            (status, code(&body)),
            (400, "invalid".to_owned()),
            "{endpoint}: {body}"
        );
    }
    let long = format!("https://push.example.com/{}", "a".repeat(1100));
    assert_eq!(subscribe(&server, &bob, &device, &long).await.0, 400);
    // Keys a browser would never give.
    let mut bad = device.subscription("https://push.example.com/send/1");
    bad["keys"]["p256dh"] = json!("AAAA");
    let (status, body) = server
        .post_as("/api/push/subscriptions", &bob.access_token, &bad)
        .await;
    assert_eq!((status, code(&body)), (400, "invalid".to_owned()), "{body}");
    let mut bad = device.subscription("https://push.example.com/send/1");
    bad["keys"]["auth"] = json!("c2hvcnQ");
    assert_eq!(
        server
            .post_as("/api/push/subscriptions", &bob.access_token, &bad)
            .await
            .0,
        400
    );
    let (status, body) = server
        .post_as(
            "/api/push/subscriptions",
            &bob.access_token,
            &json!({ "endpoint": "https://push.example.com/x" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (400, "bad-request".to_owned()),
        "{body}"
    );
    assert_eq!(server.count("push_subscriptions"), 0);

    // At most ten devices: the eleventh replaces the oldest.
    for i in 0..11 {
        let url = format!("https://push.example.com/send/{i}");
        assert_eq!(subscribe(&server, &bob, &Device::new(), &url).await.0, 201);
    }
    let rows = server.query("SELECT endpoint FROM push_subscriptions ORDER BY created_at");
    assert_eq!(rows.len(), 10);
    assert!(
        rows.iter()
            .all(|r| r["endpoint"] != "https://push.example.com/send/0")
    );
    // Subscribing is a write anyone signed in can repeat: twenty an hour.
    let mut refused = None;
    for i in 11..40 {
        let url = format!("https://push.example.com/send/{i}");
        let (status, body) = subscribe(&server, &bob, &device, &url).await;
        if status != 201 {
            refused = Some((status, code(&body)));
            break;
        }
    }
    assert_eq!(refused, Some((429, "rate-limited".to_owned())));
}

#[tokio::test]
async fn a_server_without_a_vapid_key_says_push_is_unavailable() {
    let server = Server::builder().var("VAPID_PRIVATE_JWK", "").start().await;
    let bob = server.register("Bob").await;
    let (status, body) = server.get_as("/api/push/key", &bob.access_token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
    let (status, _) = subscribe(
        &server,
        &bob,
        &Device::new(),
        "https://push.example.com/send/1",
    )
    .await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn a_disabled_account_loses_its_devices() {
    let web = Web::start().await;
    let server = server().await;
    let (admin, bob) = (server.register("Ada").await, server.register("Bob").await);
    let device = Device::new();
    assert_eq!(
        subscribe(&server, &bob, &device, &endpoint(&web, "/push/bob"))
            .await
            .0,
        201
    );
    let (status, _) = server
        .post_as(
            &format!("/api/admin/users/{}/disable", bob.user_id),
            &admin.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    // With its sockets closed, every mention of it would be pushed otherwise.
    assert_eq!(server.count("push_subscriptions"), 0);
}
