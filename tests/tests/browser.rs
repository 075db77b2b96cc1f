//! The client in real headless Chromium, talking to Rust socket clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::PASSWORD, browser::Browser, files::png, server::Server, socket::Client,
};
use edgechat_protocol::{ClientMsg, ServerMsg};

#[tokio::test]
async fn a_browser_user_and_a_socket_client_chat_both_ways() {
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;

    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=lobby"), "ana", "Ana")
        .await;
    browser.click("#join").await;
    browser.find(".room").await;

    browser
        .type_into("#message-input", "hello from the browser <b>bold?</b>")
        .await;
    browser.click("#send").await;
    let received = bob
        .recv_until(|m| matches!(m, ServerMsg::NewMessage(msg) if msg.username == "Ana"))
        .await;
    let ServerMsg::NewMessage(received) = received else {
        unreachable!()
    };
    assert_eq!(received.text, "hello from the browser <b>bold?</b>");
    // Shown as text, never as markup.
    browser
        .wait_for_text(
            ".message:not(.pending) .text",
            "hello from the browser <b>bold?</b>",
        )
        .await;

    bob.send(&ClientMsg::text("lobby", "hello from Rust", "bob-1"))
        .await;
    browser
        .wait_for_text(".message .text", "hello from Rust")
        .await;
    browser.wait_for_text(".message .author", "Bob").await;
    browser.close().await;
}

#[tokio::test]
async fn two_browsers_chat() {
    let server = Server::start().await;
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    // Ana creates the room from the page; Bob joins it.
    for (browser, user, name, button) in [
        (&ana, "ana", "Ana", "#create-room"),
        (&bob, "bob", "Bob", "#join"),
    ] {
        browser
            .sign_up(&server.http_url("/?room=tabs"), user, name)
            .await;
        browser.click(button).await;
        browser.find(".room").await;
    }
    bob.type_into("#message-input", "hi Ana, Bob here").await;
    bob.click("#send").await;
    ana.wait_for_text(".message .text", "hi Ana, Bob here")
        .await;
    ana.type_into("#message-input", "hello Bob").await;
    ana.click("#send").await;
    bob.wait_for_text(".message .text", "hello Bob").await;
    bob.wait_for_text(".message .author", "Ana").await;
    ana.close().await;
    bob.close().await;
}

#[tokio::test]
async fn a_user_stays_signed_in_across_token_expiry_edits_their_profile_and_signs_out() {
    // Access tokens live four seconds here, so the page must refresh them silently.
    let server = Server::builder().var("ACCESS_TTL_MS", 4_000).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    let browser = Browser::launch().await;
    browser
        .sign_in(&server.http_url("/?room=lobby"), "ana", PASSWORD)
        .await;
    browser.click("#join").await;
    browser.find(".room").await;

    // Past two expiries the room socket is still open and the page can still send.
    tokio::time::sleep(std::time::Duration::from_secs(9)).await;
    let bob_acct = server.register("Bob").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    browser.type_into("#message-input", "still here").await;
    browser.click("#send").await;
    let msg = bob
        .recv_until(|m| matches!(m, ServerMsg::NewMessage(_)))
        .await;
    assert!(matches!(msg, ServerMsg::NewMessage(m) if m.text == "still here"));

    // A reload keeps the session (the refresh cookie), without signing in again.
    browser.client.refresh().await.unwrap();
    browser.find("#sign-out").await;

    browser.click("#profile").await;
    browser.find("#profile-name").await.clear().await.unwrap();
    browser.type_into("#profile-name", "Ana Lima").await;
    browser.type_into("#profile-status", "on call").await;
    browser.click("#profile-save").await;
    browser.wait_for_text(".top .me", "Ana Lima").await;
    browser.wait_for_text(".top .status", "on call").await;

    browser.click("#sign-out").await;
    browser.find("#auth-submit").await;
    // Signed out for good: a reload lands on the sign-in form.
    browser.client.refresh().await.unwrap();
    browser.find("#auth-submit").await;
    browser.close().await;
}

