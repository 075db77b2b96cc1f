//! Link previews end to end: the page and its image fetched by the Worker from a real
//! server under the outbound policy, after the ack; the card stored with the message and
//! broadcast as `link-preview`; the image served from the app's origin; what the policy
//! refuses never fetched; the author's removal and an edit's replacement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use edgechat_e2e::{
    account::Session,
    files::{png, status_of},
    server::Server,
    socket::{Client, error_code},
    wait::eventually,
    web::{Route, Web},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, LinkPreview, RoomEvent, ServerMsg};

async fn server() -> Server {
    Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .var("ARCHIVE_DELAY_MS", 100)
        .var("RATE_BURST", 50)
        .start()
        .await
}

/// A page server, the Worker, and Ana's room "news" with Bob in it.
async fn news() -> (Web, Server, Session, Session) {
    let web = Web::start().await;
    let server = server().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "news").await;
    (web, server, ana, bob)
}

/// The room's newest messages as a fresh join of `who` sees them.
async fn history(server: &Server, who: &Session) -> Vec<edgechat_protocol::Message> {
    let (_, frames) = Client::join_since(server, "news", who, None).await;
    match frames.into_iter().next() {
        Some(ServerMsg::RoomJoined(frame::RoomJoined {
            message_history, ..
        })) => message_history,
        other => panic!("{other:?}"),
    }
}

fn page(title: &str, image: &str) -> Route {
    Route::html(format!(
        "<!doctype html><html><head><title>ignored when og:title is there</title>\
         <meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"og:description\" content=\"What it is &amp; why it matters.\">\
         <meta property=\"og:site_name\" content=\"Example News\">\
         <meta property=\"og:image\" content=\"{image}\">\
         </head><body><p>Hello</p></body></html>"
    ))
}

/// Waits for the `link-preview` of `message_id`.
async fn preview_of(client: &mut Client, message_id: &str) -> Option<Box<LinkPreview>> {
    match client
        .recv_until(|m| {
            matches!(m, ServerMsg::Event(RoomEvent::LinkPreview { message_id: id, .. }) if id == message_id)
        })
        .await
    {
        ServerMsg::Event(RoomEvent::LinkPreview { preview, .. }) => preview,
        _ => unreachable!(),
    }
}

