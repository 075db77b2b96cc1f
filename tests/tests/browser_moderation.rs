//! Moderation says what happened, to both sides: quiet lines in the timeline for joins,
//! roles, mutes, bans and removals; the user it happens to is told by whom (and until when
//! for a mute); a ban asks first, and only those the room lets ban are offered it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{browser::Browser, server::Server, socket::Client};

/// Opens the moderation menu of `user` in the member list (left open if it is).
async fn open_menu(browser: &Browser, user: &str) {
    browser
        .find(&format!(".member[data-user='{user}'] .mod-menu"))
        .await;
    browser
        .client
        .execute(
            "document.querySelector(`.member[data-user='${arguments[0]}'] .mod-menu`).open = true;",
            vec![serde_json::json!(user)],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn moderation_is_told_to_both_sides_and_a_ban_asks_first() {
    let server = Server::start().await;
    // Ana signs up first: the first account is the global admin.
    let ana = Browser::launch().await;
    ana.sign_up(&server.http_url("/?room=crew"), "ana", "Ana")
        .await;
    ana.click("#create-room").await;
    ana.find(".room").await;
    let cyd_acct = server.register("Cyd").await;
    let bob = Browser::launch().await;
    bob.sign_up(&server.http_url("/?room=crew"), "bob", "Bob")
        .await;
    bob.click("#join").await;
    ana.noted("Bob joined").await;
    let _cyd = Client::join(&server, "crew", &cyd_acct).await;
    ana.noted("Cyd joined").await;
    bob.noted("Cyd joined").await;

    // Ana makes Bob a moderator: a moderator may remove Cyd, but is not offered a ban.
    ana.click("#members").await;
    open_menu(&ana, "Bob").await;
    ana.click(".member[data-user='Bob'] .promote").await;
    bob.noted("Ana made Bob a moderator").await;
    bob.click("#members").await;
    open_menu(&bob, "Cyd").await;
    bob.find(".member[data-user='Cyd'] .kick").await;
    assert!(
        bob.client
            .find(fantoccini::Locator::Css(".member[data-user='Cyd'] .ban"))
            .await
            .is_err(),
        "a moderator is not offered Ban, which the room would refuse"
    );

    // Ana bans Cyd, confirming first.
    open_menu(&ana, "Cyd").await;
    ana.click(".member[data-user='Cyd'] .ban").await;
    ana.wait_for_text(".member[data-user='Cyd'] .ban", "Ban Cyd? Click again")
        .await;
    assert!(
        ana.client
            .execute(
                "return ![...document.querySelectorAll('.note')].some(n => n.textContent.includes('banned'));",
                vec![],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap(),
        "one click bans no one"
    );
    ana.click(".member[data-user='Cyd'] .ban").await;
    ana.noted("Cyd was banned by Ana").await;
    bob.noted("Cyd was banned by Ana").await;

    // Ana mutes Bob: he is told by whom and until when.
    open_menu(&ana, "Bob").await;
    ana.click(".member[data-user='Bob'] .mute-10").await;
    bob.wait_until(
        "Bob is told Ana muted him, until a time",
        "const m = document.querySelector('#muted')?.textContent ?? ''; \
         return /^Ana muted you here until (\\d+ \\w{3}, )?\\d\\d:\\d\\d/.test(m);",
    )
    .await;
    ana.noted("Bob was muted by Ana until").await;

    // Ana bans Bob: he is told by whom, and his box takes nothing. (A removal is told
    // the same way: browser_rooms' kicked member.)
    open_menu(&ana, "Bob").await;
    ana.click(".member[data-user='Bob'] .ban").await;
    ana.click(".member[data-user='Bob'] .ban").await;
    ana.noted("Bob was banned by Ana").await;
    bob.wait_until(
        "Bob is told Ana banned him",
        "return [...document.querySelectorAll('.banner')].some(b => b.textContent.startsWith('Ana banned you from this room')) \
           && document.querySelector('#message-input').disabled;",
    )
    .await;
    ana.close().await;
    bob.close().await;
}
