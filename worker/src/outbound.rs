//! Requests to addresses users supply, under the one policy of
//! `edgechat_core::outbound`: each address and each redirect checked, one deadline for
//! the whole exchange, and never more of a body read than the caller's cap.

use edgechat_core::outbound::{self, MAX_REDIRECTS, Purpose, Refused, TIMEOUT_MS, TestHosts};
use futures_util::{
    StreamExt,
    future::{Either, select},
};
use worker::{
    AbortController, AbortSignal, Delay, Env, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect, Url,
};

use crate::config;

/// Why nothing usable came back.
#[derive(Debug)]
pub enum Failed {
    Refused(Refused),
    TooManyRedirects,
    TimedOut,
    Status(u16),
    /// An answer longer than the caller reads (its cap, in bytes).
    Oversized(usize),
    Network(String),
}

impl Failed {
    /// What went wrong, in a word for a log line: never the address, which came from a
    /// message or a subscription.
    pub fn kind(&self) -> &'static str {
        match self {
            Failed::Refused(why) => why.as_str(),
            Failed::TooManyRedirects => "redirects",
            Failed::TimedOut => "timed-out",
            Failed::Status(_) => "status",
            Failed::Oversized(_) => "oversized",
            Failed::Network(_) => "network",
        }
    }
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Refused(why) => write!(f, "refused by the outbound policy: {}", why.as_str()),
            Failed::TooManyRedirects => write!(f, "more than {MAX_REDIRECTS} redirects"),
            Failed::TimedOut => write!(f, "no answer within {TIMEOUT_MS} ms"),
            Failed::Status(status) => write!(f, "answered {status}"),
            Failed::Oversized(cap) => write!(f, "answered with more than {cap} bytes"),
            Failed::Network(err) => write!(f, "{err}"),
        }
    }
}

/// A body fetched under the policy.
pub struct Fetched {
    /// Where it came from, after redirects.
    pub url: Url,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Whether the body went on past the cap (and was cut there).
    pub truncated: bool,
}

/// The hosts the tests may reach (`OUTBOUND_TEST_HOSTS`; empty in production).
pub fn test_hosts(env: &Env) -> TestHosts {
    TestHosts::parse(&config::string(env, "OUTBOUND_TEST_HOSTS").unwrap_or_default())
}

/// GETs `raw` for `purpose`, reading at most `cap` bytes of the body, all within
/// [`TIMEOUT_MS`].
pub async fn get(
    env: &Env,
    raw: &str,
    purpose: Purpose,
    accept: &str,
    cap: usize,
) -> Result<Fetched, Failed> {
    let hosts = test_hosts(env);
    let url = outbound::check(raw, purpose, &hosts).map_err(Failed::Refused)?;
    let controller = AbortController::default();
    let signal = controller.signal();
    within_deadline(
        follow(url, purpose, &hosts, accept, cap, signal),
        controller,
    )
    .await
}

/// POSTs `body` to `url` (a push endpoint, already checked), following no redirect: the
/// success status, within [`TIMEOUT_MS`].
pub async fn post(url: &str, headers: Headers, body: Vec<u8>) -> Result<u16, Failed> {
    let network = |err: worker::Error| Failed::Network(err.to_string());
    let controller = AbortController::default();
    let signal = controller.signal();
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(
            worker::js_sys::Uint8Array::from(body.as_slice()).into(),
        ))
        .with_redirect(RequestRedirect::Manual);
    let request = Request::new_with_init(url, &init).map_err(network)?;
    let fetch = Fetch::Request(request);
    let exchange = Box::pin(fetch.send_with_signal(&signal));
    let deadline = Box::pin(Delay::from(std::time::Duration::from_millis(TIMEOUT_MS)));
    match select(exchange, deadline).await {
        Either::Left((answer, _)) => {
            let status = answer.map_err(network)?.status_code();
            if (200..300).contains(&status) {
                Ok(status)
            } else {
                Err(Failed::Status(status))
            }
        }
        Either::Right((_, exchange)) => {
            drop(exchange);
            controller.abort();
            Err(Failed::TimedOut)
        }
    }
}

