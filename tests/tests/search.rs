//! Full-text search over the rooms one may read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::Session, server::Server, socket::Client, wait};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ServerMsg};
use serde_json::{Value, json};

async fn search(server: &Server, who: &Session, query: &str) -> Vec<Value> {
    let (status, body) = server
        .get_as(&format!("/api/search?{query}"), &who.access_token)
        .await;
    assert_eq!(status, 200, "{body}");
    body["results"].as_array().cloned().unwrap_or_default()
}

/// Searches until `count` results come back (the archive is written behind).
async fn search_until(server: &Server, who: &Session, query: &str, count: usize) -> Vec<Value> {
    wait::until(&format!("{query} finds {count}"), async || {
        let results = search(server, who, query).await;
        if results.len() == count {
            Ok(results)
        } else {
            Err(results)
        }
    })
    .await
}

async fn say(client: &mut Client, room: &str, text: &str, id: &str) -> String {
    client.send(&ClientMsg::text(room, text, id)).await;
    match client
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await
    {
        ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) => message_id,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn search_finds_what_one_may_read_with_highlights_and_filters() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    let (ana, bob) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana, "lobby").await;
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &ana.access_token,
            &json!({"name": "plans", "isPrivate": true}),
        )
        .await;
    assert_eq!(status, 201);
    let mut lobby = Client::join(&server, "lobby", &ana).await;
    let mut plans = Client::join(&server, "plans", &ana).await;
    say(&mut lobby, "lobby", "the quick brown fox", "a-1").await;
    let gone = say(&mut lobby, "lobby", "a quick note to delete", "a-2").await;
    say(&mut plans, "plans", "quick secret plan", "a-3").await;
    lobby
        .send(&ClientMsg::DeleteMessage { message_id: gone })
        .await;
    let mut bob_socket = Client::join(&server, "lobby", &bob).await;
    say(&mut bob_socket, "lobby", "quickly now", "b-1").await;

    // Ana reads both rooms; the deleted message is found nowhere.
    let hits = search_until(&server, &ana, "q=quick", 3).await;
    assert!(hits.iter().any(|h| h["roomId"] == "plans"));
    // Bob is not in the private room.
    let hits = search_until(&server, &bob, "q=quick", 2).await;
    assert!(hits.iter().all(|h| h["roomId"] == "lobby"), "{hits:?}");
    let fox = hits.iter().find(|h| h["username"] == "Ana").unwrap();
    assert_eq!(fox["snippet"], "the \u{2}quick\u{3} brown fox");
    assert!(
        fox["seq"].as_u64().is_some() && fox["messageId"].as_str().unwrap().starts_with("lobby:")
    );

    let from_bob = search(&server, &ana, &format!("q=quick&from={}", bob.user_id)).await;
    assert_eq!(from_bob.len(), 1);
    assert_eq!(search(&server, &ana, "q=quick&room=plans").await.len(), 1);
    assert_eq!(search(&server, &ana, "q=brown fox").await.len(), 1);
    assert!(search(&server, &ana, "q=quick&before=1").await.is_empty());
    assert_eq!(search(&server, &ana, "q=quick&after=1").await.len(), 3);

    for bad in ["q=", "q=%22%22", "q=quick&before=yesterday"] {
        let (status, body) = server
            .get_as(&format!("/api/search?{bad}"), &ana.access_token)
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad-request")),
            "{bad}"
        );
    }
    // Query syntax is never FTS syntax.
    assert!(
        search(&server, &ana, "q=quick%20OR%20NEAR(")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_search_by_its_author_alone_lists_their_newest_messages_one_may_read() {
    let server = Server::builder().var("ARCHIVE_DELAY_MS", 100).start().await;
    // Bob first: the first account is the global admin, who may read every room.
    let (bob, ana) = (server.register("Bob").await, server.register("Ana").await);
    server.room(&bob, "lobby").await;
    let (status, _) = server
        .post_as(
            "/api/rooms",
            &bob.access_token,
            &json!({"name": "inner", "isPrivate": true}),
        )
        .await;
    assert_eq!(status, 201);
    let mut lobby = Client::join(&server, "lobby", &bob).await;
    let mut inner = Client::join(&server, "inner", &bob).await;
    say(&mut lobby, "lobby", "first words", "b-1").await;
    say(&mut inner, "inner", "nothing Ana may read", "b-2").await;
    say(&mut lobby, "lobby", "later words", "b-3").await;
    let mut ana_socket = Client::join(&server, "lobby", &ana).await;
    say(&mut ana_socket, "lobby", "Ana's own", "a-1").await;

    // Bob reads his private room too: once he finds all three, all are written behind.
    search_until(&server, &bob, "from=bob", 3).await;
    assert_eq!(search(&server, &bob, "from=bob&room=inner").await.len(), 1);
    assert!(search(&server, &bob, "from=bob&before=1").await.is_empty());

    // By account name, with or without `@`, in any case, or by id: Bob's messages in the
    // rooms Ana may read, newest first, each shown from its start.
    let hits = search(&server, &ana, "from=bob").await;
    let texts: Vec<&str> = hits
        .iter()
        .map(|h| h["snippet"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["later words", "first words"]);
    assert_eq!(search(&server, &ana, "from=%40BOB").await.len(), 2);
    assert_eq!(
        search(&server, &ana, &format!("from={}", bob.user_id))
            .await
            .len(),
        2
    );
    // Nobody by that name: nothing, not everyone's messages.
    assert!(search(&server, &ana, "from=nobody").await.is_empty());
}
