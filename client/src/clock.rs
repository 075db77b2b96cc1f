//! Moments as the reader reads them, in their own time zone.

/// The local time of day of `ms` (milliseconds since the epoch), as `14:05`.
pub fn clock(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A moment to come (a mute's end), as the reader reads it: the time alone today, with
/// the day otherwise (`9 Dec, 14:05`), and the year when it is not this one.
pub fn moment(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let today = js_sys::Date::new_0();
    let day = (date.get_full_year(), date.get_month(), date.get_date());
    if day == (today.get_full_year(), today.get_month(), today.get_date()) {
        return clock(ms);
    }
    let month = MONTHS[date.get_month() as usize % 12];
    let year = if day.0 == today.get_full_year() {
        String::new()
    } else {
        format!(" {}", day.0)
    };
    format!("{} {month}{year}, {}", day.2, clock(ms))
}
