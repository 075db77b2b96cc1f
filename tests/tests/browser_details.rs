//! The small things a chat is judged by: rows that line up (the time beside a follow-up
//! on one line, the avatar at the top of a tall message), an edit box as wide as the
//! message with its keys told, a reaction that says who, a lightbox that hides the page,
//! settings changes in the timeline, a slow-mode refusal that goes when the wait is over,
//! a ban that takes the room's history off the screen, settings a moderator reads in line
//! with those they change, and search: by a member alone, its hits named as the room list
//! names their rooms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};
use edgechat_protocol::ClientMsg;

fn say(room: &str, text: &str, id: &str) -> ClientMsg {
    ClientMsg::SendMessage {
        room_id: room.into(),
        text: text.into(),
        attachments: vec![],
        reply_to: None,
        client_msg_id: id.into(),
    }
}

/// Bob's room `crew` on a socket of his, and Ana in it in a browser.
async fn crew(server: &Server) -> (Browser, Client) {
    let bob = server.register("Bob").await;
    server.room(&bob, "crew").await;
    let ana = Browser::launch().await;
    ana.enter_room(server, "crew", "ana", "Ana", false).await;
    (ana, Client::join(server, "crew", &bob).await)
}

async fn script(browser: &Browser, source: &str) -> serde_json::Value {
    browser.client.execute(source, vec![]).await.unwrap()
}

#[tokio::test]
async fn rows_line_up_an_edit_shows_its_keys_and_a_reaction_names_who() {
    let server = Server::start().await;
    let (ana, mut bob_socket) = crew(&server).await;
    bob_socket
        .send(&say("crew", "one\ntwo\nthree\nfour\nfive\nsix", "b1"))
        .await;
    bob_socket.send(&say("crew", "and a follow-up", "b2")).await;
    ana.find(".message.continued").await;

    // The time beside the follow-up, shown on hover, stays on one line.
    ana.hover(".message.continued").await;
    let lines = script(
        &ana,
        "const t = document.querySelector('.message.continued .gutter'); \
         const r = document.createRange(); r.selectNodeContents(t); \
         return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;",
    )
    .await;
    assert_eq!(lines, serde_json::json!(1), "the time does not wrap");
    // The avatar sits at the top of the tall message, not halfway down.
    let offset = script(
        &ana,
        "const row = [...document.querySelectorAll('.message')].find(m => m.querySelector('.avatar-button')); \
         return row.querySelector('.avatar-button > *').getBoundingClientRect().top - row.getBoundingClientRect().top;",
    )
    .await;
    assert!(
        offset.as_f64().unwrap() < 16.0,
        "the avatar is {offset} px below the row's top"
    );

    // Ana's own message, edited: a box as wide as the message column, its keys said.
    ana.type_into("#message-input", "mine\u{e007}").await;
    ana.find(".message.own").await;
    ana.hover(".message.own").await;
    ana.click(".message.own .edit").await;
    let (box_width, column) = {
        let v = script(
            &ana,
            "return [document.querySelector('#edit-input').getBoundingClientRect().width, \
                     document.querySelector('#messages').getBoundingClientRect().width];",
        )
        .await;
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
    };
    assert!(
        box_width > column * 0.6,
        "the edit box is {box_width} px of a {column} px column"
    );
    ana.wait_for_text(
        ".edit-hint",
        "Enter to save · Shift+Enter for a new line · Esc to cancel",
    )
    .await;
    ana.press("\u{e00c}").await;

    // A reaction says who reacted, to the others and to the one who did.
    bob_socket
        .send(&ClientMsg::AddReaction {
            message_id: script(
                &ana,
                "return document.querySelector('.message.own').dataset.id;",
            )
            .await
            .as_str()
            .unwrap()
            .to_owned(),
            emoji: "👍".into(),
        })
        .await;
    ana.wait_until(
        "the reaction's tooltip names Bob",
        "const r = document.querySelector('.message.own .reaction'); \
         return r && r.title === 'Bob reacted with 👍';",
    )
    .await;
    ana.click(".message.own .reaction").await;
    ana.wait_until(
        "and then both of them, her first",
        "return document.querySelector('.message.own .reaction').title === 'You and Bob reacted with 👍';",
    )
    .await;
    ana.close().await;
}

