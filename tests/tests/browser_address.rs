//! Where the user is survives: each room has its own address (`/r/{room}`), which a
//! reload, a shared link and the back button land on; each room keeps its own draft; and
//! a message queued offline goes out without its room being opened again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use edgechat_e2e::{account::PASSWORD, browser::Browser, server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};

/// The path and search of the page now.
async fn address(browser: &Browser) -> String {
    browser
        .client
        .execute("return location.pathname + location.search;", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// Opens `room` from the "+" dialog.
async fn join(browser: &Browser, room: &str) {
    browser.click("#new-room").await;
    browser.replace_text("#room", room).await;
    browser.click("#join").await;
    browser
        .wait_for_text(".room-header h2", &format!("#{room}"))
        .await;
}

#[tokio::test]
async fn each_room_has_an_address_that_a_reload_a_link_and_back_land_on_with_its_draft() {
    let server = Server::start().await;
    let bob = server.register("Bob").await;
    for room in ["lobby", "dev", "design"] {
        server.room(&bob, room).await;
    }
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    assert_eq!(address(&ana).await, "/r/lobby");
    ana.type_into("#message-input", "half a thought").await;

    join(&ana, "dev").await;
    assert_eq!(address(&ana).await, "/r/dev");
    ana.wait_until(
        "dev's composer is empty: the draft is lobby's",
        "return document.querySelector('#message-input').value === '';",
    )
    .await;
    ana.type_into("#message-input", "dev notes").await;

    // Back: the previous room, with its draft.
    ana.client.back().await.unwrap();
    ana.wait_for_text(".room-header h2", "#lobby").await;
    assert_eq!(address(&ana).await, "/r/lobby");
    ana.wait_until(
        "lobby's draft is back",
        "return document.querySelector('#message-input').value === 'half a thought';",
    )
    .await;

    // Forward, then a reload: the same room, with its draft.
    ana.client.forward().await.unwrap();
    ana.wait_for_text(".room-header h2", "#dev").await;
    ana.client.refresh().await.unwrap();
    ana.wait_for_text(".room-header h2", "#dev").await;
    ana.wait_until(
        "dev's draft survived the reload",
        "return document.querySelector('#message-input').value === 'dev notes';",
    )
    .await;

    // A link to a room she is not in offers it; it joins only when she says so.
    ana.client
        .goto(&server.http_url("/r/design"))
        .await
        .unwrap();
    ana.wait_for_text("#room-offer h2", "#design").await;
    assert!(
        ana.client
            .find(fantoccini::Locator::Css(".room"))
            .await
            .is_err(),
        "no room opened by the link alone"
    );
    ana.click("#join-offered").await;
    ana.wait_for_text(".room-header h2", "#design").await;
    assert_eq!(address(&ana).await, "/r/design");
    ana.close().await;
}

#[tokio::test]
async fn a_message_queued_offline_goes_out_without_its_room_being_opened_again() {
    let state = tempfile::tempdir().unwrap();
    let mut server = Server::builder().state_dir(state.path()).start().await;
    let port = server.port();
    let bob = server.register("Bob").await;
    server.room(&bob, "lobby").await;
    server.room(&bob, "dev").await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    join(&ana, "dev").await;
    ana.click(".room-link[data-room='lobby']").await;
    ana.wait_for_text(".room-header h2", "#lobby").await;
    ana.wait_until(
        "lobby is connected",
        "return !document.querySelector('.banner') \
           && !document.querySelector('#message-input').disabled;",
    )
    .await;

    server.stop();
    ana.wait_until(
        "the banner shows the outage",
        "return document.querySelector('.banner')?.textContent.includes('Reconnecting') === true;",
    )
    .await;
    ana.type_into("#message-input", "queued in lobby").await;
    ana.click("#send").await;
    ana.wait_for_text(".message.pending .text", "queued in lobby")
        .await;
    // She moves on to another room before the server is back, and stays there.
    ana.click(".room-link[data-room='dev']").await;
    ana.wait_for_text(".room-header h2", "#dev").await;

    let server = Server::builder()
        .state_dir(state.path())
        .port(port)
        .start()
        .await;
    ana.wait_until(
        "lobby's outbox has gone out while dev is open",
        "return !Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.'));",
    )
    .await;
    ana.wait_for_text(".room-header h2", "#dev").await;
    let (_bob, frames) = Client::join_since(&server, "lobby", &bob, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        message_history, ..
    })) = frames.into_iter().next()
    else {
        panic!("no room-joined")
    };
    let texts: Vec<&str> = message_history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["queued in lobby"], "sent once");

    // Reopening lobby shows it sent, once, and nothing pending.
    ana.click(".room-link[data-room='lobby']").await;
    ana.wait_for_text(".message:not(.pending) .text", "queued in lobby")
        .await;
    ana.wait_until(
        "nothing pending, and the message shown once",
        "return !document.querySelector('.message.pending') \
           && [...document.querySelectorAll('.message .text')].filter(t => t.textContent === 'queued in lobby').length === 1;",
    )
    .await;
    ana.close().await;
}

#[tokio::test]
async fn a_message_the_room_refuses_while_it_is_not_open_waits_in_its_draft() {
    let state = tempfile::tempdir().unwrap();
    let mut server = Server::builder().state_dir(state.path()).start().await;
    let port = server.port();
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    server.room(&bob_acct, "dev").await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    join(&ana, "dev").await;
    ana.click(".room-link[data-room='lobby']").await;
    ana.wait_until(
        "lobby is connected",
        "return !document.querySelector('.banner') \
           && !document.querySelector('#message-input').disabled;",
    )
    .await;
    // Bob mutes her in lobby, for ten minutes.
    let ana_acct = server.sign_in("ana", PASSWORD).await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    let until = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 600_000;
    bob.send(&ClientMsg::MuteUser {
        user_id: ana_acct.user_id.clone(),
        until,
    })
    .await;
    bob.recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserMuted { .. })))
        .await;
    bob.leave().await;

    // Offline, she writes in lobby, then moves on to dev.
    server.stop();
    ana.wait_until(
        "the banner shows the outage",
        "return document.querySelector('.banner')?.textContent.includes('Reconnecting') === true;",
    )
    .await;
    ana.type_into("#message-input", "said while muted").await;
    ana.click("#send").await;
    ana.wait_for_text(".message.pending .text", "said while muted")
        .await;
    ana.click(".room-link[data-room='dev']").await;
    ana.wait_for_text(".room-header h2", "#dev").await;

    let _server = Server::builder()
        .state_dir(state.path())
        .port(port)
        .start()
        .await;
    ana.wait_until(
        "the refused message left the outbox",
        "return !Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.'));",
    )
    .await;
    ana.click(".room-link[data-room='lobby']").await;
    ana.wait_until(
        "it waits in lobby's composer",
        "return document.querySelector('#message-input').value === 'said while muted';",
    )
    .await;
    ana.close().await;
}
