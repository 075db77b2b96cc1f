//! Starting and stopping `wrangler dev` for one test.

use std::{
    collections::BTreeMap,
    fs::File,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub use crate::d1::copy_dir;
use crate::{d1, free_port, repo_root, secrets::Secrets, signal_group};

/// How a [`Server`] is started.
#[derive(Debug, Default)]
pub struct Builder {
    state_dir: Option<PathBuf>,
    vars: BTreeMap<String, String>,
    port: Option<u16>,
    worker: Worker,
    inspector: Inspector,
    /// `wrangler dev --log-level`: `warn` unless a test reads the Worker's info lines.
    log_level: Option<&'static str>,
}

/// Where a [`Server`]'s profiler can attach.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Inspector {
    /// `wrangler dev`'s own: its proxy, attached from the start (what the tests use).
    #[default]
    Proxied,
    /// None: served by tests/serve.cjs, which says why.
    Off,
    /// workerd's own, with nothing attached until a profiler connects: served by
    /// tests/serve.cjs like `Off`, so no proxy relays the runtime's events.
    Bare,
}

/// Which Worker a [`Server`] runs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// edgechat's bench build (worker/build-bench: its hooks for tests, faults and the
    /// benchmark), under the wrangler.toml that `wrangler deploy` ships.
    #[default]
    Edgechat,
    /// edgechat as `wrangler deploy` ships it: worker/build, no bench hooks.
    Shipped,
    /// The benchmark's ceiling, from tests/echo/wrangler.toml (`cargo xtask bench` builds it).
    Echo,
}

impl Worker {
    fn config(self) -> &'static str {
        match self {
            Worker::Edgechat | Worker::Shipped => "wrangler.toml",
            Worker::Echo => "tests/echo/wrangler.toml",
        }
    }

    fn built(self) -> &'static [&'static str] {
        match self {
            Worker::Edgechat => &["worker/build-bench/index.js", "client/dist/index.html"],
            Worker::Shipped => &["worker/build/index.js", "client/dist/index.html"],
            Worker::Echo => &["tests/echo/build/index.js"],
        }
    }

    /// The script run in place of the configuration's `main`, if another.
    fn script(self) -> Option<&'static str> {
        match self {
            Worker::Edgechat => Some("worker/build-bench/index.js"),
            Worker::Shipped | Worker::Echo => None,
        }
    }
}

impl Builder {
    /// Run `worker` instead of edgechat.
    pub fn worker(mut self, worker: Worker) -> Self {
        self.worker = worker;
        self
    }

    /// Keep D1, R2 and Durable Object state in `dir`, so a later server can reopen it.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Listen on `port` (a restart on the same port keeps a browser's page origin).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Keep the Worker's info lines too (`--log-level info`), for a test that reads
    /// [`Server::log`]; the others keep warnings and errors only.
    pub fn info_logs(mut self) -> Self {
        self.log_level = Some("info");
        self
    }

    /// Override a `[vars]` entry of wrangler.toml, such as a limit.
    pub fn var(mut self, name: &str, value: impl ToString) -> Self {
        self.vars.insert(name.to_owned(), value.to_string());
        self
    }

    /// Served with no inspector attached (tests/serve.cjs says why): what the load
    /// benchmark measures, as production has none. Nothing can profile such a server.
    pub fn without_inspector(mut self) -> Self {
        self.inspector = Inspector::Off;
        self
    }

    /// Served as [`Builder::without_inspector`], but with workerd's own inspector open on
    /// [`Server::inspector_port`] and nothing attached: a profiler connects to the runtime
    /// itself. Attached through `wrangler dev`'s proxy, a profile of many arrivals at once
    /// stalled the isolate (docs/performance.md).
    pub fn with_bare_inspector(mut self) -> Self {
        self.inspector = Inspector::Bare;
        self
    }

    /// Every per-user budget of docs/protocol.md ("Budgets") lifted: they are product
    /// limits, not the subject of a load test.
    pub fn without_budgets(self) -> Self {
        let mut builder = self;
        for prefix in [
            "",
            "ACTION_",
            "MODERATION_",
            "MEMBERSHIP_",
            "STATUS_",
            "PUSH_",
            "READ_",
        ] {
            builder = builder
                .var(&format!("{prefix}RATE_PER_WINDOW"), 1_000_000)
                .var(&format!("{prefix}RATE_BURST"), 1_000_000);
        }
        builder
            .var("STATUS_RELAY_MS", 1)
            .var("ADDED_TO_ROOMS_PER_HOUR", 1_000_000)
    }

