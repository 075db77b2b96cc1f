//! `cargo xtask dev`: build, migrate the local D1, and serve on 127.0.0.1; with
//! `--watch`, rebuild the Worker or the client when their sources change, while
//! `wrangler dev` keeps serving (it reloads the Worker, and the client's files change in
//! place).

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use crate::{
    Result, build,
    cmd::{exec, step, wrangler},
    root, setup,
};

pub fn run(args: &[String]) -> Result {
    let mut port = "8787".to_owned();
    let mut state_dir = root().join(".state");
    let mut watch = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port takes a number")?.clone(),
            "--watch" => watch = true,
            "--state-dir" => {
                state_dir = PathBuf::from(args.next().ok_or("--state-dir takes a path")?)
            }
            other => return Err(format!("dev: unknown argument {other:?}; {}", crate::USAGE)),
        }
    }
    port.parse::<u16>()
        .map_err(|_| format!("--port {port:?} is not a port"))?;

    setup::run()?;
    dev_vars()?;
    // What `wrangler deploy` ships: no bench hooks.
    build::worker()?;
    build::client()?;
    step("dev: applying D1 migrations to the local database");
    exec(
        wrangler()
            .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
            .arg(&state_dir)
            .env("CI", "true"),
    )?;
    step(&format!(
        "dev: serving http://127.0.0.1:{port} (Ctrl-C stops)"
    ));
    let mut serve = wrangler();
    serve
        .args(["dev", "--ip", "127.0.0.1", "--port", &port, "--persist-to"])
        .arg(&state_dir);
    if !watch {
        return exec(&mut serve);
    }
    let mut server = serve
        .spawn()
        .map_err(|e| format!("cannot start wrangler dev: {e}"))?;
    let mut seen = (newest(WORKER_SOURCES), newest(CLIENT_SOURCES));
    loop {
        std::thread::sleep(Duration::from_millis(700));
        if let Some(status) = server.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("wrangler dev stopped ({status})"));
        }
        let now = (newest(WORKER_SOURCES), newest(CLIENT_SOURCES));
        if now == seen {
            continue;
        }
        // An editor saving several files: let it finish.
        std::thread::sleep(Duration::from_millis(300));
        let now_settled = (newest(WORKER_SOURCES), newest(CLIENT_SOURCES));
        let (worker, client) = (now_settled.0 != seen.0, now_settled.1 != seen.1);
        seen = now_settled;
        for (changed, build, what) in [
            (worker, build::worker as fn() -> Result, "the Worker"),
            (client, build::client, "the client"),
        ] {
            if changed && let Err(err) = build() {
                eprintln!("xtask: rebuilding {what} failed ({err}); still serving the last build");
            }
        }
    }
}

/// What the Worker is built from.
const WORKER_SOURCES: &[&str] = &[
    "worker/src",
    "worker/Cargo.toml",
    "core/src",
    "auth/src",
    "protocol/src",
    "Cargo.lock",
];
/// What the client is built from.
const CLIENT_SOURCES: &[&str] = &[
    "client/src",
    "client/web",
    "client/Cargo.toml",
    "core/src",
    "protocol/src",
    "Cargo.lock",
];

/// The latest modification time of anything under `paths` (relative to the repository),
/// and how many files there are, so a deleted file counts as a change too.
fn newest(paths: &[&str]) -> (Option<SystemTime>, usize) {
    fn walk(path: &Path, latest: &mut Option<SystemTime>, count: &mut usize) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.is_dir() {
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                walk(&entry.path(), latest, count);
            }
        } else {
            *count += 1;
            if let Ok(modified) = meta.modified() {
                *latest = (*latest).max(Some(modified));
            }
        }
    }
    let (mut latest, mut count) = (None, 0);
    for path in paths {
        walk(&root().join(path), &mut latest, &mut count);
    }
    (latest, count)
}

/// `.dev.vars` holds the local secrets and local-only settings (git-ignored; `wrangler
/// deploy` never reads it). Made once, at random; a setting added since is appended.
fn dev_vars() -> Result {
    const LOCAL_ONLY: &str = "# Local only: the first account registered is the global admin.\nFIRST_ACCOUNT_IS_ADMIN=1\n";
    let path = root().join(".dev.vars");
    let mut text = if path.exists() {
        println!("    .dev.vars: present");
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        step("dev: creating .dev.vars with random local secrets");
        format!(
            "# Local secrets for wrangler dev; never committed. Production uses `wrangler secret put`.\nJWT_SECRET={}\nPASSWORD_PEPPER={}\n",
            random_hex(32)?,
            random_hex(32)?
        )
    };
    let before = text.len();
    if !text.contains("FIRST_ACCOUNT_IS_ADMIN") {
        step("dev: adding FIRST_ACCOUNT_IS_ADMIN to .dev.vars");
        text.push_str(LOCAL_ONLY);
    }
    if !text.contains("VAPID_PRIVATE_JWK") {
        step("dev: adding a VAPID key (Web Push) to .dev.vars");
        text.push_str(&format!(
            "# The server's Web Push identity, a P-256 key as a JWK.\nVAPID_PRIVATE_JWK='{}'\n",
            vapid_jwk()?
        ));
    }
    if text.len() == before {
        return Ok(());
    }
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A new P-256 private key as a JWK (what `VAPID_PRIVATE_JWK` holds), made by Node's
/// crypto, which wrangler already needs: no key-generation code of our own.
fn vapid_jwk() -> Result<String> {
    let output = std::process::Command::new("node")
        .args([
            "-e",
            "const { generateKeyPairSync } = require('node:crypto'); \
             const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }); \
             process.stdout.write(JSON.stringify(privateKey.export({ format: 'jwk' })));",
        ])
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "node could not make a VAPID key: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("node: {e}"))
}

fn random_hex(bytes: usize) -> Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
