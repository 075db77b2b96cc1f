//! `cargo xtask build`: the Worker into worker/build (as deployed) and worker/build-bench
//! (with the `bench` feature's hooks, for the tests and the benchmark), the client into
//! client/dist.

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
    worker_bench(Names::Stripped)?;
    client()
}

/// The Worker as `wrangler deploy` ships it, into worker/build.
pub fn worker() -> Result {
    step("build: worker (worker-build --release)");
    worker_build("worker", &[])?;
    strip_names("worker/build/index_bg.wasm")
}

/// Whether a build keeps its WebAssembly's function names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Stripped,
    /// Kept, so that a CPU profile (`cargo xtask bench --profile`) names each Rust function.
    Kept,
}

/// The Worker with its `bench` hooks, into worker/build-bench: what the end-to-end tests
/// and the benchmark run (tests/src/server.rs).
pub fn worker_bench(names: Names) -> Result {
    step("build: worker with the bench hooks (worker-build --release --features bench)");
    worker_build(
        "worker",
        &["--out-dir", "build-bench", ".", "--features", "bench"],
    )?;
    match names {
        Names::Stripped => strip_names("worker/build-bench/index_bg.wasm"),
        Names::Kept => Ok(()),
    }
}

/// The function names (a fifth of the file) only label stack traces; a Worker's start-up
/// grows with its size (docs/performance.md).
fn strip_names(path: &str) -> Result {
    let wasm = root().join(path);
    let bytes = fs::read(&wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let stripped = without_custom_sections(&bytes)
        .ok_or_else(|| format!("{} is not a WebAssembly module", wasm.display()))?;
    println!(
        "    {path}: {} KiB without its names ({} KiB with)",
        stripped.len() / 1024,
        bytes.len() / 1024
    );
    fs::write(&wasm, stripped).map_err(|e| format!("{}: {e}", wasm.display()))
}

/// The module with its custom sections (names, producers) left out and every other
/// section copied byte for byte. `None` if it is not a module.
fn without_custom_sections(module: &[u8]) -> Option<Vec<u8>> {
    let header = module.get(..8)?;
    if &header[..4] != b"\0asm" {
        return None;
    }
    let mut out = header.to_vec();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        let (size, len) = leb128(module.get(at + 1..)?)?;
        let end = (at + 1 + len).checked_add(size)?;
        let section = module.get(at..end)?;
        if id != 0 {
            out.extend_from_slice(section);
        }
        at = end;
    }
    Some(out)
}

