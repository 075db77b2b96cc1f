//! What `wrangler deploy` ships is production's (docs/security.md, "At the door"): the
//! top-level wrangler.toml has no bench object, no local origins and no local-only switch,
//! and the server it starts refuses what those would have let in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use edgechat_e2e::{
    files::png,
    repo_root,
    server::{Server, Worker},
    socket::{Client, attempt_upgrade, next_text},
};
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::{connect_async, tungstenite::Message as Frame};
use toml::Value;

fn config(path: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(path)).expect("the config reads");
    toml::from_str(&text).expect("the config parses")
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The Durable Object classes the migrations leave alive, in order of the tags.
fn live_classes(config: &Value) -> BTreeSet<String> {
    let mut live = BTreeSet::new();
    for step in config["migrations"].as_array().expect("migrations") {
        live.extend(strings(step.get("new_sqlite_classes")));
        live.extend(strings(step.get("new_classes")));
        for gone in strings(step.get("deleted_classes")) {
            live.remove(&gone);
        }
    }
    live
}

#[test]
fn what_deploy_ships_has_no_bench_object_local_origin_or_local_switch() {
    let shipped = config("wrangler.toml");
    let bound: BTreeSet<String> = shipped["durable_objects"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| b["class_name"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = ["Inbox", "Room", "Shard"].map(str::to_owned).into();
    assert_eq!(
        bound, expected,
        "production binds only the product's objects"
    );
    assert_eq!(
        live_classes(&shipped),
        expected,
        "the migrations delete the bench class a deployment may still have"
    );

    // Outbound fetches (link previews, Web Push) reach the public internet only: without
    // the flag, a fetch to a host of the Worker's own zone would go straight to its
    // origin, past everything in front of it (docs/security.md, "What a host name can
    // reach").
    assert!(
        strings(shipped.get("compatibility_flags"))
            .iter()
            .any(|flag| flag == "global_fetch_strictly_public"),
        "production must set global_fetch_strictly_public"
    );

    let vars = shipped["vars"].as_table().expect("[vars]");
    assert_eq!(
        vars["OUTBOUND_TEST_HOSTS"].as_str(),
        Some(""),
        "production lets link previews and push reach hosts the outbound policy refuses"
    );
    let origins = vars["ALLOWED_ORIGINS"].as_str().unwrap();
    for local in ["localhost", "127.0.0.1", "[::1]"] {
        assert!(
            !origins.contains(local),
            "production lets pages on {local} open sockets: {origins}"
        );
    }
    for name in vars.keys() {
        assert!(
            !matches!(
                name.as_str(),
                "BENCH" | "FIRST_ACCOUNT_IS_ADMIN" | "ADMIN_BOOTSTRAP_TOKEN"
            ) && !name.starts_with("FAULT_"),
            "{name} is local or test only and must not be in what deploy ships"
        );
        assert!(
            !matches!(
                name.as_str(),
                "JWT_SECRET" | "PASSWORD_PEPPER" | "VAPID_PRIVATE_JWK"
            ),
            "{name} is a secret: `wrangler secret put`, never wrangler.toml"
        );
    }

    // The build it ships exports the bound classes and not the deleted one (a deleted class
    // still exported is what Cloudflare's delete migration refuses).
    let script = std::fs::read_to_string(repo_root().join("worker/build/index.js"))
        .expect("worker/build is built");
    let exports = script
        .rsplit_once("export{")
        .and_then(|(_, tail)| tail.split_once('}'))
        .map(|(list, _)| list)
        .expect("an export list");
    let exported: BTreeSet<&str> = exports
        .split(',')
        .filter_map(|item| item.split(" as ").nth(1))
        .collect();
    for class in &expected {
        assert!(exported.contains(class.as_str()), "{class} is not exported");
    }
    assert!(
        !exported.contains("Echo"),
        "the bench object is still in the shipped build: {exported:?}"
    );

    // The ceiling's own Worker is a different script: deploying it by mistake could not
    // replace edgechat.
    let echo = config("tests/echo/wrangler.toml");
    assert_ne!(echo["name"].as_str(), shipped["name"].as_str());
}

#[tokio::test]
async fn a_page_on_a_local_port_cannot_open_a_socket_on_the_shipped_config() {
    let server = Server::start().await;
    assert_ne!(
        server.port(),
        8787,
        "the attack needs a port other than 8787"
    );
    let ana = server.register("Ana").await;
    let room = server.room(&ana, "lobby").await;
    let token = Some(ana.access_token.as_str());
    // Any page a developer's machine serves on these (another project, a malicious
    // package's dev server) was once allowed in.
    for origin in ["http://localhost:8787", "http://127.0.0.1:8787"] {
        let refused = Client::connect(&server, &room, token, Some(origin)).await;
        assert_eq!(refused.err(), Some(403), "{origin} was let in");
        let (status, body) = attempt_upgrade(&server, "/api/me/ws", &[("Origin", origin)]).await;
        assert_eq!(status, 403, "{origin} reached the inbox");
        assert_eq!(body["error"]["code"], "forbidden-origin", "{body}");
    }
    // The Worker's own pages still connect.
    let own = server.http_url("");
    assert!(
        Client::connect(&server, &room, token, Some(&own))
            .await
            .is_ok(),
        "the Worker's own origin was refused"
    );
}

/// Each of `hooks` of `room` posted to as the bench does: the hook, its status and body.
async fn bench_hooks(
    server: &Server,
    room: &str,
    token: &str,
    hooks: &[&'static str],
) -> Vec<(&'static str, u16, serde_json::Value)> {
    let mut answers = Vec::new();
    for hook in hooks {
        let path = format!("/api/bench/rooms/{room}/{hook}");
        let (status, body) = server.post_as(&path, token, &json!({})).await;
        answers.push((*hook, status, body));
    }
    answers
}

#[tokio::test]
async fn the_shipped_build_has_no_bench_hooks_whatever_its_vars_say() {
    // The build `wrangler deploy` ships (worker/build, no `bench` feature), with every var
    // that once switched the hooks on: none of them answers, and no fault is injected.
    let server = Server::builder()
        .worker(Worker::Shipped)
        .var("BENCH", 1)
        .var("FAULT_UPLOAD_CRASH", 1)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let room = server.room(&ana, "lobby").await;
    let (status, body) = attempt_upgrade(&server, &format!("/api/bench/echo/{room}/ws"), &[]).await;
    assert_eq!(status, 404, "the bench echo answered: {body}");
    let (status, _) = server.get_as("/api/bench/memory", &ana.access_token).await;
    assert_eq!(status, 404);
    for store in ["d1", "r2"] {
        let (status, _) = server
            .post_as(
                &format!("/api/bench/outages/{store}"),
                &ana.access_token,
                &json!({}),
            )
            .await;
        assert_eq!(status, 404, "an outage of {store} in the shipped build");
    }
    let (status, body) = server.get_as("/api/rooms", &ana.access_token).await;
    assert_eq!(status, 200, "no outage began: {body}");
    for (hook, status, body) in bench_hooks(
        &server,
        &room,
        &ana.access_token,
        &["reload", "faults", "frames"],
    )
    .await
    {
        assert_eq!(status, 404, "{hook} answered in the shipped build: {body}");
    }
    let (status, body) = server
        .upload(
            &ana.access_token,
            "lobby",
            "kept.png",
            &png(8, 8, [1, 2, 3]),
            None,
        )
        .await;
    assert_eq!(
        status, 201,
        "the upload crash is not in the shipped build: {body}"
    );
}

#[tokio::test]
async fn the_bench_build_answers_its_hooks() {
    // The other side of the test above: the same requests reach the bench build's hooks,
    // so a 404 there is the build's doing, not a wrong path.
    let server = Server::start().await;
    let ana = server.register("Ana").await;
    let room = server.room(&ana, "lobby").await;
    let (status, _) = server.get_as("/api/bench/memory", &ana.access_token).await;
    assert_eq!(status, 200);
    for (hook, status, body) in
        bench_hooks(&server, &room, &ana.access_token, &["reload", "faults"]).await
    {
        assert_eq!(status, 204, "{hook} in the bench build: {body}");
    }
}

#[tokio::test]
async fn the_echo_is_only_in_its_own_worker() {
    // The bench build has no echo either: the ceiling is tests/echo's Worker.
    let server = Server::start().await;
    let (status, body) = attempt_upgrade(&server, "/api/bench/echo/lobby/ws", &[]).await;
    assert_eq!(status, 404, "edgechat carries the echo object: {body}");

    let ceiling = Server::builder().worker(Worker::Echo).start().await;
    let url = ceiling.ws_url("/api/bench/echo/lobby/ws");
    let (mut one, _) = connect_async(url.as_str()).await.expect("the echo opens");
    let (mut two, _) = connect_async(url.as_str()).await.expect("the echo opens");
    // The second socket is accepted once its first frame comes back to it.
    two.send(Frame::text("ready")).await.unwrap();
    assert_eq!(next_text(&mut two).await, "ready");
    assert_eq!(next_text(&mut one).await, "ready");
    one.send(Frame::text("b|0|0|1")).await.unwrap();
    assert_eq!(
        next_text(&mut two).await,
        "b|0|0|1",
        "the echo reaches every socket"
    );
}
