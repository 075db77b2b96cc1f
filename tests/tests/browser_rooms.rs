//! Rooms in the browser: the room list and its badges, members, direct messages, and a
//! long history.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::PASSWORD, browser::Browser, server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};
use serde_json::json;

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
    bob.recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::UserMuted { .. })))
        .await;
    bob.send(&ClientMsg::text("crew", "can I talk?", "b-1"))
        .await;
    let refused = bob
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Error(frame::Error { .. })
                    | ServerMsg::MessageAck(frame::MessageAck { .. })
            )
        })
        .await;
    assert!(
        matches!(
            refused,
            ServerMsg::Error(frame::Error {
                code: edgechat_protocol::ErrorCode::Muted,
                ..
            })
        ),
        "{refused:?}"
    );
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
        .enter_room(&server, "hall", "ana", "Ana", false)
        .await;
    browser.click("#members").await;
    browser.click(".member[data-user='Bob'] .dm").await;
    browser
        .wait_until(
            "the direct room opens",
            "const h = document.querySelector('.room h2'); return !!h && h.textContent !== '#hall';",
        )
        .await;
    // Named for the other person, never its id; the id is in the address.
    browser.wait_for_text(".room h2", "Bob").await;
    let dm = browser
        .client
        .execute("return location.pathname.slice(3);", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert!(dm.starts_with("dm."), "{dm}");
    browser.type_into("#message-input", "hi in private").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "hi in private")
        .await;
    browser.find(&format!(".room-link[data-room='{dm}']")).await;
    let (_bob, frames) = Client::join_since(&server, &dm, &bob_acct, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        message_history, ..
    })) = frames.first()
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
        |m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { client_msg_id, .. }) if client_msg_id == "m-999"),
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
    // About 29 px a message (the 120 rows in the page alone would be some 3,500).
    assert!(
        height > 20_000,
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
async fn a_big_rooms_member_list_shows_the_count_and_pages_in_the_rest() {
    // Two members to a page, so six are three pages.
    let server = Server::builder().var("MEMBER_PAGE", 2).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "crowd").await;
    for name in ["Bob", "Cyd", "Dee", "Eve"] {
        let who = server.register(name).await;
        drop(Client::join(&server, "crowd", &who).await);
    }
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "crowd", "zed", "Zed", false)
        .await;
    browser.click("#members").await;
    browser
        .wait_until(
            "the header counts every member",
            "const h = document.querySelector('.user-list h3'); \
             return !!h && h.textContent.startsWith('Members · 6 ');",
        )
        .await;
    browser
        .wait_until(
            "one page and the joiner, and a way to the rest",
            "return document.querySelectorAll('.member').length <= 3 \
               && !!document.querySelector('.more-members');",
        )
        .await;
    for _ in 0..3 {
        if browser
            .client
            .execute("return !!document.querySelector('.more-members');", vec![])
            .await
            .unwrap()
            .as_bool()
            == Some(false)
        {
            break;
        }
        let before = browser
            .client
            .execute(
                "return document.querySelectorAll('.member').length;",
                vec![],
            )
            .await
            .unwrap();
        browser.click(".more-members").await;
        browser
            .wait_until(
                "the next page is listed",
                &format!("return document.querySelectorAll('.member').length > {before};"),
            )
            .await;
    }
    browser
        .wait_until(
            "every member listed once, and no more to show",
            "const names = [...document.querySelectorAll('.member')].map(m => m.dataset.user).sort(); \
             return JSON.stringify(names) === JSON.stringify(['Ana','Bob','Cyd','Dee','Eve','Zed']) \
               && !document.querySelector('.more-members');",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn joining_a_room_that_does_not_exist_says_so_and_offers_to_create_it() {
    let server = Server::start().await;
    let ana = Browser::launch().await;
    ana.sign_up(&server.http_url("/"), "ana", "Ana").await;
    // The join form offers "lobby", which this fresh server does not have.
    ana.click("#new-room").await;
    ana.click("#join").await;
    ana.wait_for_text("#room-missing p", "There is no room #lobby yet.")
        .await;
    ana.wait_until(
        "the composer takes nothing and nothing says it is reconnecting",
        "return document.querySelector('#message-input').disabled \
           && document.querySelector('#send').disabled \
           && ![...document.querySelectorAll('.banner')].some(b => b.textContent.includes('Reconnecting'));",
    )
    .await;
    assert_eq!(
        offered(&ana).await,
        Vec::<String>::new(),
        "a missing room offers only to be made"
    );

    ana.click("#create-missing-room").await;
    ana.wait_until(
        "the room is there and the composer takes messages",
        "return !document.querySelector('#room-missing') \
           && !document.querySelector('#message-input').disabled;",
    )
    .await;
    ana.type_into("#message-input", "first!").await;
    ana.click("#send").await;
    ana.wait_for_text(".message .text", "first!").await;
    ana.close().await;
}

#[tokio::test]
async fn a_kicked_member_is_told_so_and_their_composer_takes_nothing() {
    let server = Server::start().await;
    let (ana_acct, bob_acct) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_acct, "lobby").await;
    Client::join(&server, "lobby", &bob_acct)
        .await
        .leave()
        .await;
    let mut ana = Client::join(&server, "lobby", &ana_acct).await;
    let bob = Browser::launch().await;
    bob.sign_in(&server.http_url("/"), "bob", PASSWORD).await;
    bob.click(".room-link[data-room='lobby']").await;
    bob.wait_for_text(".room-header .members", "2 members")
        .await;
    bob.wait_until(
        "the composer takes messages",
        "return !document.querySelector('#message-input').disabled;",
    )
    .await;

    ana.send(&ClientMsg::KickUser {
        user_id: bob_acct.user_id.clone(),
    })
    .await;
    bob.wait_until(
        "Bob is told he was removed, and can write nothing more here",
        "return [...document.querySelectorAll('.banner')].some(b => b.textContent.includes('Ana removed you from this room')) \
           && document.querySelector('#message-input').disabled \
           && document.querySelector('#send').disabled;",
    )
    .await;
    // Nothing is offered that a removed member cannot do.
    assert_eq!(offered(&bob).await, Vec::<String>::new());
    bob.close().await;
}

