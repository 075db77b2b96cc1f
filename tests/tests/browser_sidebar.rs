//! The sidebar is the room list: joining, browsing and creating rooms live behind its "+"
//! dialog, the profile is a dialog with Cancel, and nothing in it runs off sideways.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    browser::Browser,
    files::{attach, png},
    server::Server,
    socket::Client,
};
use serde_json::json;

#[tokio::test]
async fn rooms_are_created_from_the_dialog_as_public_private_or_group_conversations() {
    let server = Server::start().await;
    let (bob, _cyd) = (server.register("Bob").await, server.register("Cyd").await);
    let ana = Browser::launch().await;
    ana.sign_up(&server.http_url("/"), "ana", "Ana").await;
    assert!(
        ana.client
            .find(fantoccini::Locator::Css(".sidebar form, .sidebar #room"))
            .await
            .is_err(),
        "no form in the sidebar"
    );

    // Cancel and Esc close the dialog.
    ana.click("#new-room").await;
    ana.click("#new-room-cancel").await;
    ana.wait_until(
        "the dialog closed",
        "return !document.querySelector('#new-room-dialog');",
    )
    .await;
    ana.click("#new-room").await;
    ana.find("#create-name")
        .await
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    ana.wait_until(
        "Esc closed it",
        "return !document.querySelector('#new-room-dialog');",
    )
    .await;

    // A private room with a member picked by username, and a capacity.
    ana.click("#new-room").await;
    ana.type_into("#create-name", "Design Team").await;
    ana.click("#kind-private").await;
    ana.type_into("#create-members", "zed").await;
    ana.click("#create-submit").await;
    ana.wait_for_text("#create-form .error", "There is no user named zed.")
        .await;
    ana.replace_text("#create-members", "@bob").await;
    ana.type_into("#create-capacity", "5").await;
    ana.click("#create-submit").await;
    ana.wait_for_text(".room-header h2", "#Design Team").await;
    ana.wait_for_text(".room-header .members", "2 members")
        .await;
    assert!(
        server
            .listed_rooms(&bob)
            .await
            .contains(&"design-team".to_owned())
    );
    let (_, public) = server
        .get_as("/api/rooms/public?q=design", &bob.access_token)
        .await;
    assert_eq!(public["rooms"], json!([]), "a private room is not listed");

    // A group conversation, named for its members.
    ana.click("#new-room").await;
    ana.click("#kind-group").await;
    ana.type_into("#create-members", "bob, cyd").await;
    ana.click("#create-submit").await;
    // Named by the other people in it, by their display names (the list names them).
    ana.wait_for_text(".room-header h2", "Bob, Cyd").await;
    ana.wait_for_text(".room-header .members", "3 members")
        .await;
    let address = ana
        .client
        .execute("return location.pathname;", vec![])
        .await
        .unwrap();
    assert!(address.as_str().unwrap().starts_with("/r/g."), "{address}");

    // A public room, found by others in the dialog's list.
    ana.click("#new-room").await;
    ana.type_into("#create-name", "Town Square").await;
    ana.click("#create-submit").await;
    ana.wait_for_text(".room-header h2", "#Town Square").await;
    let bo = Browser::launch().await;
    bo.sign_in(
        &server.http_url("/"),
        "bob",
        edgechat_e2e::account::PASSWORD,
    )
    .await;
    bo.click("#welcome-new-room").await;
    bo.click("#new-room-dialog .browse .room-link[data-room='town-square']")
        .await;
    bo.wait_for_text(".room-header h2", "#Town Square").await;
    bo.close().await;
    ana.close().await;
}

