//! What the browser client withstands: a server that goes away, and hostile text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg};

#[tokio::test]
async fn messages_typed_while_the_server_is_down_are_sent_once_when_it_is_back() {
    let state = tempfile::tempdir().unwrap();
    let mut server = Server::builder().state_dir(state.path()).start().await;
    let port = server.port();
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "lobby", "ana", "Ana", false)
        .await;
    browser
        .type_into("#message-input", "before the outage")
        .await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "before the outage")
        .await;

    server.stop();
    browser
        .wait_until(
            "the banner shows the outage, and the header that the inbox is down",
            "return document.querySelector('.banner')?.textContent.includes('Reconnecting') === true \
               && document.querySelector('#inbox-offline')?.textContent === 'Offline: reconnecting…';",
        )
        .await;
    for text in ["typed offline 1", "typed offline 2"] {
        browser.type_into("#message-input", text).await;
        browser.click("#send").await;
    }
    browser
        .wait_for_text(".message.pending .text", "typed offline 2")
        .await;
    browser
        .wait_until(
            "the outbox is in browser storage",
            "return Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.') \
               && localStorage.getItem(k).includes('typed offline 2'));",
        )
        .await;

    let server = Server::builder()
        .state_dir(state.path())
        .port(port)
        .start()
        .await;
    browser
        .wait_until(
            "the banner is gone, the inbox back, and the outbox is empty",
            "return !document.querySelector('.banner') && !document.querySelector('.message.pending') \
               && !document.querySelector('#inbox-offline') \
               && !Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.'));",
        )
        .await;
    // A reload (back in lobby, its address) finds nothing left to send, and the history
    // has each message once.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text(".message .text", "typed offline 2")
        .await;
    let (_bob, frames) = Client::join_since(&server, "lobby", &bob_acct, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined {
        message_history: messages,
        ..
    })) = frames.into_iter().next()
    else {
        panic!("no room-joined")
    };
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["before the outage", "typed offline 1", "typed offline 2"]
    );
    let shown = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.message .text')].map(e => e.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        serde_json::json!(["before the outage", "typed offline 1", "typed offline 2"])
    );
    browser.close().await;
}

#[tokio::test]
async fn xss_payloads_and_markdown_tricks_render_as_inert_text() {
    // Thirteen messages at once: above the default burst.
    let server = Server::builder()
        .var("RATE_BURST", 50)
        .var("RATE_PER_WINDOW", 100)
        .start()
        .await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "lobby", "ana", "Ana", false)
        .await;

    let payloads = [
        "<img src=x onerror=\"window.__xss=1\">",
        "<script>window.__xss=1</script>",
        "<svg onload=\"window.__xss=1\"></svg>",
        "<a href=\"javascript:window.__xss=1\">click</a>",
        "[click me](javascript:window.__xss=1)",
        "[click me](JaVaScRiPt:window.__xss=1)",
        "[data](data:text/html,<script>window.__xss=1</script>)",
        "![image](javascript:window.__xss=1)",
        "**<b onmouseover=\"window.__xss=1\">bold</b>**",
        "`<script>window.__xss=1</script>`",
        "```html\n<iframe src=javascript:window.__xss=1></iframe>\n```",
        "javascript:window.__xss=1",
        "[ok](https://example.com/\"onmouseover=\"window.__xss=1)",
    ];
    for (i, payload) in payloads.iter().enumerate() {
        bob.send(&ClientMsg::text("lobby", *payload, format!("x-{i}")))
            .await;
        bob.recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
            .await;
    }
    browser
        .wait_until(
            "every payload is shown",
            &format!(
                "return document.querySelectorAll('.message:not(.pending) .text').length >= {};",
                payloads.len()
            ),
        )
        .await;
    // Hover and click every link, as a curious user would.
    let verdict = browser
        .client
        .execute(
            "const texts = [...document.querySelectorAll('.message .text')]; \
             for (const a of document.querySelectorAll('.message .text a')) { \
               a.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); \
               a.addEventListener('click', e => e.preventDefault()); a.click(); } \
             const allowed = new Set(['SPAN', 'BR', 'STRONG', 'EM', 'S', 'CODE', 'PRE', 'A', 'BLOCKQUOTE']); \
             const elements = texts.flatMap(t => [...t.querySelectorAll('*')]); \
             return { \
               xss: window.__xss === undefined ? null : window.__xss, \
               foreign: elements.filter(e => !allowed.has(e.tagName)).map(e => e.tagName), \
               attributes: elements.flatMap(e => [...e.attributes].map(a => a.name)) \
                 .filter(n => !['class', 'href', 'target', 'rel', 'data-lang', 'tabindex'].includes(n)), \
               hrefs: [...document.querySelectorAll('.message .text a')].map(a => a.getAttribute('href')), \
               shown: texts.map(t => t.textContent), \
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        verdict["xss"],
        serde_json::Value::Null,
        "a payload ran: {verdict}"
    );
    assert_eq!(verdict["foreign"], serde_json::json!([]), "{verdict}");
    assert_eq!(verdict["attributes"], serde_json::json!([]), "{verdict}");
    for href in verdict["hrefs"].as_array().unwrap() {
        let href = href.as_str().unwrap();
        assert!(
            href.starts_with("https://") || href.starts_with("http://"),
            "unsafe link {href}"
        );
    }
    let shown: Vec<&str> = verdict["shown"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        shown.contains(&"<img src=x onerror=\"window.__xss=1\">"),
        "markup is shown as text: {shown:?}"
    );
    assert!(shown.contains(&"<script>window.__xss=1</script>"));
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no dialog opened"
    );
    browser.close().await;
}

