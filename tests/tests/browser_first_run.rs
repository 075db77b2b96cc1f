//! The first minute: the page's shell shows at once while the app loads on a slow
//! network, a new account lands in the room the deployment names, and `/` opens the
//! room the user last had open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server};

/// 1.6 Mbps: a slow mobile connection, as the issue measured it.
const SLOW: u64 = 200_000;

async fn script(browser: &Browser, source: &str) -> serde_json::Value {
    browser.client.execute(source, vec![]).await.unwrap()
}

#[tokio::test]
async fn the_shell_shows_at_once_on_a_slow_network_until_the_app_draws_itself() {
    let server = Server::start().await;
    let ana = Browser::launch().await;
    ana.throttle(SLOW).await;
    // Navigation returns once the page and its scripts are in; the app's .wasm is still
    // on its way then (over a megabyte at 200 KB/s).
    ana.client.goto(&server.http_url("/")).await.unwrap();
    let shown = script(
        &ana,
        "const s = document.querySelector('#boot-status'); \
         return [s ? s.innerText : null, s ? s.offsetParent !== null : false, \
                 s ? s.getAttribute('role') : null, document.querySelector('#main').children.length];",
    )
    .await;
    assert_eq!(
        shown,
        serde_json::json!(["Loading edgechat…", true, "status", 0]),
        "the shell and a loading state a screen reader hears are up before the app"
    );
    // Then the app: the sign-in form, and the shell gone.
    ana.find("#username").await;
    ana.wait_until(
        "the shell is hidden once the app has drawn itself",
        "return document.querySelector('#boot').offsetParent === null;",
    )
    .await;
    ana.close().await;
}

#[tokio::test]
async fn a_new_account_lands_in_the_default_room_and_slash_reopens_the_last_room() {
    let server = Server::builder().var("DEFAULT_ROOM", "lobby").start().await;
    let bob = server.register("Bob").await;
    server.room(&bob, "lobby").await;
    server.room(&bob, "design").await;

    // A new account: in the lobby at once, a member of it (it is in the room list).
    let ana = Browser::launch().await;
    ana.sign_up(&server.http_url("/"), "ana", "Ana").await;
    ana.wait_for_text(".room-header h2", "#lobby").await;
    ana.find(".room-link[data-room='lobby']").await;

    // She opens another room; `/` (a new tab, a bookmark) brings her back to it.
    ana.click("#new-room").await;
    ana.replace_text("#room", "design").await;
    ana.click("#join").await;
    ana.wait_for_text(".room-header h2", "#design").await;
    ana.client.goto(&server.http_url("/")).await.unwrap();
    ana.wait_for_text(".room-header h2", "#design").await;
    assert_eq!(
        script(&ana, "return location.pathname;").await,
        serde_json::json!("/r/design")
    );

    // Signed in again elsewhere (no default room past registration, nothing stored):
    // the room list to pick from, not a room she never chose.
    let other = Browser::launch().await;
    other
        .sign_in(
            &server.http_url("/"),
            "ana",
            edgechat_e2e::account::PASSWORD,
        )
        .await;
    other.find(".room-link[data-room='design']").await;
    assert_eq!(
        script(&other, "return location.pathname;").await,
        serde_json::json!("/"),
        "a sign-in on a new browser opens nothing by itself"
    );
    ana.close().await;
    other.close().await;
}
