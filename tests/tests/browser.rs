//! The client in real headless Chromium, talking to Rust socket clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};
use edgechat_protocol::{ClientMsg, ServerMsg};

#[tokio::test]
async fn a_browser_user_and_a_socket_client_chat_both_ways() {
    let server = Server::start().await;
    let mut bo = Client::join(&server, "lobby", "Bo").await;

    let browser = Browser::launch().await;
    browser
        .client
        .goto(&server.http_url("/?room=lobby"))
        .await
        .unwrap();
    browser.type_into("#name", "Ana").await;
    browser.click("#join").await;
    browser.find(".room .me").await;

    // The page is connected once its socket is open: no banner left.
    browser
        .type_into("#message-input", "hello from the browser <b>bold?</b>")
        .await;
    browser.click("#send").await;
    let received = bo
        .recv_until(|m| matches!(m, ServerMsg::NewMessage(msg) if msg.username == "Ana"))
        .await;
    let ServerMsg::NewMessage(received) = received else {
        unreachable!()
    };
    assert_eq!(received.text, "hello from the browser <b>bold?</b>");
    // Shown as text, never as markup.
    browser
        .wait_for_text(
            ".message:not(.pending) .text",
            "hello from the browser <b>bold?</b>",
        )
        .await;

    bo.send(&ClientMsg::SendMessage {
        room_id: "lobby".into(),
        text: "hello from Rust".into(),
        attachments: vec![],
        reply_to: None,
        client_msg_id: "bo-1".into(),
    })
    .await;
    browser
        .wait_for_text(".message .text", "hello from Rust")
        .await;
    browser.wait_for_text(".message .author", "Bo").await;
    browser.close().await;
}

#[tokio::test]
async fn two_browser_tabs_chat() {
    let server = Server::start().await;
    let browser = Browser::launch().await;
    browser.join(&server.http_url("/?room=tabs"), "Ana").await;
    let ana_tab = browser.new_tab().await;
    browser.join(&server.http_url("/?room=tabs"), "Bo").await;
    let bo_tab = browser.client.window().await.unwrap();

    browser.type_into("#message-input", "hi Ana, Bo here").await;
    browser.click("#send").await;
    browser
        .wait_for_text(".message:not(.pending) .text", "hi Ana, Bo here")
        .await;

    browser.client.switch_to_window(ana_tab).await.unwrap();
    browser
        .wait_for_text(".message .text", "hi Ana, Bo here")
        .await;
    browser.type_into("#message-input", "hello Bo").await;
    browser.click("#send").await;

    browser.client.switch_to_window(bo_tab).await.unwrap();
    browser.wait_for_text(".message .text", "hello Bo").await;
    browser.wait_for_text(".message .author", "Ana").await;
    browser.close().await;
}
