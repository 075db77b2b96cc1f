//! The programs a room calls: which messages call an outgoing hook and with what, what
//! its answer becomes, a registered command's answers for the room or the asker alone,
//! and the budgets and refusals on the way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_core::room::{Answered, Asker, CallOut, HookChange, HookPost, HookSpec};
use edgechat_core::testing::*;
use edgechat_core::{Command, Effect, Limits, rate::Rate};
use edgechat_protocol::{ClientMsg, ErrorCode, RoomEvent, RoomKind, ServerMsg};

fn make(world: &mut World, hook_id: &str, name: &str, spec: HookSpec) {
    let change = HookChange::Create {
        hook_id: hook_id.into(),
        name: name.into(),
        secret: "signing".into(),
        token: "tok".into(),
        spec,
    };
    world
        .room
        .change_hook(&who("ana"), change, world.now)
        .unwrap()
        .unwrap();
}

fn outgoing(triggers: &[&str], on_mention: bool) -> HookSpec {
    HookSpec::Outgoing {
        url: "https://bots.example/out".into(),
        trigger_words: triggers.iter().map(|t| (*t).to_owned()).collect(),
        on_mention,
    }
}

fn command(name: &str) -> HookSpec {
    HookSpec::Command {
        url: "https://bots.example/cmd".into(),
        command: name.into(),
        description: "Deploys".into(),
    }
}

fn calls(effects: &[Effect]) -> Vec<CallOut> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::CallOut(call) => Some((**call).clone()),
            _ => None,
        })
        .collect()
}

fn field<'c>(call: &'c CallOut, key: &str) -> &'c str {
    call.fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {key}: {call:?}"))
}

fn post(text: &str) -> HookPost {
    HookPost {
        text: text.into(),
        label: None,
        emoji: None,
    }
}

#[test]
fn a_message_starting_with_a_trigger_word_calls_the_hook_with_slacks_fields() {
    let mut world = World::with_three();
    make(
        &mut world,
        "hk-out",
        "deployer",
        outgoing(&["deploy"], false),
    );
    let effects = world.say("bo", "Deploy prod now");
    let [call] = calls(&effects).try_into().unwrap();
    assert_eq!(call.url, "https://bots.example/out");
    assert_eq!(call.signing_secret, "signing");
    for (key, value) in [
        ("token", "tok"),
        ("channel_id", world.room.id()),
        ("user_id", "bo"),
        ("user_name", "bo"),
        ("text", "Deploy prod now"),
        ("trigger_word", "deploy"),
    ] {
        assert_eq!(field(&call, key), value, "{key}");
    }
    assert!(call.asker.is_none());
    assert!(
        calls(&world.say("bo", "we deploy later")).is_empty(),
        "not its first word"
    );
}

#[test]
fn a_mention_of_the_hooks_name_calls_it_when_it_answers_mentions() {
    let mut world = World::with_three();
    make(&mut world, "hk-out", "buildbot", outgoing(&[], true));
    let [call] = calls(&world.say("bo", "hey @buildbot, status?"))
        .try_into()
        .unwrap();
    assert_eq!(field(&call, "trigger_word"), "@buildbot");
}

#[test]
fn a_bots_message_calls_nothing_so_two_hooks_cannot_loop() {
    let mut world = World::with_three();
    make(
        &mut world,
        "hk-out",
        "deployer",
        outgoing(&["deploy"], false),
    );
    make(&mut world, "hk-in", "ci", HookSpec::Incoming);
    let secret = "signing";
    let effects = world
        .room
        .post_by_hook("hk-in", secret, post("deploy again"), world.now)
        .unwrap()
        .unwrap();
    assert!(calls(&effects).is_empty());
    // The outgoing hook's answer is a bot's message too: it calls nothing either.
    let answered = world.run(Command::CalledOut {
        hook_id: "hk-out".into(),
        asker: None,
        answered: Answered::Post {
            post: post("deploy started"),
            ephemeral: false,
        },
    });
    assert!(calls(&answered).is_empty());
    let [RoomEvent::NewMessage(reply)] = <[_; 1]>::try_from(appended(&answered)).unwrap() else {
        panic!("one message");
    };
    assert_eq!(
        (reply.user_id.as_str(), reply.username.as_str()),
        ("hk-out", "deployer")
    );
    assert!(reply.bot.is_some());
}

#[test]
fn a_call_that_failed_for_good_shows_on_the_hook_for_its_admins() {
    let mut world = World::with_three();
    make(
        &mut world,
        "hk-out",
        "deployer",
        outgoing(&["deploy"], false),
    );
    let effects = world.run(Command::CalledOut {
        hook_id: "hk-out".into(),
        asker: None,
        answered: Answered::Failed("no answer within 3000 ms".into()),
    });
    assert!(appended(&effects).is_empty());
    let listed = world.room.list_hooks(&who("ana")).unwrap().unwrap();
    assert_eq!(listed[0].failures, 1);
    assert_eq!(
        listed[0].last_error.as_deref(),
        Some("no answer within 3000 ms")
    );
    world.run(Command::CalledOut {
        hook_id: "hk-out".into(),
        asker: None,
        answered: Answered::Nothing,
    });
    let listed = world.room.list_hooks(&who("ana")).unwrap().unwrap();
    assert_eq!(
        (listed[0].failures, listed[0].last_error.as_deref()),
        (1, None)
    );
}