#[tokio::test]
async fn settings_changes_are_lines_a_slow_mode_refusal_goes_and_a_ban_clears_the_room() {
    let server = Server::start().await;
    let (ana, mut bob_socket) = crew(&server).await;
    bob_socket.send(&say("crew", "welcome", "b1")).await;
    ana.find(".message").await;

    // The topic and the member limit, changed together (as the settings form saves
    // them), are both in the line.
    bob_socket
        .send(&ClientMsg::UpdateRoom {
            name: None,
            topic: Some("Launch week".into()),
            capacity: Some(50),
        })
        .await;
    ana.noted("Bob set the topic: Launch week; limited the room to 50 members")
        .await;

    // Slow mode: the second message is refused with the wait, and the refusal goes
    // once the wait is over.
    bob_socket
        .send(&ClientMsg::SetSlowMode { seconds: 10 })
        .await;
    ana.noted("Bob turned slow mode on").await;
    ana.type_into("#message-input", "first\u{e007}").await;
    ana.find(".message.own").await;
    ana.type_into("#message-input", "second\u{e007}").await;
    ana.find("p.error").await;
    ana.wait_until(
        "the slow-mode refusal is gone after its 10 s",
        "return document.querySelector('p.error') === null;",
    )
    .await;

    // Made a moderator, she sees the settings she may change in line with those she
    // may only read: the topic's box and the limits' text start at the same edge.
    let ana_id = server
        .sign_in("ana", edgechat_e2e::account::PASSWORD)
        .await
        .user_id;
    bob_socket
        .send(&ClientMsg::SetRole {
            user_id: ana_id.clone(),
            role: edgechat_protocol::Role::Moderator,
        })
        .await;
    ana.noted("Bob made Ana a moderator").await;
    ana.click("#room-settings-open").await;
    let edges = script(
        &ana,
        "return ['#settings-topic', '#settings-limits', '#settings-save']            .map(id => Math.round(document.querySelector(id).getBoundingClientRect().left));",
    )
    .await;
    assert_eq!(
        edges[0], edges[1],
        "the topic and the limits line up: {edges}"
    );
    assert_eq!(edges[0], edges[2], "and Save under them: {edges}");
    ana.click("#room-settings-close").await;

    // Banned: the room's history leaves her screen; the line saying so stays.
    bob_socket
        .send(&ClientMsg::BanUser { user_id: ana_id })
        .await;
    ana.wait_until(
        "no message of the room is on her screen",
        "return document.querySelectorAll('.messages .message').length === 0;",
    )
    .await;
    ana.noted("Ana was banned by Bob").await;
    ana.close().await;
}

#[tokio::test]
async fn a_search_hit_names_its_room_as_the_room_list_does_and_a_member_alone_is_a_search() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let bob = server.register("Bob").await;
    server.room(&bob, "crew").await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "crew", "ana", "Ana", false).await;
    let ana_id = server
        .sign_in("ana", edgechat_e2e::account::PASSWORD)
        .await
        .user_id;
    let (status, direct) = server
        .post_as(
            "/api/rooms/direct",
            &bob.access_token,
            &serde_json::json!({ "userId": ana_id }),
        )
        .await;
    assert!(status < 300, "{status} {direct}");
    let room = direct["room"]["roomId"].as_str().unwrap().to_owned();
    let mut bob_socket = Client::join(&server, &room, &bob).await;
    bob_socket
        .send(&say(&room, "the quarterly numbers are in", "b1"))
        .await;
    ana.find(&format!(".room-link[data-room='{room}']")).await;

    // Searched from #crew across every room: the hit is in "Bob", not "#dm.…".
    ana.click("#search").await;
    ana.type_into("#search-input", "quarterly").await;
    ana.click(".everywhere input").await;
    ana.wait_until(
        "a hit from the conversation, named by the other person",
        "document.querySelector('#search-submit').click(); \
         const hit = document.querySelector('.search-hit .hit-meta'); \
         return !!hit && hit.textContent.startsWith('Bob · Bob · ');",
    )
    .await;

    // By a member alone, no words: what Bob wrote.
    ana.replace_text("#search-input", "").await;
    ana.type_into("#search-from", "bob").await;
    ana.click("#search-submit").await;
    ana.wait_for_text(".search-hit .hit-text", "the quarterly numbers are in")
        .await;
    ana.close().await;
}
