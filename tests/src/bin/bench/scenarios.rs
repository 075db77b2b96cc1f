//! The named scenarios of `cargo xtask bench` (docs/performance.md). Each runs against
//! edgechat and then against the echo Worker, each on a fresh server, and prints both and
//! edgechat's fraction of the ceiling.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use edgechat_e2e::{
    account::Session,
    server::{Server, Worker},
};
use futures_util::StreamExt;

use crate::{
    load::{self, Pace, Plan, Report, Room, Target},
    profile::Profiler,
};

/// Every scenario, in the order `all` runs them.
pub const ALL: &[(&str, &str)] = &[
    ("fan-out", "1 room x 100 clients, 10 senders, closed loop"),
    (
        "rooms",
        "10 rooms x 10 clients, 2 senders per room, closed loop",
    ),
    (
        "paced",
        "1 room x 100 clients, 1 sender at a fixed rate, swept: the rate where p99 passes 100 ms",
    ),
    (
        "storm",
        "1 room, 1,000 members coming back at once: the time until all have joined; then fan-out with them",
    ),
    (
        "join",
        "1 room, 1,000 accounts new to it joining at once: the time until all have joined; then fan-out with them",
    ),
    (
        "big-room",
        "1 room, 3,000 accounts new to it joining at once, then 10 senders: edgechat sharded, unsharded, and the echo",
    ),
];

/// What the command line chose.
#[derive(Debug, Clone)]
pub struct Options {
    pub warmup: Duration,
    pub measured: Duration,
    /// paced: messages per second, in sweep order.
    pub rates: Vec<f64>,
    /// paced: the measured time of each step.
    pub step: Duration,
    /// storm: how many clients.
    pub storm: usize,
    /// join: how many accounts new to the room.
    pub join: usize,
    /// big-room: how many clients.
    pub big_room: usize,
    /// big-room: serve with `wrangler dev`'s inspector attached, as the other scenarios
    /// do (to profile it, or to see what the inspector costs).
    pub inspector: bool,
    /// join, storm: where to write a CPU profile of the arrivals.
    pub profile: Option<std::path::PathBuf>,
    /// `--var NAME=VALUE`: edgechat's vars, over the bench's own (to try a setting).
    pub vars: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            warmup: Duration::from_secs(2),
            measured: Duration::from_secs(20),
            rates: vec![100.0, 200.0, 300.0, 400.0, 500.0, 600.0],
            step: Duration::from_secs(5),
            storm: 1_000,
            join: 1_000,
            big_room: 3_000,
            inspector: false,
            profile: None,
            vars: Vec::new(),
        }
    }
}

pub async fn run(name: &str, options: &Options) {
    match name {
        "fan-out" => closed("fan-out", 1, 100, 10, options).await,
        "rooms" => closed("rooms", 10, 10, 2, options).await,
        "paced" => paced(options).await,
        "storm" => arrivals("storm", options.storm, true, options).await,
        "join" => arrivals("join", options.join, false, options).await,
        "big-room" => crate::big_room::big_room(options).await,
        other => panic!("no scenario {other}; `cargo xtask bench --help` lists them"),
    }
}

/// A server of `target`, fresh, with the per-user limits lifted: they are product
/// limits, not the subject here.
async fn fresh(target: Target, options: &Options) -> Arc<Server> {
    let builder = match target {
        Target::Edgechat => options.vars.iter().fold(
            Server::builder()
                .without_budgets()
                .var("MAX_SOCKETS_PER_USER", 10_000)
                .var("MAX_ROOM_MEMBERS", 100_000),
            |builder, (name, value)| builder.var(name, value),
        ),
        Target::Echo => Server::builder().worker(Worker::Echo),
    };
    // A profile is taken from workerd's own inspector, with no wrangler proxy in
    // between; the echo is then served without the proxy too, to compare like with like.
    let builder = match (&options.profile, target) {
        (None, _) => builder,
        (Some(_), Target::Edgechat) => builder.with_bare_inspector(),
        (Some(_), Target::Echo) => builder.without_inspector(),
    };
    let server = builder.start().await;
    println!(
        "  ({} on port {}, inspector on {})",
        target.name(),
        server.port(),
        server.inspector_port()
    );
    Arc::new(server)
}

