//! Configurable limits with documented defaults. The Worker reads them from vars
//! (`wrangler.toml`, `--var`), so tests can set them.

/// The limits one room enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest frame accepted from a client, in bytes (`MAX_FRAME_BYTES`, default 65,536).
    /// Larger frames are refused before they are parsed.
    pub max_frame_bytes: usize,
    /// Longest message text, in characters after cleaning (`MAX_MESSAGE_CHARS`, default 4,000).
    pub max_message_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 64 * 1024,
            max_message_chars: 4_000,
        }
    }
}

impl Limits {
    /// Reads each limit through `var`, keeping the default for any that is missing or not
    /// a positive whole number (a bad var must not take a room down).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let defaults = Self::default();
        let read = |name: &str, default: usize| {
            var(name)
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        Self {
            max_frame_bytes: read("MAX_FRAME_BYTES", defaults.max_frame_bytes),
            max_message_chars: read("MAX_MESSAGE_CHARS", defaults.max_message_chars),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_vars_keep_the_defaults() {
        assert_eq!(Limits::from_vars(|_| None), Limits::default());
    }

    #[test]
    fn a_set_var_overrides_its_default() {
        let limits = Limits::from_vars(|name| (name == "MAX_MESSAGE_CHARS").then(|| "12".into()));
        assert_eq!(limits.max_message_chars, 12);
        assert_eq!(limits.max_frame_bytes, Limits::default().max_frame_bytes);
    }

    #[test]
    fn a_malformed_or_zero_var_keeps_the_default() {
        for bad in ["", "abc", "0", "-5"] {
            let limits = Limits::from_vars(|_| Some(bad.into()));
            assert_eq!(limits, Limits::default(), "var value {bad:?}");
        }
    }
}
