//! A push's cryptography through WebCrypto, nothing compiled in: the message key pair,
//! ECDH with the browser's key, HKDF, AES-128-GCM (RFC 8291), and the VAPID signature
//! (ES256, RFC 8292). What goes in and comes out is laid out by `edgechat_core::push`.

use edgechat_core::push::{self, CEK_INFO, Device, NONCE_INFO};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use worker::{
    Env, Result,
    js_sys::{self, Array, Object, Promise, Reflect, Uint8Array},
    wasm_bindgen_futures::JsFuture,
};

use crate::config;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey)]
    fn import_key(
        format: &str,
        data: &JsValue,
        algorithm: &JsValue,
        extractable: bool,
        usages: &Array,
    ) -> Promise;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = generateKey)]
    fn generate_key(algorithm: &JsValue, extractable: bool, usages: &Array) -> Promise;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = exportKey)]
    fn export_key(format: &str, key: &JsValue) -> Promise;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = deriveBits)]
    fn derive_bits(algorithm: &JsValue, key: &JsValue, length: u32) -> Promise;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"])]
    fn sign(algorithm: &JsValue, key: &JsValue, data: &Uint8Array) -> Promise;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"])]
    fn encrypt(algorithm: &JsValue, key: &JsValue, data: &Uint8Array) -> Promise;
}

fn js_err(value: JsValue) -> worker::Error {
    worker::Error::JsError(format!("{value:?}"))
}

async fn call(promise: Promise) -> Result<JsValue> {
    JsFuture::from(promise).await.map_err(js_err)
}

async fn bytes(promise: Promise) -> Result<Vec<u8>> {
    let buffer: js_sys::ArrayBuffer = call(promise).await?.dyn_into().map_err(js_err)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A WebCrypto algorithm description.
fn algorithm(fields: &[(&str, JsValue)]) -> Result<JsValue> {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value).map_err(js_err)?;
    }
    Ok(object.into())
}

fn usages(names: &[&str]) -> Array {
    names.iter().map(|n| JsValue::from_str(n)).collect()
}

fn p256(name: &str) -> Result<JsValue> {
    algorithm(&[
        ("name", JsValue::from_str(name)),
        ("namedCurve", JsValue::from_str("P-256")),
    ])
}

/// HKDF-SHA-256 (extract and expand) of `ikm`: `length` bytes.
async fn hkdf(ikm: &[u8], salt: &[u8], info: &[u8], length: u32) -> Result<Vec<u8>> {
    let key = call(import_key(
        "raw",
        &Uint8Array::from(ikm).into(),
        &JsValue::from_str("HKDF"),
        false,
        &usages(&["deriveBits"]),
    ))
    .await?;
    let params = algorithm(&[
        ("name", JsValue::from_str("HKDF")),
        ("hash", JsValue::from_str("SHA-256")),
        ("salt", Uint8Array::from(salt).into()),
        ("info", Uint8Array::from(info).into()),
    ])?;
    bytes(derive_bits(&params, &key, length * 8)).await
}

/// `plaintext` encrypted for `device` alone, as an `aes128gcm` body (RFC 8291).
pub async fn seal(device: &Device, plaintext: &[u8]) -> Result<Vec<u8>> {
    let pair = call(generate_key(
        &p256("ECDH")?,
        false,
        &usages(&["deriveBits"]),
    ))
    .await?;
    let private = Reflect::get(&pair, &JsValue::from_str("privateKey")).map_err(js_err)?;
    let public = Reflect::get(&pair, &JsValue::from_str("publicKey")).map_err(js_err)?;
    let server_public = bytes(export_key("raw", &public)).await?;
    let browser = call(import_key(
        "raw",
        &Uint8Array::from(device.p256dh.as_slice()).into(),
        &p256("ECDH")?,
        false,
        &Array::new(),
    ))
    .await?;
    let ecdh = algorithm(&[("name", JsValue::from_str("ECDH")), ("public", browser)])?;
    let shared = bytes(derive_bits(&ecdh, &private, 256)).await?;
    let info = push::key_info(&device.p256dh, &server_public);
    let ikm = hkdf(&shared, &device.auth, &info, 32).await?;
    let salt: [u8; 16] = crate::auth::crypto::random();
    let cek = hkdf(&ikm, &salt, CEK_INFO, 16).await?;
    let nonce = hkdf(&ikm, &salt, NONCE_INFO, 12).await?;
    let key = call(import_key(
        "raw",
        &Uint8Array::from(cek.as_slice()).into(),
        &JsValue::from_str("AES-GCM"),
        false,
        &usages(&["encrypt"]),
    ))
    .await?;
    let params = algorithm(&[
        ("name", JsValue::from_str("AES-GCM")),
        ("iv", Uint8Array::from(nonce.as_slice()).into()),
    ])?;
    let sealed = bytes(encrypt(
        &params,
        &key,
        &Uint8Array::from(push::pad(plaintext).as_slice()),
    ))
    .await?;
    Ok(push::body(&salt, &server_public, &sealed))
}

/// The application server's identity: its P-256 key (the `VAPID_PRIVATE_JWK` secret, a
/// JWK as `cargo xtask dev` makes it), its public half, and a contact for push services
/// (`VAPID_SUBJECT`).
pub struct Vapid {
    jwk: String,
    pub public_key: String,
    subject: String,
}

impl Vapid {
    /// `None` when the secret is missing or not a P-256 JWK: the server sends no pushes.
    pub fn from_env(env: &Env) -> Option<Self> {
        let jwk = config::string(env, "VAPID_PRIVATE_JWK")?;
        let parsed: serde_json::Value = serde_json::from_str(&jwk).ok()?;
        if parsed["crv"] != "P-256" || !parsed["d"].is_string() {
            return None;
        }
        let public_key = push::public_key(parsed["x"].as_str()?, parsed["y"].as_str()?)?;
        Some(Self {
            jwk,
            public_key,
            subject: config::string(env, "VAPID_SUBJECT")
                .unwrap_or_else(|| "mailto:push@edgechat.invalid".into()),
        })
    }

    /// The signing key, imported once per round of pushes.
    pub async fn signing_key(&self) -> Result<JsValue> {
        let jwk = js_sys::JSON::parse(&self.jwk).map_err(js_err)?;
        call(import_key(
            "jwk",
            &jwk,
            &p256("ECDSA")?,
            false,
            &usages(&["sign"]),
        ))
        .await
    }

    /// The `Authorization` header for a push service at `audience`.
    pub async fn authorization(
        &self,
        key: &JsValue,
        audience: &str,
        now_seconds: u64,
    ) -> Result<String> {
        let unsigned = push::vapid_unsigned(audience, now_seconds, &self.subject);
        let params = algorithm(&[
            ("name", JsValue::from_str("ECDSA")),
            ("hash", JsValue::from_str("SHA-256")),
        ])?;
        let signature = bytes(sign(&params, key, &Uint8Array::from(unsigned.as_bytes()))).await?;
        Ok(format!(
            "vapid t={unsigned}.{}, k={}",
            push::encode(&signature),
            self.public_key
        ))
    }
}
