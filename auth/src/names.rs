//! What usernames, display names and status texts may be.

use edgechat_protocol::ErrorCode;
use serde::Serialize;

/// A field that failed validation, reported as `{"error":{"code","message","field"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    /// `too-short`, `too-long` or `invalid`.
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}

pub const USERNAME_MAX: usize = 32;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const STATUS_TEXT_MAX: usize = 140;

/// Usernames are 3 to 32 ASCII letters, digits, `.`, `_` or `-`, starting with a letter
/// or digit. They are unique regardless of case; [`username_key`] is what is compared.
pub fn check_username(username: &str) -> Result<(), FieldError> {
    let len = username.chars().count();
    if len < 3 {
        return Err(FieldError::new(
            "username",
            ErrorCode::TooShort,
            "usernames have at least 3 characters",
        ));
    }
    if len > USERNAME_MAX {
        return Err(FieldError::new(
            "username",
            ErrorCode::TooLong,
            "usernames have at most 32 characters",
        ));
    }
    let valid = username
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && username
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric());
    if !valid {
        return Err(FieldError::new(
            "username",
            ErrorCode::Invalid,
            "usernames use letters, digits, '.', '_' and '-', and start with a letter or digit",
        ));
    }
    Ok(())
}

/// The case-insensitive form a username is unique by.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

pub fn check_password(password: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < crate::password::MIN_CHARS {
        return Err(FieldError::new(
            "password",
            ErrorCode::TooShort,
            "passwords have at least 8 characters",
        ));
    }
    if len > crate::password::MAX_CHARS {
        return Err(FieldError::new(
            "password",
            ErrorCode::TooLong,
            "passwords have at most 128 characters",
        ));
    }
    Ok(())
}

/// Cleans user-chosen text: control characters, bidi controls and invisible characters
/// dropped (`edgechat_protocol::text`), every run of white space made one space,
/// trimmed, at most `max` characters.
fn clean_line(raw: &str, max: usize) -> String {
    let joined: String = edgechat_protocol::text::one_line(raw)
        .chars()
        .take(max)
        .collect();
    joined.trim_end().to_owned()
}

/// A display name as people type it: cleaned; at most 64 characters after cleaning is
/// accepted, longer is `too-long`; nothing left is `too-short`.
pub fn display_name(raw: &str) -> Result<String, FieldError> {
    if raw.chars().count() > DISPLAY_NAME_MAX * 2 {
        return Err(FieldError::new(
            "displayName",
            ErrorCode::TooLong,
            "display names have at most 64 characters",
        ));
    }
    let cleaned = clean_line(raw, usize::MAX);
    if cleaned.is_empty() {
        return Err(FieldError::new(
            "displayName",
            ErrorCode::TooShort,
            "a display name needs a visible character",
        ));
    }
    if cleaned.chars().count() > DISPLAY_NAME_MAX {
        return Err(FieldError::new(
            "displayName",
            ErrorCode::TooLong,
            "display names have at most 64 characters",
        ));
    }
    Ok(cleaned)
}

/// A status text: cleaned, at most 140 characters; empty clears it.
pub fn status_text(raw: &str) -> Result<String, FieldError> {
    let cleaned = clean_line(raw, usize::MAX);
    if cleaned.chars().count() > STATUS_TEXT_MAX {
        return Err(FieldError::new(
            "statusText",
            ErrorCode::TooLong,
            "status texts have at most 140 characters",
        ));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_short_plain_and_compared_without_case() {
        assert!(check_username("ana.lima_2").is_ok());
        assert_eq!(check_username("ab").unwrap_err().code, ErrorCode::TooShort);
        assert_eq!(
            check_username(&"a".repeat(33)).unwrap_err().code,
            ErrorCode::TooLong
        );
        for bad in ["_ana", "ana lima", "ána", "ana<script>", "ana\u{0}"] {
            assert_eq!(
                check_username(bad).unwrap_err().code,
                ErrorCode::Invalid,
                "{bad:?}"
            );
        }
        assert_eq!(username_key("Ana.Lima"), username_key("ana.lima"));
    }

    #[test]
    fn passwords_have_bounds() {
        assert_eq!(
            check_password("short").unwrap_err().code,
            ErrorCode::TooShort
        );
        assert!(check_password("long enough").is_ok());
        assert_eq!(
            check_password(&"p".repeat(129)).unwrap_err().code,
            ErrorCode::TooLong
        );
    }

    #[test]
    fn display_names_are_cleaned_and_bounded() {
        assert_eq!(display_name("  Ana\u{0}\n  Lima ").unwrap(), "Ana Lima");
        assert_eq!(
            display_name(" \u{7} ").unwrap_err().code,
            ErrorCode::TooShort
        );
        assert_eq!(
            display_name(&"é".repeat(65)).unwrap_err().code,
            ErrorCode::TooLong
        );
        assert_eq!(
            display_name("<b>Ana</b>").unwrap(),
            "<b>Ana</b>",
            "markup is text"
        );
    }

    #[test]
    fn names_cannot_spoof_with_bidi_or_invisible_characters() {
        assert_eq!(display_name("Ana\u{202E}gnp.exe").unwrap(), "Anagnp.exe");
        assert_eq!(display_name("ad\u{200B}min").unwrap(), "admin");
        assert_eq!(
            display_name("\u{2067}\u{200B}").unwrap_err().code,
            ErrorCode::TooShort
        );
        assert_eq!(status_text("brb\u{202D}").unwrap(), "brb");
    }

    #[test]
    fn status_texts_may_be_cleared() {
        assert_eq!(status_text("  ").unwrap(), "");
        assert_eq!(status_text("at lunch\n").unwrap(), "at lunch");
        assert_eq!(
            status_text(&"x".repeat(141)).unwrap_err().code,
            ErrorCode::TooLong
        );
    }
}
