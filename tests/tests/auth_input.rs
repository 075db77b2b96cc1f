//! Sign-in under bad input: same answers for unknown users, throttling, malformed bodies, CORS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use edgechat_e2e::{account::PASSWORD, server::Server};
use serde_json::{Value, json};

/// The median time of `runs` logins.
async fn login_time(server: &Server, username: &str, runs: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let (status, _) = server.login(username, "wrong password!").await;
        times.push(start.elapsed());
        assert_eq!(status, 401);
    }
    times.sort();
    times[runs / 2]
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_look_the_same() {
    let server = Server::builder()
        .var("LOGIN_MAX_PER_USERNAME", 100)
        .start()
        .await;
    server.register("Ana").await;
    let (s1, wrong) = server.login("ana", "wrong password!").await;
    let (s2, unknown) = server.login("nobody", "wrong password!").await;
    assert_eq!((s1, s2), (401, 401));
    // The same body for both, but for each request's own id.
    let without_id = |mut body: serde_json::Value| {
        body["error"].as_object_mut().unwrap().remove("requestId");
        body
    };
    assert_eq!(
        without_id(wrong.clone()),
        without_id(unknown),
        "the same body for both"
    );
    assert_eq!(wrong["error"]["code"], "invalid-credentials");

    // Both run the same key derivation: without it an unknown user would answer many
    // times faster. The bound is loose; this machine is shared.
    let known = login_time(&server, "ana", 5).await;
    let missing = login_time(&server, "nobody", 5).await;
    let ratio = missing.as_secs_f64() / known.as_secs_f64();
    println!("login with a wrong password: {known:?}; unknown user: {missing:?}; ratio {ratio:.2}");
    assert!(
        ratio > 0.4,
        "an unknown user answers {ratio:.2}× as fast as a known one"
    );
}

#[tokio::test]
async fn logins_are_throttled_per_username_with_retry_after() {
    let server = Server::builder()
        .var("LOGIN_MAX_PER_USERNAME", 3)
        .start()
        .await;
    server.register("Ana").await;
    for _ in 0..3 {
        assert_eq!(server.login("ana", "wrong password!").await.0, 401);
    }
    let response = reqwest::Client::new()
        .post(server.http_url("/api/auth/login"))
        .json(&json!({"username": "ANA", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        429,
        "even the right password waits, in any case"
    );
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["code"],
        "rate-limited"
    );
    // Another user is not affected.
    server.register("Bob").await;
    assert_eq!(server.login("bob", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn logins_are_throttled_per_address_across_usernames() {
    let server = Server::builder().var("LOGIN_MAX_PER_IP", 4).start().await;
    for name in ["amy", "ben", "cat", "dan"] {
        assert_eq!(server.login(name, "wrong password!").await.0, 401);
    }
    assert_eq!(server.login("eve", "wrong password!").await.0, 429);
}

#[tokio::test]
async fn malformed_and_overlong_input_is_refused_and_nothing_is_stored() {
    let server = Server::start().await;
    let client = reqwest::Client::new();
    let post_raw = |path: &str, body: Vec<u8>| {
        client
            .post(server.http_url(path))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "/api/auth/register",
            b"{\"username\":\"ana\xff\xfe\",\"password\":\"correct horse\"}".to_vec(),
            400,
            "bad-request",
        ),
        (
            "/api/auth/register",
            br#"{"username":42,"password":"correct horse"}"#.to_vec(),
            400,
            "bad-request",
        ),
        (
            "/api/auth/register",
            br#"{"username":"ana","password":["x"]}"#.to_vec(),
            400,
            "bad-request",
        ),
        (
            "/api/auth/register",
            br#"not json"#.to_vec(),
            400,
            "bad-request",
        ),
        (
            "/api/auth/register",
            json!({"username": "a".repeat(33), "password": PASSWORD})
                .to_string()
                .into_bytes(),
            400,
            "too-long",
        ),
        (
            "/api/auth/register",
            json!({"username": "ana", "password": "p".repeat(129)})
                .to_string()
                .into_bytes(),
            400,
            "too-long",
        ),
        (
            "/api/auth/register",
            json!({"username": "ana", "password": "short"})
                .to_string()
                .into_bytes(),
            400,
            "too-short",
        ),
        (
            "/api/auth/register",
            json!({"username": "<script>", "password": PASSWORD})
                .to_string()
                .into_bytes(),
            400,
            "invalid",
        ),
        (
            "/api/auth/register",
            json!({"username": "ana", "password": PASSWORD, "displayName": "x".repeat(200)})
                .to_string()
                .into_bytes(),
            400,
            "too-long",
        ),
        (
            "/api/auth/login",
            json!({"username": "a".repeat(10_000), "password": PASSWORD})
                .to_string()
                .into_bytes(),
            400,
            "too-long",
        ),
        (
            "/api/auth/login",
            json!({"username": "ana", "password": "p".repeat(10_000)})
                .to_string()
                .into_bytes(),
            400,
            "too-long",
        ),
        ("/api/auth/login", vec![b'{'; 20_000], 413, "too-large"),
    ];
    for (path, body, status, code) in cases {
        let response = post_raw(path, body).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }
    assert_eq!(
        server.count("users"),
        0,
        "no refused registration stored anything"
    );
    assert_eq!(server.count("refresh_tokens"), 0);

    server.register("Ana").await;
    let (status, body) = server
        .post(
            "/api/auth/register",
            &json!({"username": "ANA", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("username-taken"))
    );
    assert_eq!(server.count("users"), 1);
}

#[tokio::test]
async fn the_api_is_same_origin_unless_an_origin_is_listed() {
    let server = Server::builder()
        .var("CORS_ORIGINS", "https://app.example.org")
        .start()
        .await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, server.http_url("/api/auth/login"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .send()
    };
    let listed = preflight("https://app.example.org").await.unwrap();
    assert_eq!(listed.status(), 204);
    assert_eq!(
        listed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert_eq!(
        preflight("https://evil.example").await.unwrap().status(),
        403
    );

    let get = |origin: &'static str| {
        client
            .get(server.http_url("/api/health"))
            .header("Origin", origin)
            .send()
    };
    let allowed = get("https://app.example.org").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    let other = get("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