/// `rooms` public rooms of `clients` accounts each on an edgechat server; the echo reuses
/// their ids and counts.
async fn populate(server: &Server, rooms: usize, clients: usize) -> Vec<Room> {
    let mut made = Vec::with_capacity(rooms);
    for r in 0..rooms {
        // Registration derives a key per account; a few at a time keep both cores busy.
        let people: Vec<Session> = futures_util::stream::iter(0..clients)
            .map(|c| async move { server.register(&format!("bench{r}x{c}")).await })
            .buffered(8)
            .collect()
            .await;
        let id = server.room(&people[0], &format!("bench-{r}")).await;
        let tokens = people.into_iter().map(|who| who.access_token).collect();
        made.push(Room { id, tokens });
    }
    made
}

/// D1 statements per message archived, once the write-behind has caught up.
async fn statements_per_message(server: &Server, sent: u64) -> (u64, f64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let archived = loop {
        let n = server.count("messages");
        if n >= sent || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let stats = server.query("SELECT COALESCE(SUM(statements), 0) AS s FROM archive_stats");
    let statements = stats[0]["s"].as_u64().unwrap_or(0);
    (archived, statements as f64 / archived.max(1) as f64)
}

/// A closed-loop scenario: edgechat, then the echo.
async fn closed(name: &str, rooms: usize, clients: usize, senders: usize, options: &Options) {
    let plan = Plan {
        senders_per_room: senders,
        pace: Pace::Closed,
        warmup: options.warmup,
        measured: options.measured,
    };
    heading(name, rooms, clients, &plan);
    let (edgechat, echo) = pair(rooms, clients, plan, options).await;
    compare(&edgechat, &echo);
}

/// Runs `plan` on fresh servers of both targets; prints each as it finishes.
async fn pair(rooms: usize, clients: usize, plan: Plan, options: &Options) -> (Report, Report) {
    pair_after(rooms, clients, plan, options, false).await
}

/// [`pair`]; with `members`, everyone has joined edgechat's room once before the run, so
/// the run's connections are members coming back, as after a deploy.
async fn pair_after(
    rooms: usize,
    clients: usize,
    plan: Plan,
    options: &Options,
    members: bool,
) -> (Report, Report) {
    let server = fresh(Target::Edgechat, options).await;
    let people = populate(&server, rooms, clients).await;
    let mut profiler = match &options.profile {
        Some(_) => Some(Profiler::attach(server.inspector_port()).await),
        None => None,
    };
    if members {
        let took = load::arrive(&server, &people, 100).await;
        println!(
            "  edgechat: {clients} first arrivals, 100 at a time, in {:.1} s",
            took.as_secs_f64()
        );
    }
    let (edgechat, profile) =
        load::run_profiled(&server, Target::Edgechat, &people, plan, profiler.as_mut()).await;
    line(Target::Edgechat, &edgechat);
    if let (Some(profile), Some(file)) = (profile, &options.profile) {
        std::fs::write(file, profile.to_string()).expect("the profile's file");
        println!("  profile of the arrivals written to {}", file.display());
        print!("{}", crate::profile::summary(&profile, 30));
    }
    let before = edgechat.storage_at_start;
    let after = load::storage(&server, &people[0].id).await;
    let sent = edgechat.sent.max(1) as f64;
    println!(
        "          storage: {:.2} writes and {:.2} reads per sent message (from the first \
         send on; the write-behind's own included)",
        (after.1 - before.1) as f64 / sent,
        (after.0 - before.0) as f64 / sent,
    );
    let (archived, per_message) = statements_per_message(&server, edgechat.sent).await;
    println!(
        "          D1: {archived} of {} messages archived, {per_message:.2} statements per message",
        edgechat.sent
    );
    drop(server);
    let ceiling = fresh(Target::Echo, options).await;
    let echo = load::run(&ceiling, Target::Echo, &people, plan).await;
    line(Target::Echo, &echo);
    (edgechat, echo)
}

/// One sender at each rate of the sweep on the same room; the knee is the first rate
/// whose p99 passes 100 ms.
async fn paced(options: &Options) {
    let mut knees = Vec::new();
    println!(
        "\npaced: 1 room x 100 clients, 1 sender at {:?} messages/s, {} s each after {} s warm-up",
        options.rates,
        options.step.as_secs_f64(),
        options.warmup.as_secs_f64()
    );
    for target in [Target::Edgechat, Target::Echo] {
        let server = fresh(target, options).await;
        let people = populate_for(target, &server, 1, 100).await;
        let mut knee = None;
        for &rate in &options.rates {
            let plan = Plan {
                senders_per_room: 1,
                pace: Pace::Rate(rate),
                warmup: options.warmup,
                measured: options.step,
            };
            let report = load::run(&server, target, &people, plan).await;
            print!("  {rate:>4.0}/s ");
            line(target, &report);
            if knee.is_none() && report.p99 > 100_000 {
                knee = Some(rate);
            }
        }
        knees.push(knee);
    }
    let show = |knee: Option<f64>| {
        knee.map_or_else(
            || "not reached".to_owned(),
            |rate| format!("{rate:.0} messages/s"),
        )
    };
    println!(
        "  knee (p99 first past 100 ms): edgechat {}, echo {}",
        show(knees[0]),
        show(knees[1])
    );
}

/// The echo needs no accounts; edgechat's are made on its own server.
async fn populate_for(target: Target, server: &Server, rooms: usize, clients: usize) -> Vec<Room> {
    match target {
        Target::Edgechat => populate(server, rooms, clients).await,
        Target::Echo => (0..rooms)
            .map(|r| Room {
                id: format!("bench-{r}"),
                tokens: vec![String::new(); clients],
            })
            .collect(),
    }
}

/// Everyone connects at once; then fan-out with all of them. With `members`, each has
/// been in the room before, as after a deploy (storm); without, none has, as at a launch
/// (join): every connection is a first join.
async fn arrivals(name: &str, clients: usize, members: bool, options: &Options) {
    let plan = Plan {
        senders_per_room: 10,
        pace: Pace::Closed,
        warmup: options.warmup,
        measured: options.measured,
    };
    heading(name, 1, clients, &plan);
    let (edgechat, echo) = pair_after(1, clients, plan, options, members).await;
    println!(
        "  all joined: edgechat {:.1} s, echo {:.1} s ({:.1}x)",
        edgechat.joined_in.as_secs_f64(),
        echo.joined_in.as_secs_f64(),
        edgechat.joined_in.as_secs_f64() / echo.joined_in.as_secs_f64().max(1e-9)
    );
    compare(&edgechat, &echo);
}

pub fn heading(name: &str, rooms: usize, clients: usize, plan: &Plan) {
    println!(
        "\n{name}: {rooms} room(s) x {clients} clients, {} sender(s) per room, {:?}, {} s measured after {} s warm-up",
        plan.senders_per_room,
        plan.pace,
        plan.measured.as_secs_f64(),
        plan.warmup.as_secs_f64()
    );
}

pub fn line(target: Target, r: &Report) {
    println!(
        "{:<9} {:>8.0} deliveries/s  p50 {:>6.1}  p95 {:>6.1}  p99 {:>6.1}  max {:>7.1} ms  sent {}  lost {}  duplicated {}  errors {}  joined in {:.1} s  frames per delivery {:.2}",
        target.name(),
        r.deliveries_per_s,
        ms(r.p50),
        ms(r.p95),
        ms(r.p99),
        ms(r.max),
        r.sent,
        r.lost,
        r.duplicated,
        r.errors,
        r.joined_in.as_secs_f64(),
        r.frames_per_delivery
    );
}

pub fn compare(edgechat: &Report, echo: &Report) {
    println!(
        "  edgechat: {:.0}% of the echo ceiling's deliveries, p99 {:.1}x echo's",
        100.0 * edgechat.deliveries_per_s / echo.deliveries_per_s.max(1e-9),
        edgechat.p99 as f64 / echo.p99.max(1) as f64
    );
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}
