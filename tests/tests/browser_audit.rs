//! The audit log in the app (issue 39), two browsers side by side: the room's admin reads
//! who did what in the settings panel, filters it by kind of act and, as the deployment's
//! admin, widens it to every room; a moderator is not shown it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::PASSWORD, browser::Browser, server::Server, socket::Client};
use edgechat_protocol::{ClientMsg, Role, RoomEvent, ServerMsg};
use fantoccini::Locator;

/// Chooses `value` in the select `css`, as a person would.
async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1];
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_admin_reads_and_filters_the_audit_log_and_a_moderator_is_not_shown_it() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 50).start().await;
    // Ana in the dark theme, Bob in the light one.
    let ana = Browser::launch_dark().await;
    // The first account: the room's admin and the deployment's.
    ana.enter_room(&server, "notes", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(&server, "notes", "bob", "Bob", false).await;
    let carl = server.register("Carl").await;
    let _carl = Client::join(&server, "notes", &carl).await;
    let ana_session = server.sign_in("ana", PASSWORD).await;
    let bob_id = server.sign_in("bob", PASSWORD).await.user_id;
    let mut acts = Client::join(&server, "notes", &ana_session).await;
    for msg in [
        ClientMsg::SetRole {
            user_id: bob_id,
            role: Role::Moderator,
        },
        ClientMsg::MuteUser {
            user_id: carl.user_id.clone(),
            until: 4_000_000_000_000,
        },
        ClientMsg::SetSlowMode { seconds: 30 },
    ] {
        acts.send(&msg).await;
        acts.recv_until(|m| {
            matches!(
                m,
                ServerMsg::Event(
                    RoomEvent::RoleChanged { .. }
                        | RoomEvent::UserMuted { .. }
                        | RoomEvent::SlowModeChanged { .. }
                )
            )
        })
        .await;
    }

    // The panel reads D1's copy, which the room's write-behind fills a moment later.
    edgechat_e2e::wait::until("the acts reach D1", async || {
        match server.count("audit_log") {
            3 => Ok(()),
            n => Err(n),
        }
    })
    .await;
    ana.click("#room-settings-open").await;
    ana.find("#room-audit").await;
    ana.wait_until(
        "the acts are listed, newest first, as sentences",
        "const rows = [...document.querySelectorAll('.audit-log li .audit-what')].map(r => r.textContent);
         return rows.length === 3 && rows[0] === 'Ana set slow mode to 30 s'
           && rows[1] === 'Ana muted Carl' && rows[2] === 'Ana made Bob moderator';",
    )
    .await;
    // Tall enough to see the settings down to the log, then at a phone's width.
    ana.client.set_window_size(1100, 1900).await.unwrap();
    ana.shot("audit-log.png").await;
    ana.client.set_window_size(390, 844).await.unwrap();
    ana.client
        .execute(
            "document.querySelector('#room-audit').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    ana.looked_at("audit-log-phone.png").await;

    // A mute that ends another year says so, not a bare time of day.
    ana.wait_until(
        "the far-off mute's end has its date",
        "return [...document.querySelectorAll('.note')].some(n =>
           /^Carl was muted by Ana until \\d+ \\w{3} 2096, \\d\\d:\\d\\d$/.test(n.textContent));",
    )
    .await;
    choose(&ana, "#audit-action", "user-muted").await;
    ana.wait_until(
        "only the mutes",
        "const rows = [...document.querySelectorAll('.audit-log li')];
         return rows.length === 1 && rows[0].dataset.action === 'user-muted';",
    )
    .await;
    choose(&ana, "#audit-action", "").await;
    choose(&ana, "#audit-scope", "all").await;
    ana.wait_until(
        "every room's acts, each saying where",
        "const rows = [...document.querySelectorAll('.audit-log li .audit-what')].map(r => r.textContent);
         return rows.length === 3 && rows.every(r => r.endsWith(' in #notes'));",
    )
    .await;

    // Bob is a moderator now: he sees the settings, not the log.
    bob.click("#room-settings-open").await;
    bob.find("#room-settings").await;
    assert!(
        bob.client.find(Locator::Css("#room-audit")).await.is_err(),
        "a moderator is shown the audit log"
    );
}
