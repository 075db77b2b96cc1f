//! Rooms stored by schema 1 are upgraded in chunks that may stop anywhere and resume
//! at their cursor, and what schema 1 wrote (roles) reads back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::*;
use edgechat_core::{
    Limits, Room,
    store::{Migration, Sql, Store},
};
use edgechat_protocol::{ClientMsg, Role, RoomKind};

fn long_lived() -> World {
    let limits = Limits {
        rate_per_window: 10_000,
        rate_burst: 10_000,
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    let users = ["ana", "bo", "cy"];
    for user in users {
        world.connect(user, user);
    }
    for i in 0..200 {
        world.advance(1_000);
        let author = users[i % 3];
        let other = users[(i + 1) % 3];
        let id = world.post(author, &format!("m{i}"));
        let effects = match i % 5 {
            0 => world.send(
                author,
                ClientMsg::EditMessage {
                    message_id: id,
                    new_text: format!("m{i}, edited"),
                },
            ),
            1 => world.send(
                other,
                ClientMsg::AddReaction {
                    message_id: id,
                    emoji: "👍".into(),
                },
            ),
            2 => world.send(author, ClientMsg::DeleteMessage { message_id: id }),
            3 => world.send("ana", ClientMsg::PinMessage { message_id: id }),
            _ => world.send(
                other,
                ClientMsg::MarkRead {
                    seq: world.room.head_seq(),
                },
            ),
        };
        assert_eq!(error_code(&effects), None, "{effects:?}");
    }
    let until = world.now + 60_000;
    let moderation = [
        ClientMsg::SetRole {
            user_id: "bo".into(),
            role: edgechat_protocol::Role::Moderator,
        },
        ClientMsg::MuteUser {
            user_id: "cy".into(),
            until,
        },
        ClientMsg::SetSlowMode { seconds: 5 },
        ClientMsg::BanUser {
            user_id: "cy".into(),
        },
    ];
    for msg in moderation {
        assert_eq!(error_code(&world.send("ana", msg)), None);
    }
    world
}

#[test]
fn a_migration_that_stops_resumes_where_it_stopped() {
    let live = long_lived();
    let target = live.room.head_seq();
    assert!(target > 300, "only {target} events");
    let old = tables::stored_by_v1(&live.sqlite);
    {
        let store = Store::new(old.clone());
        assert_eq!(
            store.prepare().unwrap(),
            Migration::Partway { through: 0, target }
        );
        assert_eq!(
            store.migrate_chunk(40).unwrap(),
            Migration::Partway {
                through: 40,
                target
            }
        );
        old.fail_after(30);
        assert!(store.migrate_chunk(40).is_err(), "a chunk fails midway");
        old.heal();
        assert_eq!(
            store.migration().unwrap(),
            Migration::Partway {
                through: 40,
                target
            },
            "a failed chunk moves nothing"
        );
        store.set_archived(target).unwrap();
        assert_eq!(store.compact(0).unwrap(), 0);
        assert_eq!(
            store.log_len().unwrap(),
            target,
            "a log still being folded is its only copy"
        );
        // Evicted: every handle on the store goes.
    }
    let store = Store::new(old.clone());
    assert_eq!(
        store.prepare().unwrap(),
        Migration::Partway {
            through: 40,
            target
        },
        "preparing again resumes rather than restarts"
    );
    let mut chunks = 0;
    while store.migrate_chunk(40).unwrap() != Migration::Done {
        chunks += 1;
    }
    assert_eq!(chunks, target.div_ceil(40) - 2);

    let one_go = tables::stored_by_v1(&live.sqlite);
    let one_go_store = tables::migrate(&one_go, usize::MAX);
    one_go_store.set_archived(target).unwrap();
    assert_eq!(tables::every_table(&old), tables::every_table(&one_go));

    let room = Room::load(store, live.limits.clone(), vec![])
        .unwrap()
        .unwrap();
    assert_eq!(room.head_seq(), target);
}

#[test]
fn roles_are_stored_as_the_json_strings_the_first_schema_wrote() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::SetRole {
            user_id: "bo".into(),
            role: Role::Moderator,
        },
    );
    let rows = world
        .sqlite
        .run("SELECT user_id, role FROM members ORDER BY user_id", &[])
        .unwrap();
    let roles: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| (row.text(0).unwrap(), row.text(1).unwrap()))
        .collect();
    assert_eq!(
        roles,
        [
            ("ana", r#""admin""#),
            ("bo", r#""moderator""#),
            ("cy", r#""member""#)
        ]
    );
}
