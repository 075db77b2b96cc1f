//! The user's own presence: away after a while without input or while the tab is hidden,
//! online again on return; and how other members' presence reads in the member list.
//! Plain Rust, tested natively.

use edgechat_protocol::{Millis, Status};

/// Without keyboard, mouse or touch input for this long, the user shows as away.
pub const AWAY_AFTER_MS: u64 = 5 * 60 * 1000;

/// What the user's status should be now. A status the user chose (`Some(Away)`) stands;
/// otherwise it follows activity.
pub fn desired(chosen: Option<Status>, hidden: bool, idle_ms: u64, away_after_ms: u64) -> Status {
    match chosen {
        Some(status) => status,
        None if hidden || idle_ms >= away_after_ms => Status::Away,
        None => Status::Online,
    }
}

/// Decides when to tell the inbox: only on a change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reporter {
    told: Option<Status>,
}

impl Reporter {
    /// The status to send now, if it differs from the last one sent.
    pub fn report(&mut self, status: Status) -> Option<Status> {
        (self.told != Some(status)).then(|| {
            self.told = Some(status);
            status
        })
    }

    /// After a reconnect the server starts from online: tell it again.
    pub fn forget(&mut self) {
        self.told = None;
    }
}

/// "online", "away", or "last seen 5 min ago", for a member who is `here` (a socket open
/// to the room) or not, with the global `status` their inbox last relayed.
pub fn describe(here: bool, status: Status, last_seen: Option<Millis>, now: Millis) -> String {
    match (here, status) {
        (_, Status::Away) => "away".to_owned(),
        (true, _) | (_, Status::Online) => "online".to_owned(),
        (false, Status::Offline) => match last_seen {
            Some(at) => format!("last seen {}", ago(now.saturating_sub(at))),
            None => "offline".to_owned(),
        },
    }
}

fn ago(ms: u64) -> String {
    let minutes = ms / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min ago"),
        60..=1439 => format!("{} h ago", minutes / 60),
        _ => format!("{} d ago", minutes / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn away_follows_idleness_and_a_hidden_tab_unless_chosen() {
        assert_eq!(desired(None, false, 1_000, 60_000), Status::Online);
        assert_eq!(desired(None, true, 1_000, 60_000), Status::Away);
        assert_eq!(desired(None, false, 60_000, 60_000), Status::Away);
        assert_eq!(desired(Some(Status::Away), false, 0, 60_000), Status::Away);
    }

    #[test]
    fn a_status_is_reported_once_per_change() {
        let mut reporter = Reporter::default();
        assert_eq!(reporter.report(Status::Online), Some(Status::Online));
        assert_eq!(reporter.report(Status::Online), None);
        assert_eq!(reporter.report(Status::Away), Some(Status::Away));
        reporter.forget();
        assert_eq!(reporter.report(Status::Away), Some(Status::Away));
    }

    #[test]
    fn presence_reads_naturally() {
        assert_eq!(describe(true, Status::Away, None, 0), "away");
        assert_eq!(
            describe(false, Status::Away, None, 0),
            "away",
            "away elsewhere"
        );
        assert_eq!(describe(true, Status::Offline, None, 0), "online");
        assert_eq!(
            describe(false, Status::Online, None, 0),
            "online",
            "online elsewhere"
        );
        assert_eq!(
            describe(false, Status::Offline, Some(0), 5 * 60_000),
            "last seen 5 min ago"
        );
        assert_eq!(
            describe(false, Status::Offline, Some(0), 3 * 3_600_000),
            "last seen 3 h ago"
        );
        assert_eq!(describe(false, Status::Offline, None, 0), "offline");
    }
}
