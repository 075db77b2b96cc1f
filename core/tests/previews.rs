//! Link previews in the room core and the pure parts the Worker leans on: which link a
//! message previews, the card a page's tags make, and the room's rules for storing,
//! replacing and removing a card.

use edgechat_core::sockets::SocketEffect;
use edgechat_core::testing::*;
use edgechat_core::{
    Command, Effect,
    preview::{PageMeta, card, clean, first_link},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientMsg, ErrorCode, LinkPreview, PreviewImage, RoomEvent};

#[test]
fn the_first_link_is_the_one_the_client_shows_as_a_link() {
    let cases: &[(&str, Option<&str>)] = &[
        (
            "see https://example.com/a?b=1.",
            Some("https://example.com/a?b=1"),
        ),
        (
            "(http://example.com/x), then https://two.dev",
            Some("http://example.com/x"),
        ),
        (
            "[docs](https://docs.rs/x) and https://later.dev",
            Some("https://docs.rs/x"),
        ),
        (
            "`https://in.code/span` then https://real.dev!",
            Some("https://real.dev"),
        ),
        (
            "```\nhttps://in.fenced/block\n```\nhttps://after.dev",
            Some("https://after.dev"),
        ),
        ("nohttps://glued.example", None),
        ("mailto:a@b.c ftp://x.y [x](javascript:alert(1))", None),
        ("https://", None),
        ("just words", None),
    ];
    for (text, want) in cases {
        assert_eq!(first_link(text).as_deref(), *want, "{text:?}");
    }
}

#[test]
fn a_card_takes_open_graph_first_decodes_text_and_resolves_the_image() {
    let page = url::Url::parse("https://www.example.com/news/story").unwrap();
    let mut meta = PageMeta::default();
    meta.title_text("The &lt;title&gt;");
    meta.meta("og:title", " Big &quot;news&quot;\n  today ");
    meta.meta("OG:TITLE", "a second og:title is ignored");
    meta.meta("description", "plain description");
    meta.meta("og:image", "../img/cover.png?x=1&amp;y=2");
    meta.meta("og:unknown", "never kept");
    let made = card(&page, &meta).unwrap();
    assert_eq!(made.title.as_deref(), Some("Big \"news\" today"));
    assert_eq!(made.description.as_deref(), Some("plain description"));
    assert_eq!(made.site_name.as_deref(), Some("example.com"));
    assert_eq!(
        made.image.map(|u| u.to_string()).as_deref(),
        Some("https://www.example.com/img/cover.png?x=1&y=2")
    );

    // Only a title: the page's <title>, markup left as text.
    let mut bare = PageMeta::default();
    bare.title_text("A &lt;b&gt;bold&lt;/b&gt; &#x27;claim&#39; &bogus; &");
    let made = card(&page, &bare).unwrap();
    assert_eq!(
        made.title.as_deref(),
        Some("A <b>bold</b> 'claim' &bogus; &")
    );
    // Nothing to show: no card.
    assert!(card(&page, &PageMeta::default()).is_none());
    // Long text is cut, with an ellipsis.
    let mut long = PageMeta::default();
    long.meta("og:title", &"word ".repeat(100));
    let title = card(&page, &long).unwrap().title.unwrap();
    assert!(
        title.chars().count() <= 200 && title.ends_with('…'),
        "{title}"
    );
    assert_eq!(clean("a\u{0}b\t\n c"), "ab c");
    // What names may not hold, a card may not either; a word of nothing visible leaves
    // no space behind.
    assert_eq!(
        clean("in\u{202E}voice \u{200B} pay\u{2066}pal"),
        "invoice paypal"
    );
    assert_eq!(clean("&#x202E;&#8203;"), "");
}

fn preview(link: &str, image: Option<&str>) -> LinkPreview {
    LinkPreview {
        link: link.into(),
        url: link.into(),
        title: Some("Title".into()),
        description: None,
        site_name: None,
        image: image.map(|id| PreviewImage {
            file_id: id.into(),
            content_type: "image/png".into(),
            width: Some(1),
            height: Some(1),
        }),
    }
}

fn fetches(effects: &[Effect]) -> Vec<(String, String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPreview {
                message_id,
                link,
                author,
            } => Some((message_id.clone(), link.clone(), author.clone())),
            _ => None,
        })
        .collect()
}