/// Sends `text` and returns its message id, checking the ack comes before any preview.
async fn send(client: &mut Client, text: &str, id: &str) -> String {
    client.send(&ClientMsg::text("news", text, id)).await;
    loop {
        match client.recv().await {
            ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) => return message_id,
            ServerMsg::Event(RoomEvent::LinkPreview { .. }) => {
                panic!("a preview came before the ack")
            }
            error @ ServerMsg::Error(frame::Error { .. }) => panic!("refused: {error:?}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_link_gets_a_card_after_the_ack_and_its_image_is_served_from_our_origin() {
    let (web, server, ana_acct, bob_acct) = news().await;
    let mut bob = Client::join(&server, "news", &bob_acct).await;
    let mut ana = Client::join(&server, "news", &ana_acct).await;
    let picture = png(40, 20, [200, 30, 30]);
    web.route("/story", page("Big &quot;news&quot; today", "/pic.png"));
    web.route("/pic.png", Route::new(200, "image/png", picture.clone()));

    let link = web.url("/story");
    let message_id = send(&mut ana, &format!("read this: {link}."), "a-1").await;
    let preview = preview_of(&mut bob, &message_id).await.expect("a card");
    assert_eq!(preview.link, link);
    assert_eq!(preview.url, link);
    assert_eq!(preview.title.as_deref(), Some("Big \"news\" today"));
    assert_eq!(
        preview.description.as_deref(),
        Some("What it is & why it matters.")
    );
    assert_eq!(preview.site_name.as_deref(), Some("Example News"));
    let image = preview.image.expect("the page's image");
    assert_eq!(image.content_type, "image/png");
    assert_eq!((image.width, image.height), (Some(40), Some(20)));
    assert_eq!(
        preview_of(&mut ana, &message_id)
            .await
            .as_ref()
            .map(|p| &p.title),
        Some(&preview.title)
    );

    // The reader gets the image from the app, byte for byte; the site saw the Worker only.
    let response = server
        .download(
            &format!("/api/files/{}", image.file_id),
            &bob_acct.access_token,
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().as_ref(), picture.as_slice());
    assert_eq!(web.seen_at("/story").len(), 1);
    assert_eq!(web.seen_at("/pic.png").len(), 1);
    assert!(
        web.seen_at("/story")[0]
            .headers
            .get("user-agent")
            .is_some_and(|ua| ua.starts_with("edgechat-preview"))
    );

    // It is part of the message from then on: a later join sees it.
    let messages = history(&server, &bob_acct).await;
    let stored = messages
        .iter()
        .find(|m| m.message_id == message_id)
        .unwrap();
    assert_eq!(
        stored.preview.as_ref().and_then(|p| p.title.as_deref()),
        Some("Big \"news\" today")
    );
}

#[tokio::test]
async fn what_the_policy_refuses_or_a_page_cannot_give_gets_no_preview() {
    let (web, server, ana_acct, _) = news().await;
    let mut ana = Client::join(&server, "news", &ana_acct).await;
    // A redirect into a private network, plain text, a page whose tags lie past the
    // 512 KB read, a page slower than the 3 s limit, an image that is not one.
    web.route(
        "/to-metadata",
        Route::redirect("http://169.254.169.254/latest/meta-data/"),
    );
    web.route("/text", Route::new(200, "text/plain", "og:title"));
    let mut late = "<html><head>".to_owned();
    late.push_str(&"<!-- padding -->".repeat(40_000));
    late.push_str("<meta property=\"og:title\" content=\"too late\"></head></html>");
    web.route("/late", Route::html(late));
    web.route(
        "/slow",
        page("slow", "/never.png").slow(Duration::from_secs(5)),
    );
    web.route("/fake-image", page("Fake image", "/not-a.png"));
    web.route(
        "/not-a.png",
        Route::new(200, "image/png", "<svg onload=alert(1)>"),
    );

    let texts = [
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "see http://localhost:8787/api/me".to_owned(),
        "ftp-like [x](ftp://example.com/)".to_owned(),
        web.url("/to-metadata"),
        web.url("/text"),
        web.url("/late"),
        web.url("/slow"),
    ];
    let mut ids = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        ids.push(send(&mut ana, text, &format!("a-{i}")).await);
    }
    // The one page that gives a card: its image is not an image, so it has none.
    let fake = send(&mut ana, &web.url("/fake-image"), "a-fake").await;
    let card = preview_of(&mut ana, &fake).await.expect("a card");
    assert_eq!(card.title.as_deref(), Some("Fake image"));
    assert!(card.image.is_none(), "{card:?}");
    // Nothing else may come: wait out the slow page's 3 s limit (an absence has no event
    // to wait for), then look.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let messages = history(&server, &ana_acct).await;
    for id in &ids {
        let message = messages.iter().find(|m| &m.message_id == id).unwrap();
        assert!(message.preview.is_none(), "{message:?}");
    }
    // The redirect was followed no further than the check; the site never saw /never.png.
    assert_eq!(web.seen_at("/to-metadata").len(), 1);
    assert!(web.seen_at("/never.png").is_empty());
    let paths: Vec<String> = web.seen().into_iter().map(|s| s.path).collect();
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with('/') && !p.contains("meta-data")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn the_author_removes_a_card_and_an_edit_to_another_link_replaces_it() {
    let (web, server, ana_acct, bob_acct) = news().await;
    let mut bob = Client::join(&server, "news", &bob_acct).await;
    let mut ana = Client::join(&server, "news", &ana_acct).await;
    web.route("/one", page("One", "/one.png"));
    web.route(
        "/one.png",
        Route::new(200, "image/png", png(8, 8, [0, 0, 255])),
    );
    web.route("/two", page("Two", "/two.png"));
    web.route(
        "/two.png",
        Route::new(200, "image/png", png(8, 8, [0, 255, 0])),
    );

    let message_id = send(&mut ana, &web.url("/one"), "a-1").await;
    let one = preview_of(&mut bob, &message_id).await.expect("card one");
    let one_image = one.image.unwrap().file_id;

    // Only the author may take it off.
    bob.send(&ClientMsg::RemovePreview {
        message_id: message_id.clone(),
    })
    .await;
    let refused = bob
        .recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })))
        .await;
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));

    // An edit to another link: the old card goes, the new one comes.
    ana.send(&ClientMsg::EditMessage {
        message_id: message_id.clone(),
        new_text: format!("better: {}", web.url("/two")),
    })
    .await;
    assert!(preview_of(&mut bob, &message_id).await.is_none());
    let two = preview_of(&mut bob, &message_id).await.expect("card two");
    assert_eq!(two.title.as_deref(), Some("Two"));

    ana.send(&ClientMsg::RemovePreview {
        message_id: message_id.clone(),
    })
    .await;
    assert!(preview_of(&mut bob, &message_id).await.is_none());
    // Both images are deleted with their cards.
    for file in [one_image, two.image.unwrap().file_id] {
        let path = format!("/api/files/{file}");
        eventually(&format!("{file} is gone"), async || {
            status_of(&server, &path, &bob_acct.access_token).await == 404
        })
        .await;
    }
}

#[tokio::test]
async fn a_cards_text_is_cleaned_of_bidi_controls_and_invisible_characters() {
    let (web, server, ana_acct, _) = news().await;
    let mut ana = Client::join(&server, "news", &ana_acct).await;
    // A title that reads "Invoice exe.pdf" with its end reversed, and a site name with a
    // zero-width space that makes it look like another's: as names may not be.
    web.route(
        "/invoice",
        Route::html(
            "<html><head><meta property=\"og:title\" content=\"Invoice &#x202E;fdp.exe\">\
             <meta property=\"og:description\" content=\"Pay\u{200B}ment \u{2066}due\u{2069}\">\
             <meta property=\"og:site_name\" content=\"pay\u{200B}pal.com\"></head></html>",
        ),
    );
    let message_id = send(&mut ana, &web.url("/invoice"), "a-1").await;
    let preview = preview_of(&mut ana, &message_id).await.expect("a card");
    assert_eq!(preview.title.as_deref(), Some("Invoice fdp.exe"));
    assert_eq!(preview.description.as_deref(), Some("Payment due"));
    assert_eq!(preview.site_name.as_deref(), Some("paypal.com"));
}
