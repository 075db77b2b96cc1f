//! The audit log (docs/api.md, "Audit log"), for admins: a room's (`/api/rooms/{id}/
//! audit`) or everything (`/api/audit`, the deployment's admins), newest first, a page at
//! a time, filtered by action.

use gloo_net::http::Request;
use serde_json::Value;

use super::call;

/// One act, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub at: u64,
    pub room_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Value,
    /// How it came: `request r…`, or `socket c… · reqId …`.
    pub via: String,
}

impl Entry {
    /// Read from its JSON by hand, as the hooks are (a derived decoder costs more).
    fn from_json(value: &Value) -> Option<Self> {
        let text = |key: &str| value[key].as_str().map(str::to_owned);
        let via = match (text("requestId"), text("connId"), text("reqId")) {
            (Some(request), _, _) => format!("request {request}"),
            (None, Some(conn), Some(req)) => format!("socket {conn} · reqId {req}"),
            (None, Some(conn), None) => format!("socket {conn}"),
            _ => String::new(),
        };
        Some(Entry {
            id: text("id")?,
            at: value["at"].as_u64()?,
            room_id: text("roomId"),
            actor: text("actorName").or_else(|| text("actorId"))?,
            action: text("action")?,
            target: text("targetName").or_else(|| text("targetId")),
            detail: value["detail"].clone(),
            via,
        })
    }
}

/// A page of the log at `path` with `query` (already encoded), and the `next` of it.
pub async fn page(
    token: &str,
    path: &str,
    action: &str,
    before: Option<&str>,
) -> Result<(Vec<Entry>, Option<String>), String> {
    let mut url = format!("{path}?limit=50");
    if !action.is_empty() {
        url.push_str(&format!("&action={action}"));
    }
    if let Some(before) = before {
        let encoded: String = js_sys::encode_uri_component(before).into();
        url.push_str(&format!("&before={encoded}"));
    }
    let answer: Value = call(Request::get(&url), token, None).await?;
    let entries = answer["entries"]
        .as_array()
        .map(|all| all.iter().filter_map(Entry::from_json).collect())
        .unwrap_or_default();
    Ok((entries, answer["next"].as_str().map(str::to_owned)))
}