    /// `wrangler dev` on `port`, its inspector on `inspector`.
    fn wrangler_dev(
        worker: Worker,
        port: u16,
        inspector: u16,
        state_dir: &Path,
        vars: &BTreeMap<String, String>,
        log_level: &str,
    ) -> Command {
        let mut command = wrangler();
        command
            .args(["dev", "--config", worker.config()])
            .args(worker.script())
            .args(["--ip", "127.0.0.1", "--port", &port.to_string()])
            .args(["--inspector-port", &inspector.to_string()])
            .args([
                "--show-interactive-dev-session",
                "false",
                "--log-level",
                log_level,
            ])
            .arg("--persist-to")
            .arg(state_dir);
        for (name, value) in vars {
            command.arg("--var").arg(format!("{name}:{value}"));
        }
        command
    }

    /// The same Worker and state through tests/serve.cjs: no inspector, or workerd's own
    /// on `inspector`.
    fn served(
        worker: Worker,
        port: u16,
        inspector: Option<u16>,
        state_dir: &Path,
        vars: &BTreeMap<String, String>,
    ) -> Command {
        let mut command = quiet(Command::new("node"));
        if let Some(inspector) = inspector {
            command.env("WORKERD_INSPECTOR", format!("127.0.0.1:{inspector}"));
        }
        command
            .arg("tests/serve.cjs")
            .arg(worker.config())
            .arg(worker.script().unwrap_or("-"))
            .args(["127.0.0.1", &port.to_string()])
            .arg(state_dir)
            .args(vars.iter().map(|(name, value)| format!("{name}:{value}")));
        command
    }

