//! How a room reads: an empty room invites the first message, one person's run of
//! messages sits under one name, "Read by" shows once, and counts are in words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};
use edgechat_protocol::ClientMsg;

/// The rows of the timeline as `[author shown, text]`.
const ROWS: &str = "return [...document.querySelectorAll('.messages > .message:not(.pending)')] \
    .map(m => [m.querySelector('.author')?.textContent ?? '', m.querySelector('.text')?.textContent ?? '']);";

#[tokio::test]
async fn a_room_reads_as_runs_of_messages_with_read_by_once_and_counts_in_words() {
    let server = Server::start().await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "plans", "ana", "Ana", true).await;
    ana.wait_for_text(".room-header .members", "1 member").await;
    ana.wait_until(
        "the empty room says so and invites the first message",
        "return document.querySelector('.empty-room')?.textContent \
           === 'Nothing here yet. Write the first message below.';",
    )
    .await;

    for text in ["one", "two", "three"] {
        ana.type_into("#message-input", text).await;
        ana.click("#send").await;
        ana.wait_for_text(".message:not(.pending) .text", text)
            .await;
    }
    assert!(
        ana.client
            .find(fantoccini::Locator::Css(".empty-room"))
            .await
            .is_err()
    );
    let bob_acct = server.register("Bob").await;
    let mut bob = Client::join(&server, "plans", &bob_acct).await;
    ana.wait_for_text(".room-header .members", "2 members")
        .await;
    bob.send(&ClientMsg::SendMessage {
        room_id: "plans".into(),
        text: "four".into(),
        attachments: vec![],
        reply_to: None,
        client_msg_id: "bob-1".into(),
    })
    .await;
    ana.wait_for_text(".message .text", "four").await;
    ana.type_into("#message-input", "five").await;
    ana.click("#send").await;
    ana.wait_for_text(".message:not(.pending) .text", "five")
        .await;
    let rows = ana.client.execute(ROWS, vec![]).await.unwrap();
    assert_eq!(
        rows,
        serde_json::json!([
            ["Ana", "one"],
            ["", "two"],
            ["", "three"],
            ["Bob", "four"],
            ["Ana", "five"]
        ]),
        "a run of one person's messages sits under one name"
    );

    // Bob reads up to "two": "Read by 1" under "two" only; then up to the end: under
    // "five" only.
    let seq_of = |text: &'static str| {
        format!(
            "return Number([...document.querySelectorAll('.message')] \
               .find(m => m.querySelector('.text')?.textContent === '{text}').dataset.seq);"
        )
    };
    let two = ana.client.execute(&seq_of("two"), vec![]).await.unwrap();
    bob.send(&ClientMsg::MarkRead {
        seq: two.as_u64().unwrap(),
    })
    .await;
    ana.wait_until(
        "Read by 1 under two, and nowhere else",
        "const marks = [...document.querySelectorAll('.read-by')]; \
         return marks.length === 1 && marks[0].textContent === 'Read by 1' \
           && marks[0].closest('.message').querySelector('.text').textContent === 'two';",
    )
    .await;
    let five = ana.client.execute(&seq_of("five"), vec![]).await.unwrap();
    bob.send(&ClientMsg::MarkRead {
        seq: five.as_u64().unwrap(),
    })
    .await;
    ana.wait_until(
        "Read by 1 moved under five",
        "const marks = [...document.querySelectorAll('.read-by')]; \
         return marks.length === 1 \
           && marks[0].closest('.message').querySelector('.text').textContent === 'five';",
    )
    .await;
    ana.close().await;
}

#[tokio::test]
async fn lines_typed_as_lists_show_as_lists() {
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    bob.send(&ClientMsg::SendMessage {
        room_id: "lobby".into(),
        text: "Shopping:\n- milk\n* **eggs**\n3. first\n4. second\n-not a list".into(),
        attachments: vec![],
        reply_to: None,
        client_msg_id: "bob-list".into(),
    })
    .await;
    ana.wait_until(
        "a bulleted list, then a numbered one from 3, between lines of text",
        "const text = [...document.querySelectorAll('.message .text')].pop(); \
         if (!text) { return false; } \
         const parts = [...text.children].map(c => c.tagName + (c.start > 1 ? c.start : '') + ':' \
           + (c.tagName === 'SPAN' ? c.textContent : [...c.children].map(li => li.textContent).join('|'))); \
         return JSON.stringify(parts) === JSON.stringify( \
           ['SPAN:Shopping:', 'UL:milk|eggs', 'OL3:first|second', 'SPAN:-not a list']) \
           && text.querySelector('ul strong')?.textContent === 'eggs';",
    )
    .await;
    ana.close().await;
}

/// Sets the date field `css` to the local day `offset` days from today, as a user picking
/// it would.
async fn pick_day(browser: &Browser, css: &str, offset: i32) {
    browser
        .client
        .execute(
            "const d = new Date(); d.setDate(d.getDate() + arguments[1]); \
             const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; \
             const input = document.querySelector(arguments[0]); input.value = day; \
             input.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(css), serde_json::json!(offset)],
        )
        .await
        .unwrap();
}

/// Searches again and waits until the panel shows `count` hits (0: "No messages found.").
async fn hits(browser: &Browser, count: usize) {
    browser.click("#search-submit").await;
    let script = if count == 0 {
        "return document.querySelector('.search-panel .notice')?.textContent === 'No messages found.';"
            .to_owned()
    } else {
        format!("return document.querySelectorAll('.search-hit').length === {count};")
    };
    browser.wait_until(&format!("{count} hits"), &script).await;
}

#[tokio::test]
async fn search_filters_by_member_and_dates_and_shows_hits_as_plain_text() {
    let server = Server::start().await;
    let (bob_acct, cyd_acct) = (server.register("Bob").await, server.register("Cyd").await);
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    let mut cyd = Client::join(&server, "lobby", &cyd_acct).await;
    bob.send(&ClientMsg::text(
        "lobby",
        "**deploy** today, see [the plan](https://example.com)",
        "b1",
    ))
    .await;
    cyd.send(&ClientMsg::text("lobby", "deploy tomorrow", "c1"))
        .await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    ana.wait_for_text(".message .text", "deploy tomorrow").await;
    ana.click("#search").await;
    ana.type_into("#search-input", "deploy").await;
    // The index follows the write-behind, about a second behind: search until both are in.
    ana.wait_until(
        "both messages are found",
        "document.querySelector('#search-submit').click(); \
         return document.querySelectorAll('.search-hit').length === 2;",
    )
    .await;
    hits(&ana, 2).await;

    ana.type_into("#search-from", "@Bob").await;
    hits(&ana, 1).await;
    let hit = ana
        .client
        .execute(
            "const h = document.querySelector('.search-hit'); \
             return [h.querySelector('.hit-text').textContent, h.querySelector('.hit-text mark')?.textContent, \
               h.querySelector('.hit-date').textContent.length > 0];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        hit,
        serde_json::json!(["deploy today, see the plan", "deploy", true]),
        "the hit reads as text, its match marked, with its date"
    );

    // Tomorrow onwards finds nothing; yesterday to today finds it again.
    pick_day(&ana, "#search-after", 1).await;
    hits(&ana, 0).await;
    pick_day(&ana, "#search-after", -1).await;
    pick_day(&ana, "#search-before", 0).await;
    hits(&ana, 1).await;
    ana.close().await;
}
