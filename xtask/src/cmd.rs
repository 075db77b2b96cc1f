//! Running commands, each announced before it runs.

use std::{
    path::Path,
    process::{Command, Stdio},
};

use crate::{Result, root};

thread_local! {
    /// When this run of xtask started.
    static STARTED: std::time::Instant = std::time::Instant::now();
}

/// Prints what is about to happen, as every step does, and how long the run has taken
/// so far (so a slow step shows in CI's log).
pub fn step(what: &str) {
    let elapsed = STARTED.with(std::time::Instant::elapsed).as_secs();
    println!("\n==> [{}:{:02}] {what}", elapsed / 60, elapsed % 60);
}

/// A command run from the repository root.
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root());
    command
}

/// Runs `command`, failing with its description unless it exits 0.
pub fn exec(command: &mut Command) -> Result {
    println!("    $ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

/// Runs `command` quietly and returns its trimmed standard output, or `None` if it
/// cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Whether `program` runs with `--version`.
pub fn exists(program: impl AsRef<Path>) -> bool {
    output(Command::new(program.as_ref()).arg("--version")).is_some()
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// `wrangler` from node_modules, with everything that would reach off the machine off.
pub fn wrangler() -> Command {
    let mut command = command(root().join("node_modules/.bin/wrangler"));
    command
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_HIDE_BANNER", "true");
    command
}
