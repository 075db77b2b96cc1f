//! The WebSocket subprotocol offer. Browsers cannot set headers on a WebSocket, so they
//! offer `Sec-WebSocket-Protocol: edgechat.v1, bearer.<jwt>`; the server answers with
//! `edgechat.v1` only, never echoing the token.

pub const PROTOCOL: &str = "edgechat.v1";
const BEARER: &str = "bearer.";

/// What a `Sec-WebSocket-Protocol` header offered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    pub edgechat: bool,
    pub bearer: Option<String>,
}

pub fn parse(header: &str) -> Offer {
    let mut offer = Offer::default();
    for item in header.split(',').map(str::trim) {
        if item == PROTOCOL {
            offer.edgechat = true;
        } else if let Some(token) = item.strip_prefix(BEARER) {
            offer.bearer = Some(token.to_owned());
        }
    }
    offer
}

/// The offer a client makes for `token`.
pub fn offer(token: &str) -> String {
    format!("{PROTOCOL}, {BEARER}{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_round_trips() {
        assert_eq!(
            parse(&offer("a.b.c")),
            Offer {
                edgechat: true,
                bearer: Some("a.b.c".into())
            }
        );
    }

    #[test]
    fn other_protocols_are_ignored() {
        assert_eq!(parse("chat, superchat"), Offer::default());
    }
}