#[tokio::test]
async fn an_image_shared_in_one_browser_shows_its_preview_and_the_senders_avatar_in_another() {
    let server = Server::start().await;
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    for (browser, user, name, button) in [
        (&ana, "ana", "Ana", "#create-room"),
        (&bob, "bob", "Bob", "#join"),
    ] {
        browser
            .sign_up(&server.http_url("/?room=pics"), user, name)
            .await;
        browser.click(button).await;
        browser.find(".room").await;
    }
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("sunset.png");
    std::fs::write(&photo, png(800, 600, [250, 120, 30])).unwrap();
    let face = files.path().join("face.png");
    std::fs::write(&face, png(64, 64, [30, 120, 250])).unwrap();

    ana.click("#profile").await;
    ana.choose_file("#avatar-input", &face).await;
    ana.wait_until(
        "Ana sees her new avatar",
        "const img = document.querySelector('.profile img.avatar'); \
         return !!img && img.complete && img.naturalWidth === 64;",
    )
    .await;

    ana.choose_file("#file-input", &photo).await;
    ana.find(".tray .staged").await;
    ana.wait_until(
        "the upload finishes",
        "const bar = document.querySelector('.tray progress'); \
         return !!bar && bar.value === 100;",
    )
    .await;
    ana.type_into("#message-input", "look at this").await;
    ana.click("#send").await;

    bob.wait_for_text(".message .text", "look at this").await;
    // The preview is the thumbnail, its space reserved before it loads, loaded through
    // the media cookie.
    let img = bob.find(".attachment.image img.thumbnail").await;
    assert_eq!(img.attr("width").await.unwrap().as_deref(), Some("320"));
    assert_eq!(img.attr("height").await.unwrap().as_deref(), Some("240"));
    let src = img.attr("src").await.unwrap().unwrap_or_default();
    assert!(src.ends_with("/thumbnail"), "{src}");
    bob.wait_until(
        "the thumbnail is decoded",
        "const img = document.querySelector('.attachment.image img.thumbnail'); \
         return !!img && img.complete && img.naturalWidth > 0 && img.naturalWidth <= 640;",
    )
    .await;
    bob.wait_until(
        "Ana's avatar shows beside her message",
        "const img = [...document.querySelectorAll('.message')] \
           .find(m => m.textContent.includes('look at this'))?.querySelector('img.avatar'); \
         return !!img && img.complete && img.naturalWidth === 64;",
    )
    .await;
    ana.close().await;
    bob.close().await;
}

#[tokio::test]
async fn messages_typed_while_the_server_is_down_are_sent_once_when_it_is_back() {
    let state = tempfile::tempdir().unwrap();
    let mut server = Server::builder().state_dir(state.path()).start().await;
    let port = server.port();
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=lobby"), "ana", "Ana")
        .await;
    browser.click("#join").await;
    browser.find(".room").await;
    browser
        .type_into("#message-input", "before the outage")
        .await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "before the outage")
        .await;

    server.stop();
    browser
        .wait_until(
            "the banner shows the outage",
            "return document.querySelector('.banner')?.textContent.includes('Reconnecting') === true;",
        )
        .await;
    for text in ["typed offline 1", "typed offline 2"] {
        browser.type_into("#message-input", text).await;
        browser.click("#send").await;
    }
    browser
        .wait_for_text(".message.pending .text", "typed offline 2")
        .await;
    browser
        .wait_until(
            "the outbox is in browser storage",
            "return Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.') \
               && localStorage.getItem(k).includes('typed offline 2'));",
        )
        .await;

    let server = Server::builder()
        .state_dir(state.path())
        .port(port)
        .start()
        .await;
    browser
        .wait_until(
            "the banner is gone and the outbox is empty",
            "return !document.querySelector('.banner') && !document.querySelector('.message.pending') \
               && !Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.'));",
        )
        .await;
    // A reload finds nothing left to send, and the history has each message once.
    browser.client.refresh().await.unwrap();
    browser.click("#join").await;
    browser
        .wait_for_text(".message .text", "typed offline 2")
        .await;
    let (_bob, frames) = Client::join_since(&server, "lobby", &bob_acct, None).await;
    let Some(ServerMsg::RoomJoined {
        message_history: messages,
        ..
    }) = frames.into_iter().next()
    else {
        panic!("no room-joined")
    };
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["before the outage", "typed offline 1", "typed offline 2"]
    );
    let shown = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.message .text')].map(e => e.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        serde_json::json!(["before the outage", "typed offline 1", "typed offline 2"])
    );
    browser.close().await;
}

