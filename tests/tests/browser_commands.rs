//! The composer's commands (issue 37, step 3), in two browsers side by side: `/` offers
//! the built-ins a member's role may use and the room's own command; `/shrug` and `/me`
//! post messages; `/topic` and `/mute @name 10m` act as the settings and moderation do,
//! for the roles allowed (a member's `/kick` is refused); `/help` lists the commands for
//! the user alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::PASSWORD, browser::Browser, server::Server};
use fantoccini::Locator;
use serde_json::json;

async fn say(browser: &Browser, text: &str) {
    browser.type_into("#message-input", text).await;
    browser.click("#send").await;
}

#[tokio::test]
async fn the_composer_offers_and_runs_commands_for_the_roles_allowed() {
    let server = Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .start()
        .await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "crew", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(&server, "crew", "bob", "Bob", false).await;
    // The room's own command, made over the API by its admin.
    let admin = server.sign_in("ana", PASSWORD).await;
    let (status, made) = server
        .post_as(
            "/api/rooms/crew/hooks",
            &admin.access_token,
            &json!({ "name": "Deployer", "kind": "command", "command": "/deploy",
                     "url": "http://127.0.0.1:9/deploy", "description": "Deploys a build" }),
        )
        .await;
    assert_eq!(status, 201, "{made}");

    // `/` offers what a member may use and the room's own command, not `/kick`.
    bob.type_into("#message-input", "/").await;
    bob.wait_for_text("#command-suggestions .name", "/deploy [text]")
        .await;
    bob.wait_for_text("#command-suggestions .name", "/shrug [text]")
        .await;
    assert!(
        bob.client
            .find(Locator::XPath(
                "//*[@id='command-suggestions']//*[starts-with(., '/kick')]"
            ))
            .await
            .is_err(),
        "a member is offered /kick"
    );
    let violations = bob.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    bob.shot("commands-offered.png").await;
    bob.replace_text("#message-input", "").await;

    say(&bob, "/shrug fine").await;
    ana.wait_until(
        "the shrug arrives",
        "return [...document.querySelectorAll('.message .text')].some(t => t.textContent.includes('fine ¯\\\\_(ツ)_/¯'));",
    )
    .await;
    say(&bob, "/me waves").await;
    ana.wait_for_text(".message .text em", "waves").await;

    // A member's /kick is refused by the room, and said so.
    say(&bob, "/kick @ana").await;
    bob.wait_until(
        "the refusal shows",
        "return !!document.querySelector('p.error[role=alert]');",
    )
    .await;

    // The admin's /topic and /mute act as the panel and the member list do.
    say(&ana, "/topic Ship on Friday").await;
    bob.wait_for_text("#room-topic", "Ship on Friday").await;
    say(&ana, "/mute @bob 10m").await;
    bob.wait_until(
        "Bob is told Ana muted him",
        "return /^Ana muted you here until/.test(document.querySelector('#muted')?.textContent ?? '');",
    )
    .await;

    // /help is for the one who asked.
    say(&ana, "/help").await;
    ana.wait_until(
        "the help lists the commands",
        "return [...document.querySelectorAll('.message.ephemeral .text')].some(t => t.textContent.includes('/deploy [text]') && t.textContent.includes('/kick @name'));",
    )
    .await;
    ana.shot("commands-help.png").await;
    assert!(
        bob.client
            .find(Locator::Css(".message.ephemeral"))
            .await
            .is_err()
    );
}
