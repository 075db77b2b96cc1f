//! The typing indicator, both ways: when to tell the room the user is typing (at most once
//! per refresh interval, and a stop when the draft empties), and how to say who else is.
//! Plain Rust, tested natively.

use edgechat_protocol::Millis;

/// How often a `typing-start` is repeated while the user keeps typing: well inside the
/// server's `TYPING_TTL_MS` (6 s), so the indicator does not blink out.
pub const REFRESH_MS: u64 = 3_000;

/// What to send after an edit of the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Start,
    Stop,
}

/// The user's own typing state, as last told to the room.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typing {
    started_at: Option<Millis>,
}

impl Typing {
    /// The draft changed at `now`; `empty` says whether it is empty now.
    pub fn edited(&mut self, empty: bool, now: Millis) -> Option<Signal> {
        match (empty, self.started_at) {
            (true, Some(_)) => {
                self.started_at = None;
                Some(Signal::Stop)
            }
            (true, None) => None,
            (false, Some(at)) if now.saturating_sub(at) < REFRESH_MS => None,
            (false, _) => {
                self.started_at = Some(now);
                Some(Signal::Start)
            }
        }
    }

    /// The message was sent: the server ends the indicator itself.
    pub fn sent(&mut self) {
        self.started_at = None;
    }
}

/// "Ana is typing…", "Ana and Bo are typing…", "Several people are typing…".
pub fn typing_text(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("{one} is typing…")),
        [one, two] => Some(format!("{one} and {two} are typing…")),
        _ => Some("Several people are typing…".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_announced_once_per_interval_and_stopped_when_the_draft_empties() {
        let mut typing = Typing::default();
        assert_eq!(typing.edited(false, 0), Some(Signal::Start));
        assert_eq!(typing.edited(false, 1_000), None);
        assert_eq!(typing.edited(false, REFRESH_MS), Some(Signal::Start));
        assert_eq!(typing.edited(true, REFRESH_MS + 10), Some(Signal::Stop));
        assert_eq!(typing.edited(true, REFRESH_MS + 20), None);
        assert_eq!(typing.edited(false, REFRESH_MS + 30), Some(Signal::Start));
        typing.sent();
        assert_eq!(
            typing.edited(true, REFRESH_MS + 40),
            None,
            "sending ended it"
        );
    }

    #[test]
    fn who_is_typing_reads_naturally() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(typing_text(&names(&[])), None);
        assert_eq!(typing_text(&names(&["Ana"])).unwrap(), "Ana is typing…");
        assert_eq!(
            typing_text(&names(&["Ana", "Bo"])).unwrap(),
            "Ana and Bo are typing…"
        );
        assert_eq!(
            typing_text(&names(&["Ana", "Bo", "Cy"])).unwrap(),
            "Several people are typing…"
        );
    }
}
