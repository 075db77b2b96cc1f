//! The Slack shortcodes tools put in alerts and bot pictures (`:white_check_mark:`,
//! `icon_emoji: ":rocket:"`), as their emoji. A short list of the ones such tools use,
//! not Slack's whole table: an unknown shortcode stays as text.

/// The emoji `name` (a shortcode without its colons) stands for, if it is one of these.
pub fn named(name: &str) -> Option<&'static str> {
    NAMED
        .binary_search_by(|(known, _)| known.cmp(&name))
        .ok()
        .map(|at| NAMED[at].1)
}

/// Sorted by name, for the search.
const NAMED: &[(&str, &str)] = &[
    ("+1", "👍"),
    ("-1", "👎"),
    ("alarm_clock", "⏰"),
    ("bell", "🔔"),
    ("bomb", "💣"),
    ("boom", "💥"),
    ("bug", "🐛"),
    ("chart_with_downwards_trend", "📉"),
    ("chart_with_upwards_trend", "📈"),
    ("clock1", "🕐"),
    ("construction", "🚧"),
    ("eyes", "👀"),
    ("fire", "🔥"),
    ("ghost", "👻"),
    ("green_heart", "💚"),
    ("heart", "❤️"),
    ("heavy_check_mark", "✔️"),
    ("hourglass", "⌛"),
    ("information_source", "ℹ️"),
    ("large_blue_circle", "🔵"),
    ("large_green_circle", "🟢"),
    ("large_orange_circle", "🟠"),
    ("large_yellow_circle", "🟡"),
    ("lock", "🔒"),
    ("mag", "🔍"),
    ("memo", "📝"),
    ("no_entry", "⛔"),
    ("ok", "🆗"),
    ("package", "📦"),
    ("question", "❓"),
    ("red_circle", "🔴"),
    ("robot_face", "🤖"),
    ("rocket", "🚀"),
    ("rotating_light", "🚨"),
    ("scream", "😱"),
    ("shipit", "🐿️"),
    ("smile", "😄"),
    ("sparkles", "✨"),
    ("tada", "🎉"),
    ("thumbsdown", "👎"),
    ("thumbsup", "👍"),
    ("warning", "⚠️"),
    ("wave", "👋"),
    ("white_check_mark", "✅"),
    ("wrench", "🔧"),
    ("x", "❌"),
    ("zap", "⚡"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_every_name_is_found() {
        assert!(NAMED.windows(2).all(|w| w[0].0 < w[1].0));
        for (name, emoji) in NAMED {
            assert_eq!(named(name), Some(*emoji));
        }
        assert_eq!(named("no_such_thing"), None);
    }
}
