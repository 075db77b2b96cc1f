//! `--profile FILE`: a CPU profile of edgechat's isolate while the clients of `join` or
//! `storm` arrive, taken from workerd's own inspector (`Builder::with_bare_inspector`),
//! written as a `.cpuprofile` that Chrome DevTools opens, and summed up on the way.

use std::collections::HashMap;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// Sampling interval. Finer intervals slowed a storm of arrivals noticeably.
const INTERVAL_US: u64 = 1_000;
/// Two samples further apart than this end a busy run (a sample is due every 1 ms).
const RUN_GAP_US: u64 = 2_000;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A profiler session on the Worker's isolate.
pub struct Profiler {
    socket: Socket,
    next_id: u64,
}

impl Profiler {
    /// Attaches to edgechat's isolate (`core:user:edgechat`) on workerd's inspector.
    pub async fn attach(inspector: u16) -> Profiler {
        let url = format!("ws://127.0.0.1:{inspector}/core:user:edgechat");
        let (socket, _) = tokio_tungstenite::connect_async(&url)
            .await
            .unwrap_or_else(|e| panic!("the inspector at {url}: {e}"));
        let mut profiler = Profiler { socket, next_id: 0 };
        profiler.call("Profiler.enable", json!({})).await;
        profiler
            .call(
                "Profiler.setSamplingInterval",
                json!({ "interval": INTERVAL_US }),
            )
            .await;
        profiler
    }

    pub async fn start(&mut self) {
        self.call("Profiler.start", json!({})).await;
    }

    /// Stops sampling and returns the profile.
    pub async fn stop(&mut self) -> Value {
        let mut answer = self.call("Profiler.stop", json!({})).await;
        answer["profile"].take()
    }

    /// Sends one command and waits for its answer, passing over events.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let command = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(Message::text(command.to_string()))
            .await
            .expect("the inspector takes a command");
        while let Some(frame) = self.socket.next().await {
            let Ok(Message::Text(text)) = frame else {
                continue;
            };
            let mut answer: Value = serde_json::from_str(&text).expect("the inspector's JSON");
            if answer["id"] == id {
                assert!(answer["error"].is_null(), "{method}: {}", answer["error"]);
                return answer["result"].take();
            }
        }
        panic!("the inspector closed before answering {method}");
    }
}

/// The profile's share of samples by function, the largest first: self time (the
/// sample's own function) and total time (on the sample's stack at all); and its busy
/// runs: stretches of samples with none idle and no gap over [`RUN_GAP_US`], one turn of
/// the isolate or turns back to back, so an upper bound on the longest handler.
pub fn summary(profile: &Value, top: usize) -> String {
    let nodes = profile["nodes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let id = |node: &Value| node["id"].as_u64().unwrap_or(0);
    let names: HashMap<u64, String> = nodes
        .iter()
        .map(|node| (id(node), name(&node["callFrame"])))
        .collect();
    let parents: HashMap<u64, u64> = nodes
        .iter()
        .flat_map(|node| {
            numbers(&node["children"])
                .into_iter()
                .map(move |c| (c, id(node)))
        })
        .collect();
    let samples: Vec<u64> = numbers(&profile["samples"]);
    let deltas: Vec<u64> = numbers(&profile["timeDeltas"]);
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: HashMap<&str, usize> = HashMap::new();
    let mut runs = Vec::new();
    let mut run = 0u64;
    for (sample, delta) in samples.iter().zip(&deltas) {
        let name = names.get(sample).map_or("(unknown)", String::as_str);
        *by_name.entry(name).or_default() += 1;
        let mut stack = std::collections::HashSet::new();
        let mut node = Some(*sample);
        while let Some(at) = node {
            if let Some(name) = names.get(&at) {
                stack.insert(name.as_str());
            }
            node = parents.get(&at).copied();
        }
        for name in stack {
            *on_stack.entry(name).or_default() += 1;
        }
        if name == "(idle)" || *delta > RUN_GAP_US {
            if run > 0 {
                runs.push(run);
            }
            run = if name == "(idle)" {
                0
            } else {
                *delta.min(&INTERVAL_US)
            };
        } else {
            run += delta;
        }
    }
    runs.push(run);
    runs.sort_unstable();
    let total = samples.len().max(1);
    let mut text = format!(
        "  profile: {} samples over {:.1} s; busy runs p50 {:.1} ms, p99 {:.1} ms, longest {:.1} ms ({} runs)\n",
        samples.len(),
        deltas.iter().sum::<u64>() as f64 / 1e6,
        at(&runs, 0.5) as f64 / 1e3,
        at(&runs, 0.99) as f64 / 1e3,
        runs.last().copied().unwrap_or(0) as f64 / 1e3,
        runs.len(),
    );
    for (heading, counts) in [("self", by_name), ("total", on_stack)] {
        text.push_str(&format!("  by {heading} time:\n"));
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (name, count) in ranked.into_iter().take(top) {
            text.push_str(&format!(
                "  {:>5.1}%  {name}\n",
                100.0 * count as f64 / total as f64
            ));
        }
    }
    text
}

/// `function (file:line)`, the file without its directories.
fn name(frame: &Value) -> String {
    let function = frame["functionName"].as_str().unwrap_or_default();
    let function = if function.is_empty() {
        "(anonymous)"
    } else {
        function
    };
    let url = frame["url"].as_str().unwrap_or_default();
    match url.rsplit('/').next() {
        Some(file) if !file.is_empty() => {
            format!(
                "{function} ({file}:{})",
                frame["lineNumber"].as_i64().unwrap_or(-1) + 1
            )
        }
        _ => function.to_owned(),
    }
}

fn numbers(array: &Value) -> Vec<u64> {
    array
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|n| n.as_i64().unwrap_or(0).max(0) as u64)
        .collect()
}

fn at(sorted: &[u64], quantile: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * quantile).round() as usize]
}
