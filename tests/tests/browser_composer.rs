//! The composer's tools (the emoji button and picker) and the keyboard's way around a
//! room.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};
use edgechat_protocol::ClientMsg;

/// The contrast ratio (WCAG) of the emoji button's icon against what is behind it.
const ICON_CONTRAST: &str = r#"
const button = document.querySelector('#emoji');
if (!button.querySelector('svg')) { return 0; }
const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
let el = button, bg = null;
while (el) {
  const c = getComputedStyle(el).backgroundColor;
  if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  el = el.parentElement;
}
const lum = ([r, g, b]) => {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const [hi, lo] = [lum(rgb(getComputedStyle(button).color)), lum(rgb(bg || 'rgb(255,255,255)'))]
  .sort((a, b) => b - a);
return (hi + 0.05) / (lo + 0.05);
"#;

/// The picker's emoji that draw as nothing: drawn on a canvas in the button's own font and
/// colour over the picker's background, an emoji that leaves fewer than a few dozen
/// pixels apart from the background, or draws exactly as a character no font has (the
/// missing-glyph box), is blank to the user.
const BLANK_EMOJI: &str = r#"
const buttons = [...document.querySelectorAll('.emoji-picker button.emoji')];
const canvas = document.createElement('canvas');
canvas.width = 64; canvas.height = 64;
const ctx = canvas.getContext('2d', { willReadFrequently: true });
let el = document.querySelector('.emoji-picker'), bg = null;
while (el) {
  const c = getComputedStyle(el).backgroundColor;
  if (c !== 'rgba(0, 0, 0, 0)') { bg = c; break; }
  el = el.parentElement;
}
const [r0, g0, b0] = bg.match(/\d+/g).map(Number);
const draw = (text, st) => {
  ctx.fillStyle = bg; ctx.fillRect(0, 0, 64, 64);
  ctx.font = `${st.fontSize} ${st.fontFamily}`;
  ctx.fillStyle = st.color; ctx.textBaseline = 'middle';
  ctx.fillText(text, 8, 32);
  const d = ctx.getImageData(0, 0, 64, 64).data;
  let seen = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - r0) + Math.abs(d[i + 1] - g0) + Math.abs(d[i + 2] - b0) > 96) { seen++; }
  }
  return [seen, Array.from(d).join(',')];
};
const blank = [];
for (const b of buttons) {
  const st = getComputedStyle(b);
  const [, missing] = draw('\u{10FFFD}', st);
  const [seen, image] = draw(b.textContent, st);
  if (seen < 40 || image === missing) { blank.push(b.textContent); }
}
return [buttons.length, blank];
"#;

