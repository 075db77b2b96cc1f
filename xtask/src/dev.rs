//! `cargo xtask dev`: build, migrate the local D1, and serve on 127.0.0.1.

use std::path::PathBuf;

use crate::{
    Result, build,
    cmd::{exec, step, wrangler},
    root, setup,
};

pub fn run(args: &[String]) -> Result {
    let mut port = "8787".to_owned();
    let mut state_dir = root().join(".state");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port takes a number")?.clone(),
            "--state-dir" => {
                state_dir = PathBuf::from(args.next().ok_or("--state-dir takes a path")?)
            }
            other => return Err(format!("dev: unknown argument {other:?}; {}", crate::USAGE)),
        }
    }
    port.parse::<u16>()
        .map_err(|_| format!("--port {port:?} is not a port"))?;

    setup::run()?;
    build::run()?;
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
    exec(
        wrangler()
            .args(["dev", "--ip", "127.0.0.1", "--port", &port, "--persist-to"])
            .arg(&state_dir),
    )
}