#[test]
fn an_outgoing_hook_past_its_budget_is_not_called() {
    let limits = Limits {
        hook_rate: Rate {
            per_window: 1,
            window_ms: 60_000,
            burst: 1,
        },
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    world.connect("ana", "ana");
    make(
        &mut world,
        "hk-out",
        "deployer",
        outgoing(&["deploy"], false),
    );
    assert_eq!(calls(&world.say("ana", "deploy one")).len(), 1);
    assert!(calls(&world.say("ana", "deploy two")).is_empty());
}

#[test]
fn a_command_calls_its_program_for_the_asker_and_answers_them_alone_or_the_room() {
    let mut world = World::with_three();
    make(&mut world, "hk-cmd", "Deployer", command("/deploy"));
    let effects = world.send(
        "bo",
        ClientMsg::RunCommand {
            room_id: world.room.id().to_owned(),
            command: "/deploy".into(),
            text: "prod".into(),
        },
    );
    let [call] = calls(&effects).try_into().unwrap();
    assert_eq!(field(&call, "command"), "/deploy");
    assert_eq!(field(&call, "text"), "prod");
    assert_eq!(field(&call, "user_name"), "bo");
    let asker = call.asker.clone().unwrap();
    assert_eq!((asker.user_id.as_str(), asker.conn.as_str()), ("bo", "bo"));

    let alone = world.run(Command::CalledOut {
        hook_id: "hk-cmd".into(),
        asker: Some(asker.clone()),
        answered: Answered::Post {
            post: post("deploying prod"),
            ephemeral: true,
        },
    });
    assert!(
        appended(&alone).is_empty(),
        "an ephemeral answer is not stored"
    );
    let [ServerMsg::Ephemeral(answer)] = <[_; 1]>::try_from(sent_to(&alone, "bo")).unwrap() else {
        panic!("one ephemeral to bo: {alone:?}");
    };
    assert_eq!(
        (answer.text.as_str(), answer.username.as_str()),
        ("deploying prod", "Deployer")
    );
    assert!(sent_to(&alone, "cy").is_empty());

    let in_channel = world.run(Command::CalledOut {
        hook_id: "hk-cmd".into(),
        asker: Some(asker),
        answered: Answered::Post {
            post: post("prod is live"),
            ephemeral: false,
        },
    });
    let [RoomEvent::NewMessage(message)] = <[_; 1]>::try_from(appended(&in_channel)).unwrap()
    else {
        panic!("one message");
    };
    assert_eq!(message.text, "prod is live");
}

#[test]
fn a_command_the_room_has_not_is_refused_and_one_failing_tells_the_asker() {
    let mut world = World::with_three();
    let effects = world.send(
        "bo",
        ClientMsg::RunCommand {
            room_id: world.room.id().to_owned(),
            command: "/nope".into(),
            text: String::new(),
        },
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::NotFound));
    make(&mut world, "hk-cmd", "Deployer", command("/deploy"));
    let failed = world.run(Command::CalledOut {
        hook_id: "hk-cmd".into(),
        asker: Some(Asker {
            user_id: "bo".into(),
            conn: "bo".into(),
            req_id: None,
        }),
        answered: Answered::Failed("answered 500".into()),
    });
    let [ServerMsg::Ephemeral(told)] = <[_; 1]>::try_from(sent_to(&failed, "bo")).unwrap() else {
        panic!("the asker is told");
    };
    assert_eq!(told.text, "/deploy failed: answered 500");
}

#[test]
fn a_response_url_answers_a_bounded_number_of_times_until_it_expires() {
    let mut world = World::with_three();
    make(&mut world, "hk-cmd", "Deployer", command("/deploy"));
    let now = world.now;
    world
        .room
        .allow_responses("t-1", "hk-cmd", "bo", now)
        .unwrap();
    for _ in 0..edgechat_core::room::RESPONSE_USES {
        let effects = world
            .room
            .respond("t-1", Some((post("still going"), true)), now)
            .unwrap()
            .unwrap();
        assert_eq!(sent_to(&effects, "bo").len(), 1);
    }
    let used_up = world
        .room
        .respond("t-1", Some((post("more"), true)), now)
        .unwrap();
    assert_eq!(used_up.err().map(|r| r.code()), Some(ErrorCode::NotFound));
    world
        .room
        .allow_responses("t-2", "hk-cmd", "bo", now)
        .unwrap();
    let late = now + edgechat_core::room::RESPONSE_TTL_MS + 1;
    let expired = world
        .room
        .respond("t-2", Some((post("late"), false)), late)
        .unwrap();
    assert_eq!(expired.err().map(|r| r.code()), Some(ErrorCode::NotFound));
}

