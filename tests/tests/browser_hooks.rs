//! Incoming hooks in the app (issue 37), two browsers side by side: the room's admin makes
//! a hook in the settings panel and is shown its URL once; a program posts to it in
//! Slack's format; the message appears in both browsers with the bot mark beside the
//! label the program chose, and no profile behind it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn an_admin_makes_a_hook_in_settings_and_its_post_shows_as_a_bot_in_both_browsers() {
    let server = Server::start().await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "ops", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(&server, "ops", "bob", "Bob", false).await;

    // A member is not offered hooks.
    bob.click("#room-settings-open").await;
    bob.find("#room-settings").await;
    assert!(
        bob.client.find(Locator::Css("#room-hooks")).await.is_err(),
        "a member is offered the room's hooks"
    );
    bob.click("#room-settings-close").await;

    ana.click("#room-settings-open").await;
    ana.type_into("#hook-name", "Grafana").await;
    ana.click("#hook-create").await;
    let url = ana
        .find("#hook-url .hook-secret")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(url.contains("/api/hooks/ops/"), "{url}");
    ana.wait_for_text(
        ".settings-hooks li[data-hook='Grafana'] .new-url",
        "New URL",
    )
    .await;
    assert!(
        ana.accessibility_violations().await.is_empty(),
        "{:?}",
        ana.accessibility_violations().await
    );
    ana.shot("hooks-settings.png").await;
    ana.click("#room-settings-close").await;

    let posted = reqwest::Client::new()
        .post(&url)
        .json(&json!({ "text": "*CPU* high on <https://grafana.example/d/1|db-1>", "username": "alice", "icon_emoji": ":rotating_light:" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);

    for browser in [&ana, &bob] {
        // The label the program chose, with the mark after it: "alice" cannot pass for
        // a person of that name.
        browser.wait_for_text(".message .bot-author", "alice").await;
        browser.wait_for_text(".message .bot-mark", "BOT").await;
        browser.wait_for_text(".message .avatar.bot", "🚨").await;
        browser.wait_for_text(".message .text strong", "CPU").await;
        browser.wait_for_text(".message .text a", "db-1").await;
    }
    bob.looked_at("hooks-bot-message.png").await;
}

#[tokio::test]
async fn a_command_made_in_settings_answers_its_asker_alone_in_the_app() {
    let web = edgechat_e2e::web::Web::start().await;
    web.route(
        "/deploy",
        edgechat_e2e::web::Route::new(
            200,
            "application/json",
            r#"{"text":"Deploying *prod*, only you can see this"}"#,
        ),
    );
    let server = Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .start()
        .await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "ops", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(&server, "ops", "bob", "Bob", false).await;

    ana.click("#room-settings-open").await;
    ana.type_into("#hook-name", "Deployer").await;
    ana.find("#hook-kind")
        .await
        .select_by_value("command")
        .await
        .unwrap();
    ana.type_into("#hook-target", &web.url("/deploy")).await;
    ana.type_into("#hook-answers", "/deploy").await;
    ana.click("#hook-create").await;
    // Its signing secret and token, shown once.
    ana.find("#hook-url .hook-secret").await;
    ana.wait_for_text(
        ".settings-hooks li[data-hook='Deployer'] .hook-kind",
        "command: /deploy",
    )
    .await;
    ana.click("#room-settings-close").await;

    bob.type_into("#message-input", "/deploy prod").await;
    bob.click("#send").await;
    bob.wait_for_text(".message.ephemeral .only-you", "Only visible to you")
        .await;
    bob.wait_for_text(".message.ephemeral .text strong", "prod")
        .await;
    bob.shot("hooks-ephemeral.png").await;
    assert_eq!(web.seen_at("/deploy").len(), 1);
    // Only Bob: Ana's timeline has no answer for him.
    assert!(
        ana.client
            .find(Locator::Css(".message.ephemeral"))
            .await
            .is_err()
    );
    bob.click(".message.ephemeral .dismiss").await;
    assert!(
        bob.accessibility_violations().await.is_empty(),
        "{:?}",
        bob.accessibility_violations().await
    );
}
