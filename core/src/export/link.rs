//! The link an archive downloads through. R2 bindings cannot presign, so the Worker signs
//! its own: `{expires}.{mac}` beside the export's id in the path, the MAC (HMAC-SHA256,
//! keyed by the deployment's secret) binding the export, the one user it is for and the
//! time it stops working. The door still asks who is calling: a link that leaked works
//! for nobody else.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use edgechat_protocol::Millis;

/// The token of `export_id`'s link for `user_id`, good until `expires_at`.
pub fn sign(secret: &[u8], export_id: &str, user_id: &str, expires_at: Millis) -> String {
    let mac = mac(secret, export_id, user_id, expires_at)
        .finalize()
        .into_bytes();
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    format!("{expires_at}.{hex}")
}

/// Why a link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a link this deployment made for this export and this user.
    Forged,
    /// Made here, but its time is over.
    Expired,
}

/// Whether `token` opens `export_id` for `user_id` at `now`.
pub fn verify(
    secret: &[u8],
    export_id: &str,
    user_id: &str,
    token: &str,
    now: Millis,
) -> Result<(), Refused> {
    let (expires, hex) = token.split_once('.').ok_or(Refused::Forged)?;
    let expires_at: Millis = expires.parse().map_err(|_| Refused::Forged)?;
    let given = decode_hex(hex).ok_or(Refused::Forged)?;
    // Compared in constant time by the MAC itself.
    mac(secret, export_id, user_id, expires_at)
        .verify_slice(&given)
        .map_err(|_| Refused::Forged)?;
    if now >= expires_at {
        return Err(Refused::Expired);
    }
    Ok(())
}

fn mac(secret: &[u8], export_id: &str, user_id: &str, expires_at: Millis) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    // Lengths first, so no two different triples hash the same bytes.
    mac.update(
        format!(
            "export:{}:{export_id}:{}:{user_id}:{expires_at}",
            export_id.len(),
            user_id.len()
        )
        .as_bytes(),
    );
    mac
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"the deployment's secret";

    #[test]
    fn a_link_opens_for_its_user_until_it_expires() {
        let token = sign(SECRET, "x1", "u1", 1_000);
        assert_eq!(verify(SECRET, "x1", "u1", &token, 999), Ok(()));
        assert_eq!(
            verify(SECRET, "x1", "u1", &token, 1_000),
            Err(Refused::Expired)
        );
    }

    #[test]
    fn a_link_refuses_another_user_another_export_a_new_time_and_another_key() {
        let token = sign(SECRET, "x1", "u1", 1_000);
        assert_eq!(verify(SECRET, "x1", "u2", &token, 0), Err(Refused::Forged));
        assert_eq!(verify(SECRET, "x2", "u1", &token, 0), Err(Refused::Forged));
        assert_eq!(
            verify(b"another", "x1", "u1", &token, 0),
            Err(Refused::Forged)
        );
        let later = token.replacen("1000", "9000", 1);
        assert_eq!(verify(SECRET, "x1", "u1", &later, 0), Err(Refused::Forged));
        for junk in ["", "1000", "1000.", "abc.def", "1000.zz"] {
            assert_eq!(verify(SECRET, "x1", "u1", junk, 0), Err(Refused::Forged));
        }
    }
}