#[tokio::test]
async fn the_emoji_button_shows_in_both_themes_and_the_picker_draws_every_emoji() {
    let server = Server::start().await;
    let bob = server.register("Bob").await;
    server.room(&bob, "lobby").await;
    for (dark, name) in [(false, "ana"), (true, "cyd")] {
        let browser = if dark {
            Browser::launch_dark().await
        } else {
            Browser::launch().await
        };
        browser
            .enter_room(&server, "lobby", name, name, false)
            .await;
        let contrast = browser
            .client
            .execute(ICON_CONTRAST, vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap();
        assert!(
            contrast >= 3.0,
            "the emoji button's icon contrasts {contrast:.2}:1 (dark: {dark})"
        );

        browser.type_into("#message-input", "Launch ").await;
        browser.click("#emoji").await;
        browser
            .wait_until(
                "the picker has its set, and its search box has the focus",
                "return document.querySelectorAll('.emoji-picker button.emoji').length > 100 \
                   && document.activeElement?.id === 'emoji-search';",
            )
            .await;
        let answer = browser.client.execute(BLANK_EMOJI, vec![]).await.unwrap();
        let (count, blank) = (answer[0].as_u64().unwrap(), &answer[1]);
        assert!(count > 300, "the whole set is offered: {count}");
        assert_eq!(
            blank,
            &serde_json::json!([]),
            "emoji drawn blank (dark: {dark})"
        );

        // Search by name, pick: it joins the draft and the caret is back in the box.
        browser.type_into("#emoji-search", "rocket").await;
        browser
            .wait_until(
                "one emoji matches",
                "return document.querySelectorAll('.emoji-picker button.emoji').length === 1;",
            )
            .await;
        browser.click(".emoji-picker button.emoji").await;
        browser
            .wait_until(
                "the emoji is in the draft, the picker closed, the composer focused",
                "return document.querySelector('#message-input').value === 'Launch 🚀' \
                   && !document.querySelector('.emoji-picker') \
                   && document.activeElement?.id === 'message-input';",
            )
            .await;

        // Esc closes it without picking, and the caret is back too.
        browser.click("#emoji").await;
        browser
            .wait_until(
                "the search box has the focus",
                "return document.activeElement?.id === 'emoji-search';",
            )
            .await;
        browser
            .client
            .execute(
                "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', \
                   { key: 'Escape', bubbles: true }));",
                vec![],
            )
            .await
            .unwrap();
        browser
            .wait_until(
                "Esc closed the picker",
                "return !document.querySelector('.emoji-picker') \
                   && document.activeElement?.id === 'message-input' \
                   && document.querySelector('#message-input').value === 'Launch 🚀';",
            )
            .await;
        browser.close().await;
    }
}

/// Presses `key` (a WebDriver key code) on whatever has the focus, as the keyboard does.
async fn press(browser: &Browser, key: &str) {
    browser.press(key).await;
}

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";
const ESCAPE: &str = "\u{e00c}";
const HOME: &str = "\u{e011}";
const UP: &str = "\u{e013}";

async fn focused(browser: &Browser) -> serde_json::Value {
    browser
        .client
        .execute(
            "const a = document.activeElement; \
             return a.id || (a.closest('.message')?.querySelector('.text')?.textContent ?? a.tagName);",
            vec![],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn the_keyboard_moves_through_messages_and_reaches_the_composer_in_a_few_presses() {
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    server.room(&bob_acct, "dev").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    for (i, text) in ["first", "second", "third", "fourth", "fifth"]
        .iter()
        .enumerate()
    {
        bob.send(&ClientMsg::SendMessage {
            room_id: "lobby".into(),
            text: (*text).into(),
            attachments: vec![],
            reply_to: None,
            client_msg_id: format!("k{i}"),
        })
        .await;
    }
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    ana.wait_for_text(".message .text", "fifth").await;
    assert_eq!(
        focused(&ana).await,
        "message-input",
        "opening a room focuses its box"
    );

    // From the message list, Tab reaches the box in a couple of presses. (The pointer
    // goes to the header first: a message under it shows its actions, as on hover.)
    ana.click(".top .me").await;
    ana.client
        .execute("document.querySelector('#messages').focus();", vec![])
        .await
        .unwrap();
    let mut presses = 0;
    while focused(&ana).await != "message-input" {
        press(&ana, TAB).await;
        presses += 1;
        assert!(
            presses <= 3,
            "Tab took more than 3 presses from the list to the box"
        );
    }

    // Arrow keys move between messages, and the focused one shows its actions.
    ana.client
        .execute("document.querySelector('#messages').focus();", vec![])
        .await
        .unwrap();
    press(&ana, UP).await;
    assert_eq!(focused(&ana).await, "fifth");
    press(&ana, UP).await;
    assert_eq!(focused(&ana).await, "fourth");
    let actions = ana
        .client
        .execute(
            "return getComputedStyle(document.activeElement.querySelector('.actions')).display;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(actions, "flex", "the focused message shows its actions");
    press(&ana, HOME).await;
    assert_eq!(focused(&ana).await, "first");

    // Esc cancels a reply.
    ana.on_message("third", ".reply").await;
    ana.find(".replying").await;
    ana.click("#message-input").await;
    press(&ana, ESCAPE).await;
    ana.wait_until(
        "the reply is cancelled",
        "return !document.querySelector('.replying');",
    )
    .await;

    // ↑ in the empty box edits her last message; Esc cancels the edit.
    ana.type_into("#message-input", "mine").await;
    press(&ana, ENTER).await;
    ana.wait_for_text(".message:not(.pending) .text", "mine")
        .await;
    press(&ana, UP).await;
    ana.wait_until(
        "the edit box has the focus",
        "return document.activeElement?.id === 'edit-input';",
    )
    .await;
    press(&ana, ESCAPE).await;
    ana.wait_until(
        "the edit is cancelled, the message as it was",
        "return !document.querySelector('#edit-input') \
           && [...document.querySelectorAll('.message .text')].some(t => t.textContent === 'mine');",
    )
    .await;

    // Switching rooms focuses the new room's box.
    ana.click("#new-room").await;
    ana.replace_text("#room", "dev").await;
    ana.click("#join").await;
    ana.wait_for_text(".room-header h2", "#dev").await;
    ana.wait_until(
        "dev's box has the focus",
        "return document.activeElement?.id === 'message-input' \
           && document.querySelector('#message-input').placeholder === 'Message #dev';",
    )
    .await;

    // The skip link, first on the page, leads to the box.
    ana.client
        .execute("document.querySelector('.skip-link').focus();", vec![])
        .await
        .unwrap();
    let shown = ana
        .client
        .execute(
            "return document.querySelector('.skip-link').getBoundingClientRect().top >= 0;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, true, "the skip link shows when focused");
    press(&ana, ENTER).await;
    assert_eq!(focused(&ana).await, "message-input");
    ana.close().await;
}