#[tokio::test]
async fn the_profile_is_a_dialog_with_cancel_and_the_sidebar_and_cards_keep_their_shape() {
    let server = Server::start().await;
    let bob = server.register("Bob").await;
    let long = "A room with a very long name that runs on past the sidebar";
    let (status, body) = server
        .post_as("/api/rooms", &bob.access_token, &json!({ "name": long }))
        .await;
    assert_eq!(status, 201, "{body}");
    let room = body["room"]["roomId"].as_str().unwrap().to_owned();
    // Bob, who has no avatar, sends an image and a file in one message.
    let mut bob_client = Client::join(&server, &room, &bob).await;
    let image = server
        .uploaded(
            &bob.access_token,
            &room,
            "wide.png",
            &png(240, 180, [0, 90, 200]),
        )
        .await;
    let file = server
        .uploaded(
            &bob.access_token,
            &room,
            "notes.txt",
            b"plain notes, not a picture",
        )
        .await;
    attach(&mut bob_client, &room, &[&image, &file], "both").await;

    let ana = Browser::launch().await;
    ana.enter_room(&server, &room, "ana", "Ana", false).await;
    ana.find(".attachment.file").await;
    ana.find(&format!(".room-link[data-room='{room}'] .room-name"))
        .await;
    ana.wait_until(
        "the image has loaded",
        "const img = document.querySelector('.attachment.image img'); \
         return !!img && img.complete && img.naturalWidth > 0;",
    )
    .await;
    let shape = ana
        .client
        .execute(
            "const card = document.querySelector('.attachment.file').getBoundingClientRect(); \
             const img = document.querySelector('.attachment.image img').getBoundingClientRect(); \
             const nav = document.querySelector('.sidebar'); \
             const name = document.querySelector(`.room-link[data-room='${arguments[0]}'] .room-name`); \
             return { card: card.height, image: img.height, \
               sideways: nav.scrollWidth - nav.clientWidth, \
               ellipsis: getComputedStyle(name).textOverflow, cut: name.scrollWidth > name.clientWidth };",
            vec![json!(room)],
        )
        .await
        .unwrap();
    assert!(
        shape["card"].as_f64().unwrap() < shape["image"].as_f64().unwrap() / 2.0,
        "the file card keeps its own height beside the image: {shape}"
    );
    assert_eq!(
        shape["sideways"], 0,
        "the sidebar does not scroll sideways: {shape}"
    );
    assert_eq!(shape["ellipsis"], "ellipsis");
    assert_eq!(
        shape["cut"], true,
        "the long name is cut with an ellipsis: {shape}"
    );

    // Members without an avatar cost no 404.
    let avatars = ana
        .client
        .execute(
            "return performance.getEntriesByType('resource') \
               .filter(e => e.name.includes('/avatar')).map(e => e.responseStatus);",
            vec![],
        )
        .await
        .unwrap();
    let statuses: Vec<u64> = avatars
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert!(!statuses.is_empty(), "the avatars were asked for");
    assert!(
        statuses.iter().all(|s| *s != 404),
        "no 404 for a member without an avatar: {statuses:?}"
    );

    // The profile: a dialog; Cancel keeps the name as it was, Save changes it.
    ana.click("#profile").await;
    ana.find("#profile-dialog").await;
    ana.replace_text("#profile-name", "Not saved").await;
    ana.click("#profile-cancel").await;
    ana.wait_until(
        "the dialog closed, the name unchanged",
        "return !document.querySelector('#profile-dialog') \
           && document.querySelector('.top .me').textContent === 'Ana';",
    )
    .await;
    ana.click("#profile").await;
    ana.replace_text("#profile-name", "Ana Lima").await;
    ana.click("#profile-save").await;
    ana.wait_for_text(".top .me", "Ana Lima").await;
    ana.close().await;
}