    pub async fn start(mut self) -> Server {
        let root = repo_root();
        // The browser tests run with every room frame packed into a `batch`
        // (`BATCH_ALWAYS`), so the client is shown to read every frame that way; the
        // others run with the default, which packs only what is queued together.
        if self.worker == Worker::Edgechat && from_a_browser_test() {
            self.vars
                .entry("BATCH_ALWAYS".to_owned())
                .or_insert_with(|| "1".to_owned());
        }
        // No test's new account lands in wrangler.toml's default room (a socket more
        // than the test opened) unless it asks for one.
        self.vars.entry("DEFAULT_ROOM".to_owned()).or_default();
        for built in self.worker.built() {
            assert!(
                root.join(built).exists(),
                "{built} is missing: run `cargo xtask build` (or `cargo xtask test`; for the \
                 echo Worker, `cargo xtask bench`) first"
            );
        }
        let (state_dir, _temp) = match self.state_dir {
            Some(dir) => (dir, None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("edgechat-e2e-")
                    .tempdir()
                    .expect("a temporary state directory");
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        std::fs::create_dir_all(&state_dir).expect("state directory");
        if self.worker != Worker::Echo {
            // A state with a database of its own (a restart, an old build's fixture) is
            // brought up to date; a new one starts from a copy of a migrated database.
            if state_dir.join("v3/d1").exists() {
                d1::migrate(&state_dir);
            } else {
                copy_dir(&d1::migrated_template(), &state_dir);
            }
        }
        let secrets = Secrets::in_dir(&state_dir);

        let mut vars = secrets.vars();
        // As `cargo xtask dev` sets up local development: the first account is the admin.
        // And tests make many accounts from one address, and many rooms from one
        // account; a test of any of these sets its own.
        vars.insert("FIRST_ACCOUNT_IS_ADMIN".into(), "1".into());
        vars.insert("REGISTER_MAX_PER_IP".into(), "1000000".into());
        vars.insert("ROOMS_CREATED_PER_HOUR".into(), "1000000".into());
        vars.extend(self.vars);
        // A port picked free (the server's or the inspector's) can be taken by another
        // process before wrangler binds it; then wrangler exits at once and other ports
        // are tried.
        let mut attempt = 0;
        let mut server = loop {
            attempt += 1;
            let port = self.port.unwrap_or_else(free_port);
            let inspector = free_port();
            let log_path = state_dir.join(format!("wrangler-{port}.log"));
            let log = File::create(&log_path).expect("log file");
            let mut command = match self.inspector {
                Inspector::Proxied => {
                    let level = self.log_level.unwrap_or("warn");
                    Self::wrangler_dev(self.worker, port, inspector, &state_dir, &vars, level)
                }
                Inspector::Off => Self::served(self.worker, port, None, &state_dir, &vars),
                Inspector::Bare => {
                    Self::served(self.worker, port, Some(inspector), &state_dir, &vars)
                }
            };
            let child = command
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                // Its own process group, so stopping it also stops workerd.
                .process_group(0)
                .spawn()
                .expect("wrangler dev starts");
            let mut server = Server {
                child,
                port,
                inspector,
                state_dir: state_dir.clone(),
                secrets: secrets.clone(),
                log_path,
                stopped: false,
                _temp: None,
            };
            match server.wait_until_healthy().await {
                Ok(()) => break server,
                // The inspector's port can be taken the same way; workerd then only
                // says that it failed to start (the bind error is in wrangler's own log).
                Err(log)
                    if attempt < 5
                        && (log.contains("Address already in use")
                            || log.contains("Workers runtime failed to start")) =>
                {
                    server.stop();
                    if self.port.is_some() {
                        // The same port, once the old process has let go of it.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                Err(log) => panic!("wrangler dev exited:\n{log}"),
            }
        };
        server._temp = _temp;
        server
    }
}

/// A running `wrangler dev`; stopped, with all its processes, when dropped.
pub struct Server {
    child: Child,
    port: u16,
    /// workerd's inspector (Chrome DevTools protocol), for profiling.
    inspector: u16,
    state_dir: PathBuf,
    secrets: Secrets,
    log_path: PathBuf,
    stopped: bool,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A server with a fresh state directory and the default vars.
    pub async fn start() -> Self {
        Builder::default().start().await
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of workerd's inspector, where a profiler can attach.
    pub fn inspector_port(&self) -> u16 {
        self.inspector
    }

    /// `http://127.0.0.1:PORT`
    pub fn http_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// `ws://127.0.0.1:PORT`
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The JWT signing key this server uses, for minting tokens in tests.
    pub fn jwt_secret(&self) -> &[u8] {
        self.secrets.jwt.as_bytes()
    }

    /// The password pepper it runs with.
    pub fn pepper(&self) -> &str {
        &self.secrets.pepper
    }

    /// The resident memory of this server's workerd, in KiB (read from /proc), for the
    /// benchmark's memory figures on builds that have no bench route for it.
    pub fn workerd_rss_kib(&self) -> Option<u64> {
        let group = self.child.id().to_string();
        std::fs::read_dir("/proc")
            .ok()?
            .flatten()
            .find_map(|entry| {
                let dir = entry.path();
                let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
                // pid (comm) state ppid pgrp …; comm may hold spaces, so split after ')'.
                let (head, rest) = stat.rsplit_once(')')?;
                let group_of = rest.split_whitespace().nth(2)?;
                if group_of != group || !head.contains("(workerd") {
                    return None;
                }
                let status = std::fs::read_to_string(dir.join("status")).ok()?;
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
    }

    /// What wrangler and workerd printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// `Err` with the log when wrangler exits before it is healthy.
    async fn wait_until_healthy(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(90);
        let client = reqwest::Client::new();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{status}\n{}", self.log()));
            }
            let response = client.get(self.http_url("/api/health")).send().await;
            if response.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            assert!(
                Instant::now() < deadline,
                "wrangler dev did not become healthy in time:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the server now; its state directory stays for a restart.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let pgid = self.child.id() as i32;
        signal_group(pgid, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        signal_group(pgid, libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `wrangler` from node_modules, offline and quiet.
pub fn wrangler() -> Command {
    quiet(Command::new(repo_root().join("node_modules/.bin/wrangler")))
}

/// `program` run from the repository, with wrangler's telemetry, banner and network
/// lookups off.
fn quiet(mut command: Command) -> Command {
    command
        .current_dir(repo_root())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_HIDE_BANNER", "true")
        .env("CI", "true");
    command
}

/// Whether this process is one of the browser tests (`tests/tests/browser*.rs`,
/// `screens.rs`), by the name of its binary.
fn from_a_browser_test() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .is_some_and(|name| name.starts_with("browser") || name.starts_with("screens"))
}
