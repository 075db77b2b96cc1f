//! Attacks at the Worker's HTTP surface (docs/security.md, "At the door"): each test
//! performs one against the real Worker under wrangler dev and sees it fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::{PASSWORD, set_cookie},
    browser::Browser,
    files::png,
    server::Server,
    socket::Client,
    wait::eventually,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg, Status};
use serde_json::{Value, json};

async fn login(server: &Server, username: &str, password: &str) -> u16 {
    server.login(username, password).await.0
}

#[tokio::test]
async fn thirty_guesses_sent_at_once_get_the_limits_worth_of_tries() {
    let server = Server::builder()
        .var("LOGIN_MAX_PER_USERNAME", 5)
        .start()
        .await;
    server.register("Ana").await;
    let guesses = (0..30).map(|i| {
        let server = &server;
        async move { login(server, "ana", &format!("wrong guess {i}")).await }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let tried = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((tried, refused), (5, 25), "{statuses:?}");
    assert_eq!(
        login(&server, "ana", PASSWORD).await,
        429,
        "the right password waits too"
    );
}

#[tokio::test]
async fn an_office_behind_one_address_is_not_locked_out_by_its_own_sign_ins() {
    let server = Server::builder().var("LOGIN_MAX_PER_IP", 3).start().await;
    for name in ["amy", "ben", "cat", "dan", "eve"] {
        server.register(name).await;
    }
    // Each right password gives its attempt back.
    for _ in 0..3 {
        for name in ["amy", "ben", "cat", "dan", "eve"] {
            assert_eq!(login(&server, name, PASSWORD).await, 200, "{name}");
        }
    }
    // Wrong ones do not.
    for name in ["amy", "ben", "cat"] {
        assert_eq!(login(&server, name, "wrong password!").await, 401);
    }
    assert_eq!(login(&server, "dan", PASSWORD).await, 429);
}

#[tokio::test]
async fn registrations_from_one_address_are_throttled() {
    let server = Server::builder()
        .var("REGISTER_MAX_PER_IP", 3)
        .start()
        .await;
    for name in ["amy", "ben", "cat"] {
        server.register(name).await;
    }
    let (status, body) = server
        .post(
            "/api/auth/register",
            &json!({ "username": "dan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate-limited"))
    );
    assert_eq!(
        login(&server, "dan", PASSWORD).await,
        401,
        "no account was made"
    );
}

#[tokio::test]
async fn a_cross_site_form_cannot_sign_a_browser_in() {
    let server = Server::start().await;
    server.register("Mallory").await;
    let body = json!({ "username": "mallory", "password": PASSWORD, "useCookies": true });
    let client = reqwest::Client::new();

    // A form can post `text/plain` across sites without a preflight.
    let form = client
        .post(server.http_url("/api/auth/login"))
        .header("Content-Type", "text/plain")
        .header("Origin", "https://evil.example")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 403);
    assert_eq!(set_cookie(&form, edgechat_auth::cookie::REFRESH), None);

    // JSON from another site, and a body that is not declared JSON, are refused too.
    let foreign = client
        .post(server.http_url("/api/auth/login"))
        .header("Origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403);
    let error: Value = foreign.json().await.unwrap();
    assert_eq!(error["error"]["code"], "forbidden-origin");
    let undeclared = client
        .post(server.http_url("/api/auth/login"))
        .header("Content-Type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(undeclared.status().as_u16(), 415);
    assert_eq!(
        set_cookie(&undeclared, edgechat_auth::cookie::REFRESH),
        None
    );

    // The app's own pages sign in as before.
    let own = client
        .post(server.http_url("/api/auth/login"))
        .header("Origin", server.http_url("").trim_end_matches('/'))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 200);
    assert!(set_cookie(&own, edgechat_auth::cookie::REFRESH).is_some());
}

/// How many successors of `token` are live.
fn live_successors(server: &Server, token: &str) -> u64 {
    let rows = server.query(&format!(
        "SELECT COUNT(*) AS n FROM refresh_tokens WHERE parent_hash = '{}' AND revoked_at IS NULL",
        edgechat_auth::refresh::digest(token)
    ));
    rows[0]["n"].as_u64().unwrap()
}

#[tokio::test]
async fn a_refresh_token_has_one_live_successor_however_it_is_raced() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;

    // Replayed within the grace window (two tabs at once): both get a session, with the
    // same successor, not a second live one.
    let first = server.refresh(&ana.refresh_token).await.unwrap();
    let second = server.refresh(&ana.refresh_token).await.unwrap();
    assert_eq!(first.refresh_token, second.refresh_token);
    assert_eq!(live_successors(&server, &ana.refresh_token), 1);

    // Many at once: one successor still.
    let racing = (0..10).map(|_| server.refresh(&first.refresh_token));
    let answers = futures_util::future::join_all(racing).await;
    let minted: std::collections::BTreeSet<String> = answers
        .into_iter()
        .map(|answer| answer.unwrap().refresh_token)
        .collect();
    assert_eq!(minted.len(), 1, "{minted:?}");
    assert_eq!(live_successors(&server, &first.refresh_token), 1);
}

#[tokio::test]
async fn a_refresh_racing_a_logout_mints_nothing_that_lives() {
    let server = Server::start().await;
    for round in 0..5 {
        let ana = if round == 0 {
            server.register("Ana").await
        } else {
            server.sign_in("ana", PASSWORD).await
        };
        let refreshes = (0..8).map(|_| server.refresh(&ana.refresh_token));
        let logout = async {
            server
                .post(
                    "/api/auth/logout",
                    &json!({ "refreshToken": ana.refresh_token }),
                )
                .await
        };
        let (answers, (status, _)) =
            tokio::join!(futures_util::future::join_all(refreshes), logout);
        assert_eq!(status, 204);
        for minted in answers.into_iter().flatten() {
            assert!(
                server.refresh(&minted.refresh_token).await.is_err(),
                "a token minted beside a logout outlived it"
            );
        }
    }
}

#[tokio::test]
async fn the_apps_pages_carry_security_headers_and_the_app_runs_under_them() {
    let server = Server::start().await;
    for path in ["/", "/r/lobby", "/style.css", "/boot.js"] {
        let response = reqwest::get(server.http_url(path)).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        for directive in [
            "default-src 'none'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "img-src 'self' blob:",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp:?} lacks {directive}");
        }
        assert!(
            !csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'")
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
    // The whole client runs under that policy: sign up, open a room, talk.
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "lobby", "ana", "Ana", true)
        .await;
    browser
        .type_into("#message-input", "under the policy")
        .await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message .text", "under the policy")
        .await;
}

#[tokio::test]
async fn names_cannot_spoof_and_message_text_keeps_its_own_direction() {
    let server = Server::start().await;
    let (status, body) = server
        .post(
            "/api/auth/register",
            &json!({ "username": "ana", "password": PASSWORD, "displayName": "Ana\u{202E}gnp.exe\u{200B}" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["user"]["displayName"], "Anagnp.exe");
    let token = body["accessToken"].as_str().unwrap().to_owned();
    let response = server
        .request(reqwest::Method::POST, "/api/rooms", &token)
        .json(&json!({ "name": "Team\u{2067} \u{2069}Room" }))
        .send()
        .await
        .unwrap();
    let room: Value = response.json().await.unwrap();
    assert_eq!(room["room"]["name"], "Team Room");
    let response = server
        .request(reqwest::Method::PATCH, "/api/me", &token)
        .json(&json!({ "statusText": "\u{202D}away\u{200F}" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (_, me) = server.get_as("/api/me", &token).await;
    assert_eq!(me["statusText"], "away");

    let ana = server.sign_in("ana", PASSWORD).await;
    let (mut inbox, _) = Client::inbox(&server, &ana).await;
    inbox
        .send(&ClientMsg::StatusChange {
            status: Status::Away,
            status_text: Some("o\u{202E}ut".into()),
        })
        .await;
    let shown = inbox
        .recv_until_any(|m| {
            matches!(
                m,
                ServerMsg::UserStatus(frame::UserStatus {
                    status: Status::Away,
                    ..
                })
            )
        })
        .await;
    let ServerMsg::UserStatus(frame::UserStatus { status_text, .. }) = shown else {
        unreachable!()
    };
    assert_eq!(status_text.as_deref(), Some("out"));

    // Message text keeps what it was sent with, shown in its own isolated direction.
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "lobby", "bob", "Bob", true)
        .await;
    browser.type_into("#message-input", "\u{202E}olleh").await;
    browser.click("#send").await;
    browser
        .wait_until(
            "the message shows, isolated in its own direction",
            "const text = document.querySelector('.message .text'); \
             return !!text && text.textContent.includes('olleh') && text.dir === 'auto' \
               && getComputedStyle(text).unicodeBidi === 'isolate';",
        )
        .await;
}

#[tokio::test]
async fn the_first_admin_is_named_not_raced_for() {
    const TOKEN: &str = "a-long-bootstrap-token-1234567890";
    let server = Server::builder()
        .var("FIRST_ACCOUNT_IS_ADMIN", 0)
        .var("ADMIN_BOOTSTRAP_TOKEN", TOKEN)
        .start()
        .await;
    let register = |username: &'static str, token: Option<&'static str>| {
        let server = &server;
        async move {
            let mut body = json!({ "username": username, "password": PASSWORD });
            if let Some(token) = token {
                body["adminToken"] = json!(token);
            }
            let (status, body) = server.post("/api/auth/register", &body).await;
            assert_eq!(status, 201, "{body}");
            body["user"]["role"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(
        register("first", None).await,
        "user",
        "finding the deployment first gives nothing"
    );
    assert_eq!(
        register("guess", Some("a-wrong-guess-of-the-token")).await,
        "user"
    );
    assert_eq!(register("owner", Some(TOKEN)).await, "admin");
    assert_eq!(
        register("later", Some(TOKEN)).await,
        "user",
        "the token makes one admin"
    );
}

#[tokio::test]
async fn uploads_have_an_hourly_quota_per_user() {
    let server = Server::builder()
        .var("UPLOAD_FILES_PER_HOUR", 3)
        .var("UPLOAD_BYTES_PER_HOUR", 1_000_000)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    server.room(&ana, "lobby").await;
    let _bob = Client::join(&server, "lobby", &bob).await;
    let image = png(8, 8, [1, 2, 3]);
    for i in 0..3 {
        server
            .uploaded(&ana.access_token, "lobby", &format!("{i}.png"), &image)
            .await;
    }
    let (status, body) = server
        .upload(&ana.access_token, "lobby", "3.png", &image, None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate-limited"))
    );
    assert_eq!(
        server.r2_blobs(),
        3,
        "nothing of the refused upload was stored"
    );
    // Another user's hour is their own.
    server
        .uploaded(&bob.access_token, "lobby", "b.png", &image)
        .await;

    // Bytes count too: one large file takes the rest of the hour.
    let big = png(600, 500, [9, 9, 9]);
    assert!(big.len() > 2_000);
    let server = Server::builder()
        .var("UPLOAD_BYTES_PER_HOUR", big.len() + 100)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    server
        .uploaded(&ana.access_token, "lobby", "big.png", &big)
        .await;
    let (status, _) = server
        .upload(&ana.access_token, "lobby", "more.png", &big, None)
        .await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn bytes_left_in_r2_by_a_crash_before_d1_are_removed() {
    let server = Server::builder()
        .var("FAULT_UPLOAD_CRASH", 1)
        .var("UPLOAD_INTENT_TTL_MS", 500)
        .start()
        .await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    let (status, _) = server
        .upload(
            &ana.access_token,
            "lobby",
            "lost.png",
            &png(8, 8, [4, 5, 6]),
            None,
        )
        .await;
    assert_eq!(status, 500, "the injected crash");
    assert_eq!(
        server.r2_blobs(),
        1,
        "the bytes were stored, and nothing records them in D1"
    );
    assert_eq!(server.count("files"), 0);
    eventually("the room's alarm removes the abandoned bytes", async || {
        server.r2_blobs() == 0
    })
    .await;
}
