//! `cargo xtask …`: the project's own commands (rust-analyzer's xtask pattern).
//!
//! - `setup`  installs what a fresh machine lacks; quick when all is there
//! - `build [worker | worker-bench [--with-names] | client | echo]`  builds the Worker (worker/build,
//!   and with its bench hooks worker/build-bench) and the client (client/dist); or one of
//!   them; `--with-names` keeps the function names a profile shows
//! - `dev [--port N] [--state-dir DIR] [--watch]`  builds, migrates and runs `wrangler dev`;
//!   with `--watch`, rebuilds the Worker or the client when their sources change
//! - `test`   setup, fmt check, clippy (native and wasm32), build (the echo Worker too),
//!   every test, deploy dry run
//! - `ci`     what `.ci/run` calls: `test`
//! - `bench [fan-out | rooms | paced | storm ...] [--seconds S ...]`  named load scenarios
//!   against a local server and against the echo Worker (tests/echo, built here);
//!   `bench wake [--big N --small M --rounds R]` the first read of a long room after
//!   restarts; `bench --help` lists it all
//! - `screenshots`  the main screens, desktop and phone, light and dark, into docs/screenshots

mod build;
mod cmd;
mod dev;
mod setup;
mod test;

use std::{path::PathBuf, process::ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        // `build worker`: the deployed Worker alone, to check its size while working on it.
        Some("build") if args.get(1).is_some_and(|a| a == "worker") => {
            setup::run().and_then(|()| build::worker())
        }
        // `build worker-bench` and `build echo`: what the tests and the bench run, one at
        // a time, to try a change to one of them.
        Some("build") if args.get(1).is_some_and(|a| a == "worker-bench") => {
            let names = if args.iter().any(|a| a == "--with-names") {
                build::Names::Kept
            } else {
                build::Names::Stripped
            };
            setup::run().and_then(|()| build::worker_bench(names))
        }
        Some("build") if args.get(1).is_some_and(|a| a == "client") => {
            setup::run().and_then(|()| build::client())
        }
        Some("build") if args.get(1).is_some_and(|a| a == "echo") => {
            setup::run().and_then(|()| build::echo())
        }
        Some("build") => setup::run().and_then(|()| build::run()),
        Some("dev") => dev::run(&args[1..]),
        Some("test") | Some("ci") => test::run(),
        // `--help` needs no build.
        Some("bench") if args.iter().any(|a| a == "-h" || a == "--help") => run_bench(&args[1..]),
        Some("bench") => setup::run()
            .and_then(|()| build::run())
            .and_then(|()| build::echo())
            .and_then(|()| run_bench(&args[1..])),
        Some("screenshots") => setup::run()
            .and_then(|()| build::run())
            .and_then(|()| screenshots()),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <setup | build | dev [--port N] [--state-dir DIR] [--watch] | test | ci | bench [SCENARIO ...] [OPTIONS] (see bench --help) | bench wake [--big N --small M --rounds R] | screenshots>";

/// Runs the screens test with its output going to docs/screenshots.
fn screenshots() -> Result {
    cmd::step("screenshots: the main screens into docs/screenshots");
    cmd::exec(
        cmd::command("cargo")
            .args(["test", "--package", "edgechat-e2e", "--test", "screens"])
            .env("EDGECHAT_SCREENSHOTS_DIR", root().join("docs/screenshots")),
    )
}

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The load tool, built for speed, against a server it starts itself.
fn run_bench(args: &[String]) -> Result {
    cmd::step("bench: scenarios against wrangler dev, then against the echo ceiling");
    cmd::exec(
        cmd::command("cargo")
            .args([
                "run",
                "--release",
                "--package",
                "edgechat-e2e",
                "--bin",
                "bench",
                "--",
            ])
            .args(args),
    )
}
