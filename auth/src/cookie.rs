//! The cookies a browser keeps: the refresh token, only ever sent to `/api/auth`, and a
//! copy of the access token, only ever sent to `/api/files` and `/api/users` (so `<img>`
//! and `<video>` need no token in their URLs; only the file and avatar routes read it).
//! All HttpOnly, Secure, SameSite=Strict.

pub const REFRESH: &str = "edgechat_refresh";
pub const ACCESS: &str = "edgechat_access";

/// The custom header that cookie-driven requests must carry: a cross-site form cannot
/// set it, so it cannot drive them.
pub const CSRF_HEADER: &str = "X-Edgechat-Csrf";

fn cookie(name: &str, value: &str, path: &str, max_age_s: u64) -> String {
    format!("{name}={value}; Path={path}; Max-Age={max_age_s}; HttpOnly; Secure; SameSite=Strict")
}

pub fn refresh(token: &str, max_age_s: u64) -> String {
    cookie(REFRESH, token, "/api/auth", max_age_s)
}

/// Where the access cookie is sent: media routes only.
const MEDIA_PATHS: [&str; 2] = ["/api/files", "/api/users"];

/// The access cookie, once per media path.
pub fn access(token: &str, max_age_s: u64) -> [String; 2] {
    MEDIA_PATHS.map(|path| cookie(ACCESS, token, path, max_age_s))
}

/// Every cookie, expired.
pub fn cleared() -> [String; 3] {
    let [files, users] = MEDIA_PATHS.map(|path| cookie(ACCESS, "", path, 0));
    [cookie(REFRESH, "", "/api/auth", 0), files, users]
}

/// The value of cookie `name` in a `Cookie` header.
pub fn read<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_scoped_and_locked_down() {
        let c = refresh("tok", 60);
        assert!(c.starts_with("edgechat_refresh=tok; Path=/api/auth;"));
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Max-Age=60"] {
            assert!(c.contains(attr), "{attr}");
        }
        let [files, users] = access("jwt", 5);
        assert!(files.contains("Path=/api/files"));
        assert!(users.contains("Path=/api/users"));
        assert!(cleared()[0].contains("Max-Age=0"));
    }

    #[test]
    fn a_cookie_is_read_by_exact_name() {
        let header = "x=1; edgechat_refresh=abc; edgechat_refresh_old=zzz";
        assert_eq!(read(header, REFRESH), Some("abc"));
        assert_eq!(read(header, "edgechat"), None);
    }
}
