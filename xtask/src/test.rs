//! `cargo xtask test` (and `ci`): every check the project has, in the order that fails
//! fastest.

use crate::{
    Result, build,
    cmd::{command, exec, output, step, wrangler},
    setup,
};

/// Crates that are compiled to WebAssembly, linted for that target too.
const WASM_CRATES: &[&str] = &[
    "edgechat-protocol",
    "edgechat-core",
    "edgechat-auth",
    "edgechat-worker",
    "edgechat-client",
    "edgechat-echo",
];

pub fn run() -> Result {
    setup::run()?;

    step("test: formatting (cargo fmt --check)");
    exec(command("cargo").args(["fmt", "--all", "--check"]))?;

    step("test: clippy, native, -D warnings");
    exec(command("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("test: clippy, wasm32-unknown-unknown, -D warnings");
    let mut wasm = command("cargo");
    wasm.args(["clippy", "--target", "wasm32-unknown-unknown", "--release"]);
    for krate in WASM_CRATES {
        wasm.args(["--package", krate]);
    }
    exec(wasm.args(["--", "-D", "warnings"]))?;
    step("test: clippy, the Worker's bench build, -D warnings");
    exec(command("cargo").args([
        "clippy",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
        "--package",
        "edgechat-worker",
        "--features",
        "bench",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("test: layering (the pure crates do not depend on the worker crate)");
    layering()?;

    build::run()?;
    build::echo()?;

    step("test: size budgets (client/wasm-budget-kib, worker/wasm-budget-kib)");
    size_budgets()?;

    step("test: unit, protocol, core and end-to-end tests (cargo nextest)");
    // Each test is a process of its own, two at a time across every test binary (the
    // profile is .config/nextest.toml): an end-to-end test runs its own wrangler dev,
    // and two suit two cores.
    exec(command("cargo").args(["nextest", "run", "--workspace", "--no-fail-fast"]))?;
    // nextest runs no doc tests; there are none today, and any added runs here.
    exec(command("cargo").args(["test", "--workspace", "--doc"]))?;

    step("test: deploy dry run (wrangler deploy --dry-run)");
    let out = tempfile_dir()?;
    exec(
        wrangler()
            .args(["deploy", "--dry-run", "--outdir"])
            .arg(&out),
    )?;
    let _ = std::fs::remove_dir_all(&out);
    println!("\nxtask: all checks passed");
    Ok(())
}

/// `edgechat-protocol`, `edgechat-core` and `edgechat-auth` must build and test natively: none may
/// pull in `worker`, which needs the JS runtime.
fn layering() -> Result {
    for krate in ["edgechat-protocol", "edgechat-core", "edgechat-auth"] {
        let tree = output(command("cargo").args([
            "tree",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--package",
            krate,
        ]))
        .ok_or_else(|| format!("cargo tree -p {krate} failed"))?;
        if let Some(line) = tree
            .lines()
            .find(|l| l.starts_with("worker ") || l.starts_with("worker-"))
        {
            return Err(format!("{krate} depends on {line}"));
        }
        println!("    {krate}: no dependency on worker");
    }
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("edgechat-deploy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Prints each `.wasm`'s size, raw and gzipped, and fails past its budget.
fn size_budgets() -> Result {
    size_budget(
        "client",
        "client/dist/edgechat_client_bg.wasm",
        "client/wasm-budget-kib",
    )?;
    size_budget(
        "worker",
        "worker/build/index_bg.wasm",
        "worker/wasm-budget-kib",
    )
}

fn size_budget(name: &str, wasm: &str, budget_file: &str) -> Result {
    let root = crate::root();
    let wasm = root.join(wasm);
    let raw = std::fs::metadata(&wasm)
        .map_err(|e| format!("{}: {e}", wasm.display()))?
        .len();
    let gzipped = command("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .map_err(|e| format!("gzip: {e}"))?
        .stdout
        .len() as u64;
    let budget_path = root.join(budget_file);
    let budget: u64 = std::fs::read_to_string(&budget_path)
        .map_err(|e| format!("{}: {e}", budget_path.display()))?
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .and_then(|line| line.parse().ok())
        .ok_or_else(|| format!("{budget_file} holds no number"))?;
    println!(
        "    {name} wasm: {} KiB raw, {} KiB gzipped; budget {budget} KiB gzipped",
        raw / 1024,
        gzipped / 1024
    );
    if gzipped > budget * 1024 {
        return Err(format!(
            "the {name}'s .wasm is {} KiB gzipped, over its budget of {budget} KiB ({budget_file})",
            gzipped / 1024
        ));
    }
    Ok(())
}
