//! Moments as the reader reads them, in their own time zone.

/// The local time of day of `ms` (milliseconds since the epoch), as `14:05`.
pub fn clock(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
