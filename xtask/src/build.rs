//! `cargo xtask build`: the Worker into worker/build, the client into client/dist.

use std::fs;

use crate::{
    Result,
    cmd::{command, exec, step},
    root,
    setup::cargo_bin,
};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn run() -> Result {
    worker()?;
    client()
}

fn worker() -> Result {
    step("build: worker (worker-build --release)");
    worker_build("worker")
}

/// The benchmark's echo Worker into tests/echo/build; only `cargo xtask bench` needs it.
pub fn echo() -> Result {
    step("build: the benchmark's echo Worker (worker-build --release)");
    worker_build("tests/echo")
}

/// worker-build runs cargo, wasm-bindgen, wasm-opt and esbuild; all four come from this
/// machine, never from a download.
fn worker_build(dir: &str) -> Result {
    let root = root();
    let bin = root.join("node_modules/.bin");
    exec(
        command(cargo_bin("worker-build"))
            .current_dir(root.join(dir))
            .arg("--release")
            .env("WASM_BINDGEN_BIN", cargo_bin("wasm-bindgen"))
            .env("WASM_OPT_BIN", bin.join("wasm-opt"))
            .env("ESBUILD_BIN", bin.join("esbuild")),
    )
}

/// The Dioxus client without dioxus-cli: cargo, wasm-bindgen --target web, wasm-opt, and
/// the hand-written page and styles beside them.
fn client() -> Result {
    step("build: client (cargo build + wasm-bindgen + wasm-opt)");
    let root = root();
    exec(command("cargo").args([
        "build",
        "--package",
        "edgechat-client",
        "--target",
        WASM_TARGET,
        "--release",
    ]))?;
    let dist = root.join("client/dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("clearing {}: {e}", dist.display()))?;
    }
    fs::create_dir_all(&dist).map_err(|e| format!("creating {}: {e}", dist.display()))?;
    let wasm = root.join(format!("target/{WASM_TARGET}/release/edgechat_client.wasm"));
    exec(
        command(cargo_bin("wasm-bindgen"))
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&dist)
            .arg(&wasm),
    )?;
    let bindgen_out = dist.join("edgechat_client_bg.wasm");
    exec(
        command(root.join("node_modules/.bin/wasm-opt"))
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "-o",
            ])
            .arg(&bindgen_out)
            .arg(&bindgen_out),
    )?;
    for entry in fs::read_dir(root.join("client/web")).map_err(|e| format!("client/web: {e}"))? {
        let entry = entry.map_err(|e| e.to_string())?;
        fs::copy(entry.path(), dist.join(entry.file_name()))
            .map_err(|e| format!("copying {}: {e}", entry.path().display()))?;
    }
    let size = fs::metadata(&bindgen_out).map(|m| m.len()).unwrap_or(0);
    println!(
        "    client/dist ready; edgechat_client_bg.wasm is {} KiB",
        size / 1024
    );
    Ok(())
}
