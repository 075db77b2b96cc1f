//! Signing in with the right password is budgeted too (docs/security.md, "Sign-ins in a
//! loop"): each is a key derivation and a new session in D1, so an account signs in so
//! many times an hour, and holds so many live sessions, the one used longest ago
//! revoked past the cap. Each attack runs against the real Worker under wrangler dev,
//! with the limits set low.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::PASSWORD, server::Server};

/// The live sessions (token families with a token neither rotated nor revoked) of a user.
fn live_sessions(server: &Server, user_id: &str) -> u64 {
    let rows = server.query(&format!(
        "SELECT COUNT(DISTINCT family_id) AS n FROM refresh_tokens
         WHERE user_id = '{user_id}' AND revoked_at IS NULL AND rotated_at IS NULL"
    ));
    rows[0]["n"].as_u64().unwrap()
}

#[tokio::test]
async fn signing_in_with_the_right_password_in_a_loop_is_refused_past_the_hourly_cap() {
    let server = Server::builder().var("SIGN_INS_PER_HOUR", 3).start().await;
    let ana = server.register("Ana").await;
    for i in 0..3 {
        let (status, body) = server.login("ana", PASSWORD).await;
        assert_eq!(status, 200, "sign-in {i}: {body}");
    }
    let response = reqwest::Client::new()
        .post(server.http_url("/api/auth/login"))
        .json(&serde_json::json!({ "username": "ana", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3_600).contains(&retry), "{retry}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate-limited", "{body}");
    // No session was made for the refused one: the sign-up's and three.
    assert_eq!(live_sessions(&server, &ana.user_id), 4);
    // The loop is soon refused before any key derivation: the refused sign-ins stay
    // counted on the username, whose limit (LOGIN_MAX_PER_USERNAME, 5) then holds.
    let mut refused = 0;
    for _ in 0..6 {
        let (status, _) = server.login("ana", PASSWORD).await;
        assert_eq!(status, 429);
        refused += 1;
    }
    assert_eq!(refused, 6);
    // Another account is not touched.
    server.register("Bob").await;
    let (status, _) = server.login("bob", PASSWORD).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn past_the_session_cap_the_session_used_longest_ago_is_revoked() {
    let server = Server::builder().var("MAX_SESSIONS", 3).start().await;
    let ana = server.register("Ana").await;
    let mut sessions = vec![ana.clone()];
    for _ in 0..3 {
        sessions.push(server.sign_in("ana", PASSWORD).await);
    }
    assert_eq!(live_sessions(&server, &ana.user_id), 3);
    // The sign-up's session, the oldest, is gone; the three newest refresh.
    let (status, body) = server
        .refresh(&sessions[0].refresh_token)
        .await
        .unwrap_err();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid-token")),
        "{body}"
    );
    // In use is what counts: each of the three refreshes, the second session first, so
    // it is the one used longest ago when a fifth sign-in comes.
    let mut refreshed = Vec::new();
    for session in &sessions[1..] {
        refreshed.push(server.refresh(&session.refresh_token).await.unwrap());
    }
    server.sign_in("ana", PASSWORD).await;
    assert_eq!(live_sessions(&server, &ana.user_id), 3);
    let (status, _) = server
        .refresh(&refreshed[0].refresh_token)
        .await
        .unwrap_err();
    assert_eq!(status, 401);
    for session in &refreshed[1..] {
        assert!(server.refresh(&session.refresh_token).await.is_ok());
    }
}