#[tokio::test]
async fn two_profiles_see_each_others_typing_reactions_edits_deletes_replies_and_pins() {
    let server = Server::start().await;
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    ana.sign_up(&server.http_url("/?room=team"), "ana", "Ana")
        .await;
    ana.click("#create-room").await;
    ana.find(".room").await;
    bob.sign_up(&server.http_url("/?room=team"), "bob", "Bob")
        .await;

    ana.click("#invite").await;
    ana.type_into("#invite-username", "bob").await;
    ana.click("#invite-submit").await;
    ana.wait_for_text(".invite .notice", "Invited Bob.").await;
    ana.wait_for_text(".room-header .members", "2 members")
        .await;

    bob.click("#join").await;
    bob.find(".room").await;
    bob.type_into("#message-input", "hello Ana").await;
    ana.wait_for_text(".typing", "Bob is typing…").await;
    bob.click("#send").await;
    ana.wait_for_text(".message .text", "hello Ana").await;
    ana.wait_for_text(".typing", "").await;

    // A reaction.
    ana.on_message("hello Ana", ".actions .react").await;
    ana.on_message("hello Ana", ".picker .pick").await;
    bob.wait_for_text(".reaction", "👍 1").await;

    // A reply.
    ana.on_message("hello Ana", ".actions .reply").await;
    ana.wait_for_text(".replying strong", "Bob").await;
    ana.type_into("#message-input", "hi Bob, welcome").await;
    ana.click("#send").await;
    bob.wait_for_text(".message .text", "hi Bob, welcome").await;
    bob.wait_for_text(".reply-preview strong", "Bob").await;

    // An edit.
    bob.on_message("hello Ana", ".actions .edit").await;
    bob.find("#edit-input").await.clear().await.unwrap();
    bob.type_into("#edit-input", "hello Ana, edited").await;
    bob.click(".edit-box .save").await;
    ana.wait_for_text(".message .text", "hello Ana, edited")
        .await;
    ana.wait_for_text(".message .edited", "(edited)").await;

    // A pin, by the room's admin.
    ana.on_message("hello Ana, edited", ".actions .pin").await;
    bob.wait_for_text(".message .pin-mark", "📌 Pinned").await;

    // A delete, confirmed with a second click.
    bob.type_into("#message-input", "oops, wrong room").await;
    bob.click("#send").await;
    ana.wait_for_text(".message .text", "oops, wrong room")
        .await;
    bob.on_message("oops, wrong room", ".actions .delete").await;
    bob.on_message("oops, wrong room", ".actions .delete").await;
    ana.wait_for_text(".message .text.deleted", "message deleted")
        .await;
    ana.close().await;
    bob.close().await;
}

