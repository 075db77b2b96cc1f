//! Identity under attack and bad input, against the real Worker: each case is refused
//! with its documented status or close code, and nothing is stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use edgechat_auth::token::{self, AUDIENCE, AccessClaims, ISSUER};
use edgechat_e2e::{
    account::PASSWORD,
    server::Server,
    socket::{Client, attempt_upgrade},
};
use edgechat_protocol::{ClientMsg, ErrorCode, ServerMsg, close};
use serde_json::{Value, json};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// What a request with `token` gets from `/api/me` and from a room upgrade.
async fn refused_everywhere(server: &Server, token: &str) -> (u16, Value, u16) {
    let (status, body) = server.get_as("/api/me", token).await;
    let bearer = format!("Bearer {token}");
    let (upgrade, _) =
        attempt_upgrade(server, "/api/rooms/lobby/ws", &[("Authorization", &bearer)]).await;
    (status, body, upgrade)
}

#[tokio::test]
async fn tokens_that_are_not_exactly_ours_are_refused() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let claims = |aud: &str| AccessClaims {
        sub: ana.user_id.clone(),
        name: "Ana".into(),
        adm: true,
        iss: ISSUER.into(),
        aud: aud.into(),
    };
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(
        serde_json::to_string(&json!({"sub": ana.user_id, "name": "Ana", "adm": true, "iss": ISSUER, "aud": AUDIENCE, "exp": now_ms() / 1000 + 600})).unwrap(),
    );
    let hs384 = {
        use jwt_compact::{
            AlgorithmExt, Claims, Header, TimeOptions,
            alg::{Hs384, Hs384Key},
        };
        let claims = Claims::new(claims(AUDIENCE)).set_duration_and_issuance(
            &TimeOptions::new(chrono::Duration::zero(), chrono::Utc::now),
            chrono::Duration::minutes(5),
        );
        Hs384
            .token(
                &Header::empty(),
                &claims,
                &Hs384Key::new(server.jwt_secret()),
            )
            .unwrap()
    };
    let cases = [
        (
            "forged signature",
            token::issue(
                b"not the server's secret, but long enough",
                &ana.user_id,
                "Ana",
                true,
                now_ms(),
                600_000,
            ),
        ),
        ("alg none", format!("{header}.{body}.")),
        ("another algorithm", hs384),
        (
            "expired",
            token::issue(
                server.jwt_secret(),
                &ana.user_id,
                "Ana",
                false,
                now_ms() - 7_200_000,
                600_000,
            ),
        ),
        (
            "another audience",
            token::issue_claims(
                server.jwt_secret(),
                claims("someone-else"),
                now_ms(),
                600_000,
            ),
        ),
        ("garbage", "not.a.token".into()),
    ];
    for (case, bad) in cases {
        let (status, body, upgrade) = refused_everywhere(&server, &bad).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{case}");
        assert_eq!(upgrade, 401, "{case}: the upgrade");
    }
    // The real token still works.
    assert_eq!(server.get_as("/api/me", &ana.access_token).await.0, 200);
}

#[tokio::test]
async fn an_upgrade_without_a_token_is_refused_and_client_identity_headers_are_ignored() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let claim = serde_json::to_string(
        &json!({"userId": ana.user_id, "username": "Ana", "globalAdmin": true}),
    )
    .unwrap();
    let (status, body) = attempt_upgrade(
        &server,
        "/api/rooms/lobby/ws",
        &[("X-Edgechat-Member", &claim)],
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");

    // With Bob's token and a header claiming to be Ana, the room sees Bob.
    let bob = server.register("Bob").await;
    let mut watcher = Client::join(&server, "lobby", &ana).await;
    let (mut sneaky, _) = {
        let mut request =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
                server.ws_url("/api/rooms/lobby/ws"),
            )
            .unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "Authorization",
            format!("Bearer {}", bob.access_token).parse().unwrap(),
        );
        headers.insert("X-Edgechat-Member", claim.parse().unwrap());
        tokio_tungstenite::connect_async(request).await.unwrap()
    };
    use futures_util::SinkExt;
    let frame = json!({"type": "send-message", "roomId": "lobby", "text": "who am I", "clientMsgId": "x-1"});
    sneaky
        .send(tokio_tungstenite::tungstenite::Message::text(
            frame.to_string(),
        ))
        .await
        .unwrap();
    let seen = watcher
        .recv_until(|m| matches!(m, ServerMsg::NewMessage(_)))
        .await;
    let ServerMsg::NewMessage(message) = seen else {
        unreachable!()
    };
    assert_eq!(message.user_id, bob.user_id);
    assert_eq!(message.username, "Bob");
}

