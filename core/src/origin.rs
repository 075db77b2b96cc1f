//! The Origin allowlist for WebSocket upgrades (cross-site WebSocket hijacking defence).

/// Whether a WebSocket upgrade carrying `origin` may proceed.
///
/// Browsers always send `Origin` on an upgrade, so a request without one comes from a
/// non-browser client (a test, a bot) that cannot ride on a user's cookies: it is allowed.
/// A browser page may connect from the Worker's own origin or from one listed in
/// `allowlist`, a comma-separated list of exact origins such as
/// `https://chat.example.com, http://127.0.0.1:8787`.
pub fn origin_allowed(origin: Option<&str>, own_origin: &str, allowlist: &str) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    origin.eq_ignore_ascii_case(own_origin.trim_end_matches('/'))
        || allowlist
            .split(',')
            .map(|allowed| allowed.trim().trim_end_matches('/'))
            .any(|allowed| !allowed.is_empty() && allowed.eq_ignore_ascii_case(origin))
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    const OWN: &str = "https://chat.example.com";

    #[test]
    fn a_client_without_origin_is_not_a_browser_and_may_connect() {
        assert!(origin_allowed(None, OWN, ""));
    }

    #[test]
    fn the_workers_own_origin_may_connect() {
        assert!(origin_allowed(Some("https://chat.example.com"), OWN, ""));
    }

    #[test]
    fn a_listed_origin_may_connect() {
        let list = "http://127.0.0.1:8787, https://app.example.org/";
        assert!(origin_allowed(Some("https://app.example.org"), OWN, list));
        assert!(origin_allowed(Some("http://127.0.0.1:8787"), OWN, list));
    }

    #[test]
    fn any_other_origin_is_refused() {
        let list = "https://app.example.org";
        assert!(!origin_allowed(Some("https://evil.example"), OWN, list));
        assert!(!origin_allowed(
            Some("https://app.example.org.evil.example"),
            OWN,
            list
        ));
        assert!(!origin_allowed(Some("null"), OWN, list));
        assert!(!origin_allowed(Some("https://evil.example"), OWN, " , "));
    }
}
