//! The client's seams, read off its sources: no two modules import each other (directly
//! or round a longer circle), and the browser-side code changes the state only through
//! its methods, so every change is one the native tests can reach.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file under `src/` is: `state/mod.rs` is `state`, `lib.rs` is the root.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<_> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p != "mod" && p != "lib")
        .collect();
    parts.join("::")
}

/// Every `crate::…` path in `text`, with `{a, b::{c}}` groups spelled out.
fn crate_paths(text: &str) -> Vec<String> {
    paths_after(text, "crate::", "")
}

/// Every path in `text` that starts with `start`, spelled out from the crate's root:
/// `root` is where `start` points.
fn paths_after(text: &str, start: &str, root: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        let tail = &rest[at + start.len()..];
        let end = path_end(tail);
        expand(root, &tail[..end], &mut paths);
        rest = &tail[end..];
    }
    paths
}

/// The paths the file of `module` names, through `crate::` and `super::` (a sibling's
/// file imported through their parent is an import like any other).
fn module_paths(module: &str, text: &str) -> Vec<String> {
    let mut paths = crate_paths(text);
    // `super` of `a::b` (a/b.rs or a/b/mod.rs) is `a`; of a top-level module, the root.
    let parent = module
        .rsplit_once("::")
        .map_or(String::new(), |(parent, _)| format!("{parent}::"));
    paths.extend(paths_after(text, "super::", &parent));
    paths
}

/// Where the path at the start of `text` ends: after its closing brace, if it has a
/// group, else at the first character no path has.
fn path_end(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            c if depth > 0 || c.is_alphanumeric() || c == '_' || c == ':' => {}
            _ => return i,
        }
    }
    text.len()
}

fn expand(prefix: &str, path: &str, out: &mut Vec<String>) {
    let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = path.find('{') else {
        out.push(format!("{prefix}{}", path.trim_end_matches(':')));
        return;
    };
    let head = format!("{prefix}{}", &path[..open]);
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&head, &inner[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        expand(&head, &inner[start..], out);
    }
}

/// The client's modules, each with the modules it imports through `crate::` (a module
/// using its own parent or child is how modules are built, not a circle).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let texts: BTreeMap<String, String> = files
        .iter()
        .map(|f| (module_of(&src, f), fs::read_to_string(f).unwrap()))
        .collect();
    let resolve = |path: &str| {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|m| texts.contains_key(m))
    };
    texts
        .iter()
        .map(|(module, text)| {
            let used = module_paths(module, text)
                .iter()
                .filter_map(|p| resolve(p))
                .filter(|m| {
                    m != module
                        && !module.starts_with(&format!("{m}::"))
                        && !m.starts_with(&format!("{module}::"))
                })
                .collect();
            (module.clone(), used)
        })
        .collect()
}

/// The modules `from` reaches by following imports.
fn reach(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_owned()];
    while let Some(module) = todo.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

#[test]
fn groups_are_spelled_out() {
    let paths = crate_paths("use crate::{api, session::{Auth, Me}, state::ChatState};\n");
    assert_eq!(
        paths,
        ["api", "session::Auth", "session::Me", "state::ChatState"]
    );
    assert_eq!(
        crate::crate_paths("x(crate::push::wanted);"),
        ["push::wanted"]
    );
    assert_eq!(
        module_paths("components::room_list", "use super::new_room::NewRoom;"),
        ["components::new_room::NewRoom"]
    );
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports();
    // The scan sees the modules it should: the app imports the components and the inbox.
    assert!(graph["app"].contains("components") && graph["app"].contains("inbox"));
    assert!(graph["components::room_list"].contains("components::new_room"));
    let circles: Vec<_> = graph
        .keys()
        .filter(|m| reach(&graph, m).contains(*m))
        .collect();
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}"
    );
}

#[test]
fn the_browser_side_changes_state_only_through_its_methods() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut writes = Vec::new();
    for file in files {
        // Without whitespace, so a chain rustfmt split over lines is read whole.
        let text: String = fs::read_to_string(&file)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut rest = text.as_str();
        // `x.write().field …`: a field reached through a write guard.
        while let Some(at) = rest.find(".write().") {
            rest = &rest[at + ".write().".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !rest[name.len()..].starts_with('(') {
                writes.push(format!("{}: .write().{name}", file.display()));
            }
        }
    }
    assert!(
        writes.is_empty(),
        "fields written from outside: {writes:#?}"
    );
}
