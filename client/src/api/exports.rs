//! Exports (docs/api.md, "Export and import"): a room's, for its admins, or the user's own
//! account's; started, then asked after until the archive is ready. `exports` is where
//! they are asked for: `/api/rooms/{id}/exports` or `/api/me/exports`.

use gloo_net::http::Request;
use serde_json::Value;

use super::call;

/// An export as its maker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub export_id: String,
    /// `running`, `ready` or `failed`.
    pub state: String,
    /// Its messages are written through `written` of `through` (seqs; an account's
    /// export has none to go by: both are 0).
    pub written: u64,
    pub through: u64,
    pub messages: u64,
    pub files: u64,
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
            files: number("files"),
            bytes: number("bytes"),
            url: value["url"].as_str().map(str::to_owned),
            expires_at: value["expiresAt"].as_u64(),
        })
    }

    pub fn running(&self) -> bool {
        self.state == "running"
    }
}

/// Starts an export.
pub async fn start(token: &str, exports: &str) -> Result<Export, String> {
    let answer: Value = call(Request::post(exports), token, None).await?;
    Export::from_json(&answer["export"]).ok_or_else(|| "the server named no export".to_owned())
}

/// The caller's newest export that is still kept, if any.
pub async fn latest(token: &str, exports: &str) -> Result<Option<Export>, String> {
    let answer: Result<Value, String> = call(Request::get(exports), token, None).await;
    // None yet is not a failure: the panel offers to start one.
    Ok(answer.ok().and_then(|a| Export::from_json(&a["export"])))
}

/// How far export `export_id` is.
pub async fn progress(token: &str, exports: &str, export_id: &str) -> Result<Export, String> {
    let answer: Value = call(Request::get(&format!("{exports}/{export_id}")), token, None).await?;
    Export::from_json(&answer["export"]).ok_or_else(|| "the server named no export".to_owned())
}