#[tokio::test]
async fn conversations_are_named_by_the_other_people_and_channels_by_their_names_everywhere() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    let cyd = server.register("Cyd").await;
    let (status, direct) = server
        .post_as(
            "/api/rooms/direct",
            &bob.access_token,
            &json!({ "userId": ana.user_id }),
        )
        .await;
    assert!(status == 201 || status == 200, "{status} {direct}");
    let dm = direct["room"]["roomId"].as_str().unwrap().to_owned();
    let (status, group) = server
        .post_as(
            "/api/rooms",
            &bob.access_token,
            &json!({ "name": "ana, cyd", "group": true, "members": [ana.user_id, cyd.user_id] }),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let group = group["room"]["roomId"].as_str().unwrap().to_owned();
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "Design Team" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let browser = Browser::launch().await;
    browser
        .sign_in(&server.http_url("/"), "ana", PASSWORD)
        .await;
    // The list names each conversation by the others in it, never Ana herself.
    let label = |room: &str| format!(".room-link[data-room='{room}'] .room-name");
    browser.wait_for_text(&label(&dm), "@ Bob").await;
    browser.wait_for_text(&label(&group), "@ Bob, Cyd").await;
    browser
        .wait_for_text(&label("design-team"), "# Design Team")
        .await;
    for (room, title) in [
        (dm.as_str(), "Bob"),
        (group.as_str(), "Bob, Cyd"),
        ("design-team", "#Design Team"),
    ] {
        browser
            .click(&format!(".room-link[data-room='{room}']"))
            .await;
        browser.wait_for_text(".room-header h2", title).await;
        browser.find("#members").await;
        // Nobody is invited to a direct room, which has no settings either.
        let expected: &[&str] = if room == dm {
            &["members", "search", "pins", "leave"]
        } else {
            &["members", "search", "pins", "invite", "leave"]
        };
        let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        edgechat_e2e::wait::eventually("the header offers what can be done", async || {
            offered(&browser)
                .await
                .iter()
                .filter(|b| b.as_str() != "room-settings-open")
                .cloned()
                .collect::<Vec<_>>()
                == expected
        })
        .await;
        browser
            .wait_until(
                &format!("the composer says \"Message {title}\""),
                &format!(
                    "return document.querySelector('#message-input')?.placeholder === 'Message {title}';"
                ),
            )
            .await;
    }
    browser.close().await;
}

