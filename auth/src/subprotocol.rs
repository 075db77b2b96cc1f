//! The WebSocket subprotocol offer. Browsers cannot set headers on a WebSocket, so they
//! offer `Sec-WebSocket-Protocol: edgechat.v2, edgechat.v1, bearer.<jwt>`; the server answers with one
//! `edgechat.vN` only, never echoing the token. The version is the wire protocol's
//! ([`edgechat_protocol::PROTOCOL_VERSION`]): a client offers every version it speaks,
//! the server picks the highest it speaks too, and sends a socket only the frame kinds
//! of that version (`ServerMsg::since_version`).

use edgechat_protocol::PROTOCOL_VERSION;

const PREFIX: &str = "edgechat.v";
const BEARER: &str = "bearer.";

/// What a `Sec-WebSocket-Protocol` header offered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// The highest `edgechat.vN` offered that this server speaks.
    pub version: Option<u32>,
    pub bearer: Option<String>,
}

impl Offer {
    /// The subprotocol to answer with.
    pub fn answer(&self) -> Option<String> {
        self.version.map(name)
    }
}

/// `edgechat.vN`.
pub fn name(version: u32) -> String {
    format!("{PREFIX}{version}")
}

pub fn parse(header: &str) -> Offer {
    let mut offer = Offer::default();
    for item in header.split(',').map(str::trim) {
        if let Some(version) = item
            .strip_prefix(PREFIX)
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|v| (1..=PROTOCOL_VERSION).contains(v))
        {
            offer.version = offer.version.max(Some(version));
        } else if let Some(token) = item.strip_prefix(BEARER) {
            offer.bearer = Some(token.to_owned());
        }
    }
    offer
}

/// Every version this build speaks, newest first: what a client offers, so that a server
/// older than it (a rollback) still finds one it speaks.
pub fn versions() -> impl Iterator<Item = String> {
    (1..=PROTOCOL_VERSION).rev().map(name)
}

/// The offer a client of this build makes for `token`.
pub fn offer(token: &str) -> String {
    let mut offer: Vec<String> = versions().collect();
    offer.push(format!("{BEARER}{token}"));
    offer.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_round_trips() {
        assert_eq!(
            parse(&offer("a.b.c")),
            Offer {
                version: Some(PROTOCOL_VERSION),
                bearer: Some("a.b.c".into())
            }
        );
    }

    #[test]
    fn the_highest_version_both_speak_is_picked() {
        let offer = parse("edgechat.v1, edgechat.v999, bearer.t");
        assert_eq!(offer.version, Some(1));
        assert_eq!(offer.answer().as_deref(), Some("edgechat.v1"));
        let both = parse("edgechat.v2, edgechat.v1, bearer.t");
        assert_eq!(both.answer().as_deref(), Some("edgechat.v2"));
        assert_eq!(parse("edgechat.v0, edgechat.vx").version, None);
    }

    #[test]
    fn a_client_offers_every_version_it_speaks_so_an_older_server_finds_one() {
        let offered = offer("t");
        for version in 1..=PROTOCOL_VERSION {
            assert!(offered.contains(&name(version)), "{offered}");
        }
        // A server of version 1 (a rollback) still answers this build's clients.
        assert!(offered.split(", ").any(|item| item == "edgechat.v1"));
    }

    #[test]
    fn other_protocols_are_ignored() {
        assert_eq!(parse("chat, superchat"), Offer::default());
    }
}
