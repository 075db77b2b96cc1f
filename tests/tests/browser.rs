//! Chatting in real headless Chromium: two profiles, or a browser and a socket client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    account::PASSWORD, browser::Browser, server::Server, socket::Client, wait::eventually,
};
use edgechat_protocol::{ClientMsg, RoomEvent, ServerMsg};

#[tokio::test]
async fn a_browser_user_and_a_socket_client_chat_both_ways() {
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;

    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "lobby", "ana", "Ana", false)
        .await;

    browser
        .type_into("#message-input", "hello from the browser <b>bold?</b>")
        .await;
    browser.click("#send").await;
    let received = bob
        .recv_until(
            |m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(msg)) if msg.username == "Ana"),
        )
        .await;
    let ServerMsg::Event(RoomEvent::NewMessage(received)) = received else {
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

    bob.send(&ClientMsg::text("lobby", "hello from Rust", "bob-1"))
        .await;
    browser
        .wait_for_text(".message .text", "hello from Rust")
        .await;
    browser.wait_for_text(".message .author", "Bob").await;
    browser.close().await;
}

#[tokio::test]
async fn two_browsers_chat() {
    let server = Server::start().await;
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    // Ana creates the room from the page; Bob joins it.
    ana.enter_room(&server, "tabs", "ana", "Ana", true).await;
    bob.enter_room(&server, "tabs", "bob", "Bob", false).await;
    bob.type_into("#message-input", "hi Ana, Bob here").await;
    bob.click("#send").await;
    ana.wait_for_text(".message .text", "hi Ana, Bob here")
        .await;
    ana.type_into("#message-input", "hello Bob").await;
    ana.click("#send").await;
    bob.wait_for_text(".message .text", "hello Bob").await;
    bob.wait_for_text(".message .author", "Ana").await;
    ana.close().await;
    bob.close().await;
}

#[tokio::test]
async fn a_user_stays_signed_in_across_token_expiry_edits_their_profile_and_signs_out() {
    // Access tokens live four seconds here, so the page must refresh them silently.
    let server = Server::builder().var("ACCESS_TTL_MS", 4_000).start().await;
    let ana = server.register("Ana").await;
    server.room(&ana, "lobby").await;
    let browser = Browser::launch().await;
    browser
        .sign_in(&server.http_url("/?room=lobby"), "ana", PASSWORD)
        .await;
    browser.click("#join").await;
    browser.find(".room").await;

    // Past two expiries the room socket is still open and the page can still send. The
    // page refreshes halfway through each token's life: its third refresh (one row each,
    // after the registration's and the sign-in's) comes after the sign-in's token and the
    // first refreshed one have both expired.
    let rows = format!(
        "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = '{}'",
        ana.user_id
    );
    eventually("the page has refreshed its token three times", async || {
        server.query(&rows)[0]["n"].as_u64() >= Some(5)
    })
    .await;
    let bob_acct = server.register("Bob").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    browser.type_into("#message-input", "still here").await;
    browser.click("#send").await;
    let msg = bob
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await;
    assert!(matches!(msg, ServerMsg::Event(RoomEvent::NewMessage(m)) if m.text == "still here"));

    // A reload keeps the session (the refresh cookie), without signing in again.
    browser.client.refresh().await.unwrap();
    browser.find("#sign-out").await;

    browser.click("#profile").await;
    browser.find("#profile-name").await.clear().await.unwrap();
    browser.type_into("#profile-name", "Ana Lima").await;
    browser.type_into("#profile-status", "on call").await;
    browser.click("#profile-save").await;
    browser.wait_for_text(".top .me", "Ana Lima").await;
    browser.wait_for_text(".top .status", "on call").await;

    browser.click("#sign-out").await;
    browser.find("#auth-submit").await;
    // Signed out for good: a reload lands on the sign-in form.
    browser.client.refresh().await.unwrap();
    browser.find("#auth-submit").await;
    browser.close().await;
}

