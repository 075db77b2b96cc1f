//! Sessions: disabled accounts, refresh token rotation and reuse, browser cookies, profiles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use edgechat_auth::cookie;
use edgechat_e2e::{
    account::{PASSWORD, set_cookie},
    server::Server,
    socket::attempt_upgrade,
};
use serde_json::{Value, json};

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
    let pair = set_cookie(&response, cookie::REFRESH).expect("a refresh cookie");
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("refreshToken").is_none(),
        "script never sees it: {body}"
    );
    let full = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap()
            .clone()
    };
    let (refresh, access) = (full(cookie::REFRESH), full(cookie::ACCESS));
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(refresh.contains(attr) && access.contains(attr), "{attr}");
    }
    assert!(refresh.contains("Path=/api/auth"));
    assert!(access.contains("Path=/api/files"));

    let without = server.cookie_post("/api/auth/refresh", &pair, false).await;
    assert_eq!(
        without.status(),
        403,
        "a cross-site form cannot drive a cookie refresh"
    );
    assert_eq!(
        without.json::<Value>().await.unwrap()["error"]["code"],
        "csrf-required"
    );
    let with = server.cookie_post("/api/auth/refresh", &pair, true).await;
    assert_eq!(with.status(), 200);

    // Logout by cookie needs the header too; then the family is gone.
    let rotated = set_cookie(&with, cookie::REFRESH).unwrap();
    assert_eq!(
        server
            .cookie_post("/api/auth/logout", &rotated, false)
            .await
            .status(),
        403
    );
    assert_eq!(
        server
            .cookie_post("/api/auth/logout", &rotated, true)
            .await
            .status(),
        204
    );
    assert_eq!(
        server
            .cookie_post("/api/auth/refresh", &rotated, true)
            .await
            .status(),
        401
    );
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
