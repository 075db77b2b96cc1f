//! Web Push without a crypto library: everything about a push except the cryptography
//! itself, which the Worker asks of WebCrypto. A subscription is checked here; the
//! message encoding of RFC 8188 (`aes128gcm`) and the key derivation inputs of RFC 8291
//! are laid out here; so is the VAPID token (RFC 8292) up to its signature.
//!
//! The Worker then: makes a P-256 key pair for the one message, derives the shared
//! secret with the browser's key (ECDH), runs HKDF-SHA-256 three times with the inputs
//! below (the browser's auth secret as salt and [`key_info`] as info for the input key
//! material; a random salt and [`CEK_INFO`] / [`NONCE_INFO`] for the content key and
//! nonce), seals [`pad`]ded plaintext with AES-128-GCM and sends [`body`].

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use edgechat_protocol::push::PushSubscription;
use url::Url;

use crate::outbound::{self, Purpose, Refused, TestHosts};

/// The devices one user may have subscribed; a new one past this replaces the oldest.
pub const MAX_DEVICES: usize = 10;
/// The longest push endpoint taken (the services in use give a few hundred bytes).
pub const MAX_ENDPOINT_BYTES: usize = 1_024;
/// How long a push service keeps a push for a browser that is offline: a day.
pub const TTL_SECONDS: u64 = 24 * 60 * 60;
/// How long a VAPID token is valid: twelve hours (RFC 8292 allows up to a day).
pub const VAPID_VALID_SECONDS: u64 = 12 * 60 * 60;
/// The record size announced in the header: one record holds any push this app sends.
pub const RECORD_SIZE: u32 = 4_096;
/// The HKDF info for the content encryption key (RFC 8188).
pub const CEK_INFO: &[u8] = b"Content-Encoding: aes128gcm\0";
/// The HKDF info for the nonce (RFC 8188).
pub const NONCE_INFO: &[u8] = b"Content-Encoding: nonce\0";

/// A subscription checked: where to send, and the browser's keys as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub endpoint: Url,
    /// The browser's P-256 public key, uncompressed (65 bytes, `0x04 ‖ x ‖ y`).
    pub p256dh: Vec<u8>,
    /// The browser's authentication secret (16 bytes).
    pub auth: Vec<u8>,
}

/// Why a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// The endpoint is refused by the outbound policy (push endpoints: https only).
    Endpoint(Refused),
    /// The endpoint is longer than [`MAX_ENDPOINT_BYTES`].
    EndpointTooLong,
    /// `keys.p256dh` is not a base64url uncompressed P-256 point.
    PublicKey,
    /// `keys.auth` is not 16 bytes of base64url.
    AuthSecret,
}

impl Invalid {
    pub fn as_str(self) -> &'static str {
        match self {
            Invalid::Endpoint(why) => why.as_str(),
            Invalid::EndpointTooLong => "an endpoint over 1024 bytes",
            Invalid::PublicKey => "keys.p256dh is not a P-256 public key",
            Invalid::AuthSecret => "keys.auth is not a 16-byte secret",
        }
    }
}

/// `subscription` checked against the outbound policy and the shapes RFC 8291 needs.
pub fn check(subscription: &PushSubscription, hosts: &TestHosts) -> Result<Device, Invalid> {
    if subscription.endpoint.len() > MAX_ENDPOINT_BYTES {
        return Err(Invalid::EndpointTooLong);
    }
    let endpoint =
        outbound::check(&subscription.endpoint, Purpose::Push, hosts).map_err(Invalid::Endpoint)?;
    let p256dh = decode(&subscription.keys.p256dh)
        .filter(|key| key.len() == 65 && key[0] == 4)
        .ok_or(Invalid::PublicKey)?;
    let auth = decode(&subscription.keys.auth)
        .filter(|secret| secret.len() == 16)
        .ok_or(Invalid::AuthSecret)?;
    Ok(Device {
        endpoint,
        p256dh,
        auth,
    })
}

/// base64url, with or without padding (browsers give it without).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The HKDF info that binds the input key material to both public keys (RFC 8291 §3.4).
pub fn key_info(browser_public: &[u8], server_public: &[u8]) -> Vec<u8> {
    [b"WebPush: info\0".as_slice(), browser_public, server_public].concat()
}

/// The plaintext as its one and last record: the delimiter `0x02`, no padding.
pub fn pad(plaintext: &[u8]) -> Vec<u8> {
    [plaintext, &[2]].concat()
}

/// The request body: the `aes128gcm` header (salt, record size, the sender's public key
/// as key id) and the sealed record.
pub fn body(salt: &[u8; 16], server_public: &[u8], sealed: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(21 + server_public.len() + sealed.len());
    out.extend_from_slice(salt);
    out.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    out.push(server_public.len() as u8);
    out.extend_from_slice(server_public);
    out.extend_from_slice(sealed);
    out
}

/// Who a VAPID token is for: the push service's origin.
pub fn audience(endpoint: &Url) -> String {
    endpoint.origin().ascii_serialization()
}

/// The part of a VAPID token that is signed (ES256): header and claims, base64url.
pub fn vapid_unsigned(audience: &str, now_seconds: u64, subject: &str) -> String {
    let header = encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims = serde_json::json!({
        "aud": audience,
        "exp": now_seconds + VAPID_VALID_SECONDS,
        "sub": subject,
    });
    format!("{header}.{}", encode(claims.to_string().as_bytes()))
}

/// The application server's public key (what browsers subscribe with) from the `x` and
/// `y` of its JWK: `0x04 ‖ x ‖ y`, base64url.
pub fn public_key(x: &str, y: &str) -> Option<String> {
    let (x, y) = (decode(x)?, decode(y)?);
    (x.len() == 32 && y.len() == 32).then(|| encode(&[&[4u8][..], &x, &y].concat()))
}

/// The `Topic` of a room's pushes: a push service keeps only the newest push of a topic
/// for a browser that is offline, so a busy room makes one notification, not fifty. At
/// most 32 base64url characters (RFC 8030), whatever the room id.
pub fn topic(room_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut topic = encode(&Sha256::digest(room_id.as_bytes()));
    topic.truncate(32);
    topic
}
