//! Exports in the app (issue 38), two browsers side by side. A room's: the admin starts it
//! in the settings panel, watches its progress while the room writes it part by part,
//! and downloads the archive through the link it offers; a member is not offered it. An
//! account's: each user exports their own from their profile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server};
use fantoccini::Locator;

/// Ana (the room's admin) and Bob side by side in `notes`, having said `count` notes in
/// turn, each seen by the other.
async fn two_in_notes(server: &Server, count: usize) -> (Browser, Browser) {
    let ana = Browser::launch().await;
    ana.enter_room(server, "notes", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(server, "notes", "bob", "Bob", false).await;
    for i in 0..count {
        let (speaker, other) = if i % 2 == 0 {
            (&ana, &bob)
        } else {
            (&bob, &ana)
        };
        speaker
            .type_into("#message-input", &format!("note {i}"))
            .await;
        speaker.click("#send").await;
        let shown = format!(
            "return [...document.querySelectorAll('.message .text')].some(t => t.textContent === 'note {i}');"
        );
        other.wait_until("the note shows", &shown).await;
    }
    (ana, bob)
}

#[tokio::test]
async fn an_admin_exports_a_room_in_settings_watches_it_and_downloads_the_archive() {
    // Small parts a second apart, so the progress shows.
    let server = Server::builder()
        .var("EXPORT_CHUNK", 2)
        .var("EXPORT_PACE_MS", 1_000)
        .start()
        .await;
    let (ana, bob) = two_in_notes(&server, 6).await;

    // A member is not offered the export.
    bob.click("#room-settings-open").await;
    bob.find("#room-settings").await;
    assert!(
        bob.client.find(Locator::Css("#room-export")).await.is_err(),
        "a member is offered the room's export"
    );

    ana.click("#room-settings-open").await;
    ana.click("#export-start").await;
    ana.find("#export-progress").await;

    ana.looked_at("export-progress.png").await;
    ana.wait_until(
        "the archive is offered",
        "const link = document.querySelector('#export-download');
         return !!link && /^Download the archive \\(\\d+ KB\\)$/.test(link.textContent);",
    )
    .await;
    ana.client
        .execute(
            "document.querySelector('#room-export').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    ana.looked_at("export-ready.png").await;

    // Closed and opened again, the panel still offers the archive.
    ana.click("#room-settings-close").await;
    ana.click("#room-settings-open").await;
    ana.wait_until(
        "the archive is offered again",
        "return !!document.querySelector('#export-download');",
    )
    .await;

    // The link downloads with the browser's own session, as a click on it would.
    let fetched = ana
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const link = document.querySelector('#export-download');
             fetch(link.href).then(r => r.arrayBuffer().then(b => {
               const text = new TextDecoder().decode(new Uint8Array(b));
               done([r.status, r.headers.get('content-type'), text.slice(0, 13), text.includes('note 5')]);
             }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fetched,
        serde_json::json!([200, "application/x-tar", "manifest.json", true])
    );
}

#[tokio::test]
async fn a_user_exports_their_own_account_from_their_profile_and_downloads_only_their_words() {
    let server = Server::builder()
        .var("ARCHIVE_DELAY_MS", 50)
        .var("EXPORT_CHUNK", 1)
        .var("EXPORT_PACE_MS", 700)
        .start()
        .await;
    let (ana, bob) = two_in_notes(&server, 4).await;
    edgechat_e2e::wait::until("the notes reach D1", async || {
        match server.count("messages") {
            4 => Ok(()),
            n => Err(n),
        }
    })
    .await;

    ana.click("#profile").await;
    ana.find("#account-export").await;
    ana.click("#export-start").await;
    ana.find("#export-progress").await;
    ana.looked_at("account-export-progress.png").await;
    ana.wait_until(
        "the archive is offered",
        "const link = document.querySelector('#export-download');
         return !!link && /^Download the archive \\(\\d+ KB\\)$/.test(link.textContent);",
    )
    .await;
    ana.looked_at("account-export-ready.png").await;

    // Her archive: her words, not Bob's.
    let fetched = ana
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const link = document.querySelector('#export-download');
             fetch(link.href).then(r => r.arrayBuffer().then(b => {
               const text = new TextDecoder().decode(new Uint8Array(b));
               done([r.status, text.slice(0, 13), text.includes('note 2'), text.includes('note 1')]);
             }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fetched,
        serde_json::json!([200, "manifest.json", true, false])
    );

    // Bob's profile offers him his own export, not Ana's archive.
    bob.click("#profile").await;
    bob.find("#account-export").await;
    bob.wait_until(
        "Bob is offered an export of his own",
        "const start = document.querySelector('#export-start');
         return !!start && start.textContent === 'Export my data'
           && !document.querySelector('#export-download');",
    )
    .await;
}