#[tokio::test]
async fn frames_and_error_codes_from_a_newer_server_leave_the_client_working() {
    // The bench build's routes let the test speak as a newer server would, to the
    // room's sockets.
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "lobby", "ana", "Ana", false)
        .await;
    let inject = |frame: &'static str| {
        let request = reqwest::Client::new()
            .post(server.http_url("/api/bench/rooms/lobby/frames"))
            .body(frame);
        async move {
            let status = request.send().await.expect("the server answers").status();
            assert_eq!(status.as_u16(), 204);
        }
    };
    inject(r#"{"type":"poll-created","pollId":"p-1","question":"Lunch?","seq":99}"#).await;
    inject(r#"{"type":"error","code":"poll-closed","message":"That poll has closed."}"#).await;
    // The unknown code's message is shown as any error's is.
    browser
        .wait_for_text("p.error[role=alert]", "That poll has closed.")
        .await;
    // And the room goes on: a message from Bob appears, and Ana's own send is acked.
    bob.send(&ClientMsg::text("lobby", "after the future", "b-1"))
        .await;
    browser
        .wait_for_text(".message .text", "after the future")
        .await;
    browser.type_into("#message-input", "still talking").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "still talking")
        .await;
    // The frame it did not know added nothing to the room.
    let resumed = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.message .text')].map(e => e.textContent);",
            vec![],
        )
        .await
        .unwrap();
    let texts: Vec<String> = serde_json::from_value(resumed).unwrap();
    assert_eq!(texts, ["after the future", "still talking"]);
    browser.close().await;
}

#[tokio::test]
async fn while_d1_is_down_the_open_room_goes_on_and_the_client_says_what_is_unavailable() {
    let server = Server::builder().var("OUTAGE_MS", 4_000).start().await;
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "garden", "ana", "Ana", true)
        .await;
    server
        .bench("/api/bench/outages/d1", &serde_json::json!({}))
        .await;

    // Search needs D1: it fails with the server's words and the request's id, and the
    // workspace says what is unavailable.
    browser.click("#search").await;
    browser.type_into("#search-input", "roses").await;
    browser.click("#search-submit").await;
    browser
        .wait_until(
            "the search failed, naming its request, and the notice is up",
            "return /some features are unavailable.*\\(request r-[0-9a-f]+\\)/ \
               .test(document.querySelector('.search-panel .error')?.textContent ?? '') \
               && document.querySelector('#unavailable')?.textContent \
                    .startsWith('Some features are unavailable') === true;",
        )
        .await;
    // The open room is not among them.
    browser.type_into("#message-input", "roses need sun").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "roses need sun")
        .await;
    // Back by itself, with nothing for the user to do.
    browser
        .wait_until(
            "the notice is gone once D1 answers again",
            "return !document.querySelector('#unavailable');",
        )
        .await;
}

#[tokio::test]
async fn after_a_deploy_drops_the_room_every_browser_comes_back_and_nothing_is_lost() {
    let server = Server::start().await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "harbor", "ana", "Ana", true).await;
    let bob = Browser::launch().await;
    bob.enter_room(&server, "harbor", "bob", "Bob", false).await;
    let watcher = server.register("Watcher").await;
    let mut watcher = Client::join(&server, "harbor", &watcher).await;
    ana.type_into("#message-input", "before the deploy").await;
    ana.click("#send").await;
    bob.wait_for_text(".message .text", "before the deploy")
        .await;

    server
        .bench("/api/bench/rooms/harbor/redeploy", &serde_json::json!({}))
        .await;
    assert_eq!(
        watcher.closed_with().await,
        Some(1012),
        "every socket dropped"
    );
    // Typed in the moment the room is gone: sent once it is back.
    ana.type_into("#message-input", "during the deploy").await;
    ana.click("#send").await;
    bob.wait_for_text(".message:not(.pending) .text", "during the deploy")
        .await;
    bob.type_into("#message-input", "after the deploy").await;
    bob.click("#send").await;
    ana.wait_for_text(".message:not(.pending) .text", "after the deploy")
        .await;
    for browser in [&ana, &bob] {
        browser
            .wait_until(
                "back, with each message once",
                "const texts = [...document.querySelectorAll('.message .text')].map(e => e.textContent); \
                 return !document.querySelector('.banner') && !document.querySelector('.message.pending') \
                   && ['before the deploy', 'during the deploy', 'after the deploy'] \
                        .every(t => texts.filter(x => x === t).length === 1);",
            )
            .await;
    }
}
