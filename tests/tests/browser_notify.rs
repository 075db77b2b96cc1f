//! Notifications, mentions and presence in the browser: counts that stay right across
//! rooms and senders, alerts from the open room while the user looks away, a refused
//! permission explained, an inbox closed for too many places explained, `@` completion,
//! and profile cards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::PASSWORD, browser::Browser, server::Server, socket::Client, wait::eventually,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg};
use serde_json::json;

/// Replaces the browser's Notification API with one that records what the page shows
/// (headless Chromium shows none), answering `permission` and, when asked, `answer`.
async fn record_notifications(browser: &Browser, permission: &str, answer: &str) {
    browser
        .client
        .execute(
            "window.__notes = []; \
             window.Notification = function (title, options) { \
               window.__notes.push({ title, body: options && options.body }); }; \
             window.Notification.permission = arguments[0]; \
             window.Notification.requestPermission = () => { \
               window.Notification.permission = arguments[1]; \
               return Promise.resolve(arguments[1]); }; \
             return true;",
            vec![json!(permission), json!(answer)],
        )
        .await
        .unwrap();
}

/// Sends `text` to `room` and waits for its ack.
async fn say(client: &mut Client, room: &str, text: &str, id: &str) {
    client.send(&ClientMsg::text(room, text, id)).await;
    client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::MessageAck(frame::MessageAck { .. })
                    | ServerMsg::Error(frame::Error { .. })
            )
        })
        .await;
}

#[tokio::test]
async fn unread_counts_stay_right_across_rooms_and_senders_with_the_list_open() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let (ana_acct, bob_acct, cyd_acct) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Cyd").await,
    );
    for room in ["one", "two", "three"] {
        server.room(&ana_acct, room).await;
        Client::join(&server, room, &bob_acct).await.leave().await;
    }
    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    bob.click(".room-link[data-room='one']").await;
    bob.find(".room").await;

    let mut ana_two = Client::join(&server, "two", &ana_acct).await;
    let mut cyd_two = Client::join(&server, "two", &cyd_acct).await;
    let mut ana_three = Client::join(&server, "three", &ana_acct).await;
    // Several senders, two rooms, the list open all along: four messages in one room
    // must read 4, not stop at the first.
    say(&mut ana_two, "two", "one from ana", "a-1").await;
    say(&mut cyd_two, "two", "one from cyd", "c-1").await;
    say(&mut ana_three, "three", "over in three", "a-2").await;
    say(&mut ana_two, "two", "two from ana", "a-3").await;
    say(&mut cyd_two, "two", "two from cyd", "c-2").await;
    bob.wait_for_text(".room-link[data-room='two'] .badge.unread", "4")
        .await;
    bob.wait_for_text(".room-link[data-room='three'] .badge.unread", "1")
        .await;
    bob.wait_until(
        "the title counts all five",
        "return document.title === '(5) edgechat';",
    )
    .await;
    say(&mut ana_three, "three", "and another", "a-4").await;
    bob.wait_for_text(".room-link[data-room='three'] .badge.unread", "2")
        .await;
    bob.wait_until(
        "the title follows",
        "return document.title === '(6) edgechat';",
    )
    .await;
    bob.close().await;
}

#[tokio::test]
async fn a_mention_in_the_open_room_while_the_window_is_unfocused_alerts_and_counts() {
    let server = Server::start().await;
    let (ana_acct, bob_acct) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_acct, "one").await;
    drop(Client::join(&server, "one", &bob_acct).await);
    let mut ana = Client::join(&server, "one", &ana_acct).await;

    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    record_notifications(&bob, "granted", "granted").await;
    bob.click(".room-link[data-room='one']").await;
    bob.find(".room").await;
    // Bob switches to another window: the room stays open, unseen.
    bob.client
        .execute(
            "window.dispatchEvent(new Event('blur')); return true;",
            vec![],
        )
        .await
        .unwrap();
    say(&mut ana, "one", "just chatting", "a-1").await;
    say(&mut ana, "one", "@bob are you there?", "a-2").await;
    bob.wait_until(
        "the mention notifies",
        "return window.__notes.length === 1 && window.__notes[0].title === 'Ana mentioned you' \
           && window.__notes[0].body === '@bob are you there?';",
    )
    .await;
    bob.wait_until(
        "both count in the title",
        "return document.title === '(2) edgechat';",
    )
    .await;
    // Nothing was marked read while he looked away; coming back reads it.
    assert!(
        ana.sync()
            .await
            .iter()
            .all(|m| !matches!(m, ServerMsg::ReadReceipt(frame::ReadReceipt { .. }))),
        "no read receipt while unseen"
    );
    bob.client
        .execute(
            "window.dispatchEvent(new Event('focus')); return true;",
            vec![],
        )
        .await
        .unwrap();
    bob.wait_until("the title clears", "return document.title === 'edgechat';")
        .await;
    ana.recv_until_any(
        |m| matches!(m, ServerMsg::ReadReceipt(frame::ReadReceipt { user_id, .. }) if *user_id == bob_acct.user_id),
    )
    .await;
    bob.close().await;
}

