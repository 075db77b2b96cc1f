//! A browser's side of Web Push, for checking what the Worker sends to a push endpoint
//! (the harness's web server): the keys a browser subscribes with, the decryption of a
//! push (RFC 8291, `aes128gcm`) and the check of its VAPID token (RFC 8292).

use aes_gcm::{Aes128Gcm, KeyInit, aead::Aead};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hkdf::Hkdf;
use p256::{
    PublicKey, SecretKey,
    ecdsa::{Signature, VerifyingKey, signature::Verifier},
    elliptic_curve::sec1::ToEncodedPoint,
};
use serde_json::{Value, json};
use sha2::Sha256;

/// A made-up browser: its key pair and auth secret.
pub struct Device {
    secret: SecretKey,
    auth: [u8; 16],
}

impl Default for Device {
    fn default() -> Self {
        Self::new()
    }
}

impl Device {
    pub fn new() -> Self {
        let bytes = crate::secrets::random_hex(32);
        let scalar: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&bytes[i * 2..i * 2 + 2], 16).unwrap())
            .collect();
        let auth_hex = crate::secrets::random_hex(16);
        let mut auth = [0u8; 16];
        for (i, byte) in auth.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&auth_hex[i * 2..i * 2 + 2], 16).unwrap();
        }
        Self {
            secret: SecretKey::from_slice(&scalar).expect("a valid scalar"),
            auth,
        }
    }

    fn public(&self) -> Vec<u8> {
        self.secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// The subscription a browser would hand over for `endpoint`.
    pub fn subscription(&self, endpoint: &str) -> Value {
        json!({
            "endpoint": endpoint,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(self.public()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            },
        })
    }

    /// The plaintext of a push body, as the browser decrypts it; panics on anything a
    /// browser would refuse.
    pub fn open(&self, body: &[u8]) -> Vec<u8> {
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert!(record_size >= 18, "record size {record_size}");
        let id_len = body[20] as usize;
        assert_eq!(id_len, 65, "the key id is the sender's public key");
        let sender = PublicKey::from_sec1_bytes(&body[21..21 + id_len]).expect("a P-256 key");
        let sealed = &body[21 + id_len..];
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender.as_affine());
        let info = [
            b"WebPush: info\0".as_slice(),
            &self.public(),
            &body[21..21 + id_len],
        ]
        .concat();
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let padded = Aes128Gcm::new(&cek.into())
            .decrypt(&nonce.into(), sealed)
            .expect("the push decrypts with this device's keys");
        let end = padded.iter().rposition(|b| *b != 0).expect("a delimiter");
        assert_eq!(padded[end], 2, "one record, the last");
        padded[..end].to_vec()
    }
}

/// Checks a push's `Authorization: vapid t=…, k=…` header: the key is `public_key`
/// (what `GET /api/push/key` gives), the token is signed by it, names `audience` and
/// has not expired. Returns the token's claims.
pub fn verify_vapid(header: &str, public_key: &str, audience: &str) -> Value {
    let rest = header
        .strip_prefix("vapid ")
        .expect("a vapid authorization");
    let (mut token, mut key) = ("", "");
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = t;
        } else if let Some(k) = part.strip_prefix("k=") {
            key = k;
        }
    }
    assert_eq!(key, public_key, "k is the server's public key");
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    let verifying = VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap())
        .expect("a P-256 public key");
    let signature =
        Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).expect("64 bytes");
    verifying
        .verify(signed.as_bytes(), &signature)
        .expect("the token is signed by the server's key");
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], audience);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"].as_u64().expect("exp");
    assert!(exp > now && exp <= now + 24 * 60 * 60, "exp within a day");
    assert!(claims["sub"].is_string());
    claims
}

/// A P-256 private key as a JWK, as `cargo xtask dev` makes the VAPID key.
pub fn new_vapid_jwk() -> String {
    let device = Device::new();
    device.secret.to_jwk_string().to_string()
}
