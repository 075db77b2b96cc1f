//! A room's export (docs/api.md, "Export and import"), for its admins: started, then
//! asked after until its archive is ready.

use gloo_net::http::Request;
use serde_json::Value;

use super::call;

/// An export as its maker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub export_id: String,
    /// `running`, `ready` or `failed`.
    pub state: String,
    /// Its messages are written through `written` of `through` (seqs).
    pub written: u64,
    pub through: u64,
    pub messages: u64,
    pub bytes: u64,
    /// The download link, once it is ready (good for an hour).
    pub url: Option<String>,
    /// When the archive is deleted.
    pub expires_at: Option<u64>,
}

impl Export {
    /// Read from its JSON by hand, as the hooks are (a derived decoder costs more).
    fn from_json(value: &Value) -> Option<Self> {
        let number = |key: &str| value[key].as_u64().unwrap_or(0);
        Some(Export {
            export_id: value["exportId"].as_str()?.to_owned(),
            state: value["state"].as_str()?.to_owned(),
            written: number("writtenSeq"),
            through: number("throughSeq"),
            messages: number("messages"),
            bytes: number("bytes"),
            url: value["url"].as_str().map(str::to_owned),
            expires_at: value["expiresAt"].as_u64(),
        })
    }

    pub fn running(&self) -> bool {
        self.state == "running"
    }
}

/// Starts an export of `room`.
pub async fn start(token: &str, room: &str) -> Result<Export, String> {
    let answer: Value = call(
        Request::post(&format!("/api/rooms/{room}/exports")),
        token,
        None,
    )
    .await?;
    Export::from_json(&answer["export"]).ok_or_else(|| "the server named no export".to_owned())
}

/// The caller's newest export of `room` that is still kept, if any.
pub async fn latest(token: &str, room: &str) -> Result<Option<Export>, String> {
    let answer: Result<Value, String> = call(
        Request::get(&format!("/api/rooms/{room}/exports")),
        token,
        None,
    )
    .await;
    // None yet is not a failure: the panel offers to start one.
    Ok(answer.ok().and_then(|a| Export::from_json(&a["export"])))
}

/// How far export `export_id` of `room` is.
pub async fn progress(token: &str, room: &str, export_id: &str) -> Result<Export, String> {
    let answer: Value = call(
        Request::get(&format!("/api/rooms/{room}/exports/{export_id}")),
        token,
        None,
    )
    .await?;
    Export::from_json(&answer["export"]).ok_or_else(|| "the server named no export".to_owned())
}
