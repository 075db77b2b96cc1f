//! One id per request, from the door: every answer carries `X-Request-Id`, every JSON
//! error names it as `requestId`, and an id built on Cloudflare's Ray ID still differs
//! between requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edgechat_e2e::server::Server;

fn id_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .expect("an X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_every_json_error_names_it() {
    let server = Server::start().await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(server.http_url(path));

    // Each answer its own id.
    let first = id_of(&get("/api/health").send().await.unwrap());
    let second = id_of(&get("/api/health").send().await.unwrap());
    assert_ne!(first, second);
    assert!(first.starts_with("r-") && first.len() == 18, "{first}");

    // A refusal says, in its body, the id its header carries: what a user reports.
    let refused = get("/api/me").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let id = id_of(&refused);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["requestId"], id.as_str(), "{body}");
    assert_eq!(
        body["error"]["code"], "unauthorized",
        "the error is otherwise as it was"
    );

    // So does one a room object answered (its headers are read-only to the Worker).
    let session = server.register("Ana").await;
    let missing = get("/api/rooms/nowhere/messages")
        .bearer_auth(&session.access_token)
        .send()
        .await
        .unwrap();
    let id = id_of(&missing);
    let status = missing.status();
    let body: serde_json::Value = missing.json().await.unwrap();
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(body["error"]["requestId"], id.as_str(), "{body}");

    // Behind Cloudflare's edge: the Ray ID, then a suffix of its own (Ray IDs are not
    // promised unique). A header that is not a Ray ID does not get into the id.
    let rayed = id_of(
        &get("/api/health")
            .header("cf-ray", "8f1e2d3c4b5a6978-LHR")
            .send()
            .await
            .unwrap(),
    );
    assert!(rayed.starts_with("8f1e2d3c4b5a6978-LHR-"), "{rayed}");
    let forged = id_of(
        &get("/api/health")
            .header("cf-ray", "ray\"; drop table")
            .send()
            .await
            .unwrap(),
    );
    assert!(forged.starts_with("r-"), "{forged}");
}