#[tokio::test]
async fn unread_badges_and_the_title_count_rise_elsewhere_clear_on_read_and_mentions_notify() {
    // A short presence grace: Bob's sockets below leave, and he must count as away.
    let server = Server::builder()
        .var("PRESENCE_GRACE_MS", 300)
        .start()
        .await;
    let (ana_acct, bob_acct) = (server.register("Ana").await, server.register("Bob").await);
    for room in ["one", "two"] {
        server.room(&ana_acct, room).await;
        // Bob joins each public room once, so he is a member of both.
        drop(Client::join(&server, room, &bob_acct).await);
    }
    let mut ana = Client::join(&server, "two", &ana_acct).await;

    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    // The browser's Notification API, recorded: headless Chromium shows none.
    bob.client
        .execute(
            "window.__notes = []; \
             window.Notification = function (title, options) { \
               window.__notes.push({ title, body: options && options.body }); }; \
             window.Notification.permission = 'granted'; \
             window.Notification.requestPermission = () => Promise.resolve('granted'); \
             return true;",
            vec![],
        )
        .await
        .unwrap();
    bob.click(".room-link[data-room='one']").await;
    bob.find(".room").await;
    bob.wait_until(
        "the title has no count",
        "return document.title === 'edgechat';",
    )
    .await;

    ana.send(&ClientMsg::text("two", "hello room two", "a-1"))
        .await;
    bob.wait_for_text(".room-link[data-room='two'] .badge.unread", "1")
        .await;
    bob.wait_until(
        "the title counts it",
        "return document.title === '(1) edgechat';",
    )
    .await;

    ana.send(&ClientMsg::text("two", "@bob look at this", "a-2"))
        .await;
    bob.wait_for_text(".room-link[data-room='two'] .badge.mention", "@1")
        .await;
    bob.wait_until(
        "a desktop notification for the mention",
        "return window.__notes.some(n => n.title === 'Ana mentioned you in #two' \
           && n.body.includes('look at this'));",
    )
    .await;

    bob.click(".room-link[data-room='two']").await;
    bob.wait_for_text(".message .text", "@bob look at this")
        .await;
    bob.wait_for_text(".new-marker", "New messages").await;
    bob.wait_until(
        "the badges and the title count clear on read",
        "return !document.querySelector('.room-link .badge') && document.title === 'edgechat';",
    )
    .await;
    bob.close().await;
}