fn removed_files(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .flat_map(|e| match e {
            Effect::RemoveFiles(files) => files.clone(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn a_message_with_a_link_is_acked_before_its_preview_is_asked_for() {
    let mut world = World::with_three();
    let effects = world.say("ana", "look https://example.com/a");
    let ack = effects
        .iter()
        .position(|e| {
            matches!(
                e,
                Effect::Socket(SocketEffect::Send {
                    msg: edgechat_protocol::ServerMsg::MessageAck(frame::MessageAck { .. }),
                    ..
                })
            )
        })
        .expect("acked");
    let fetch = effects
        .iter()
        .position(|e| matches!(e, Effect::FetchPreview { .. }))
        .expect("a preview is due");
    assert!(ack < fetch);
    let [(message_id, link, author)] = fetches(&effects).try_into().unwrap();
    assert_eq!(
        (link.as_str(), author.as_str()),
        ("https://example.com/a", "ana")
    );

    let effects = world.run(Command::Preview {
        message_id: message_id.clone(),
        link: link.clone(),
        preview: Some(preview(&link, Some("f_img"))),
        image_hash: None,
    });
    assert!(matches!(
        appended(&effects).as_slice(),
        [RoomEvent::LinkPreview { preview: Some(p), .. }] if p.title.as_deref() == Some("Title")
    ));
    let stored = world.store().message(&message_id).unwrap().unwrap();
    assert_eq!(
        stored.preview,
        Some(Box::new(preview(&link, Some("f_img"))))
    );

    // A second answer for the same link changes nothing, and its image is dropped.
    let again = world.run(Command::Preview {
        message_id: message_id.clone(),
        link: link.clone(),
        preview: Some(preview(&link, Some("f_dup"))),
        image_hash: None,
    });
    assert!(appended(&again).is_empty());
    assert_eq!(removed_files(&again), ["f_dup"]);
    // A page with nothing to show: nothing stored.
    let id2 = world.post("bo", "https://example.com/empty");
    let none = world.run(Command::Preview {
        message_id: id2,
        link: "https://example.com/empty".into(),
        preview: None,
        image_hash: None,
    });
    assert!(none.is_empty());
    assert!(fetches(&world.say("bo", "no links here")).is_empty());
}

#[test]
fn only_the_author_removes_a_card_and_edits_and_deletions_take_it_with_them() {
    let mut world = World::with_three();
    let id = world.post("ana", "https://one.example/");
    world.run(Command::Preview {
        message_id: id.clone(),
        link: "https://one.example/".into(),
        preview: Some(preview("https://one.example/", Some("f_one"))),
        image_hash: None,
    });
    let refused = world.send(
        "bo",
        ClientMsg::RemovePreview {
            message_id: id.clone(),
        },
    );
    assert_eq!(error_code(&refused), Some(ErrorCode::Forbidden));

    // Same link after an edit: the card stays, nothing is fetched.
    let edited = world.send(
        "ana",
        ClientMsg::EditMessage {
            message_id: id.clone(),
            new_text: "still https://one.example/ really".into(),
        },
    );
    assert!(fetches(&edited).is_empty());
    assert!(
        appended(&edited)
            .iter()
            .all(|e| !matches!(e, RoomEvent::LinkPreview { .. }))
    );
    // Another link: the card goes (with its image), the new link is fetched.
    let edited = world.send(
        "ana",
        ClientMsg::EditMessage {
            message_id: id.clone(),
            new_text: "now https://two.example/".into(),
        },
    );
    assert!(
        appended(&edited)
            .iter()
            .any(|e| matches!(e, RoomEvent::LinkPreview { preview: None, .. }))
    );
    assert_eq!(removed_files(&edited), ["f_one"]);
    assert_eq!(fetches(&edited)[0].1, "https://two.example/");
    // A late answer for the old link is dropped.
    let late = world.run(Command::Preview {
        message_id: id.clone(),
        link: "https://one.example/".into(),
        preview: Some(preview("https://one.example/", Some("f_late"))),
        image_hash: None,
    });
    assert!(appended(&late).is_empty());
    assert_eq!(removed_files(&late), ["f_late"]);

    world.run(Command::Preview {
        message_id: id.clone(),
        link: "https://two.example/".into(),
        preview: Some(preview("https://two.example/", Some("f_two"))),
        image_hash: None,
    });
    let removed = world.send(
        "ana",
        ClientMsg::RemovePreview {
            message_id: id.clone(),
        },
    );
    assert!(matches!(
        appended(&removed).as_slice(),
        [RoomEvent::LinkPreview { preview: None, .. }]
    ));
    assert_eq!(removed_files(&removed), ["f_two"]);
    assert!(
        world
            .store()
            .message(&id)
            .unwrap()
            .unwrap()
            .preview
            .is_none()
    );

    // A deleted message's card image goes with it.
    let other = world.post("ana", "https://three.example/");
    world.run(Command::Preview {
        message_id: other.clone(),
        link: "https://three.example/".into(),
        preview: Some(preview("https://three.example/", Some("f_three"))),
        image_hash: None,
    });
    let deleted = world.send("ana", ClientMsg::DeleteMessage { message_id: other });
    assert_eq!(removed_files(&deleted), ["f_three"]);
}

#[test]
fn a_preview_image_stored_by_an_object_evicted_before_its_card_came_back_is_deleted() {
    let mut world = World::with_three();
    let id = world.post("ana", "https://kept.example/");
    let now = world.now;
    world.room.intend_preview_image("f_kept", now).unwrap();
    world.room.intend_preview_image("f_orphan", now).unwrap();
    world.run(Command::Preview {
        message_id: id,
        link: "https://kept.example/".into(),
        preview: Some(preview("https://kept.example/", Some("f_kept"))),
        image_hash: None,
    });
    // The object that stored f_orphan never came back with its card.
    world.advance(world.limits.upload_intent_ttl_ms + 1);
    let effects = world.run(Command::Tick);
    assert_eq!(removed_files(&effects), ["f_orphan"]);
}

/// The card for `link` of `message_id` arriving, its image `file_id` with bytes hashed
/// `hash`.
fn card_arrives(
    world: &mut World,
    message_id: &str,
    link: &str,
    file_id: &str,
    hash: &str,
) -> Vec<Effect> {
    world.run(Command::Preview {
        message_id: message_id.into(),
        link: link.into(),
        preview: Some(preview(link, Some(file_id))),
        image_hash: Some(hash.into()),
    })
}

#[test]
fn one_copy_of_an_image_serves_every_card_that_shows_it_and_goes_with_the_last() {
    let mut world = World::with_three();
    let first = world.post("ana", "https://a.example/");
    card_arrives(&mut world, &first, "https://a.example/", "f_one", "h1");
    assert_eq!(
        world.room.preview_image("h1").unwrap().as_deref(),
        Some("f_one")
    );
    // The door found the bytes known and shows the room's copy.
    let second = world.post("bo", "https://b.example/");
    let effects = card_arrives(&mut world, &second, "https://b.example/", "f_one", "h1");
    assert!(removed_files(&effects).is_empty());
    // Two fetches of one image at once: the later copy goes, the card shows the first.
    let third = world.post("cy", "https://c.example/");
    let effects = card_arrives(&mut world, &third, "https://c.example/", "f_race", "h1");
    assert_eq!(removed_files(&effects), ["f_race"]);
    let stored = world.store().message(&third).unwrap().unwrap();
    assert_eq!(stored.preview.unwrap().image.unwrap().file_id, "f_one");

    // Three cards show it: it stays until the last of them goes.
    let deleted = world.send("ana", ClientMsg::DeleteMessage { message_id: first });
    assert!(removed_files(&deleted).is_empty());
    let removed = world.send("bo", ClientMsg::RemovePreview { message_id: second });
    assert!(removed_files(&removed).is_empty());
    let deleted = world.send("cy", ClientMsg::DeleteMessage { message_id: third });
    assert_eq!(removed_files(&deleted), ["f_one"]);
    assert_eq!(world.room.preview_image("h1").unwrap(), None);
}

#[test]
fn an_edit_that_keeps_the_first_link_never_fetches_it_again() {
    let mut world = World::with_three();
    let edit = |world: &mut World, id: &str, text: &str| {
        world.send(
            "ana",
            ClientMsg::EditMessage {
                message_id: id.into(),
                new_text: text.into(),
            },
        )
    };
    // The page gave no card (or the fetch failed): the same link is not asked again.
    let none = world.post("ana", "https://empty.example/");
    world.run(Command::Preview {
        message_id: none.clone(),
        link: "https://empty.example/".into(),
        preview: None,
        image_hash: None,
    });
    world.advance(1_000);
    assert!(fetches(&edit(&mut world, &none, "see https://empty.example/ again")).is_empty());
    // The author took the card off: an edit does not bring it back.
    let taken = world.post("ana", "https://card.example/");
    card_arrives(&mut world, &taken, "https://card.example/", "f_card", "h2");
    world.send(
        "ana",
        ClientMsg::RemovePreview {
            message_id: taken.clone(),
        },
    );
    world.advance(1_000);
    let edited = edit(&mut world, &taken, "typo fixed https://card.example/");
    assert!(fetches(&edited).is_empty());
    assert!(
        appended(&edited)
            .iter()
            .all(|e| !matches!(e, RoomEvent::LinkPreview { .. }))
    );
    // Another link is another fetch.
    assert_eq!(
        fetches(&edit(&mut world, &taken, "https://other.example/"))[0].1,
        "https://other.example/"
    );
}
