//! Password records. The slow part, PBKDF2-HMAC-SHA256 at [`ITERATIONS`], runs in
//! WebCrypto (the Worker's job); this module peppers the password first, formats and
//! parses what is stored, and compares in constant time.
//!
//! A record reads `v1$pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url), so the
//! parameters can be raised later and old records still verify.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The most PBKDF2 iterations workerd's WebCrypto allows.
pub const ITERATIONS: u32 = 100_000;
pub const SALT_BYTES: usize = 16;
pub const HASH_BYTES: usize = 32;
const PREFIX: &str = "v1$pbkdf2-sha256";

/// Passwords are 8 to 128 characters.
pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRecord {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl PasswordRecord {
    pub fn encode(&self) -> String {
        format!(
            "{PREFIX}${}${}${}",
            self.iterations,
            URL_SAFE_NO_PAD.encode(&self.salt),
            URL_SAFE_NO_PAD.encode(&self.hash)
        )
    }

    pub fn parse(stored: &str) -> Option<Self> {
        let rest = stored.strip_prefix(PREFIX)?.strip_prefix('$')?;
        let mut parts = rest.split('$');
        let iterations = parts.next()?.parse().ok()?;
        let salt = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        let hash = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        if parts.next().is_some() || hash.len() != HASH_BYTES {
            return None;
        }
        Some(Self {
            iterations,
            salt,
            hash,
        })
    }

    /// Whether `derived` (PBKDF2 of the peppered candidate with this record's salt and
    /// iterations) is the stored hash, compared in constant time.
    pub fn matches(&self, derived: &[u8]) -> bool {
        constant_time_eq(&self.hash, derived)
    }
}

/// HMAC-SHA256 of the password under the pepper, a secret kept outside D1: a stolen
/// database alone cannot be brute-forced.
pub fn peppered(pepper: &[u8], password: &str) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(pepper) else {
        // HMAC takes keys of any length; this branch cannot run.
        return [0; 32];
    };
    mac.update(password.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Equal length and equal bytes, looking at every byte whatever it finds.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> PasswordRecord {
        PasswordRecord {
            iterations: ITERATIONS,
            salt: vec![7; SALT_BYTES],
            hash: vec![9; HASH_BYTES],
        }
    }

    #[test]
    fn a_record_round_trips_through_its_text_form() {
        let text = record().encode();
        assert!(text.starts_with("v1$pbkdf2-sha256$100000$"));
        assert_eq!(PasswordRecord::parse(&text), Some(record()));
    }

    #[test]
    fn malformed_records_do_not_parse() {
        for bad in [
            "",
            "v1",
            "v2$pbkdf2-sha256$1$AA$AA",
            "v1$pbkdf2-sha256$x$AA$AA",
            "v1$pbkdf2-sha256$1$AA$AA$AA",
        ] {
            assert_eq!(PasswordRecord::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn matching_needs_every_byte() {
        let r = record();
        assert!(r.matches(&[9; HASH_BYTES]));
        let mut other = [9; HASH_BYTES];
        other[31] = 8;
        assert!(!r.matches(&other));
        assert!(!r.matches(&[9; 16]));
    }

    #[test]
    fn the_pepper_changes_the_input() {
        assert_ne!(peppered(b"one", "hunter22"), peppered(b"two", "hunter22"));
        assert_eq!(peppered(b"one", "hunter22"), peppered(b"one", "hunter22"));
    }
}
