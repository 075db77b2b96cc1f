//! Telling the user something arrived while they were elsewhere: a desktop notification
//! (once the browser allows them) and the chime. The inbox and the open room both call it.

thread_local! {
    /// When the chime last played, so a mention that is also a direct message (two
    /// notifications) sounds once.
    static CHIMED: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// A desktop notification (if the user allowed them) and the chime (if they turned it
/// on). One notification per room at a time (the tag), so a busy room does not stack
/// them up.
pub fn alert_user(title: &str, body: &str, room_id: &str) {
    if permission() == Permission::Granted {
        let options = web_sys::NotificationOptions::new();
        options.set_body(body);
        options.set_tag(room_id);
        let _ = web_sys::Notification::new_with_options(title, &options);
    }
    let now = js_sys::Date::now();
    if crate::prefs::sound() && now - CHIMED.with(|c| c.get()) > 2_000.0 {
        CHIMED.with(|c| c.set(now));
        crate::prefs::chime();
    }
}

/// What the browser says about desktop notifications for this site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Not asked yet: the bell offers to.
    Undecided,
    Granted,
    /// Refused, by the user or the browser: only the browser's site settings change it.
    Refused,
}

pub fn permission() -> Permission {
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Default => Permission::Undecided,
        _ => Permission::Refused,
    }
}

/// Asks for permission (only ever from a click, as browsers require) and says what the
/// user or the browser decided.
pub async fn ask() -> Permission {
    if let Ok(promise) = web_sys::Notification::request_permission() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    permission()
}
