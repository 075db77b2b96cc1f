//! The room settings panel's server side over real sockets: a rename, a topic and a
//! capacity reach every member and the directory; the ban list and the pins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{
    server::Server,
    socket::{Client, error_code},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, PING_FRAME, PONG_FRAME, RoomEvent, ServerMsg};

fn update(name: Option<&str>, topic: Option<&str>, capacity: Option<u32>) -> ClientMsg {
    ClientMsg::UpdateRoom {
        name: name.map(str::to_owned),
        topic: topic.map(str::to_owned),
        capacity,
    }
}

#[tokio::test]
async fn a_rename_and_a_topic_reach_members_the_directory_and_the_next_join() {
    let server = Server::start().await;
    let (ana_account, bob_account) = (server.register("Ana").await, server.register("Bob").await);
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    let mut bob = Client::join(&server, "lobby", &bob_account).await;

    ana.send(&update(
        Some("Release planning"),
        Some("Ship on Friday"),
        None,
    ))
    .await;
    let heard = bob
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::RoomUpdated { .. })))
        .await;
    let ServerMsg::Event(RoomEvent::RoomUpdated {
        name, topic, by, ..
    }) = heard
    else {
        unreachable!()
    };
    assert_eq!(
        (name.as_str(), topic.as_str(), by.as_str()),
        (
            "Release planning",
            "Ship on Friday",
            ana_account.user_id.as_str()
        )
    );

    // The directory has the new name at once: Bob's room list and the public listing.
    let (status, mine) = server.get_as("/api/rooms", &bob_account.access_token).await;
    assert_eq!(status, 200, "{mine}");
    let listed = &mine["rooms"][0];
    assert_eq!(
        (
            listed["roomId"].as_str(),
            listed["name"].as_str(),
            listed["topic"].as_str()
        ),
        (
            Some("lobby"),
            Some("Release planning"),
            Some("Ship on Friday")
        ),
        "{mine}"
    );
    let (_, public) = server
        .get_as("/api/rooms/public?q=release", &bob_account.access_token)
        .await;
    assert_eq!(public["rooms"][0]["roomId"], "lobby", "{public}");

    // A member may change neither; the socket stays usable after the refusal.
    bob.send(&update(None, Some("bob was here"), None)).await;
    let refused = bob.recv_until(|m| error_code(m).is_some()).await;
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));
    bob.send_raw(PING_FRAME).await;
    assert_eq!(bob.recv_raw().await, PONG_FRAME);

    // Opening the room again, under its old address, shows the new name and topic.
    drop(bob);
    let carol_account = server.register("Carol").await;
    let (_carol, frames) = Client::join_since(&server, "lobby", &carol_account, None).await;
    let Some(ServerMsg::RoomJoined(frame::RoomJoined { room, .. })) = frames.first() else {
        panic!("no room-joined in {frames:?}")
    };
    assert_eq!(
        (
            room.room_id.as_str(),
            room.name.as_str(),
            room.topic.as_str()
        ),
        ("lobby", "Release planning", "Ship on Friday")
    );
}

#[tokio::test]
async fn admins_read_the_ban_list_and_everyone_the_pins() {
    let server = Server::start().await;
    let (ana_account, bob_account, cy_account) = (
        server.register("Ana").await,
        server.register("Bob").await,
        server.register("Cyd").await,
    );
    server.room(&ana_account, "lobby").await;
    let mut ana = Client::join(&server, "lobby", &ana_account).await;
    let mut bob = Client::join(&server, "lobby", &bob_account).await;
    let mut cy = Client::join(&server, "lobby", &cy_account).await;

    ana.send(&ClientMsg::text("lobby", "Read this first", "a-1"))
        .await;
    let ServerMsg::MessageAck(frame::MessageAck { message_id, .. }) = ana
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await
    else {
        unreachable!()
    };
    ana.send(&ClientMsg::PinMessage { message_id }).await;
    ana.send(&ClientMsg::BanUser {
        user_id: cy_account.user_id.clone(),
    })
    .await;
    assert!(cy.closed_with().await.is_some(), "the banned socket closes");

    ana.send(&ClientMsg::ListBans { after: None }).await;
    let ServerMsg::BanPage(frame::BanPage {
        users, has_more, ..
    }) = ana
        .recv_until(|m| matches!(m, ServerMsg::BanPage(frame::BanPage { .. })))
        .await
    else {
        unreachable!()
    };
    assert_eq!(users.len(), 1);
    assert_eq!(
        (
            users[0].user_id.as_str(),
            users[0].username.as_str(),
            has_more
        ),
        (cy_account.user_id.as_str(), "Cyd", false)
    );

    bob.send(&ClientMsg::ListBans { after: None }).await;
    let refused = bob.recv_until(|m| error_code(m).is_some()).await;
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));

    bob.send(&ClientMsg::ListPins {}).await;
    let ServerMsg::PinList(frame::PinList { messages, .. }) = bob
        .recv_until(|m| matches!(m, ServerMsg::PinList(frame::PinList { .. })))
        .await
    else {
        unreachable!()
    };
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Read this first"]);
}