#[tokio::test]
async fn xss_payloads_and_markdown_tricks_render_as_inert_text() {
    // Thirteen messages at once: above the default burst.
    let server = Server::builder()
        .var("RATE_BURST", 50)
        .var("RATE_PER_WINDOW", 100)
        .start()
        .await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=lobby"), "ana", "Ana")
        .await;
    browser.click("#join").await;
    browser.find(".room").await;

    let payloads = [
        "<img src=x onerror=\"window.__xss=1\">",
        "<script>window.__xss=1</script>",
        "<svg onload=\"window.__xss=1\"></svg>",
        "<a href=\"javascript:window.__xss=1\">click</a>",
        "[click me](javascript:window.__xss=1)",
        "[click me](JaVaScRiPt:window.__xss=1)",
        "[data](data:text/html,<script>window.__xss=1</script>)",
        "![image](javascript:window.__xss=1)",
        "**<b onmouseover=\"window.__xss=1\">bold</b>**",
        "`<script>window.__xss=1</script>`",
        "```html\n<iframe src=javascript:window.__xss=1></iframe>\n```",
        "javascript:window.__xss=1",
        "[ok](https://example.com/\"onmouseover=\"window.__xss=1)",
    ];
    for (i, payload) in payloads.iter().enumerate() {
        bob.send(&ClientMsg::text("lobby", *payload, format!("x-{i}")))
            .await;
        bob.recv_until(|m| matches!(m, ServerMsg::MessageAck { .. }))
            .await;
    }
    browser
        .wait_until(
            "every payload is shown",
            &format!(
                "return document.querySelectorAll('.message:not(.pending) .text').length >= {};",
                payloads.len()
            ),
        )
        .await;
    // Hover and click every link, as a curious user would.
    let verdict = browser
        .client
        .execute(
            "const texts = [...document.querySelectorAll('.message .text')]; \
             for (const a of document.querySelectorAll('.message .text a')) { \
               a.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); \
               a.addEventListener('click', e => e.preventDefault()); a.click(); } \
             const allowed = new Set(['SPAN', 'BR', 'STRONG', 'EM', 'S', 'CODE', 'PRE', 'A', 'BLOCKQUOTE']); \
             const elements = texts.flatMap(t => [...t.querySelectorAll('*')]); \
             return { \
               xss: window.__xss === undefined ? null : window.__xss, \
               foreign: elements.filter(e => !allowed.has(e.tagName)).map(e => e.tagName), \
               attributes: elements.flatMap(e => [...e.attributes].map(a => a.name)) \
                 .filter(n => !['class', 'href', 'target', 'rel', 'data-lang'].includes(n)), \
               hrefs: [...document.querySelectorAll('.message .text a')].map(a => a.getAttribute('href')), \
               shown: texts.map(t => t.textContent), \
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        verdict["xss"],
        serde_json::Value::Null,
        "a payload ran: {verdict}"
    );
    assert_eq!(verdict["foreign"], serde_json::json!([]), "{verdict}");
    assert_eq!(verdict["attributes"], serde_json::json!([]), "{verdict}");
    for href in verdict["hrefs"].as_array().unwrap() {
        let href = href.as_str().unwrap();
        assert!(
            href.starts_with("https://") || href.starts_with("http://"),
            "unsafe link {href}"
        );
    }
    let shown: Vec<&str> = verdict["shown"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        shown.contains(&"<img src=x onerror=\"window.__xss=1\">"),
        "markup is shown as text: {shown:?}"
    );
    assert!(shown.contains(&"<script>window.__xss=1</script>"));
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no dialog opened"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_member_list_shows_presence_and_a_moderator_mutes_from_it() {
    let server = Server::builder()
        .var("PRESENCE_GRACE_MS", 300)
        .start()
        .await;
    // Ana signs up first: the first account is the global admin, whom no one outranks.
    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=crew"), "ana", "Ana")
        .await;
    let (bob_acct, cyd_acct) = (server.register("Bob").await, server.register("Cyd").await);
    browser.click("#create-room").await;
    browser.find(".room").await;
    let mut bob = Client::join(&server, "crew", &bob_acct).await;
    drop(Client::join(&server, "crew", &cyd_acct).await);

    browser.click("#members").await;
    browser
        .wait_for_text(".member[data-user='Bob'] .presence", "online")
        .await;
    browser
        .wait_until(
            "Cyd, who left, shows as offline",
            "const p = document.querySelector(\".member[data-user='Cyd'] .presence\"); \
             return !!p && p.classList.contains('offline');",
        )
        .await;

    browser
        .click(".member[data-user='Bob'] .mod-menu summary")
        .await;
    browser.click(".member[data-user='Bob'] .mute-10").await;
    bob.recv_until(|m| matches!(m, ServerMsg::UserMuted { .. }))
        .await;
    bob.send(&ClientMsg::text("crew", "can I talk?", "b-1"))
        .await;
    let refused = bob
        .recv_until(|m| matches!(m, ServerMsg::Error { .. } | ServerMsg::MessageAck { .. }))
        .await;
    assert!(
        matches!(
            refused,
            ServerMsg::Error {
                code: edgechat_protocol::ErrorCode::Muted,
                ..
            }
        ),
        "{refused:?}"
    );
    browser.close().await;
}

