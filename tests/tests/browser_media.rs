//! Files and search in the browser: uploads with previews and avatars, pasted images,
//! the lightbox, and jumping to a search hit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, files::png, server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};

#[tokio::test]
async fn an_image_shared_in_one_browser_shows_its_preview_and_the_senders_avatar_in_another() {
    let server = Server::start().await;
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    ana.enter_room(&server, "pics", "ana", "Ana", true).await;
    bob.enter_room(&server, "pics", "bob", "Bob", false).await;
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
    // The avatar is saved as soon as it is chosen; the dialog closes.
    ana.click("#profile-cancel").await;

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
        bob.recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
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
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(m)) if !m.attachments.is_empty()))
        .await;
    let ServerMsg::Event(RoomEvent::NewMessage(message)) = message else {
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
    let backdrop = browser
        .client
        .execute(
            "return getComputedStyle(document.querySelector('.lightbox')).backgroundColor;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        backdrop.as_str().is_some_and(|c| c.starts_with("rgb(")),
        "an opaque backdrop, not one the page shows through: {backdrop}"
    );
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
async fn a_link_shows_its_card_in_both_browsers_and_its_author_removes_it() {
    use edgechat_e2e::web::{Route, Web};
    let web = Web::start().await;
    web.route(
        "/article",
        Route::html(
            "<html><head><meta property=\"og:title\" content=\"A &lt;b&gt;bold&lt;/b&gt; claim\">\
             <meta property=\"og:site_name\" content=\"paypal.com\">\
             <meta name=\"description\" content=\"Plain words.\">\
             <meta property=\"og:image\" content=\"/cover.png\"></head></html>",
        ),
    );
    web.route(
        "/cover.png",
        Route::new(200, "image/png", png(120, 60, [20, 160, 90])),
    );
    let server = Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .start()
        .await;
    let host = web
        .url("/")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    ana.enter_room(&server, "links", "ana", "Ana", true).await;
    bob.enter_room(&server, "links", "bob", "Bob", false).await;
    ana.type_into(
        "#message-input",
        &format!("worth a read {}", web.url("/article")),
    )
    .await;
    ana.click("#send").await;
    for browser in [&ana, &bob] {
        // The title is text, markup and all; the image comes from the app's origin.
        browser
            .wait_for_text(".link-preview .preview-title", "A <b>bold</b> claim")
            .await;
        // The page may call itself anything; the card says where the link really goes.
        browser
            .wait_for_text(".link-preview .preview-host", &host)
            .await;
        browser
            .wait_for_text(
                ".link-preview .preview-site",
                &format!("paypal.com · {host}"),
            )
            .await;
        browser
            .wait_until(
                "the card's image loads from the app",
                "const img = document.querySelector('.link-preview img.preview-image'); \
                 return !!img && img.complete && img.naturalWidth === 120 \
                   && new URL(img.src).origin === location.origin \
                   && img.getAttribute('src').startsWith('/api/files/');",
            )
            .await;
    }
    assert!(
        bob.client
            .find_all(fantoccini::Locator::Css(".link-preview .remove-preview"))
            .await
            .unwrap()
            .is_empty(),
        "only the author may remove it"
    );
    ana.click(".link-preview .remove-preview").await;
    for browser in [&ana, &bob] {
        browser
            .wait_until(
                "the card is gone",
                "return !document.querySelector('.link-preview');",
            )
            .await;
    }
    assert_eq!(
        web.seen_at("/cover.png").len(),
        1,
        "fetched once, by the Worker"
    );
    ana.close().await;
    bob.close().await;
}