/// The ids of the buttons the room's header offers.
async fn offered(browser: &Browser) -> Vec<String> {
    let ids = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.room-header button')].map((b) => b.id);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(ids).unwrap()
}

#[tokio::test]
async fn a_full_room_stops_says_so_and_tries_again_only_when_asked() {
    let server = Server::start().await;
    let (ana, _bob) = (server.register("Ana").await, server.register("Bob").await);
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "tiny", "capacity": 2 }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Ana and Cyd fill it.
    let cyd = server.register("Cyd").await;
    let _cyd_here = Client::join(&server, "tiny", &cyd).await;
    let browser = Browser::launch().await;
    browser
        .sign_in(&server.http_url("/"), "bob", PASSWORD)
        .await;
    // Every socket the page opens, counted.
    browser
        .client
        .execute(
            "window.__sockets = 0; const Real = window.WebSocket; \
             window.WebSocket = class extends Real { constructor(...a) { super(...a); window.__sockets++; } }; \
             return true;",
            vec![],
        )
        .await
        .unwrap();
    browser.click("#new-room").await;
    browser.replace_text("#room", "tiny").await;
    browser.click("#join").await;
    browser
        .wait_until(
            "the room says it is full and takes nothing",
            "const b = document.querySelector('#room-banner'); \
             return !!b && b.textContent.includes('This room is full') \
               && !!document.querySelector('#try-again') \
               && document.querySelector('#message-input').disabled;",
        )
        .await;
    let opened = browser
        .client
        .execute("return window.__sockets;", vec![])
        .await
        .unwrap();
    // That a full room is not retried by itself is reconnect.rs's native test
    // (`answers_are_not_retried_but_failures_are`); here, only Try again opens another.
    assert_eq!(offered(&browser).await, Vec::<String>::new());
    // Try again asks once more, and the room answers as before.
    browser.click("#try-again").await;
    let again = opened.as_u64().unwrap() + 1;
    browser
        .wait_until(
            "one more socket, and the room is still full",
            &format!(
                "return window.__sockets === {again} \
                   && !!document.querySelector('#try-again');"
            ),
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn at_phone_width_the_header_is_one_row_and_the_members_are_a_drawer() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({ "name": "A room with a long name for a phone" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let room = body["room"]["roomId"].as_str().unwrap().to_owned();
    let browser = Browser::launch().await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .sign_in(&server.http_url("/"), "ana", PASSWORD)
        .await;
    browser
        .click(&format!(".room-link[data-room='{room}']"))
        .await;
    browser.find("#leave").await;
    let layout = browser
        .client
        .execute(
            "const tops = [...document.querySelectorAll('.room-header > *')] \
               .map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)); \
             const line = (id) => document.querySelector(id).getBoundingClientRect().height; \
             return { \
               oneRow: Math.max(...tops) - Math.min(...tops) <= 4, \
               signOutOneLine: line('#sign-out') === line('#profile'), \
               placeholder: getComputedStyle(document.querySelector('#message-input'), '::placeholder').whiteSpace, \
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        layout,
        json!({ "oneRow": true, "signOutOneLine": true, "placeholder": "nowrap" }),
        "the header in one row, nothing wrapped"
    );
    // The member list covers the conversation, as the room list does, instead of half.
    browser.click("#members").await;
    browser.find(".user-list").await;
    let drawer = browser
        .client
        .execute(
            "const r = document.querySelector('.user-list').getBoundingClientRect(); \
             const body = document.querySelector('.room-body').getBoundingClientRect(); \
             return [Math.round(r.left - body.left), Math.round(r.width - body.width)];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawer, json!([0, 0]), "the drawer covers the room's body");
    browser.close().await;
}
