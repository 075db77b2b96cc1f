//! A link preview is stored within what its author may store (docs/security.md, "Storing
//! through previews"): its image counts against the author's upload quota, a room keeps one
//! copy of an image however many cards show it, and a link a message keeps is fetched once.
//! Each attack runs against the real Worker under wrangler dev, with pages served by the
//! harness's web server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    files::{png, status_of},
    server::Server,
    socket::{Client, error_code},
    wait::eventually,
    web::{Route, Web},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, LinkPreview, RoomEvent, ServerMsg};

fn builder() -> edgechat_e2e::server::Builder {
    Server::builder()
        .var("OUTBOUND_TEST_HOSTS", "127.0.0.1")
        .var("ARCHIVE_DELAY_MS", 100)
        .var("RATE_BURST", 50)
}

/// A page whose card names the image at `image`.
fn page(title: &str, image: &str) -> Route {
    Route::html(format!(
        "<html><head><meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"og:image\" content=\"{image}\"></head></html>"
    ))
}

/// Sends `text` as `id` and waits for its ack; returns the message id.
async fn send(client: &mut Client, text: &str, id: &str) -> String {
    client.send(&ClientMsg::text("news", text, id)).await;
    match client
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { client_msg_id, .. }) if client_msg_id == id))
        .await
    {
        ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) => message_id,
        other => panic!("{text:?} was refused: {other:?}"),
    }
}

/// Waits for the `link-preview` of `message_id`.
async fn card(client: &mut Client, message_id: &str) -> Option<Box<LinkPreview>> {
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

#[tokio::test]
async fn with_uploads_refused_by_the_quota_links_store_no_images_either() {
    let web = Web::start().await;
    let server = builder().var("UPLOAD_FILES_PER_HOUR", 1).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "news").await;
    // The one upload of the hour, then the quota refuses.
    server
        .uploaded(&ana.access_token, "news", "a.png", &png(4, 4, [1, 2, 3]))
        .await;
    let (status, _) = server
        .upload(
            &ana.access_token,
            "news",
            "b.png",
            &png(4, 4, [3, 2, 1]),
            None,
        )
        .await;
    assert_eq!(status, 429);
    let blobs = server.r2_blobs();

    // Three links whose pages each name a 2 MB image: cards, and no image stored.
    let mut client = Client::join(&server, "news", &ana).await;
    for i in 0..3u8 {
        web.route(
            &format!("/big{i}"),
            page(&format!("Big {i}"), &format!("/big{i}.png")),
        );
        web.route(
            &format!("/big{i}.png"),
            Route::new(200, "image/png", png(820, 820, [i, 100, 200])),
        );
        let id = send(
            &mut client,
            &web.url(&format!("/big{i}")),
            &format!("b-{i}"),
        )
        .await;
        let preview = card(&mut client, &id).await.expect("a card");
        assert_eq!(preview.title.as_deref(), Some(format!("Big {i}").as_str()));
        assert!(
            preview.image.is_none(),
            "an image stored past the quota: {preview:?}"
        );
    }
    assert_eq!(server.r2_blobs(), blobs);
}

#[tokio::test]
async fn an_image_many_cards_show_is_stored_once_in_a_room_and_goes_with_the_last() {
    let web = Web::start().await;
    let server = builder().start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "news").await;
    let picture = png(200, 100, [10, 20, 30]);
    web.route("/logo.png", Route::new(200, "image/png", picture.clone()));
    let mut client = Client::join(&server, "news", &ana).await;
    let mut ids = Vec::new();
    let mut files = Vec::new();
    for i in 0..3 {
        web.route(
            &format!("/post{i}"),
            page(&format!("Post {i}"), "/logo.png"),
        );
        let id = send(
            &mut client,
            &web.url(&format!("/post{i}")),
            &format!("p-{i}"),
        )
        .await;
        let preview = card(&mut client, &id).await.expect("a card");
        files.push(preview.image.expect("an image").file_id);
        ids.push(id);
    }
    assert!(files.iter().all(|f| *f == files[0]), "{files:?}");
    assert_eq!(server.r2_blobs(), 1, "one copy for three cards");

    // Deleting two of the messages leaves the third card's image.
    for id in &ids[..2] {
        client
            .send(&ClientMsg::DeleteMessage {
                message_id: id.clone(),
            })
            .await;
        let reply = client
            .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::MessageDeleted { .. })))
            .await;
        assert_eq!(error_code(&reply), None);
    }
    let path = format!("/api/files/{}", files[0]);
    // A batch of the write-behind passes (and would have purged a doomed file).
    client
        .send(&ClientMsg::text("news", "after", "after"))
        .await;
    client
        .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
    eventually("D1 has the last message", async || {
        !server
            .query("SELECT 1 AS x FROM messages WHERE text = 'after'")
            .is_empty()
    })
    .await;
    assert_eq!(status_of(&server, &path, &ana.access_token).await, 200);
    // The last card's message goes, and the image with it.
    client
        .send(&ClientMsg::DeleteMessage {
            message_id: ids[2].clone(),
        })
        .await;
    eventually("the image is gone with the last card", async || {
        status_of(&server, &path, &ana.access_token).await == 404 && server.r2_blobs() == 0
    })
    .await;
}

#[tokio::test]
async fn an_edit_that_keeps_the_first_link_never_fetches_it_again() {
    let web = Web::start().await;
    let server = builder().start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "news").await;
    let mut client = Client::join(&server, "news", &ana).await;
    // A page that gives no card, and one whose card the author takes off.
    web.route(
        "/empty",
        Route::html("<html><head></head><body>nothing</body></html>"),
    );
    web.route("/card", page("A card", "/none.png"));
    web.route("/marker", page("Marker", "/none.png"));
    let empty = send(&mut client, &web.url("/empty"), "e-1").await;
    let carded = send(&mut client, &web.url("/card"), "c-1").await;
    card(&mut client, &carded).await.expect("a card");
    client
        .send(&ClientMsg::RemovePreview {
            message_id: carded.clone(),
        })
        .await;
    assert!(card(&mut client, &carded).await.is_none());
    for (id, path) in [(&empty, "/empty"), (&carded, "/card")] {
        client
            .send(&ClientMsg::EditMessage {
                message_id: id.clone(),
                new_text: format!("edited, same link: {}", web.url(path)),
            })
            .await;
        client
            .answer(|m| matches!(m, ServerMsg::Event(RoomEvent::MessageEdited { .. })))
            .await;
    }
    // Fetches go one after another in the order asked: once the marker's card is back,
    // any fetch the edits asked for has been made.
    let marker = send(&mut client, &web.url("/marker"), "m-1").await;
    card(&mut client, &marker).await.expect("the marker's card");
    assert_eq!(
        web.seen_at("/empty").len(),
        1,
        "the page without a card, fetched again"
    );
    assert_eq!(
        web.seen_at("/card").len(),
        1,
        "the removed card, fetched again"
    );
}