/// An unsigned LEB128 number and how many bytes it took.
fn leb128(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The benchmark's echo Worker into tests/echo/build; only `cargo xtask bench` needs it.
pub fn echo() -> Result {
    step("build: the benchmark's echo Worker (worker-build --release)");
    worker_build("tests/echo", &[])
}

/// worker-build runs cargo, wasm-bindgen, wasm-opt and esbuild; all four come from this
/// machine, never from a download.
fn worker_build(dir: &str, args: &[&str]) -> Result {
    let root = root();
    let bin = root.join("node_modules/.bin");
    exec(
        command(cargo_bin("worker-build"))
            .current_dir(root.join(dir))
            .arg("--release")
            .args(args)
            .env("WASM_BINDGEN_BIN", cargo_bin("wasm-bindgen"))
            .env("WASM_OPT_BIN", bin.join("wasm-opt"))
            .env("ESBUILD_BIN", bin.join("esbuild")),
    )
}

/// The Dioxus client without dioxus-cli: cargo, wasm-bindgen --target web, wasm-opt, and
/// the hand-written page and styles beside them. Built into `target/client-dist`, then
/// synced into `client/dist` in place: a `wrangler dev` serving that folder keeps
/// watching it (deleting and recreating it left every page answering 404).
pub fn client() -> Result {
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
    let dist = root.join("target/client-dist");
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
                // First folds functions that differ only in constants or in what they
                // call (the many copies of a generic: one listener per event handler,
                // one reader per signal type) into one each, with the differences as
                // parameters: about 14 KB gzipped off the client.
                "--merge-similar-functions",
                "-Oz",
                // Runs the passes again until the module stops shrinking: about 3 KB
                // gzipped more than one round, for a minute of build time.
                "--converge",
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
    sync_dir(&dist, &root.join("client/dist"))?;
    let size = fs::metadata(&bindgen_out).map(|m| m.len()).unwrap_or(0);
    println!(
        "    client/dist ready; edgechat_client_bg.wasm is {} KiB",
        size / 1024
    );
    Ok(())
}

/// Makes `to` hold what `from` holds, changing it in place: files are written over, what
/// `from` lacks is removed, and `to` itself is never deleted.
fn sync_dir(from: &std::path::Path, to: &std::path::Path) -> Result {
    let err = |path: &std::path::Path, e: std::io::Error| format!("{}: {e}", path.display());
    fs::create_dir_all(to).map_err(|e| err(to, e))?;
    for entry in fs::read_dir(from).map_err(|e| err(from, e))? {
        let entry = entry.map_err(|e| err(from, e))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            if target.is_file() {
                fs::remove_file(&target).map_err(|e| err(&target, e))?;
            }
            sync_dir(&source, &target)?;
        } else {
            if target.is_dir() {
                fs::remove_dir_all(&target).map_err(|e| err(&target, e))?;
            }
            let same =
                fs::read(&target).is_ok_and(|old| fs::read(&source).is_ok_and(|new| new == old));
            if !same {
                fs::copy(&source, &target).map_err(|e| err(&source, e))?;
            }
        }
    }
    for entry in fs::read_dir(to).map_err(|e| err(to, e))? {
        let entry = entry.map_err(|e| err(to, e))?;
        if !from.join(entry.file_name()).exists() {
            let path = entry.path();
            if path.is_dir() {
                fs::remove_dir_all(&path).map_err(|e| err(&path, e))?;
            } else {
                fs::remove_file(&path).map_err(|e| err(&path, e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synced_folder_is_changed_in_place_never_deleted() {
        let base = std::env::temp_dir().join(format!("xtask-sync-{}", std::process::id()));
        let (from, to) = (base.join("from"), base.join("to"));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(from.join("snippets/a")).unwrap();
        fs::write(from.join("index.html"), "new").unwrap();
        fs::write(from.join("snippets/a/x.js"), "x").unwrap();
        fs::create_dir_all(to.join("old-dir")).unwrap();
        fs::write(to.join("index.html"), "old").unwrap();
        fs::write(to.join("stale.js"), "gone").unwrap();
        fs::write(to.join("old-dir/y.js"), "gone").unwrap();
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(&to).unwrap().ino()
        };

        sync_dir(&from, &to).unwrap();

        assert_eq!(fs::read_to_string(to.join("index.html")).unwrap(), "new");
        assert_eq!(fs::read_to_string(to.join("snippets/a/x.js")).unwrap(), "x");
        assert!(!to.join("stale.js").exists());
        assert!(!to.join("old-dir").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(fs::metadata(&to).unwrap().ino(), inode, "the same folder");
        }
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn custom_sections_go_and_the_rest_stays_byte_for_byte() {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        let types = [1u8, 4, 1, 0x60, 0, 0];
        let custom = [0u8, 5, 4, b'n', b'a', b'm', b'e'];
        let code = [10u8, 2, 0, 0];
        module.extend_from_slice(&types);
        module.extend_from_slice(&custom);
        module.extend_from_slice(&code);
        let stripped = without_custom_sections(&module).unwrap();
        let mut expected = b"\0asm\x01\0\0\0".to_vec();
        expected.extend_from_slice(&types);
        expected.extend_from_slice(&code);
        assert_eq!(stripped, expected);
        assert_eq!(without_custom_sections(b"not wasm"), None);
        // A section that claims more bytes than there are is refused, not copied short.
        assert_eq!(without_custom_sections(b"\0asm\x01\0\0\0\x01\x09\0"), None);
    }
}
