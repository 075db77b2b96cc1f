//! `cargo xtask setup`: installs what a fresh machine lacks, and nothing else.

use std::{fs, path::PathBuf};

use crate::{
    Result,
    cmd::{self, command, exec, output, step},
    root,
};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn run() -> Result {
    step("setup: checking the toolchain");
    node()?;
    wasm_target()?;
    // worker-build goes with the `worker` crate; the wasm-bindgen CLI must match the
    // library exactly.
    cargo_tool("worker-build", &locked_version("worker")?, &["--version"])?;
    cargo_tool(
        "wasm-bindgen-cli",
        &locked_version("wasm-bindgen")?,
        &["--version"],
    )?;
    nextest()?;
    npm_packages()?;
    chromium()?;
    println!("    setup: everything is in place");
    Ok(())
}

/// Where cargo installs binaries.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    home.join("bin").join(name)
}

/// The version of the package `name` in Cargo.lock.
fn locked_version(name: &str) -> Result<String> {
    let lock =
        fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == wanted
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err(format!("Cargo.lock names no {name} version"))
}

fn node() -> Result {
    let version = output(command("node").arg("--version"))
        .ok_or("Node.js is missing: install Node 20 or newer with npm")?;
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!(
            "Node {version} is too old: edgechat needs Node 20 or newer"
        ));
    }
    println!("    node {version}");
    Ok(())
}

fn wasm_target() -> Result {
    let installed =
        output(command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|t| t == WASM_TARGET) {
        println!("    rust target {WASM_TARGET}: installed");
        return Ok(());
    }
    exec(command("rustup").args(["target", "add", WASM_TARGET]))
}

/// Installs the crate `krate` at `version` unless its binary already reports it.
fn cargo_tool(krate: &str, version: &str, version_args: &[&str]) -> Result {
    let bin = krate.trim_end_matches("-cli");
    let reported = output(command(cargo_bin(bin)).args(version_args)).unwrap_or_default();
    if reported.split_whitespace().any(|word| word == version) {
        println!("    {bin} {version}: installed");
        return Ok(());
    }
    println!("    {bin} {version}: installing (several minutes on 2 cores, once per machine)");
    exec(command("cargo").args(["install", krate, "--version", version]))
}

/// cargo-nextest, which runs every test of the workspace as its own process, two at a
/// time across all the test binaries (machines of this kind come with it).
fn nextest() -> Result {
    if let Some(version) = output(command("cargo").args(["nextest", "--version"])) {
        println!(
            "    {}: installed",
            version.lines().next().unwrap_or("cargo-nextest")
        );
        return Ok(());
    }
    println!("    cargo-nextest: installing (several minutes on 2 cores, once per machine)");
    exec(command("cargo").args(["install", "cargo-nextest", "--locked"]))
}

fn npm_packages() -> Result {
    let root = root();
    let stamp = root.join("node_modules/.package-lock.json");
    let fresh = match (
        fs::metadata(root.join("package-lock.json")),
        fs::metadata(&stamp),
    ) {
        (Ok(lock), Ok(installed)) => match (lock.modified(), installed.modified()) {
            (Ok(lock), Ok(installed)) => installed >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh && cmd::exists(root.join("node_modules/.bin/wrangler")) {
        println!("    npm packages (wrangler, binaryen, axe-core): installed");
        return Ok(());
    }
    exec(command("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// A colour emoji font, so reactions and the composer's icons render in screenshots as
/// they do on users' machines.
const EMOJI_FONT: &str = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";

fn chromium() -> Result {
    let mut missing = Vec::new();
    if !(cmd::exists("chromium") && cmd::exists("chromedriver")) {
        missing.extend(["chromium", "chromium-driver"]);
    }
    if !std::path::Path::new(EMOJI_FONT).exists() {
        missing.push("fonts-noto-color-emoji");
    }
    if missing.is_empty() {
        println!("    chromium, chromedriver and an emoji font: installed");
        return Ok(());
    }
    println!("    installing Debian's packages: {}", missing.join(" "));
    let as_root = output(command("id").arg("-u")).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut c = if as_root {
            command("apt-get")
        } else {
            command("sudo")
        };
        if !as_root {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        exec(&mut c)
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y"];
    install.extend(missing);
    apt(&install)
}
