//! Web Push's rules: what an inbox pushes and when, and everything about a push but its
//! cryptography (the e2e tests decrypt what the Worker sends).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::sockets::SocketEffect;
use edgechat_core::{
    Limits,
    inbox::{Inbox, InboxCommand, InboxEffect, Presence},
    outbound::{Refused, TestHosts},
    push::{self, Invalid},
};
use edgechat_protocol::frame;
use edgechat_protocol::{
    NotificationKind, ServerMsg,
    push::{PushKeys, PushKind, PushMessage, PushSubscription},
};

fn inbox() -> Inbox {
    Inbox::new("u", Presence::offline(), Limits::default(), Vec::new())
}

fn notification(kind: NotificationKind, message_id: &str, from: Option<&str>) -> InboxCommand {
    InboxCommand::Deliver(Box::new(ServerMsg::Notification(frame::Notification {
        room_id: "lobby".into(),
        kind,
        seq: 7,
        message_id: Some(message_id.into()),
        from: from.map(str::to_owned),
        excerpt: Some("are you there?".into()),
        unread_count: None,
    })))
}

fn pushed(effects: &[InboxEffect]) -> Vec<PushMessage> {
    effects
        .iter()
        .filter_map(|e| match e {
            InboxEffect::Push(message) => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn connect(conn: &str) -> InboxCommand {
    edgechat_core::testing::inbox_connect(conn)
}

#[test]
fn a_mention_is_pushed_only_while_no_socket_of_the_user_is_open() {
    let mut inbox = inbox();
    inbox.handle(connect("c1"), 0);
    let effects = inbox.handle(
        notification(NotificationKind::Mention, "m1", Some("Ana")),
        10,
    );
    assert!(pushed(&effects).is_empty(), "the open app shows it");
    inbox.handle(InboxCommand::Disconnect { conn: "c1".into() }, 20);
    let effects = inbox.handle(
        notification(NotificationKind::Mention, "m2", Some("Ana")),
        30,
    );
    assert_eq!(
        pushed(&effects),
        vec![PushMessage {
            kind: PushKind::Mention,
            room_id: "lobby".into(),
            message_id: "m2".into(),
            from: "Ana".into(),
            excerpt: "are you there?".into(),
        }]
    );
}

#[test]
fn a_new_message_in_a_conversation_is_pushed_once_even_when_it_also_mentions() {
    let mut inbox = inbox();
    // An unread count that names no sender is a channel's: not pushed.
    let plain = inbox.handle(
        InboxCommand::Deliver(Box::new(ServerMsg::Notification(frame::Notification {
            room_id: "lobby".into(),
            kind: NotificationKind::Unread,
            seq: 3,
            message_id: None,
            from: None,
            excerpt: None,
            unread_count: Some(3),
        }))),
        0,
    );
    assert!(pushed(&plain).is_empty());
    let direct = inbox.handle(notification(NotificationKind::Unread, "m1", Some("Ana")), 1);
    assert_eq!(pushed(&direct)[0].kind, PushKind::Direct);
    let also_mention = inbox.handle(
        notification(NotificationKind::Mention, "m1", Some("Ana")),
        2,
    );
    assert!(pushed(&also_mention).is_empty(), "one push per message");
    // Whatever is pushed, the event still goes to the (here: no) sockets as before.
    assert!(also_mention.iter().any(|e| matches!(
        e,
        InboxEffect::Socket(SocketEffect::Broadcast {
            msg: ServerMsg::Notification(frame::Notification { .. }),
            ..
        })
    )));
}

#[test]
fn pushes_past_the_budget_are_dropped_until_it_refills() {
    let mut inbox = inbox();
    let burst = Limits::default().push_rate.burst as usize;
    let sent: usize = (0..burst + 5)
        .map(|i| {
            pushed(&inbox.handle(
                notification(NotificationKind::Mention, &format!("m{i}"), Some("Eve")),
                100,
            ))
            .len()
        })
        .sum();
    assert_eq!(sent, burst);
    // A minute later the budget has room again.
    let later = inbox.handle(
        notification(NotificationKind::Mention, "later", Some("Eve")),
        100 + 60_000,
    );
    assert_eq!(pushed(&later).len(), 1);
}

fn subscription(endpoint: &str) -> PushSubscription {
    PushSubscription {
        endpoint: endpoint.into(),
        keys: PushKeys {
            p256dh: push::encode(&[[4u8].as_slice(), &[7u8; 64]].concat()),
            auth: push::encode(&[9u8; 16]),
        },
    }
}

#[test]
fn a_subscription_passes_the_outbound_policy_and_has_a_browsers_keys() {
    let none = TestHosts::default();
    let device = push::check(
        &subscription("https://fcm.googleapis.com/fcm/send/abc"),
        &none,
    )
    .expect("a real push service");
    assert_eq!(device.p256dh.len(), 65);
    assert_eq!(device.auth, vec![9u8; 16]);
    for (endpoint, refused) in [
        ("http://fcm.googleapis.com/fcm/send/abc", Refused::Scheme),
        ("https://127.0.0.1/send", Refused::Private),
        ("https://[::1]/send", Refused::Private),
        ("https://push.example.com:8443/send", Refused::Port),
        ("https://a:b@push.example.com/send", Refused::Credentials),
        ("push.example.com/send", Refused::Unparsable),
    ] {
        assert_eq!(
            push::check(&subscription(endpoint), &none),
            Err(Invalid::Endpoint(refused)),
            "{endpoint}"
        );
    }
    let long = format!(
        "https://push.example.com/{}",
        "x".repeat(push::MAX_ENDPOINT_BYTES)
    );
    assert_eq!(
        push::check(&subscription(&long), &none),
        Err(Invalid::EndpointTooLong)
    );
    // The tests' own push endpoint, on plain http and its own port, only when listed.
    let local = subscription("http://127.0.0.1:9999/push/1");
    assert!(push::check(&local, &TestHosts::parse("127.0.0.1")).is_ok());
    assert!(push::check(&local, &none).is_err());

    let mut compressed = subscription("https://push.example.com/s");
    compressed.keys.p256dh = push::encode(&[[2u8].as_slice(), &[7u8; 32]].concat());
    assert_eq!(push::check(&compressed, &none), Err(Invalid::PublicKey));
    let mut short_auth = subscription("https://push.example.com/s");
    short_auth.keys.auth = push::encode(&[1u8; 8]);
    assert_eq!(push::check(&short_auth, &none), Err(Invalid::AuthSecret));
    let mut not_base64 = subscription("https://push.example.com/s");
    not_base64.keys.auth = "!!".into();
    assert_eq!(push::check(&not_base64, &none), Err(Invalid::AuthSecret));
    // Padded base64url, as some browsers once gave, is read too.
    let mut padded = subscription("https://push.example.com/s");
    padded.keys.auth = format!("{}==", push::encode(&[9u8; 16]));
    assert!(push::check(&padded, &none).is_ok());
}

#[test]
fn a_push_body_is_the_aes128gcm_header_then_the_record() {
    let server_public = [4u8; 65];
    let body = push::body(&[1u8; 16], &server_public, b"sealed");
    assert_eq!(&body[..16], &[1u8; 16]);
    assert_eq!(
        u32::from_be_bytes(body[16..20].try_into().unwrap()),
        push::RECORD_SIZE
    );
    assert_eq!(body[20], 65);
    assert_eq!(&body[21..86], &server_public);
    assert_eq!(&body[86..], b"sealed");
    assert_eq!(push::pad(b"hi"), b"hi\x02");
    let info = push::key_info(&[1u8; 65], &[2u8; 65]);
    assert!(info.starts_with(b"WebPush: info\0"));
    assert_eq!(info.len(), 14 + 130);
}

#[test]
fn a_vapid_token_names_the_push_service_and_expires_within_a_day() {
    let endpoint = url::Url::parse("https://updates.push.services.mozilla.com/wpush/v2/x").unwrap();
    let audience = push::audience(&endpoint);
    assert_eq!(audience, "https://updates.push.services.mozilla.com");
    let unsigned = push::vapid_unsigned(&audience, 1_000, "mailto:ops@example.com");
    let (header, claims) = unsigned.split_once('.').unwrap();
    let header: serde_json::Value = serde_json::from_slice(&push::decode(header).unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&push::decode(claims).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["aud"], audience.as_str());
    assert_eq!(claims["exp"], 1_000 + push::VAPID_VALID_SECONDS);
    const { assert!(push::VAPID_VALID_SECONDS <= 24 * 60 * 60) };
    assert_eq!(claims["sub"], "mailto:ops@example.com");
    // The public key browsers subscribe with comes from the JWK's coordinates.
    let key = push::public_key(&push::encode(&[1u8; 32]), &push::encode(&[2u8; 32])).unwrap();
    assert_eq!(push::decode(&key).unwrap()[0], 4);
    assert!(push::public_key("AAAA", "AAAA").is_none());
}

#[test]
fn each_room_has_its_own_short_topic() {
    let long_id = "g_".to_owned() + &"a".repeat(80);
    for room in ["lobby", "d_u_1_u_2", long_id.as_str()] {
        let topic = push::topic(room);
        assert!(
            topic.len() <= 32
                && topic
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(topic, push::topic(room));
    }
    assert_ne!(push::topic("lobby"), push::topic("random"));
}
