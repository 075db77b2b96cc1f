//! Attacks that repeat a write at the door until something gives: making rooms in a
//! loop, and replaying a session's refresh chain (docs/security.md, "Flooding other
//! HTTP endpoints"). Each runs against the real Worker under wrangler dev, with the
//! hourly limit set low so the attack reaches it in a few requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, ServerMsg};
use serde_json::{Value, json};

/// POSTs a new room named `name` as `token`: the status, the body and `Retry-After`.
async fn create(server: &Server, token: &str, name: &str) -> (u16, Value, Option<String>) {
    let response = server
        .request(reqwest::Method::POST, "/api/rooms", token)
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, response.json().await.unwrap_or(Value::Null), retry)
}

#[tokio::test]
async fn making_rooms_in_a_loop_is_refused_per_account_on_both_doors() {
    let server = Server::builder()
        .var("ROOMS_CREATED_PER_HOUR", 3)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    for name in ["one", "two", "three"] {
        let (status, body, _) = create(&server, &ana.access_token, name).await;
        assert_eq!(status, 201, "{name}: {body}");
    }
    let (status, body, retry) = create(&server, &ana.access_token, "four").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate-limited", "{body}");
    let retry: u64 = retry.expect("a Retry-After").parse().unwrap();
    assert!((1..=3_600).contains(&retry), "{retry}");
    // Nothing of the refused room was made: nobody can open it.
    let (status, _) = server
        .get_as("/api/rooms/four/messages", &ana.access_token)
        .await;
    assert_ne!(status, 200, "the refused room exists");

    // The inbox socket's `create-room` is the same door, and says how long to wait.
    let (mut inbox, _) = Client::inbox(&server, &ana).await;
    inbox
        .send(&ClientMsg::CreateRoom {
            room_name: "five".into(),
            is_private: false,
            members: vec![],
        })
        .await;
    match inbox
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Error(frame::Error { .. })
                    | ServerMsg::RoomCreated(frame::RoomCreated { .. })
            )
        })
        .await
    {
        ServerMsg::Error(frame::Error {
            code, retry_after, ..
        }) => {
            assert_eq!(code, ErrorCode::RateLimited);
            assert!(retry_after.is_some_and(|ms| ms >= 1_000), "{retry_after:?}");
        }
        other => panic!("the fourth room was made: {other:?}"),
    }
    // The socket stays usable, and the limit is Ana's alone.
    inbox.sync().await;
    let (status, body, _) = create(&server, &bob.access_token, "bobs").await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_replayed_refresh_chain_is_refused_per_session() {
    let server = Server::builder().var("REFRESHES_PER_HOUR", 3).start().await;
    let ana = server.register("Ana").await;
    let mut token = ana.refresh_token.clone();
    for _ in 0..3 {
        token = server.refresh(&token).await.unwrap().refresh_token;
    }
    let (status, body) = server.refresh(&token).await.unwrap_err();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate-limited")),
        "{body}"
    );
    // A refusal is not a revocation: the chain's last token is still the session's, and
    // another session of the same account refreshes as usual.
    let rows = server.query(&format!(
        "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = '{}' AND revoked_at IS NULL",
        ana.user_id
    ));
    assert_eq!(rows[0]["n"], 4, "the sign-up's token and three rotations");
    let other = server.sign_in("ana", edgechat_e2e::account::PASSWORD).await;
    assert!(server.refresh(&other.refresh_token).await.is_ok());
}

#[tokio::test]
async fn what_has_ended_leaves_d1_as_new_rows_come() {
    // Tokens that expire a millisecond after they are made, and throttle windows
    // forgotten a millisecond after they start: every row below has ended by the next
    // request, which a sign-up's key derivation alone makes later.
    let server = Server::builder()
        .var("REFRESH_TTL_MS", 1)
        .var("THROTTLE_FORGET_MS", 1)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let (status, _) = server.login("ana", "not her password").await;
    assert_eq!(status, 401);
    let rows = |sql: &str| server.query(sql).len();
    let anas_tokens = format!(
        "SELECT 1 FROM refresh_tokens WHERE user_id = '{}'",
        ana.user_id
    );
    assert_eq!(rows(&anas_tokens), 1, "the sign-up's token is stored");
    assert_eq!(
        rows("SELECT 1 FROM login_failures WHERE key = 'user:ana'"),
        1
    );

    // Bob's sign-up counts an attempt and stores a token: each sweeps what has ended.
    let bob = server.register("Bob").await;
    assert_eq!(rows(&anas_tokens), 0, "Ana's expired token is still stored");
    assert_eq!(
        rows("SELECT 1 FROM login_failures WHERE key = 'user:ana'"),
        0,
        "Ana's ended window is still stored"
    );
    let bobs_tokens = format!(
        "SELECT 1 FROM refresh_tokens WHERE user_id = '{}'",
        bob.user_id
    );
    assert_eq!(rows(&bobs_tokens), 1, "the new token stays");
}

#[tokio::test]
async fn an_account_holds_only_so_many_inbox_sockets() {
    let server = Server::builder().var("MAX_INBOX_SOCKETS", 2).start().await;
    let ana = server.register("Ana").await;
    let (mut first, _) = Client::inbox(&server, &ana).await;
    let (mut second, _) = Client::inbox(&server, &ana).await;
    let (mut third, _) = Client::inbox(&server, &ana).await;
    assert_eq!(
        first.closed_with().await,
        Some(edgechat_protocol::close::TOO_MANY_SOCKETS)
    );
    // The two newest still answer.
    second.sync().await;
    third.sync().await;
}
