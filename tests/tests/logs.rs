//! The Worker's log, read as an operator reads it: one JSON object a line, each request's
//! lines tied together by its id from the door to the objects, and nothing in it that a
//! log must never hold (a password, a token, a secret, message text, a file's name, a
//! search's words).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::{account::PASSWORD, files::png, server::Server, socket::Client, wait::until};
use edgechat_protocol::{ClientMsg, ServerMsg, frame};
use reqwest::Method;
use serde_json::{Value, json};

/// The Worker's lines in `log`: those that hold a JSON object with an event.
fn json_lines(log: &str) -> Vec<Value> {
    log.lines()
        // From the first brace to the last: wrangler colours a warning's line.
        .filter_map(|line| Some(&line[line.find('{')?..=line.rfind('}')?]))
        .filter_map(|json| serde_json::from_str::<Value>(json).ok())
        .filter(|line| line.get("event").is_some())
        .collect()
}

#[tokio::test]
async fn a_whole_session_logs_ids_and_outcomes_and_nothing_secret() {
    let server = Server::builder()
        .info_logs()
        .var("ARCHIVE_DELAY_MS", 100)
        .start()
        .await;
    let ana = server.register("Ana").await;
    let again = server.sign_in("ana", PASSWORD).await;
    server.room(&ana, "plans").await;

    let text = "sesame opens the vault at dawn";
    let mut plans = Client::join(&server, "plans", &ana).await;
    plans.send(&ClientMsg::text("plans", text, "m-1")).await;
    plans
        .recv_until(|m| matches!(m, ServerMsg::MessageAck(frame::MessageAck { .. })))
        .await;
    let file_name = "ledger-of-the-heist.png";
    server
        .uploaded(&ana.access_token, "plans", file_name, &png(2, 2, [9, 9, 9]))
        .await;
    // Found once the write-behind has copied it to D1: that round is logged too.
    until("the message is searchable", async || {
        let found: Value = server
            .request(Method::GET, "/api/search?q=sesame", &ana.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match found["results"].as_array().map(Vec::len) {
            Some(1) => Ok(()),
            _ => Err(found),
        }
    })
    .await;
    let refused = server
        .request(
            Method::GET,
            "/api/rooms/nowhere/messages",
            &ana.access_token,
        )
        .send()
        .await
        .unwrap();
    let refused_id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let log = until("the round reaches the log", async || {
        let log = server.log();
        let lines = json_lines(&log);
        let rounds = lines
            .iter()
            .filter(|l| l["event"] == "write-behind" && l["messages"] == 1)
            .count();
        let refused = lines.iter().any(|l| l["requestId"] == refused_id.as_str());
        if rounds == 1 && refused {
            Ok(log)
        } else {
            Err((rounds, refused))
        }
    })
    .await;
    let lines = json_lines(&log);

    // Every line says its level and its event.
    for line in &lines {
        assert!(
            ["info", "warn", "error"].contains(&line["level"].as_str().unwrap_or_default()),
            "{line}"
        );
    }
    // The refused request, found by the id its answer carried.
    let found: Vec<&Value> = lines
        .iter()
        .filter(|l| l["requestId"] == refused_id.as_str())
        .collect();
    assert!(
        found.iter().any(|l| l["event"] == "request"
            && l["status"] == 404
            && l["path"] == "/api/rooms/nowhere/messages"
            && l["userId"] == ana.user_id.as_str()),
        "{found:?}"
    );
    // A socket that opened has no line of its own: joins come in storms.
    assert!(
        !lines.iter().any(|l| l["path"] == "/api/rooms/plans/ws"),
        "no line for an upgrade that succeeded"
    );
    // The message is counted, not logged: no line names it or its id.
    let round = lines
        .iter()
        .find(|l| l["event"] == "write-behind" && l["messages"] == 1)
        .unwrap();
    assert_eq!(round["room"], "plans", "{round}");
    assert!(round["ms"].is_number(), "{round}");

    // The door's id reaches the objects: a room whose copy to D1 fails (a bench fault,
    // set before it exists) logs that failure, on creation, under the id of the request
    // that created it.
    server
        .bench(
            "/api/bench/rooms/vault/faults",
            &serde_json::json!({ "failBatches": true }),
        )
        .await;
    let created = server
        .request(Method::POST, "/api/rooms", &ana.access_token)
        .json(&serde_json::json!({ "name": "vault" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created_id = created.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let object_line = until("the room's line reaches the log", async || {
        json_lines(&server.log())
            .into_iter()
            .find(|l| l["event"] == "write-behind-failed" && l["room"] == "vault")
            .ok_or("not yet")
    })
    .await;
    assert_eq!(
        object_line["requestId"],
        created_id.as_str(),
        "{object_line}"
    );
    // A program posts through a hook: its URL ends in the hook's secret.
    let (status, hook) = server
        .post_as(
            "/api/rooms/plans/hooks",
            &ana.access_token,
            &json!({ "name": "CI" }),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    let hook_url = hook["hook"]["url"].as_str().unwrap().to_owned();
    let hook_secret = hook_url.rsplit('/').next().unwrap().to_owned();
    let posted = reqwest::Client::new()
        .post(&hook_url)
        .json(&json!({ "text": "build green" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let log = until("the hook's call reaches the log", async || {
        let log = server.log();
        let logged = json_lines(&log).iter().any(|line| {
            line["event"] == "request"
                && line["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/api/hooks/plans/"))
        });
        if logged { Ok(log) } else { Err(()) }
    })
    .await;
    // A hook's URL is its credential, as Slack's are. `wrangler dev` prints the path of
    // each request it serves (its own access log, which a deployed Worker does not
    // have: `invocation_logs` is off); every other line must not hold the secret.
    let worker_log: String = log
        .lines()
        .filter(|line| !line.starts_with("[wrangler:info] POST /api/hooks/"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !worker_log.contains(&hook_secret),
        "the log holds an incoming hook's secret"
    );
    // The hook's call has its line, under its route without the secret.
    let hook_line = json_lines(&log).into_iter().find(|line| {
        line["event"] == "request"
            && line["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/api/hooks/plans/"))
    });
    assert_eq!(
        hook_line.as_ref().map(|l| l["status"].clone()),
        Some(json!(200)),
        "{hook_line:?}"
    );

    for (what, secret) in [
        ("the password", PASSWORD),
        ("an access token", ana.access_token.as_str()),
        ("a refresh token", ana.refresh_token.as_str()),
        ("a second session's token", again.access_token.as_str()),
        (
            "a second session's refresh token",
            again.refresh_token.as_str(),
        ),
        ("the message text", text),
        ("a word of the message", "sesame"),
        ("the file's name", file_name),
        ("the password pepper", server.pepper()),
        (
            "the JWT secret",
            std::str::from_utf8(server.jwt_secret()).unwrap(),
        ),
    ] {
        assert!(!log.contains(secret), "the log holds {what}");
    }
}