#[tokio::test]
async fn search_jumps_to_an_older_message_and_pasted_images_upload_and_open_in_a_lightbox() {
    let server = Server::builder()
        .var("RATE_BURST", 200)
        .var("RATE_PER_WINDOW", 400)
        .var("ARCHIVE_DELAY_MS", 100)
        .start()
        .await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "archive").await;
    let mut bob = Client::join(&server, "archive", &bob_acct).await;
    for i in 0..80 {
        let text = if i == 3 {
            "the needle in a haystack".to_owned()
        } else {
            format!("filler message number {i}")
        };
        bob.send(&ClientMsg::text("archive", text, format!("f-{i}")))
            .await;
        bob.recv_until(|m| matches!(m, ServerMsg::MessageAck { .. }))
            .await;
    }
    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=archive"), "ana", "Ana")
        .await;
    browser.click("#join").await;
    browser
        .wait_for_text(".message .text", "filler message number 79")
        .await;

    browser.click("#search").await;
    browser.type_into("#search-input", "needle").await;
    browser.click("#search-submit").await;
    browser.click(".search-hit").await;
    browser
        .wait_until(
            "the older message is loaded, shown and highlighted",
            "const row = [...document.querySelectorAll('.message')] \
               .find(m => m.textContent.includes('the needle in a haystack')); \
             if (!row) return false; const box = row.getBoundingClientRect(); \
             const list = document.getElementById('messages').getBoundingClientRect(); \
             return row.classList.contains('flash') && box.top >= list.top - 1 && box.bottom <= list.bottom + 1;",
        )
        .await;

    // The emoji picker inserts into the draft.
    browser.click("#emoji").await;
    browser.click(".emoji-picker button").await;
    browser
        .wait_until(
            "the draft has the emoji",
            "return document.getElementById('message-input').value === '😀';",
        )
        .await;
    browser.find("#message-input").await.clear().await.unwrap();

    // A pasted screenshot uploads like a chosen file.
    browser
        .client
        .execute(
            "const canvas = document.createElement('canvas'); canvas.width = 300; canvas.height = 200; \
             const ctx = canvas.getContext('2d'); ctx.fillStyle = '#3a7'; ctx.fillRect(0, 0, 300, 200); \
             canvas.toBlob(blob => { \
               const data = new DataTransfer(); \
               data.items.add(new File([blob], 'pasted.png', { type: 'image/png' })); \
               document.getElementById('message-input').dispatchEvent( \
                 new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })); \
             }, 'image/png'); return true;",
            vec![],
        )
        .await
        .unwrap();
    browser
        .wait_until(
            "the pasted image is uploaded",
            "const bar = document.querySelector('.tray progress'); return !!bar && bar.value === 100;",
        )
        .await;
    browser.click("#send").await;
    let message = bob
        .recv_until(|m| matches!(m, ServerMsg::NewMessage(m) if !m.attachments.is_empty()))
        .await;
    let ServerMsg::NewMessage(message) = message else {
        unreachable!()
    };
    assert_eq!(message.attachments[0].name, "pasted.png");
    assert_eq!(message.attachments[0].width, Some(300));
    assert!(message.attachments[0].thumbnail_id.is_some());

    browser.click(".attachment.image").await;
    browser
        .wait_until(
            "the lightbox shows the full image",
            "const img = document.querySelector('.lightbox img.full'); \
             return !!img && img.complete && img.naturalWidth === 300;",
        )
        .await;
    browser.click(".lightbox .close").await;
    browser
        .wait_until(
            "the lightbox closes",
            "return !document.querySelector('.lightbox');",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_thousand_loaded_messages_keep_only_the_rows_in_view_in_the_page() {
    let server = Server::builder()
        .var("RATE_BURST", 2000)
        .var("RATE_PER_WINDOW", 4000)
        .var("MAX_REPLAY", 2000)
        .start()
        .await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "busy").await;
    let mut bob = Client::join(&server, "busy", &bob_acct).await;
    for i in 0..1000 {
        // Rows of different heights: every seventh message runs over several lines.
        let text = if i % 7 == 0 {
            format!("message {i}\nwith\nseveral\nlines")
        } else {
            format!("message {i}")
        };
        bob.send(&ClientMsg::text("busy", text, format!("m-{i}")))
            .await;
    }
    bob.recv_until(
        |m| matches!(m, ServerMsg::MessageAck { client_msg_id, .. } if client_msg_id == "m-999"),
    )
    .await;

    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=busy"), "ana", "Ana")
        .await;
    browser.click("#join").await;
    browser.wait_for_text(".message .text", "message 999").await;
    let rows =
        |script: &'static str| async { browser.client.execute(script, vec![]).await.unwrap() };
    let count = "return document.querySelectorAll('.message').length;";
    // Scrolling up loads page after page (infinite scroll) until the first message.
    browser
        .wait_until(
            "the whole history is loaded by scrolling up",
            "const list = document.getElementById('messages'); list.scrollTop = 0; \
             list.dispatchEvent(new Event('scroll')); \
             return [...document.querySelectorAll('.message .text')] \
               .some(t => t.textContent.startsWith('message 0'));",
        )
        .await;
    let rendered = rows(count).await.as_u64().unwrap();
    assert!(
        rendered < 120,
        "{rendered} rows in the page for 1000 messages"
    );
    let height = rows("return document.getElementById('messages').scrollHeight;")
        .await
        .as_u64()
        .unwrap();
    assert!(
        height > 30_000,
        "the spacers stand in for the rest: {height}px"
    );
    browser
        .wait_until(
            "the middle renders when scrolled to",
            "const list = document.getElementById('messages'); \
             list.scrollTop = list.scrollHeight / 2; list.dispatchEvent(new Event('scroll')); \
             return [...document.querySelectorAll('.message .text')] \
               .some(t => /^message 4[0-9][0-9]$|^message 5[0-9][0-9]$/.test(t.textContent));",
        )
        .await;
    assert!(rows(count).await.as_u64().unwrap() < 120);
    browser.close().await;
}