#[tokio::test]
async fn a_disabled_account_stops_working_at_once() {
    let server = Server::start().await;
    let admin = server.register("Ana").await; // the first account is the global admin
    let bob = server.register("Bob").await;
    let client = reqwest::Client::new();
    let disable = |who: &str| {
        client
            .post(server.http_url(&format!("/api/admin/users/{who}/disable")))
            .bearer_auth(&admin.access_token)
            .send()
    };
    let by_member = client
        .post(server.http_url(&format!("/api/admin/users/{}/disable", admin.user_id)))
        .bearer_auth(&bob.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_member.status(),
        403,
        "only a global admin disables accounts"
    );
    assert_eq!(disable(&bob.user_id).await.unwrap().status(), 204);

    let (status, body) = server.get_as("/api/me", &bob.access_token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("account-disabled"))
    );
    let bearer = format!("Bearer {}", bob.access_token);
    let (upgrade, _) = attempt_upgrade(
        &server,
        "/api/rooms/lobby/ws",
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(upgrade, 403);
    assert!(matches!(
        server.refresh(&bob.refresh_token).await,
        Err((401 | 403, _))
    ));
    let (status, body) = server.login("bob", PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("account-disabled"))
    );
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let server = Server::builder()
        .var("REFRESH_REUSE_GRACE_MS", 1)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let rotated = server.refresh(&ana.refresh_token).await.unwrap();
    assert_ne!(rotated.refresh_token, ana.refresh_token);
    tokio::time::sleep(Duration::from_millis(20)).await;

    let (status, body) = server.refresh(&ana.refresh_token).await.unwrap_err();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("token-reused"))
    );
    // The thief's copy and the owner's newer token are both dead now.
    let (status, _) = server.refresh(&rotated.refresh_token).await.unwrap_err();
    assert_eq!(status, 401);
    // Signing in again starts a new family.
    assert_eq!(server.login("ana", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_stay_signed_in() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let (a, b) = tokio::join!(
        server.refresh(&ana.refresh_token),
        server.refresh(&ana.refresh_token)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(server.refresh(&a.refresh_token).await.is_ok());
    assert!(server.refresh(&b.refresh_token).await.is_ok());
}

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
    assert_eq!(wrong, unknown, "the same body for both");
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
async fn browsers_keep_the_refresh_token_in_a_locked_cookie_and_must_send_the_csrf_header() {
    let server = Server::start().await;
    let response = reqwest::Client::new()
        .post(server.http_url("/api/auth/register"))
        .json(&json!({"username": "ana", "password": PASSWORD, "useCookies": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("refreshToken").is_none(),
        "script never sees it: {body}"
    );
    let refresh = cookies
        .iter()
        .find(|c| c.starts_with("edgechat_refresh="))
        .expect("a refresh cookie");
    let access = cookies
        .iter()
        .find(|c| c.starts_with("edgechat_access="))
        .expect("an access cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(refresh.contains(attr) && access.contains(attr), "{attr}");
    }
    assert!(refresh.contains("Path=/api/auth"));
    assert!(access.contains("Path=/api/files"));

    let pair = refresh.split(';').next().unwrap().to_owned();
    let client = reqwest::Client::new();
    let without = client
        .post(server.http_url("/api/auth/refresh"))
        .header("Cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(
        without.status(),
        403,
        "a cross-site form cannot drive a cookie refresh"
    );
    assert_eq!(
        without.json::<Value>().await.unwrap()["error"]["code"],
        "csrf-required"
    );
    let with = client
        .post(server.http_url("/api/auth/refresh"))
        .header("Cookie", &pair)
        .header("X-Edgechat-Csrf", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);

    // Logout by cookie needs the header too, then the family is gone.
    let rotated = with
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("edgechat_refresh="))
        .unwrap();
    let pair = rotated.split(';').next().unwrap().to_owned();
    let out = client
        .post(server.http_url("/api/auth/logout"))
        .header("Cookie", &pair)
        .header("X-Edgechat-Csrf", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let after = client
        .post(server.http_url("/api/auth/refresh"))
        .header("Cookie", &pair)
        .header("X-Edgechat-Csrf", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn profiles_can_be_read_and_changed() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let response = reqwest::Client::new()
        .patch(server.http_url("/api/me"))
        .bearer_auth(&ana.access_token)
        .json(&json!({"displayName": "  Ana\u{0} Lima ", "statusText": "on call"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["displayName"], "Ana Lima");
    assert_eq!(me["role"], "admin");

    let (status, profile) = server
        .get_as(&format!("/api/users/{}", ana.user_id), &bob.access_token)
        .await;
    assert_eq!(status, 200);
    assert_eq!(profile["statusText"], "on call");
    assert!(
        profile.get("role").is_none() && profile.get("password").is_none(),
        "{profile}"
    );
    assert_eq!(
        server
            .get_as("/api/users/u_nobody", &bob.access_token)
            .await
            .0,
        404
    );
    assert_eq!(
        server
            .get_as(&format!("/api/users/{}", ana.user_id), "")
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn a_socket_is_closed_when_its_token_expires_unless_refreshed_in_place() {
    let server = Server::builder().var("ACCESS_TTL_MS", 4_000).start().await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let mut kept = Client::join(&server, "lobby", &ana).await;
    let mut lapsed = Client::join(&server, "lobby", &bob).await;

    kept.send(&ClientMsg::Authenticate {
        token: "garbage".into(),
    })
    .await;
    match kept
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::Unauthorized),
        _ => unreachable!(),
    }
    // Token expiries are whole seconds: let the fresh one end well after the old one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fresh = server.refresh(&ana.refresh_token).await.unwrap();
    kept.send(&ClientMsg::Authenticate {
        token: fresh.access_token,
    })
    .await;
    let answer = kept
        .recv_until(|m| matches!(m, ServerMsg::Authenticated { .. }))
        .await;
    assert!(matches!(answer, ServerMsg::Authenticated { user_id, .. } if user_id == ana.user_id));

    assert_eq!(lapsed.closed_with().await, Some(close::TOKEN_EXPIRED));
    // Ana's socket outlived Bob's token and still works.
    kept.sync().await;
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