/// POSTs `body` to `raw`, a program the room calls (an outgoing hook, a command): the
/// address checked as a page's is, no redirect followed, and the answer's type with at
/// most `cap` bytes of its body, all within [`TIMEOUT_MS`].
pub async fn call(
    env: &Env,
    raw: &str,
    headers: Headers,
    body: &str,
    cap: usize,
) -> Result<(String, Vec<u8>), Failed> {
    let url = outbound::check(raw, Purpose::Page, &test_hosts(env)).map_err(Failed::Refused)?;
    let network = |err: worker::Error| Failed::Network(err.to_string());
    let controller = AbortController::default();
    let signal = controller.signal();
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(wasm_bindgen::JsValue::from_str(body)))
        .with_redirect(RequestRedirect::Manual);
    let request = Request::new_with_init(url.as_str(), &init).map_err(network)?;
    let exchange = async move {
        let mut response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(network)?;
        let status = response.status_code();
        if !(200..300).contains(&status) {
            return Err(Failed::Status(status));
        }
        let (content_type, body, truncated) = read_capped(&mut response, cap).await?;
        if truncated {
            return Err(Failed::Oversized(cap));
        }
        Ok((content_type, body))
    };
    within_deadline(exchange, controller).await
}

/// `exchange`, unless [`TIMEOUT_MS`] pass first: then it is dropped and its requests
/// aborted through `controller`.
async fn within_deadline<T>(
    exchange: impl std::future::Future<Output = Result<T, Failed>>,
    controller: AbortController,
) -> Result<T, Failed> {
    let exchange = Box::pin(exchange);
    let deadline = Box::pin(Delay::from(std::time::Duration::from_millis(TIMEOUT_MS)));
    match select(exchange, deadline).await {
        Either::Left((result, _)) => result,
        Either::Right((_, exchange)) => {
            drop(exchange);
            controller.abort();
            Err(Failed::TimedOut)
        }
    }
}

async fn follow(
    mut url: Url,
    purpose: Purpose,
    hosts: &TestHosts,
    accept: &str,
    cap: usize,
    signal: AbortSignal,
) -> Result<Fetched, Failed> {
    let network = |err: worker::Error| Failed::Network(err.to_string());
    for _ in 0..=MAX_REDIRECTS {
        let headers = Headers::new();
        headers.set("Accept", accept).map_err(network)?;
        headers
            .set("User-Agent", "edgechat-preview/1 (+link previews)")
            .map_err(network)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Get)
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual);
        let request = Request::new_with_init(url.as_str(), &init).map_err(network)?;
        let mut response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(network)?;
        let status = response.status_code();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get("Location")
                .map_err(network)?
                .ok_or(Failed::Status(status))?;
            url = outbound::check_redirect(&url, &location, purpose, hosts)
                .map_err(Failed::Refused)?;
            continue;
        }
        if !(200..300).contains(&status) {
            return Err(Failed::Status(status));
        }
        let (content_type, body, truncated) = read_capped(&mut response, cap).await?;
        return Ok(Fetched {
            url,
            content_type,
            body,
            truncated,
        });
    }
    Err(Failed::TooManyRedirects)
}

/// A response's `Content-Type` and at most `cap` bytes of its body, and whether the body
/// went on past them. The rest is never read: dropping the stream cancels it.
async fn read_capped(
    response: &mut worker::Response,
    cap: usize,
) -> Result<(String, Vec<u8>, bool), Failed> {
    let network = |err: worker::Error| Failed::Network(err.to_string());
    let content_type = response
        .headers()
        .get("Content-Type")
        .map_err(network)?
        .unwrap_or_default();
    let mut body = Vec::new();
    let mut truncated = false;
    let mut stream = response.stream().map_err(network)?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(network)?;
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok((content_type, body, truncated))
}