#[tokio::test]
async fn a_refused_notification_permission_is_explained() {
    let server = Server::start().await;
    server.register("Bob").await;
    let bob = Browser::launch().await;
    bob.client.goto(&server.http_url("/")).await.unwrap();
    bob.find("#username").await;
    // The browser has not asked yet; when it does, the user says no.
    record_notifications(&bob, "default", "denied").await;
    bob.type_into("#username", "bob").await;
    bob.type_into("#password", PASSWORD).await;
    bob.click("#auth-submit").await;
    bob.click("#enable-notifications").await;
    bob.wait_until(
        "the refusal is explained",
        "const n = document.querySelector('#notifications-explained'); \
         return !!n && n.textContent.includes('blocked') && n.textContent.includes('site settings');",
    )
    .await;
    // The bell says so from then on, and explains again on a click.
    bob.click("#notifications-explained button").await;
    bob.click("#notifications-blocked").await;
    bob.find("#notifications-explained").await;
    bob.close().await;
}

#[tokio::test]
async fn a_tab_whose_inbox_was_closed_for_too_many_places_says_so() {
    let server = Server::builder().var("MAX_INBOX_SOCKETS", 1).start().await;
    let bob_account = server.register("Bob").await;
    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    // The page's inbox is up once it has put Bob online.
    let status = format!(
        "SELECT status FROM users WHERE id = '{}'",
        bob_account.user_id
    );
    eventually("the page's inbox puts Bob online", async || {
        server.query(&status)[0]["status"] == "online"
    })
    .await;
    // Bob opens his inbox somewhere else, one place past the cap: the tab's inbox, the
    // oldest, is closed, nothing retries it, and the header says why and what to do.
    let (mut elsewhere, _) = Client::inbox(&server, &bob_account).await;
    bob.wait_until(
        "the tab says its notifications stopped",
        "const n = document.querySelector('#inbox-closed'); \
         return !!n && n.textContent.includes('too many places') && n.textContent.includes('Reload');",
    )
    .await;
    elsewhere.sync().await;
    bob.close().await;
}

