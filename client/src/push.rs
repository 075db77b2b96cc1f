//! Web Push on this device: subscribing (after the notification permission) and
//! unsubscribing, through the browser APIs in `web/push.js`, and telling the server.
//! Whether the user wants it here is a preference of this browser.

use wasm_bindgen::{JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;

use crate::{
    alerts::{self, Permission},
    api,
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = edgechatPush, js_name = subscribe)]
    fn browser_subscribe(public_key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = edgechatPush, js_name = unsubscribe)]
    fn browser_unsubscribe() -> Result<js_sys::Promise, JsValue>;
}

const PUSH_KEY: &str = "edgechat.push";

/// What the browser said, as a sentence.
fn reason(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser gave no reason".into())
}

async fn run(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(reason)?)
        .await
        .map_err(reason)
}

/// Whether the user turned push on for this browser.
pub fn wanted() -> bool {
    storage()
        .and_then(|s| s.get_item(PUSH_KEY).ok().flatten())
        .is_some_and(|v| v == "on")
}

fn remember(on: bool) {
    if let Some(storage) = storage() {
        let _ = if on {
            storage.set_item(PUSH_KEY, "on")
        } else {
            storage.remove_item(PUSH_KEY)
        };
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Turns push on for this browser: the permission (asked for if undecided), a
/// subscription with the server's key, handed to the server. The error says why not.
pub async fn enable(token: &str) -> Result<(), String> {
    if alerts::ask().await != Permission::Granted {
        return Err(
            "notifications are blocked for this site; allow them in your browser's \
                    site settings, then try again"
                .into(),
        );
    }
    let key = api::push_key(token).await?;
    let subscription = run(browser_subscribe(&key))
        .await
        .map_err(|why| format!("this browser could not subscribe: {why}"))?;
    let subscription: serde_json::Value = subscription
        .as_string()
        .and_then(|json| serde_json::from_str(&json).ok())
        .ok_or("the browser's subscription was unreadable")?;
    api::push_subscribe(token, &subscription).await?;
    remember(true);
    Ok(())
}

/// Turns push off for this browser: it unsubscribes and the server forgets it.
pub async fn disable(token: &str) -> Result<(), String> {
    remember(false);
    let endpoint = run(browser_unsubscribe())
        .await?
        .as_string()
        .unwrap_or_default();
    if endpoint.is_empty() {
        return Ok(());
    }
    api::push_unsubscribe(token, &endpoint).await
}
