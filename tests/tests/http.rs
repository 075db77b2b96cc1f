//! The HTTP surface of the skeleton.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::server::Server;
use serde_json::Value;

#[tokio::test]
async fn health_reports_the_version_and_that_d1_and_r2_answer() {
    let server = Server::start().await;
    let response = reqwest::get(server.http_url("/api/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["d1"]["ok"], true);
    let migrations = std::fs::read_dir(edgechat_e2e::repo_root().join("migrations"))
        .unwrap()
        .count();
    assert_eq!(body["d1"]["migrations"], migrations);
    assert_eq!(body["r2"]["ok"], true);
    assert_eq!(body["state"], "ok");
    for store in ["d1", "r2"] {
        assert_eq!(body[store]["state"], "ok", "{body}");
        assert!(body[store]["latencyMs"].is_u64(), "{body}");
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let server = Server::start().await;
    let response = reqwest::get(server.http_url("/api/nope")).await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not-found");
}

#[tokio::test]
async fn a_plain_get_of_a_socket_url_asks_for_an_upgrade() {
    let server = Server::start().await;
    let response = reqwest::get(server.http_url("/api/rooms/lobby/ws"))
        .await
        .unwrap();
    assert_eq!(response.status(), 426);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "upgrade-required");
}

#[tokio::test]
async fn the_client_is_served_from_assets() {
    let server = Server::start().await;
    let page = reqwest::get(server.http_url("/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/boot.js"));
    let boot = reqwest::get(server.http_url("/boot.js")).await.unwrap();
    assert_eq!(boot.status(), 200);
    assert!(boot.text().await.unwrap().contains("edgechat_client.js"));
    let wasm = reqwest::get(server.http_url("/edgechat_client_bg.wasm"))
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(
        wasm.headers()["content-type"].to_str().unwrap(),
        "application/wasm"
    );
}
