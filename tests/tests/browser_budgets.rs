//! The read budget (docs/protocol.md, "Budgets") is for attackers, not for people: the web
//! client pages through a room of 10,000 members and scrolls a long history back to its
//! first message, as fast as it can (faster than a person clicks and scrolls), and is
//! never refused. Members come 500 to a page (`MEMBER_PAGE` at its largest): the same
//! 2 MB as the default's 100 pages of 100, in a fifth of the clicks, so in less time,
//! which is harder on the budget, not easier; and a fifth of the client's renders of a
//! growing list, which are what takes the time here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    browser::Browser,
    server::Server,
    socket::{Client, error_code},
    wait::eventually,
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg};

const MEMBERS: usize = 10_000;
const MESSAGES: usize = 300;

#[tokio::test]
async fn the_client_pages_ten_thousand_members_and_scrolls_a_long_history_within_the_read_budget() {
    let state = tempfile::tempdir().unwrap();
    let builder = || {
        Server::builder()
            .state_dir(state.path())
            .var("RATE_PER_WINDOW", 1_000_000)
            .var("RATE_BURST", 1_000_000)
            .var("MEMBER_PAGE", 500)
    };
    {
        let server = builder().start().await;
        let ana = server.register("Ana").await;
        server.room(&ana, "crowd").await;
        let mut client = Client::join(&server, "crowd", &ana).await;
        // Long messages: every page of history weighs some 100 KiB.
        for i in 0..MESSAGES {
            let text = format!("message {i}: {}", "a long line of words ".repeat(100));
            client
                .send(&ClientMsg::text("crowd", text, format!("c-{i}")))
                .await;
            let reply = client
                .answer(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
                .await;
            assert_eq!(error_code(&reply), None, "{reply:?}");
        }
        client.leave().await;
        // The write-behind is done before the stop: the members added below are not
        // told of these messages as new (each would be a notification to an inbox).
        eventually("D1 has every message", async || {
            let rows = server.query("SELECT COUNT(*) AS n FROM messages WHERE room_id = 'crowd'");
            rows[0]["n"].as_u64() == Some(MESSAGES as u64)
        })
        .await;
        // Stopped, so its members can be added as a room stores them: a room this big
        // is not made by signing up ten thousand accounts here.
        let mut server = server;
        server.stop();
        let db = server.room_db("crowd");
        let tx = db.unchecked_transaction().unwrap();
        for i in 0..MEMBERS - 2 {
            tx.execute(
                "INSERT INTO members (user_id, username, handle, role) VALUES (?1, ?2, ?3, '\"member\"')",
                [
                    format!("seed-{i:05}"),
                    format!("Seed {i:05}"),
                    format!("seed{i:05}"),
                ],
            )
            .unwrap();
        }
        // The room counts its members as its own steps add them; these it is told.
        tx.execute(
            "UPDATE counters SET value = (SELECT COUNT(*) FROM members) WHERE key = 'members'",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let started = std::time::Instant::now();
    let server = builder().start().await;
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "crowd", "zed", "Zed", false)
        .await;
    browser.click("#members").await;
    browser
        .wait_until(
            "the header counts every member",
            &format!(
                "const h = document.querySelector('.user-list h3'); \
                 return !!h && h.textContent.startsWith('Members · {MEMBERS} ');"
            ),
        )
        .await;
    let mut clicks = 0;
    while browser
        .client
        .execute("return !!document.querySelector('.more-members');", vec![])
        .await
        .unwrap()
        .as_bool()
        == Some(true)
    {
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
                "the next page is listed (a refused read would never list it)",
                &format!("return document.querySelectorAll('.member').length > {before};"),
            )
            .await;
        clicks += 1;
        if clicks % 5 == 0 {
            println!("{clicks} pages at {:?}", started.elapsed());
        }
    }
    browser
        .wait_until(
            "every member is listed",
            &format!("return document.querySelectorAll('.member').length >= {MEMBERS};"),
        )
        .await;
    assert!(clicks >= 19, "{clicks} pages");

    // Then back through the history to its first message, a page per scroll.
    browser
        .wait_until(
            "the whole history is loaded by scrolling up",
            "const list = document.getElementById('messages'); list.scrollTop = 0; \
             list.dispatchEvent(new Event('scroll')); \
             return [...document.querySelectorAll('.message .text')] \
               .some(t => t.textContent.startsWith('message 0:'));",
        )
        .await;
    browser
        .wait_until(
            "no read was refused",
            "return !document.body.textContent.includes('too fast');",
        )
        .await;
    browser.close().await;
}