#[tokio::test]
async fn the_keyboard_lands_where_the_words_go_stays_in_dialogs_and_moves_between_rooms() {
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    for room in ["one", "two", "three"] {
        server.room(&ana, room).await;
    }
    let mut here = Client::join(&server, "one", &ana).await;
    here.send(&edgechat_protocol::ClientMsg::text(
        "one",
        "first words",
        "k-1",
    ))
    .await;
    here.recv_until(|m| {
        matches!(
            m,
            edgechat_protocol::ServerMsg::MessageAck(edgechat_protocol::frame::MessageAck { .. })
        )
    })
    .await;
    let browser = Browser::launch().await;
    browser
        .sign_in(
            &server.http_url("/"),
            "ana",
            edgechat_e2e::account::PASSWORD,
        )
        .await;
    browser.click(".room-link[data-room='one']").await;
    browser.wait_for_text(".message .text", "first words").await;

    // Reply, clicked as a user does: the caret goes to the composer, not the button.
    browser.hover(".message").await;
    browser.click(".message .reply").await;
    browser
        .wait_until(
            "the composer has focus after Reply",
            "return document.activeElement?.id === 'message-input';",
        )
        .await;
    // Edit: the caret after the text; Esc gives the composer the focus back.
    browser.hover(".message").await;
    browser.click(".message .edit").await;
    browser
        .wait_until(
            "the edit box has the caret after its text",
            "const a = document.activeElement; return a?.id === 'edit-input' \
               && a.value.length > 0 && a.selectionStart === a.value.length;",
        )
        .await;
    browser.press("\u{e00c}").await;
    browser
        .wait_until(
            "the composer has focus after the edit",
            "return !document.querySelector('#edit-input') \
               && document.activeElement?.id === 'message-input';",
        )
        .await;

    // The "+" dialog takes the focus, Tab goes round within it, Esc gives it back.
    browser.click("#new-room").await;
    browser
        .wait_until(
            "the dialog's first field has focus",
            "return document.activeElement?.id === 'room';",
        )
        .await;
    for step in 0..25 {
        browser.press("\u{e004}").await;
        let inside = browser
            .client
            .execute(
                "return !!document.activeElement?.closest('#new-room-dialog');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(inside, json!(true), "Tab {step} left the dialog");
    }
    browser.chord(&["\u{e008}", "\u{e004}"]).await;
    browser.press("\u{e00c}").await;
    browser
        .wait_until(
            "focus is back on +",
            "return !document.querySelector('#new-room-dialog') \
               && document.activeElement?.id === 'new-room';",
        )
        .await;
    // The profile dialog: the same.
    browser.click("#profile").await;
    browser
        .wait_until(
            "the profile's first field has focus",
            "return document.activeElement?.id === 'profile-name';",
        )
        .await;
    for _ in 0..15 {
        browser.chord(&["\u{e008}", "\u{e004}"]).await;
    }
    let inside = browser
        .client
        .execute(
            "return !!document.activeElement?.closest('#profile-dialog');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(inside, json!(true), "Shift+Tab stays in the profile dialog");
    browser.press("\u{e00c}").await;
    browser
        .wait_until(
            "focus is back on Profile",
            "return !document.querySelector('#profile-dialog') \
               && document.activeElement?.id === 'profile';",
        )
        .await;

    // Ctrl+K: switching by name, in the room list's box; Enter opens the first found.
    browser.chord(&["\u{e009}", "k"]).await;
    browser
        .wait_until(
            "the room finder has focus",
            "return document.activeElement?.id === 'room-filter';",
        )
        .await;
    browser
        .find("#room-filter")
        .await
        .send_keys("thr")
        .await
        .unwrap();
    browser
        .wait_until(
            "only three is found",
            "return [...document.querySelectorAll('.sidebar .room-link')].map(b => b.dataset.room).join() === 'three';",
        )
        .await;
    browser.press("\u{e007}").await;
    browser.wait_for_text(".room-header h2", "#three").await;
    browser
        .wait_until(
            "the composer has focus in the room opened, and the list is whole again",
            "return document.activeElement?.id === 'message-input' \
               && document.querySelectorAll('.sidebar .room-link').length === 3;",
        )
        .await;

    // Alt+↓ and Alt+↑: the next and the previous room in the list.
    let order = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.sidebar .room-link')].map(b => b.dataset.room);",
            vec![],
        )
        .await
        .unwrap();
    let order: Vec<String> = serde_json::from_value(order).unwrap();
    let at = order.iter().position(|r| r == "three").unwrap();
    let (before, after) = (at.checked_sub(1), order.get(at + 1));
    if let Some(after) = after {
        browser.chord(&["\u{e00a}", "\u{e015}"]).await;
        browser
            .wait_for_text(".room-header h2", &format!("#{after}"))
            .await;
        browser.chord(&["\u{e00a}", "\u{e013}"]).await;
        browser.wait_for_text(".room-header h2", "#three").await;
    }
    if let Some(before) = before {
        browser.chord(&["\u{e00a}", "\u{e013}"]).await;
        browser
            .wait_for_text(".room-header h2", &format!("#{}", order[before]))
            .await;
    }
    browser
        .wait_until(
            "the composer has focus after Alt+arrows",
            "return document.activeElement?.id === 'message-input';",
        )
        .await;

    // Esc closes search.
    browser.click("#search").await;
    browser
        .find("#search-input")
        .await
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    browser
        .wait_until(
            "Esc closed the search",
            "return !document.querySelector('.search-panel');",
        )
        .await;
    browser.close().await;
}

/// The sidebar's rooms as listed, section by section: `[[channels], [conversations]]`.
const SECTIONS: &str = "return ['#channels-heading', '#conversations-heading'].map((h) => \
     [...(document.querySelector(h)?.nextElementSibling?.querySelectorAll('.room-link') ?? [])] \
       .map((b) => b.dataset.room));";

#[tokio::test]
async fn the_sidebar_has_sections_locks_private_rooms_and_holds_still_under_the_pointer() {
    // The list's order is D1's: its copy of the messages must be there when it reloads.
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let ana = server.register("Ana").await;
    let bob = server.register("Bob").await;
    for (name, private) in [("alpha", false), ("beta", true), ("gamma", false)] {
        let (status, body) = server
            .post_as(
                "/api/rooms",
                &ana.access_token,
                &json!({ "name": name, "isPrivate": private }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = server
        .post_as(
            "/api/rooms/direct",
            &bob.access_token,
            &json!({ "userId": ana.user_id }),
        )
        .await;
    assert!(status == 201 || status == 200, "{body}");
    let dm = body["room"]["roomId"].as_str().unwrap().to_owned();
    let mut bob_in_gamma = Client::join(&server, "gamma", &bob).await;

    let browser = Browser::launch().await;
    browser
        .sign_in(
            &server.http_url("/"),
            "ana",
            edgechat_e2e::account::PASSWORD,
        )
        .await;
    browser
        .wait_until(
            "both sections are listed",
            "return [...document.querySelectorAll('.section-heading')].map(h => h.textContent).join() \
               === 'Channels,Direct messages';",
        )
        .await;
    let sections = browser.client.execute(SECTIONS, vec![]).await.unwrap();
    assert_eq!(sections, json!([["alpha", "beta", "gamma"], [dm]]));
    browser
        .wait_for_text(".room-link[data-room='beta'] .room-kind", "🔒")
        .await;
    browser
        .wait_for_text(".room-link[data-room='alpha'] .room-kind", "#")
        .await;

    // News in gamma would put it first; with the pointer over the list, nothing moves.
    browser.hover(".room-link[data-room='alpha']").await;
    bob_in_gamma
        .send(&edgechat_protocol::ClientMsg::text("gamma", "news", "g-1"))
        .await;
    browser
        .wait_for_text(".room-link[data-room='gamma'] .badge.unread", "1")
        .await;
    // The list reloads when Bob starts a conversation with Ana; gamma's message is in
    // D1 by then, so the server's order now puts gamma first.
    let (status, body) = server
        .post_as(
            "/api/rooms",
            &bob.access_token,
            &json!({ "name": "ana", "group": true, "members": [ana.user_id] }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let group = body["room"]["roomId"].as_str().unwrap().to_owned();
    browser
        .find(&format!(".room-link[data-room='{group}']"))
        .await;
    let sections = browser.client.execute(SECTIONS, vec![]).await.unwrap();
    assert_eq!(sections[0], json!(["alpha", "beta", "gamma"]));
    // The pointer leaves: the list takes the server's order, newest activity first.
    browser.hover("#profile").await;
    browser
        .wait_until(
            "gamma moves up once the pointer has left",
            "return document.querySelector('#channels-heading + ul .room-link')?.dataset.room === 'gamma';",
        )
        .await;
    browser.close().await;
}
