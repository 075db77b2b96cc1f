//! Access tokens at the door: only exactly ours are accepted, on HTTP and on upgrades.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use edgechat_auth::token::{self, AUDIENCE, AccessClaims, ISSUER};
use edgechat_e2e::{
    server::Server,
    socket::{Client, attempt_upgrade},
    tokens::a_fresh_token_keeps_the_socket_and_none_closes_it,
};
use edgechat_protocol::{RoomEvent, ServerMsg};
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
    server.room(&ana, "lobby").await;
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
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await;
    let ServerMsg::Event(RoomEvent::NewMessage(message)) = seen else {
        unreachable!()
    };
    assert_eq!(message.user_id, bob.user_id);
    assert_eq!(message.username, "Bob");
}

#[tokio::test]
async fn a_socket_is_closed_when_its_token_expires_unless_refreshed_in_place() {
    let server = Server::builder().var("ACCESS_TTL_MS", 4_000).start().await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    server.room(&ana, "lobby").await;
    let mut kept = Client::join(&server, "lobby", &ana).await;
    let mut lapsed = Client::join(&server, "lobby", &bob).await;

    a_fresh_token_keeps_the_socket_and_none_closes_it(&server, &ana, &mut kept, &mut lapsed).await;
}