#[tokio::test]
async fn at_completes_to_account_names_and_a_card_shows_who_someone_is() {
    let server = Server::builder().var("STATUS_RELAY_MS", 1).start().await;
    let (ana_acct, cyd_acct) = (server.register("Ana").await, server.register("Cyd").await);
    server.room(&ana_acct, "one").await;
    // Cyd shows as "Cyd Lima" but is mentioned as @cyd; she set a status text.
    let (status, _) = server
        .patch_as(
            "/api/me",
            &cyd_acct.access_token,
            &json!({ "displayName": "Cyd Lima", "statusText": "reviewing PRs" }),
        )
        .await;
    assert_eq!(status, 200);
    let mut cyd = Client::join(&server, "one", &cyd_acct).await;
    let mut ana = Client::join(&server, "one", &ana_acct).await;
    say(&mut ana, "one", "welcome @bob", "a-1").await;

    let bob = Browser::launch().await;
    bob.enter_room(&server, "one", "bob", "Bob", false).await;
    bob.wait_for_text(".message .text .mention.me", "@bob")
        .await;
    bob.type_into("#message-input", "thanks @li").await;
    bob.wait_for_text("#mention-suggestions .handle", "@cyd")
        .await;
    bob.type_into("#message-input", "\u{E004}").await; // Tab picks it
    bob.wait_until(
        "the account name is written",
        "return document.querySelector('#message-input').value === 'thanks @cyd ';",
    )
    .await;
    bob.click("#send").await;
    // What reaches her is the account name the server matches mentions against.
    cyd.recv_until(|m| {
        matches!(m, ServerMsg::Event(edgechat_protocol::RoomEvent::NewMessage(m)) if m.text == "thanks @cyd")
    })
    .await;

    // Her name on her message (or in the member list) opens her card.
    say(&mut cyd, "one", "hello all", "c-1").await;
    bob.wait_for_text(".message .author", "Cyd Lima").await;
    bob.client
        .execute(
            "[...document.querySelectorAll('.message .author')] \
               .find(a => a.textContent === 'Cyd Lima').click(); return true;",
            vec![],
        )
        .await
        .unwrap();
    bob.wait_for_text(".profile-card .profile-handle", "@cyd")
        .await;
    bob.wait_for_text(".profile-card .profile-status", "reviewing PRs")
        .await;
    bob.wait_for_text(".profile-card .profile-presence", "online")
        .await;
    bob.find(".profile-card .profile-message").await;
    bob.click(".profile-close").await;
    bob.click("#members").await;
    bob.wait_for_text(
        ".member[data-user='Cyd Lima'] .status-text",
        "reviewing PRs",
    )
    .await;
    bob.close().await;
}

#[tokio::test]
async fn turning_push_on_asks_first_and_explains_why_it_could_not() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    server.room(&ana, "elsewhere").await;
    let bob_acct = server.register("Bob").await;
    Client::join(&server, "lobby", &bob_acct)
        .await
        .leave()
        .await;
    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    let toggle_is = |on: bool| {
        format!(
            "const t = document.querySelector('#push-toggle'); return !!t && !t.disabled && t.checked === {on};"
        )
    };

    // The browser asks; the user says no: nothing is subscribed, and the settings say why.
    record_notifications(&bob, "default", "denied").await;
    bob.click("#profile").await;
    bob.click("#push-toggle").await;
    bob.wait_until(
        "the refusal is explained",
        "const p = document.querySelector('#push-explained'); \
         return !!p && p.textContent.includes('blocked') && p.textContent.includes('site settings');",
    )
    .await;
    bob.wait_until("the setting stays off", &toggle_is(false))
        .await;

    // Allowed this time, but headless Chromium has no push service: the service worker
    // registers, the subscription fails, and the settings say the browser could not.
    record_notifications(&bob, "default", "granted").await;
    bob.click("#push-toggle").await;
    bob.wait_until(
        "the failed subscription is explained",
        "const p = document.querySelector('#push-explained'); \
         return !!p && p.textContent.includes('could not subscribe');",
    )
    .await;
    bob.wait_until("the setting stays off", &toggle_is(false))
        .await;
    let registered = bob
        .client
        .execute(
            "return navigator.serviceWorker.getRegistration('/').then(r => !!r && !!(r.active || r.installing || r.waiting) && (r.active || r.installing || r.waiting).scriptURL);",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        registered
            .as_str()
            .is_some_and(|url| url.ends_with("/sw.js")),
        "the service worker is registered: {registered}"
    );
    assert_eq!(server.count("push_subscriptions"), 0);

    // A link that names a room the user is not in opens nothing: a link cannot make
    // anyone join a room.
    bob.client
        .goto(&server.http_url("/?open=elsewhere"))
        .await
        .unwrap();
    bob.find(".room-link[data-room='lobby']").await;
    let opened = bob
        .client
        .execute("return !!document.querySelector('.room');", vec![])
        .await
        .unwrap();
    assert_eq!(opened, json!(false), "a room Bob is not in was opened");
    bob.wait_for_text("#room-offer h2", "#elsewhere").await;
    // Where a push's notification leads when clicked: the app, open at its room.
    bob.client
        .goto(&server.http_url("/?open=lobby"))
        .await
        .unwrap();
    bob.wait_until(
        "the room of the push is open",
        "const r = document.querySelector('.room'); \
         return !!r && r.getAttribute('aria-label') === '#lobby' && location.pathname === '/r/lobby' && location.search === '';",
    )
    .await;
    bob.close().await;
}

