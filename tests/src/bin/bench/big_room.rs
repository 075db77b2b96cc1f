//! `big-room`: one room, thousands of accounts new to it joining at once, then ten senders
//! closed loop; against edgechat sharded (the room holds `SHARD_AFTER` sockets, shards the
//! rest), edgechat with sharding off, and the echo. Locally every object shares one
//! process, so sharding cannot raise throughput here: what it shows is that the room's
//! work per message is bounded (its own sockets plus one delivery per shard) with nothing
//! lost or duplicated (docs/performance.md, "Rooms bigger than one object").

use std::path::Path;

use edgechat_e2e::{
    account::Session,
    server::{Builder, Server, Worker},
};
use futures_util::StreamExt;

use crate::{
    load::{self, Pace, Plan, Report, Room, Target},
    scenarios::{Options, compare, heading, line},
};

/// Open files this process needs per client: its socket, and headroom for the rest.
const FILES_PER_CLIENT: u64 = 2;

pub async fn big_room(options: &Options) {
    let clients = options.big_room;
    open_files(clients);
    let plan = Plan {
        senders_per_room: 10,
        pace: Pace::Closed,
        warmup: options.warmup,
        measured: options.measured,
    };
    heading("big-room", 1, clients, &plan);
    let state = tempfile::tempdir().expect("a state directory");
    // The accounts are made once (a password hash each is most of a minute per thousand)
    // and each edgechat run has a room of its own, so both are first joins.
    let (sharded_room, unsharded_room) = accounts(state.path(), clients, options).await;
    // Sharding is off by default (`SHARD_AFTER`): this run turns it on, unless the
    // command line sets its own sizes.
    let sharding: Vec<(&str, &str)> = [("SHARD_AFTER", "1000"), ("SHARD_SOCKETS", "1000")]
        .into_iter()
        .filter(|(name, _)| !options.vars.iter().any(|(set, _)| set == name))
        .collect();
    let sharded = edgechat(state.path(), &sharded_room, &sharding, plan, options).await;
    let off = [("SHARD_AFTER", "1000000")];
    let unsharded = edgechat(state.path(), &unsharded_room, &off, plan, options).await;
    let ceiling = served(Server::builder().worker(Worker::Echo), options)
        .start()
        .await;
    let ceiling = std::sync::Arc::new(ceiling);
    let echo = load::run(
        &ceiling,
        Target::Echo,
        std::slice::from_ref(&sharded_room),
        plan,
    )
    .await;
    line(Target::Echo, &echo);
    for (name, report) in [("sharded", &sharded), ("unsharded", &unsharded)] {
        println!(
            "  {name}: all joined in {:.1} s, {:.1}x echo's {:.1} s",
            report.joined_in.as_secs_f64(),
            report.joined_in.as_secs_f64() / echo.joined_in.as_secs_f64().max(1e-9),
            echo.joined_in.as_secs_f64()
        );
        compare(report, &echo);
    }
}

/// Raises this process's open-file limit to its hard limit, and says plainly when even
/// that is too low for `clients` sockets.
#[allow(unsafe_code)]
fn open_files(clients: usize) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` and `setrlimit` read and write the one struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &raw const limit);
        }
    }
    let needed = clients as u64 * FILES_PER_CLIENT;
    if limit.rlim_cur < needed {
        println!(
            "  open files: the hard limit is {}, and {clients} clients need about {needed}: \
             expect failed connections; raise `ulimit -Hn` or lower --big-room",
            limit.rlim_cur
        );
    }
    // `wrangler dev`'s proxy holds one file per socket too: past about 3,300 it falls
    // over with a hard limit of 20,000, the echo's Worker as well as edgechat's.
    if clients > 3_300 {
        println!("  note: wrangler dev's proxy has fallen over near 3,300 sockets on this machine");
    }
}

/// `clients` accounts and two public rooms for them, on a server of its own in `state`.
async fn accounts(state: &Path, clients: usize, options: &Options) -> (Room, Room) {
    let server = built(state, &[], options).await;
    let people: Vec<Session> = futures_util::stream::iter(0..clients)
        .map(|c| {
            let server = &server;
            async move { server.register(&format!("big{c}")).await }
        })
        .buffered(8)
        .collect()
        .await;
    let mut rooms = Vec::new();
    for name in ["big-sharded", "big-unsharded"] {
        let id = server.room(&people[0], name).await;
        let tokens = people.iter().map(|who| who.access_token.clone()).collect();
        rooms.push(Room { id, tokens });
    }
    let unsharded = rooms.pop().expect("two rooms");
    let sharded = rooms.pop().expect("two rooms");
    (sharded, unsharded)
}

/// A server on `state` with the bench's limits lifted, the command line's vars, and the
/// run's own `vars` over them (sharding off stays off whatever `--var` says).
async fn built(state: &Path, vars: &[(&str, &str)], options: &Options) -> Server {
    let builder = served(Server::builder(), options)
        .state_dir(state)
        .without_budgets()
        .var("MAX_SOCKETS_PER_USER", 10_000)
        .var("MAX_ROOM_MEMBERS", 100_000)
        // The accounts' tokens outlive the runs.
        .var("ACCESS_TTL_MS", 3_600_000);
    let builder = options
        .vars
        .iter()
        .fold(builder, |builder, (name, value)| builder.var(name, value));
    vars.iter()
        .fold(builder, |builder, (name, value)| builder.var(name, value))
        .start()
        .await
}

/// One edgechat run on `room`, with the room's sends per message from the first send on.
async fn edgechat(
    state: &Path,
    room: &Room,
    vars: &[(&str, &str)],
    plan: Plan,
    options: &Options,
) -> Report {
    let server = std::sync::Arc::new(built(state, vars, options).await);
    let report = load::run(&server, Target::Edgechat, std::slice::from_ref(room), plan).await;
    let (sends, flushes) = load::sends(&server, &room.id).await;
    line(Target::Edgechat, &report);
    let (sends, flushes) = (
        sends.saturating_sub(report.sends_at_start.0) as f64,
        flushes.saturating_sub(report.sends_at_start.1).max(1) as f64,
    );
    println!(
        "          the room object's runtime sends: {:.1} per message, {:.1} per flush of its outbox ({:.1} messages per flush): its own sockets and one per shard",
        sends / report.sent.max(1) as f64,
        sends / flushes,
        report.sent as f64 / flushes
    );
    report
}

/// Without the inspector unless `--inspector` asks for it (tests/serve.cjs says why).
fn served(builder: Builder, options: &Options) -> Builder {
    if options.inspector {
        builder
    } else {
        builder.without_inspector()
    }
}
