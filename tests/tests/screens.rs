//! The main screens at desktop and phone width, in light and dark, as PNGs: into
//! `target/screenshots/`, or `docs/screenshots/` with `cargo xtask screenshots`. The test
//! also checks what the screenshots are meant to show: dark really is dark, and a phone
//! gets one column; and axe-core checks every screen shot, at both widths and in both
//! themes, for serious and critical accessibility violations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use edgechat_e2e::{
    account::{PASSWORD, Session},
    browser::Browser,
    files::png,
    repo_root,
    server::Server,
    socket::Client,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, Role, RoomEvent, ServerMsg};

fn out_dir() -> PathBuf {
    let dir = std::env::var_os("EDGECHAT_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DESKTOP: (u32, u32) = (1280, 800);
const PHONE: (u32, u32) = (390, 844);

#[tokio::test]
async fn the_main_screens_at_desktop_and_phone_width_in_light_and_dark() {
    let server = Server::builder()
        .var("RATE_BURST", 50)
        .var("RATE_PER_WINDOW", 100)
        .start()
        .await;
    let bob_acct = server.register("Bob").await;
    let dee_acct = server.register("Dee").await;
    server.room(&bob_acct, "design").await;
    server.room(&bob_acct, "random").await;
    let mut bob = Client::join(&server, "design", &bob_acct).await;
    let photo = server
        .uploaded(
            &bob_acct.access_token,
            "design",
            "mockup.png",
            &png(480, 300, [70, 130, 220]),
        )
        .await;
    let (status, _) = server
        .upload(
            &bob_acct.access_token,
            "design",
            "thumb.png",
            &png(240, 150, [70, 130, 220]),
            Some(&photo),
        )
        .await;
    assert_eq!(status, 201);
    let script = [
        "Morning! The **new sidebar** is ready for review.",
        "Here is the mockup, and the code that sizes it:\n```rust\nfn fit(w: u32, h: u32, max: u32) -> (u32, u32) {\n    let scale = max as f64 / w.max(h) as f64; // keep the shape\n    ((w as f64 * scale) as u32, (h as f64 * scale) as u32)\n}\n```",
        "Docs are at https://example.com/sidebar, and `cargo xtask test` is green.",
        "Left for today:\n- review the sidebar\n- try the emoji picker\n1. merge\n2. deploy",
    ];
    for (i, text) in script.iter().enumerate() {
        let attachments = if i == 1 { vec![photo.clone()] } else { vec![] };
        bob.send(&ClientMsg::SendMessage {
            room_id: "design".into(),
            text: text.to_string(),
            attachments,
            reply_to: None,
            client_msg_id: format!("s-{i}"),
        })
        .await;
        let ack = bob
            .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
        // The first message is pinned, for the settings panel's pins.
        if let (0, ServerMsg::MessageAck(frame::MessageAck { message_id, .. })) = (i, ack) {
            bob.send(&ClientMsg::PinMessage { message_id }).await;
        }
    }
    // A topic for the header, and someone banned for the settings panel's ban list.
    bob.send(&ClientMsg::UpdateRoom {
        name: None,
        topic: Some("Where the new sidebar gets designed".into()),
        capacity: Some(25),
    })
    .await;
    bob.send(&ClientMsg::SetSlowMode { seconds: 10 }).await;
    let troll_acct = server.register("Trolly").await;
    let _troll = Client::join(&server, "design", &troll_acct).await;
    bob.send(&ClientMsg::BanUser {
        user_id: troll_acct.user_id.clone(),
    })
    .await;

    let dir = out_dir();
    // Every screen shot is also checked with axe-core: no serious or critical violation.
    let mut violations = Vec::new();
    for (theme, browser) in [
        ("light", Browser::launch().await),
        ("dark", Browser::launch_dark().await),
    ] {
        let dark = browser
            .client
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(dark, serde_json::json!(theme == "dark"), "{theme}");
        browser
            .client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();
        browser.client.goto(&server.http_url("/")).await.unwrap();
        browser.find("#auth-submit").await;
        browser
            .screenshot(&dir.join(format!("sign-in-desktop-{theme}.png")))
            .await;
        check(&browser, "sign-in-desktop", theme, &mut violations).await;

        let (user, name, text) = match theme {
            "light" => ("ana", "Ana", "Looks great, shipping it 🎉"),
            _ => ("cleo", "Cleo", "Agreed, nice work 👏"),
        };
        browser
            .sign_up(&server.http_url("/?room=design"), user, name)
            .await;
        browser.click("#join").await;
        browser.find(".room-link[data-room='design']").await;
        // Bob makes the newcomer an admin, so the settings panel shows every control.
        let joined = bob
            .recv_until(|m| {
                matches!(m, ServerMsg::Event(RoomEvent::UserJoined { username, .. }) if username == name)
            })
            .await;
        if let ServerMsg::Event(RoomEvent::UserJoined { user_id, .. }) = joined {
            bob.send(&ClientMsg::SetRole {
                user_id,
                role: Role::Admin,
            })
            .await;
        }
        browser
            .wait_for_text(
                ".message .text",
                "Docs are at https://example.com/sidebar, and cargo xtask test is green.",
            )
            .await;
        browser.find(".message .text ol.list").await;
        browser.type_into("#message-input", text).await;
        browser.click("#send").await;
        browser
            .wait_for_text(".message:not(.pending) .text", text)
            .await;
        browser.on_message(text, ".actions .react").await;
        browser.on_message(text, ".picker .pick").await;
        browser.find(".reaction").await;
        browser
            .wait_until(
                "the preview is decoded",
                "const img = document.querySelector('.attachment.image img'); \
                 return !!img && img.complete && img.naturalWidth > 0;",
            )
            .await;
        bob.send(&ClientMsg::TypingStart {
            room_id: "design".into(),
        })
        .await;
        browser.wait_for_text(".typing", "Bob is typing…").await;
        browser
            .screenshot(&dir.join(format!("chat-desktop-{theme}.png")))
            .await;
        check(&browser, "chat-desktop", theme, &mut violations).await;

        browser
            .client
            .set_window_size(PHONE.0, PHONE.1)
            .await
            .unwrap();
        let columns = browser
            .client
            .execute(
                "return getComputedStyle(document.querySelector('.layout')).gridTemplateColumns.split(' ').length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(columns, serde_json::json!(1), "one column on a phone");
        browser
            .screenshot(&dir.join(format!("chat-phone-{theme}.png")))
            .await;
        check(&browser, "chat-phone", theme, &mut violations).await;
        browser
            .client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .unwrap();

        // The panels and dialogs, each at both widths.
        browser.click("#emoji").await;
        browser
            .wait_until(
                "the emoji are in",
                "return document.querySelectorAll('.emoji-picker button.emoji').length > 100;",
            )
            .await;
        shoot(&browser, &dir, "emoji", theme, &mut violations).await;
        browser.click("#emoji").await;

        browser.click("#search").await;
        browser.type_into("#search-input", "sidebar").await;
        browser.type_into("#search-from", "bob").await;
        browser
            .wait_until(
                "the search finds Bob's messages",
                "document.querySelector('#search-submit').click(); \
                 return document.querySelectorAll('.search-hit').length > 0;",
            )
            .await;
        shoot(&browser, &dir, "search", theme, &mut violations).await;
        browser.click("#search").await;

        browser.click("#members").await;
        browser.find(".member[data-user='Bob']").await;
        shoot(&browser, &dir, "members", theme, &mut violations).await;
        browser.click("#members").await;

        browser
            .wait_until(
                "the newcomer is an admin",
                &format!(
                    "return [...document.querySelectorAll('.note')].some(n => n.textContent === 'Bob made {name} an admin');"
                ),
            )
            .await;
        browser.click("#pins").await;
        browser
            .wait_for_text(
                "#pins-panel .pin-text",
                "Morning! The new sidebar is ready for review.",
            )
            .await;
        shoot(&browser, &dir, "pins", theme, &mut violations).await;
        browser.click("#pins").await;

        browser.click("#room-settings-open").await;
        browser.find("#settings-name").await;
        browser
            .wait_for_text(".settings-bans li span", "Trolly")
            .await;
        shoot(&browser, &dir, "settings", theme, &mut violations).await;
        browser.click("#room-settings-close").await;

        browser.click("#new-room").await;
        browser.click("#kind-private").await;
        browser.type_into("#create-name", "Launch plans").await;
        browser.type_into("#create-members", "bob").await;
        // On a phone the room list, and the dialog in it, is a drawer: shown open, as a
        // phone user reaches "+" (the toggle is hidden at desktop width, hence a script).
        let drawer = "document.getElementById('rooms-toggle').click();";
        browser.client.execute(drawer, vec![]).await.unwrap();
        shoot(&browser, &dir, "new-room", theme, &mut violations).await;
        browser.click("#new-room-cancel").await;
        browser.client.execute(drawer, vec![]).await.unwrap();

        browser.click("#profile").await;
        browser.find("#profile-dialog").await;
        shoot(&browser, &dir, "profile", theme, &mut violations).await;
        browser.click("#profile-cancel").await;

        browser.chord(&["\u{e009}", "k"]).await;
        browser.type_into("#room-filter", "des").await;
        shoot(&browser, &dir, "switcher", theme, &mut violations).await;
        browser.press("\u{e00c}").await;

        browser.click("#new-room").await;
        browser.replace_text("#room", "nowhere").await;
        browser.click("#join").await;
        browser.find("#room-missing").await;
        shoot(&browser, &dir, "missing-room", theme, &mut violations).await;

        // A direct room with Bob and a group with Bob and Dee, each with something said,
        // as the newcomer sees them: named by the others, in their own section.
        let me = server.sign_in(user, PASSWORD).await;
        for (kind, room) in conversations(&server, &bob_acct, &dee_acct, &me).await {
            browser
                .click(&format!(".room-link[data-room='{room}']"))
                .await;
            browser.find(".message .text").await;
            shoot(&browser, &dir, kind, theme, &mut violations).await;
        }
        browser.close().await;
    }
    assert!(
        violations.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        violations.join("\n")
    );
    for name in [
        "sign-in-desktop",
        "chat-desktop",
        "chat-phone",
        "emoji-desktop",
        "emoji-phone",
        "search-desktop",
        "search-phone",
        "members-desktop",
        "members-phone",
        "settings-desktop",
        "settings-phone",
        "new-room-desktop",
        "new-room-phone",
        "profile-desktop",
        "profile-phone",
        "pins-desktop",
        "pins-phone",
        "switcher-desktop",
        "switcher-phone",
        "missing-room-desktop",
        "missing-room-phone",
        "direct-desktop",
        "direct-phone",
        "group-desktop",
        "group-phone",
    ] {
        for theme in ["light", "dark"] {
            let path = dir.join(format!("{name}-{theme}.png"));
            assert!(std::fs::metadata(&path).unwrap().len() > 10_000, "{path:?}");
        }
    }
}

/// A direct room between Bob and `me` and a group of Bob, Dee and `me`, each with a line
/// from Bob: `("direct", id)` and `("group", id)`.
async fn conversations(
    server: &Server,
    bob: &Session,
    dee: &Session,
    me: &Session,
) -> [(&'static str, String); 2] {
    let (status, direct) = server
        .post_as(
            "/api/rooms/direct",
            &bob.access_token,
            &serde_json::json!({ "userId": me.user_id }),
        )
        .await;
    assert!(status < 300, "{status} {direct}");
    let (status, group) = server
        .post_as(
            "/api/rooms",
            &bob.access_token,
            &serde_json::json!({ "name": "launch", "group": true,
                                 "members": [dee.user_id, me.user_id] }),
        )
        .await;
    assert!(status < 300, "{status} {group}");
    let rooms = [
        (
            "direct",
            direct["room"]["roomId"].as_str().unwrap().to_owned(),
        ),
        (
            "group",
            group["room"]["roomId"].as_str().unwrap().to_owned(),
        ),
    ];
    for (kind, room) in &rooms {
        let mut socket = Client::join(server, room, bob).await;
        let text = if *kind == "direct" {
            "Got a minute to look at the sidebar before the call?"
        } else {
            "Launch checklist is in the pins; shout if anything is missing."
        };
        socket
            .send(&ClientMsg::text(room.as_str(), text, format!("{kind}-1")))
            .await;
        socket
            .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
    }
    rooms
}

/// Adds axe-core's serious and critical violations on the page, as `screen: rule: where`.
async fn check(browser: &Browser, screen: &str, theme: &str, violations: &mut Vec<String>) {
    for found in browser.accessibility_violations().await {
        violations.push(format!("{screen}-{theme}: {found}"));
    }
}

/// Saves the page as `{name}-desktop-{theme}.png`, then at phone width as
/// `{name}-phone-{theme}.png`, checking each with axe-core, and goes back to desktop
/// width.
async fn shoot(
    browser: &Browser,
    dir: &std::path::Path,
    name: &str,
    theme: &str,
    violations: &mut Vec<String>,
) {
    for (width, (w, h)) in [("desktop", DESKTOP), ("phone", PHONE)] {
        browser.client.set_window_size(w, h).await.unwrap();
        browser
            .screenshot(&dir.join(format!("{name}-{width}-{theme}.png")))
            .await;
        check(browser, &format!("{name}-{width}"), theme, violations).await;
    }
    browser
        .client
        .set_window_size(DESKTOP.0, DESKTOP.1)
        .await
        .unwrap();
}
