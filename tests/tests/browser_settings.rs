//! The room settings panel (issue 18, item 7), in two browsers side by side: each control
//! shows only to a role the room lets use it; a rename, a topic, a member limit and slow
//! mode reach the other member's header, room list and timeline; roles change from the
//! panel; the ban list unbans; the pins list and unpins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};
use fantoccini::Locator;

/// Whether `css` matches anything on the page now.
async fn shown(browser: &Browser, css: &str) -> bool {
    browser.client.find(Locator::Css(css)).await.is_ok()
}

/// Opens the settings panel afresh (closing it first if it is open).
async fn open_settings(browser: &Browser) {
    if shown(browser, "#room-settings").await {
        browser.click("#room-settings-close").await;
    }
    browser.click("#room-settings-open").await;
    browser.find("#room-settings").await;
}

#[tokio::test]
async fn the_settings_panel_offers_each_role_what_it_may_do_and_both_sides_see_it() {
    let server = Server::start().await;
    // Ana signs up first (the global admin) and creates the room, so she is its admin.
    let ana = Browser::launch().await;
    ana.enter_room(&server, "crew", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(&server, "crew", "bob", "Bob", false).await;
    let cyd_acct = server.register("Cyd").await;
    let _cyd = Client::join(&server, "crew", &cyd_acct).await;
    ana.noted("Cyd joined").await;

    // A member reads the settings and changes nothing.
    open_settings(&bob).await;
    bob.wait_for_text(".settings-about dd", "crew").await;
    bob.shot("settings-as-member.png").await;
    for control in [
        "#settings-name",
        "#settings-topic",
        "#settings-save",
        ".role-select",
        ".unban",
    ] {
        assert!(!shown(&bob, control).await, "a member is offered {control}");
    }

    // Ana makes Bob a moderator from the panel's roles: picked, then saved.
    open_settings(&ana).await;
    ana.find(".settings-roles li[data-user='Bob'] select")
        .await
        .select_by_value("moderator")
        .await
        .unwrap();
    ana.click(".settings-roles li[data-user='Bob'] .save-role")
        .await;
    bob.noted("Ana made Bob a moderator").await;

    // A moderator sets the topic, and only that.
    open_settings(&bob).await;
    bob.find("#settings-topic").await;
    for control in [
        "#settings-name",
        "#settings-capacity",
        "#settings-slow",
        ".role-select",
    ] {
        assert!(
            !shown(&bob, control).await,
            "a moderator is offered {control}"
        );
    }
    bob.replace_text("#settings-topic", "Ship on Friday").await;
    bob.click("#settings-save").await;
    ana.wait_for_text("#room-topic", "Ship on Friday").await;
    ana.noted("Bob set the topic: Ship on Friday").await;

    // The admin renames the room, limits it and turns on slow mode.
    open_settings(&ana).await;
    ana.replace_text("#settings-name", "Release crew").await;
    ana.replace_text("#settings-capacity", "10").await;
    ana.find("#settings-slow")
        .await
        .select_by_value("30")
        .await
        .unwrap();
    ana.click("#settings-save").await;
    bob.noted("Ana renamed the room to Release crew").await;
    bob.noted("Ana turned slow mode on: one message every 30 s")
        .await;
    bob.wait_for_text(".room-header h2", "#Release crew").await;
    bob.wait_until(
        "Bob's room list shows the new name, and the address stays",
        "return [...document.querySelectorAll('.room-list li')].some(li => li.textContent.includes('Release crew')) \
           && location.pathname === '/r/crew';",
    )
    .await;
    open_settings(&bob).await;
    bob.wait_for_text(
        ".settings-form p",
        "Up to 10 members · Slow mode: 30 seconds",
    )
    .await;

    // The ban list: Cyd, banned, is unbanned from it.
    ana.click("#members").await;
    ana.client
        .execute(
            "document.querySelector(`.member[data-user='Cyd'] .mod-menu`).open = true;",
            vec![],
        )
        .await
        .unwrap();
    ana.click(".member[data-user='Cyd'] .ban").await;
    ana.click(".member[data-user='Cyd'] .ban").await;
    ana.noted("Cyd was banned by Ana").await;
    open_settings(&ana).await;
    ana.wait_for_text(".settings-bans li span", "Cyd").await;
    ana.click(".settings-bans .unban").await;
    ana.wait_for_text("#room-settings .notice", "No one is banned.")
        .await;
    bob.noted("Cyd was unbanned by Ana").await;

    // The pins: Ana pins a message; Bob, a moderator, finds it in the header's pins
    // panel, jumps to it as to a search hit, and unpins it.
    ana.click("#room-settings-close").await;
    ana.type_into("#message-input", "Read this first").await;
    ana.click("#send").await;
    ana.on_message("Read this first", ".pin").await;
    bob.click("#pins").await;
    bob.wait_for_text("#pins-panel .pin-text", "Read this first")
        .await;
    bob.click("#pins-panel .search-hit").await;
    bob.wait_until(
        "the pin jumped to its message",
        "return document.querySelector('.message.flash .text')?.textContent === 'Read this first';",
    )
    .await;
    bob.click("#pins-panel .unpin").await;
    bob.wait_for_text("#pins-panel .notice", "Nothing is pinned yet.")
        .await;
    open_settings(&bob).await;

    // Esc closes the panel.
    bob.client
        .execute("document.querySelector('#settings-topic').focus();", vec![])
        .await
        .unwrap();
    bob.wait_until(
        "the topic field has the focus",
        "return document.activeElement?.id === 'settings-topic';",
    )
    .await;
    bob.press("\u{e00c}").await;
    bob.wait_until(
        "Esc closed the panel",
        "return !document.querySelector('#room-settings');",
    )
    .await;
    ana.close().await;
    bob.close().await;
}
