//! Refresh tokens: opaque random strings, stored only as their SHA-256 digest.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

pub const TOKEN_BYTES: usize = 32;

/// The token handed to the client, from random bytes.
pub fn encode(random: &[u8; TOKEN_BYTES]) -> String {
    URL_SAFE_NO_PAD.encode(random)
}

/// The one successor of `parent`: the same whoever asks, so a token presented twice
/// within the grace window (two tabs refreshing at once) yields the same successor, never
/// a second live one. Keyed by `secret`, so nobody without it can work it out.
pub fn successor(secret: &[u8], parent: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| {
        // HMAC takes a key of any length; this never happens.
        Hmac::<Sha256>::new_from_slice(&[0]).unwrap_or_else(|_| unreachable!())
    });
    mac.update(b"edgechat refresh successor\0");
    mac.update(parent.as_bytes());
    let bytes: [u8; TOKEN_BYTES] = mac.finalize().into_bytes().into();
    encode(&bytes)
}

/// What is stored: a leaked table holds no usable token.
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `token` has the shape of one of ours (checked before any lookup).
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_has_one_successor_that_only_the_secret_gives() {
        let parent = encode(&[3; TOKEN_BYTES]);
        let next = successor(b"secret one", &parent);
        assert!(well_formed(&next));
        assert_eq!(successor(b"secret one", &parent), next);
        assert_ne!(successor(b"secret two", &parent), next);
        assert_ne!(successor(b"secret one", &next), next);
    }

    #[test]
    fn tokens_are_url_safe_and_digests_are_hex() {
        let token = encode(&[255; TOKEN_BYTES]);
        assert!(well_formed(&token));
        let d = digest(&token);
        assert_eq!(d.len(), 64);
        assert!(d.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(digest(&encode(&[1; TOKEN_BYTES])), d);
    }

    #[test]
    fn other_strings_are_not_tokens() {
        assert!(!well_formed(""));
        assert!(!well_formed(&"a".repeat(44)));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
    }
}