#[tokio::test]
async fn a_direct_message_starts_from_the_member_list_and_a_room_can_be_left() {
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "hall").await;
    let _bob_here = Client::join(&server, "hall", &bob_acct).await;
    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=hall"), "ana", "Ana")
        .await;
    browser.click("#join").await;
    browser.find(".room").await;
    browser.click("#members").await;
    browser.click(".member[data-user='Bob'] .dm").await;
    browser
        .wait_until(
            "the direct room opens",
            "const h = document.querySelector('.room h2'); return !!h && h.textContent !== '#hall';",
        )
        .await;
    let dm = browser
        .client
        .execute(
            "return document.querySelector('.room h2').textContent.slice(1);",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    browser.type_into("#message-input", "hi in private").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "hi in private")
        .await;
    browser.find(&format!(".room-link[data-room='{dm}']")).await;
    let (_bob, frames) = Client::join_since(&server, &dm, &bob_acct, None).await;
    let Some(ServerMsg::RoomJoined {
        message_history, ..
    }) = frames.first()
    else {
        panic!("Bob cannot open the direct room: {frames:?}")
    };
    assert_eq!(message_history[0].text, "hi in private");

    // Leaving asks once more, then closes the room and drops it from the list.
    browser.click(".room-link[data-room='hall']").await;
    browser.wait_for_text(".room h2", "#hall").await;
    browser.click("#leave").await;
    browser.click("#leave").await;
    browser.find(".welcome").await;
    browser
        .wait_until(
            "the room left the list",
            "return !document.querySelector(\".room-link[data-room='hall']\");",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_refused_message_comes_back_to_the_box_instead_of_waiting_to_be_resent() {
    let server = Server::builder().var("MAX_MESSAGE_CHARS", 20).start().await;
    let browser = Browser::launch().await;
    browser
        .sign_up(&server.http_url("/?room=terse"), "ana", "Ana")
        .await;
    browser.click("#create-room").await;
    browser.find(".room").await;
    let long = "this message is far too long for the room";
    browser.type_into("#message-input", long).await;
    browser.click("#send").await;
    browser.find(".room .error").await;
    browser
        .wait_until(
            "the text is back in the box and nothing waits to be resent",
            &format!(
                "return document.getElementById('message-input').value === {long:?} \
                   && !document.querySelector('.message.pending') \
                   && !Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.'));"
            ),
        )
        .await;
    browser.close().await;
}
