//! What the room sends a program it calls, as Slack sends it: the fields form-encoded in
//! order, the `token` field Slack's receivers compare, and the signature Slack's SDKs
//! verify (`X-Slack-Signature: v0=` the hex HMAC-SHA256, keyed by the signing secret, of
//! `v0:{timestamp}:{body}`, with `X-Slack-Request-Timestamp: {timestamp}` in seconds).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The fields as an `application/x-www-form-urlencoded` body.
pub fn form_body(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// `X-Slack-Signature` for `body` sent at `timestamp` (seconds).
pub fn signature(signing_secret: &str, timestamp: u64, body: &str) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(signing_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body.as_bytes());
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v0={digest}")
}

/// Slack's `timestamp` field of a message: seconds, a dot, microseconds.
pub fn message_timestamp(millis: u64) -> String {
    format!("{}.{:06}", millis / 1000, (millis % 1000) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Slack's "Verifying requests from Slack": its secret, timestamp and
    /// body give its signature.
    #[test]
    fn slacks_published_example_signs_the_same() {
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assert_eq!(
            signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }

    #[test]
    fn fields_are_form_encoded_in_order() {
        let fields = [
            ("text".to_owned(), "deploy a&b".to_owned()),
            ("command".to_owned(), "/go".to_owned()),
        ];
        assert_eq!(form_body(&fields), "text=deploy+a%26b&command=%2Fgo");
    }

    #[test]
    fn a_message_timestamp_has_microseconds() {
        assert_eq!(message_timestamp(1_355_517_523_005), "1355517523.005000");
    }
}
