//! What only the runtime has: secure randomness and PBKDF2 through WebCrypto.

use edgechat_auth::password::{HASH_BYTES, PasswordRecord};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use worker::{
    Result,
    js_sys::{self, Array, Object, Reflect, Uint8Array},
    wasm_bindgen_futures::JsFuture,
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(array: &Uint8Array) -> Uint8Array;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey)]
    fn import_key(
        format: &str,
        data: &Uint8Array,
        algorithm: &str,
        extractable: bool,
        usages: &Array,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = deriveBits)]
    fn derive_bits(algorithm: &Object, key: &JsValue, length: u32) -> js_sys::Promise;
}

fn js_err(value: JsValue) -> worker::Error {
    worker::Error::JsError(format!("{value:?}"))
}

/// `N` bytes from the platform's CSPRNG.
pub fn random<const N: usize>() -> [u8; N] {
    let array = Uint8Array::new_with_length(N as u32);
    get_random_values(&array);
    let mut out = [0u8; N];
    array.copy_to(&mut out);
    out
}

/// A random identifier: `prefix` then 32 hex digits.
pub fn random_id(prefix: &str) -> String {
    let bytes: [u8; 16] = random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// PBKDF2-HMAC-SHA256 of `input` with `salt` and `iterations`.
pub async fn pbkdf2(input: &[u8], salt: &[u8], iterations: u32) -> Result<Vec<u8>> {
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let key = JsFuture::from(import_key(
        "raw",
        &Uint8Array::from(input),
        "PBKDF2",
        false,
        &usages,
    ))
    .await
    .map_err(js_err)?;
    let params = Object::new();
    for (name, value) in [
        ("name", JsValue::from_str("PBKDF2")),
        ("hash", JsValue::from_str("SHA-256")),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", JsValue::from_f64(f64::from(iterations))),
    ] {
        Reflect::set(&params, &JsValue::from_str(name), &value).map_err(js_err)?;
    }
    let bits = JsFuture::from(derive_bits(&params, &key, (HASH_BYTES * 8) as u32))
        .await
        .map_err(js_err)?;
    let buffer: js_sys::ArrayBuffer = bits.dyn_into().map_err(js_err)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Whether `peppered` is the password `record` was made from.
pub async fn verify(record: &PasswordRecord, peppered: &[u8]) -> Result<bool> {
    let derived = pbkdf2(peppered, &record.salt, record.iterations).await?;
    Ok(record.matches(&derived))
}
