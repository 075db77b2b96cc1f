//! The user's choices kept in this browser: a status they set by hand, and whether alerts
//! make a sound.

use edgechat_protocol::Status;

const STATUS_KEY: &str = "edgechat.status";
const SOUND_KEY: &str = "edgechat.sound";
const AWAY_KEY: &str = "edgechat.awayAfterMinutes";

/// After how many minutes without input the user shows as away (5 unless they chose).
pub fn away_after_minutes() -> u64 {
    storage()
        .and_then(|s| s.get_item(AWAY_KEY).ok().flatten())
        .and_then(|v| v.parse().ok())
        .filter(|m| (1..=240).contains(m))
        .unwrap_or(crate::presence::AWAY_AFTER_MS / 60_000)
}

pub fn set_away_after_minutes(minutes: u64) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(AWAY_KEY, &minutes.to_string());
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// `Some(Away)` when the user chose to appear away; `None` to follow activity.
pub fn chosen_status() -> Option<Status> {
    let value = storage()?.get_item(STATUS_KEY).ok()??;
    (value == "away").then_some(Status::Away)
}

pub fn set_chosen_status(away: bool) {
    if let Some(storage) = storage() {
        let _ = if away {
            storage.set_item(STATUS_KEY, "away")
        } else {
            storage.remove_item(STATUS_KEY)
        };
    }
}

pub fn sound() -> bool {
    storage()
        .and_then(|s| s.get_item(SOUND_KEY).ok().flatten())
        .is_some_and(|v| v == "on")
}

pub fn set_sound(on: bool) {
    if let Some(storage) = storage() {
        let _ = if on {
            storage.set_item(SOUND_KEY, "on")
        } else {
            storage.remove_item(SOUND_KEY)
        };
    }
}

/// A short, soft two-note chime, made on the spot (no audio file to fetch).
pub fn chime() {
    let Ok(context) = web_sys::AudioContext::new() else {
        return;
    };
    let now = context.current_time();
    for (i, frequency) in [880.0_f32, 1320.0].into_iter().enumerate() {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain())
        else {
            return;
        };
        let start = now + i as f64 * 0.12;
        oscillator.frequency().set_value(frequency);
        let _ = gain.gain().set_value_at_time(0.08, start);
        let _ = gain
            .gain()
            .exponential_ramp_to_value_at_time(0.0001, start + 0.25);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = oscillator.start_with_when(start);
        let _ = oscillator.stop_with_when(start + 0.3);
    }
}