#[test]
fn a_hooks_spec_is_checked() {
    let mut world = World::with_three();
    for (spec, name) in [
        (outgoing(&[], false), "nobody"),
        (outgoing(&["two words"], false), "spaces"),
        (outgoing(&[], true), "Not A Handle"),
        (command("deploy"), "noslash"),
        (command("/Deploy!"), "shouting"),
    ] {
        let change = HookChange::Create {
            hook_id: format!("hk-{name}"),
            name: name.into(),
            secret: "s".into(),
            token: "t".into(),
            spec,
        };
        let refused = world
            .room
            .change_hook(&who("ana"), change, world.now)
            .unwrap();
        assert_eq!(
            refused.err().map(|r| r.code()),
            Some(ErrorCode::Invalid),
            "{name}"
        );
    }
    make(&mut world, "hk-a", "first", command("/deploy"));
    let again = HookChange::Create {
        hook_id: "hk-b".into(),
        name: "second".into(),
        secret: "s".into(),
        token: "t".into(),
        spec: command("/deploy"),
    };
    let refused = world
        .room
        .change_hook(&who("ana"), again, world.now)
        .unwrap();
    assert_eq!(refused.err().map(|r| r.code()), Some(ErrorCode::Conflict));
}

#[test]
fn a_maker_who_is_no_longer_an_admin_here_takes_their_hooks_power_with_them() {
    let mut world = World::with_three();
    world.send(
        "ana",
        ClientMsg::SetRole {
            user_id: "bo".into(),
            role: edgechat_protocol::Role::Admin,
        },
    );
    let made = |world: &mut World, hook_id: &str, spec: HookSpec| {
        let change = HookChange::Create {
            hook_id: hook_id.into(),
            name: "botsmith".into(),
            secret: "signing".into(),
            token: "tok".into(),
            spec,
        };
        world
            .room
            .change_hook(&who("bo"), change, world.now)
            .unwrap()
            .unwrap();
    };
    made(&mut world, "hk-in", HookSpec::Incoming);
    made(&mut world, "hk-out", outgoing(&["deploy"], false));
    made(&mut world, "hk-cmd", command("/deploy"));
    assert_eq!(calls(&world.say("cy", "deploy one")).len(), 1);

    // Bo leaves (an admin is demoted only by a global admin; leaving, a kick or a ban
    // end the role the same way).
    world.send(
        "bo",
        ClientMsg::LeaveRoom {
            room_id: world.room.id().to_owned(),
        },
    );
    let refused = world
        .room
        .post_by_hook("hk-in", "signing", post("x"), world.now)
        .unwrap();
    assert_eq!(refused.err().map(|r| r.code()), Some(ErrorCode::NotFound));
    assert!(calls(&world.say("cy", "deploy two")).is_empty());
    let effects = world.send(
        "cy",
        ClientMsg::RunCommand {
            room_id: world.room.id().to_owned(),
            command: "/deploy".into(),
            text: String::new(),
        },
    );
    assert_eq!(error_code(&effects), Some(ErrorCode::NotFound));
    let listed = world.room.list_hooks(&who("ana")).unwrap().unwrap();
    assert!(listed.iter().all(|h| h.disabled), "{listed:?}");
    // A member who is not an admin makes none.
    let change = HookChange::Create {
        hook_id: "hk-x".into(),
        name: "nope".into(),
        secret: "s".into(),
        token: "t".into(),
        spec: HookSpec::Incoming,
    };
    let mut global = who("cy");
    global.global_admin = true;
    let refused = world.room.change_hook(&global, change, world.now).unwrap();
    assert_eq!(refused.err().map(|r| r.code()), Some(ErrorCode::Forbidden));
}

#[test]
fn a_muted_member_runs_no_command_and_a_command_spends_the_senders_budget() {
    let limits = Limits {
        rate_per_window: 1,
        rate_window_ms: 60_000,
        rate_burst: 1,
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    for user in ["ana", "bo"] {
        world.connect(user, user);
    }
    make(&mut world, "hk-cmd", "Deployer", command("/deploy"));
    let run = |world: &mut World| {
        world.send(
            "bo",
            ClientMsg::RunCommand {
                room_id: world.room.id().to_owned(),
                command: "/deploy".into(),
                text: String::new(),
            },
        )
    };
    assert_eq!(calls(&run(&mut world)).len(), 1);
    assert_eq!(error_code(&run(&mut world)), Some(ErrorCode::RateLimited));
    world.advance(120_000);
    let until = world.now + 60_000;
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "bo".into(),
            until,
        },
    );
    assert_eq!(error_code(&run(&mut world)), Some(ErrorCode::Muted));
}