#[tokio::test]
async fn two_profiles_see_each_others_typing_reactions_edits_deletes_replies_and_pins() {
    let server = Server::start().await;
    let (ana, bob) = (Browser::launch().await, Browser::launch().await);
    ana.enter_room(&server, "team", "ana", "Ana", true).await;
    bob.sign_up(&server.http_url("/?room=team"), "bob", "Bob")
        .await;

    ana.click("#invite").await;
    ana.type_into("#invite-username", "bob").await;
    ana.click("#invite-submit").await;
    ana.wait_for_text(".invite .notice", "Invited Bob.").await;
    ana.wait_for_text(".room-header .members", "2 members")
        .await;

    bob.click("#join").await;
    bob.find(".room").await;
    bob.type_into("#message-input", "hello Ana").await;
    ana.wait_for_text(".typing", "Bob is typing…").await;
    bob.click("#send").await;
    ana.wait_for_text(".message .text", "hello Ana").await;
    ana.wait_for_text(".typing", "").await;

    // A reaction.
    ana.on_message("hello Ana", ".actions .react").await;
    ana.on_message("hello Ana", ".picker .pick").await;
    bob.wait_for_text(".reaction", "👍 1").await;

    // A reply.
    ana.on_message("hello Ana", ".actions .reply").await;
    ana.wait_for_text(".replying strong", "Bob").await;
    ana.type_into("#message-input", "hi Bob, welcome").await;
    ana.click("#send").await;
    bob.wait_for_text(".message .text", "hi Bob, welcome").await;
    bob.wait_for_text(".reply-preview strong", "Bob").await;

    // An edit.
    bob.on_message("hello Ana", ".actions .edit").await;
    bob.find("#edit-input").await.clear().await.unwrap();
    bob.type_into("#edit-input", "hello Ana, edited").await;
    bob.click(".edit-box .save").await;
    ana.wait_for_text(".message .text", "hello Ana, edited")
        .await;
    ana.wait_for_text(".message .edited", "(edited)").await;

    // A pin, by the room's admin.
    ana.on_message("hello Ana, edited", ".actions .pin").await;
    bob.wait_for_text(".message .pin-mark", "📌 Pinned").await;

    // A delete, confirmed with a second click.
    bob.type_into("#message-input", "oops, wrong room").await;
    bob.click("#send").await;
    ana.wait_for_text(".message .text", "oops, wrong room")
        .await;
    bob.on_message("oops, wrong room", ".actions .delete").await;
    bob.on_message("oops, wrong room", ".actions .delete").await;
    ana.wait_for_text(".message .text.deleted", "message deleted")
        .await;
    ana.close().await;
    bob.close().await;
}

#[tokio::test]
async fn a_refused_message_comes_back_to_the_box_instead_of_waiting_to_be_resent() {
    let server = Server::builder().var("MAX_MESSAGE_CHARS", 20).start().await;
    let browser = Browser::launch().await;
    browser
        .enter_room(&server, "terse", "ana", "Ana", true)
        .await;
    let long = "this message is far too long for the room";
    browser.type_into("#message-input", long).await;
    browser.click("#send").await;
    browser.find(".room .error").await;
    browser
        .wait_until(
            "the text is back in the box and nothing waits to be resent",
            &format!(
                "return document.getElementById('message-input').value === {long:?} \
                   && !document.querySelector('.message.pending') \
                   && !Object.keys(localStorage).some(k => k.startsWith('edgechat.outbox.'));"
            ),
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn editing_a_message_of_several_lines_keeps_its_lines() {
    let server = Server::start().await;
    let bob_acct = server.register("Bob").await;
    server.room(&bob_acct, "lobby").await;
    let mut bob = Client::join(&server, "lobby", &bob_acct).await;
    let ana = Browser::launch().await;
    ana.enter_room(&server, "lobby", "ana", "Ana", false).await;
    // Written as chat users do: Shift+Enter for a new line, Enter to send.
    ana.type_into("#message-input", "Line one\u{E008}\u{E007}\u{E000}Line two")
        .await;
    ana.type_into("#message-input", "\u{E007}").await;
    let sent = match bob
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await
    {
        ServerMsg::Event(RoomEvent::NewMessage(message)) => message,
        _ => unreachable!(),
    };
    assert_eq!(sent.text, "Line one\nLine two");

    ana.wait_until(
        "the edit button is pressed",
        "const row = [...document.querySelectorAll('.message')] \
           .find(m => m.querySelector('.text')?.innerText.includes('Line two')); \
         const edit = row?.querySelector('.actions .edit'); \
         if (!edit) { return false; } edit.click(); return true;",
    )
    .await;
    ana.wait_until(
        "the edit box holds both lines",
        "const e = document.querySelector('#edit-input'); \
         return !!e && e.value === 'Line one\\nLine two';",
    )
    .await;
    // The same keys as the composer: Shift+Enter adds a line, Enter saves.
    ana.type_into(
        "#edit-input",
        "\u{E009}\u{E010}\u{E000}\u{E008}\u{E007}\u{E000}Line three",
    )
    .await;
    ana.type_into("#edit-input", "\u{E007}").await;
    match bob
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::MessageEdited { .. })))
        .await
    {
        ServerMsg::Event(RoomEvent::MessageEdited {
            message_id,
            new_text,
            ..
        }) => {
            assert_eq!(message_id, sent.message_id);
            assert_eq!(new_text, "Line one\nLine two\nLine three");
        }
        _ => unreachable!(),
    }
    ana.wait_until(
        "the edit box is closed",
        "return !document.querySelector('#edit-input');",
    )
    .await;
    ana.close().await;
}