#[tokio::test]
async fn the_new_messages_line_marks_only_what_arrived_while_the_user_looked_away() {
    let server = Server::start().await;
    let (ana_acct, bob_acct) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_acct, "one").await;
    drop(Client::join(&server, "one", &bob_acct).await);
    let mut ana = Client::join(&server, "one", &ana_acct).await;
    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    bob.click(".room-link[data-room='one']").await;
    bob.find(".room").await;
    let marker = "return [...document.querySelectorAll('.new-marker')]\
                  .map(m => m.nextElementSibling?.querySelector('.text')?.textContent ?? '?');";

    // Read as they arrive, with the tab in front: no line.
    say(&mut ana, "one", "seen live", "a-1").await;
    say(&mut ana, "one", "seen too", "a-2").await;
    bob.wait_for_text(".message .text", "seen too").await;
    let lines = bob.client.execute(marker, vec![]).await.unwrap();
    assert_eq!(lines, json!([]), "no line above messages read as they came");

    // Away: the line goes above the first that arrived unseen, and stays there.
    bob.client
        .execute(
            "window.dispatchEvent(new Event('blur')); return true;",
            vec![],
        )
        .await
        .unwrap();
    say(&mut ana, "one", "while away", "a-3").await;
    say(&mut ana, "one", "also away", "a-4").await;
    bob.wait_for_text(".message .text", "also away").await;
    bob.client
        .execute(
            "window.dispatchEvent(new Event('focus')); return true;",
            vec![],
        )
        .await
        .unwrap();
    say(&mut ana, "one", "back again", "a-5").await;
    bob.wait_for_text(".message .text", "back again").await;
    let lines = bob.client.execute(marker, vec![]).await.unwrap();
    assert_eq!(lines, json!(["while away"]));
    bob.close().await;
}

#[tokio::test]
async fn a_screen_reader_hears_a_burst_of_new_messages_once_and_never_the_history() {
    let server = Server::start().await;
    let (ana_acct, bob_acct) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_acct, "one").await;
    drop(Client::join(&server, "one", &bob_acct).await);
    let mut ana = Client::join(&server, "one", &ana_acct).await;
    say(&mut ana, "one", "said before Bob came", "a-0").await;
    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    bob.click(".room-link[data-room='one']").await;
    bob.wait_for_text(".message .text", "said before Bob came")
        .await;
    // Everything the polite live region says from here on.
    bob.client
        .execute(
            "const region = document.querySelector('#announcer[aria-live=polite]'); \
             window.__heard = []; \
             new MutationObserver(() => window.__heard.push(region.textContent)) \
               .observe(region, { childList: true, characterData: true, subtree: true }); \
             return region.textContent;",
            vec![],
        )
        .await
        .map(|said| assert_eq!(said, json!(""), "the history is not told"))
        .unwrap();

    for (n, text) in ["one", "two", "three"].iter().enumerate() {
        say(&mut ana, "one", text, &format!("b-{n}")).await;
    }
    bob.wait_until(
        "the burst is told once, in one sentence",
        "return window.__heard.length === 1 && window.__heard[0] === '3 new messages from Ana';",
    )
    .await;
    say(&mut ana, "one", "lunch?", "c-0").await;
    bob.wait_until(
        "a single message is told by its author and words",
        "return window.__heard.length === 2 && window.__heard[1] === 'Ana: lunch?';",
    )
    .await;
    // Bob's own message is not news to him.
    bob.type_into("#message-input", "on my way").await;
    bob.click("#send").await;
    bob.wait_for_text(".message:not(.pending) .text", "on my way")
        .await;
    // Told next is Ana's, alone: nothing of Bob's came between or with it.
    say(&mut ana, "one", "ok", "c-1").await;
    bob.wait_until(
        "the next is Ana's alone",
        "return window.__heard.length >= 3;",
    )
    .await;
    let heard = bob
        .client
        .execute("return window.__heard;", vec![])
        .await
        .unwrap();
    assert_eq!(
        heard,
        json!(["3 new messages from Ana", "Ana: lunch?", "Ana: ok"])
    );
    bob.close().await;
}
