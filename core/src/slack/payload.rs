//! The body of a call to an incoming hook, as tools that post to Slack send it: JSON, or
//! a form whose `payload` field holds the JSON. What it says becomes one message's
//! markdown: the text, then each attachment (pretext, a linked title, text, fields;
//! the fallback only when it has nothing else), then the text of its blocks.

use serde_json::Value;

use super::markup::to_markdown;

/// What a hook's caller posts: the message's markdown, and how the bot shows itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub text: String,
    /// Slack's `username`: the label shown for this one message, beside the bot mark.
    pub username: Option<String>,
    /// Slack's `icon_emoji`, as its character when it is one edgechat knows.
    pub emoji: Option<String>,
}

/// Why a body posts nothing, as Slack answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// `400 invalid_payload`: not JSON, or not the JSON Slack takes.
    InvalidPayload,
    /// `400 no_text`: no text, no attachment and no block.
    NoText,
}

impl Unreadable {
    /// Slack's answer body for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unreadable::InvalidPayload => "invalid_payload",
            Unreadable::NoText => "no_text",
        }
    }
}

/// The most attachments and blocks read from one body, as Slack caps them.
pub const MAX_PARTS: usize = 100;

/// The post a body makes. `content_type` picks the form reading; any other body is
/// read as JSON, as Slack does with a `curl -d '{…}'` that declares none.
///
/// Read as a [`Value`] and taken apart by hand: derived decoders for Slack's nested
/// optional fields cost the Worker more than the rest of this module.
pub fn read(body: &[u8], content_type: Option<&str>) -> Result<Post, Unreadable> {
    let form = content_type.is_some_and(|t| {
        t.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    let json = match form {
        true => url::form_urlencoded::parse(body)
            .find(|(key, _)| key == "payload")
            .map(|(_, value)| value.into_owned()),
        false => None,
    };
    let payload: Value = match &json {
        Some(json) => serde_json::from_str(json),
        None => serde_json::from_slice(body),
    }
    .map_err(|_| Unreadable::InvalidPayload)?;
    post(&payload)
}

/// What a program answered a call the room made: its post, and whether it is for the
/// asker alone (a command's `"response_type": "ephemeral"`, Slack's default, or an answer
/// in plain text). `None` for an empty answer, or one with nothing to show.
pub fn answer(body: &[u8], content_type: Option<&str>) -> Result<Option<(Post, bool)>, Unreadable> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let json = content_type.is_some_and(|t| t.contains("json")) || text.starts_with('{');
    if !json {
        let post = Post {
            text: to_markdown(text),
            username: None,
            emoji: None,
        };
        return Ok(Some((post, true)));
    }
    let value: Value = serde_json::from_str(text).map_err(|_| Unreadable::InvalidPayload)?;
    let ephemeral = string(&value, "response_type")? != Some("in_channel");
    match post(&value) {
        Ok(post) => Ok(Some((post, ephemeral))),
        Err(Unreadable::NoText) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The post a JSON payload makes.
fn post(payload: &Value) -> Result<Post, Unreadable> {
    if !payload.is_object() {
        return Err(Unreadable::InvalidPayload);
    }
    let text = string(payload, "text")?.unwrap_or_default();
    let attachments = list(payload, "attachments")?;
    let blocks = list(payload, "blocks")?;
    if text.trim().is_empty() && attachments.is_empty() && blocks.is_empty() {
        return Err(Unreadable::NoText);
    }
    let mut parts = Vec::new();
    if !text.trim().is_empty() {
        parts.push(to_markdown(text));
    }
    for a in attachments.iter().take(MAX_PARTS) {
        parts.extend(attachment(a)?);
    }
    parts.extend(blocks.iter().take(MAX_PARTS).filter_map(block));
    Ok(Post {
        text: parts.join("\n"),
        username: string(payload, "username")?.map(str::to_owned),
        emoji: string(payload, "icon_emoji")?.and_then(emoji),
    })
}

/// The string field `key` of `object`: `None` when it is missing or null, an invalid
/// payload when it is anything but a string.
fn string<'v>(object: &'v Value, key: &str) -> Result<Option<&'v str>, Unreadable> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Unreadable::InvalidPayload),
    }
}

/// The array field `key` of `object`, empty when it is missing or null.
fn list<'v>(object: &'v Value, key: &str) -> Result<&'v [Value], Unreadable> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(Unreadable::InvalidPayload),
    }
}

/// The string field `key` of `object` when it has more than white space.
fn filled<'v>(object: &'v Value, key: &str) -> Result<Option<&'v str>, Unreadable> {
    string(object, key).map(|s| s.filter(|s| !s.trim().is_empty()))
}

/// An attachment as quoted lines, or `None` when it shows nothing.
fn attachment(a: &Value) -> Result<Option<String>, Unreadable> {
    if !a.is_object() {
        return Err(Unreadable::InvalidPayload);
    }
    let mut lines = Vec::new();
    match (
        filled(a, "title")?.map(str::trim),
        filled(a, "title_link")?.map(str::trim),
    ) {
        (Some(title), Some(link)) => {
            lines.push(format!("**{}**", to_markdown(&format!("<{link}|{title}>"))));
        }
        (Some(title), None) => lines.push(format!("**{}**", to_markdown(title))),
        _ => {}
    }
    if let Some(text) = filled(a, "text")? {
        lines.extend(to_markdown(text).lines().map(str::to_owned));
    }
    for f in list(a, "fields")?.iter().take(MAX_PARTS) {
        match (filled(f, "title")?, filled(f, "value")?) {
            (Some(title), Some(value)) => {
                lines.push(format!(
                    "**{}**: {}",
                    to_markdown(title),
                    to_markdown(value)
                ));
            }
            (Some(only), None) | (None, Some(only)) => lines.push(to_markdown(only)),
            (None, None) => {}
        }
    }
    if lines.is_empty()
        && let Some(fallback) = filled(a, "fallback")?
    {
        lines.push(to_markdown(fallback));
    }
    let mut out: Vec<String> = filled(a, "pretext")?.map(to_markdown).into_iter().collect();
    out.extend(lines.iter().map(|line| format!("> {line}")));
    Ok((!out.is_empty()).then(|| out.join("\n")))
}

/// A block's text: a section's text and fields, a header in bold, a context's
/// elements, a markdown block as it is. Other kinds (images, buttons) show nothing.
fn block(b: &Value) -> Option<String> {
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(to_markdown(s)),
            Value::Object(o) => {
                let t = o.get("text")?.as_str()?;
                Some(match o.get("type").and_then(Value::as_str) {
                    Some("plain_text") => t.to_owned(),
                    _ => to_markdown(t),
                })
            }
            _ => None,
        }
    };
    let kind = b.get("type").and_then(Value::as_str)?;
    let lines: Vec<String> = match kind {
        "section" => b
            .get("text")
            .and_then(text)
            .into_iter()
            .chain(
                b.get("fields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .take(MAX_PARTS)
                    .filter_map(text),
            )
            .collect(),
        "header" => b
            .get("text")
            .and_then(text)
            .map(|t| format!("**{t}**"))
            .into_iter()
            .collect(),
        "context" => {
            let parts: Vec<String> = b
                .get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .take(MAX_PARTS)
                .filter_map(text)
                .collect();
            (!parts.is_empty())
                .then(|| parts.join("  "))
                .into_iter()
                .collect()
        }
        "markdown" => b
            .get("text")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let lines: Vec<String> = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// `:rocket:` (or the emoji itself) as one emoji.
fn emoji(icon: &str) -> Option<String> {
    let icon = icon.trim();
    match icon.strip_prefix(':').and_then(|i| i.strip_suffix(':')) {
        Some(name) => super::emoji::named(name).map(str::to_owned),
        None => crate::emoji::is_single_emoji(icon).then(|| icon.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(body: &str) -> Result<Post, Unreadable> {
        read(body.as_bytes(), Some("application/json"))
    }

    #[test]
    fn a_json_body_posts_its_text_converted() {
        let post = json(r#"{"text":"*Deploy* of <https://x.example|v2> done","username":"ci","icon_emoji":":rocket:"}"#).unwrap();
        assert_eq!(post.text, "**Deploy** of [v2](https://x.example) done");
        assert_eq!(post.username.as_deref(), Some("ci"));
        assert_eq!(post.emoji.as_deref(), Some("🚀"));
    }

    #[test]
    fn a_form_body_carries_the_json_in_payload() {
        let body = "payload=%7B%22text%22%3A%22hello%20%26amp%3B%20bye%22%7D";
        let post = read(body.as_bytes(), Some("application/x-www-form-urlencoded")).unwrap();
        assert_eq!(post.text, "hello & bye");
    }

    #[test]
    fn a_body_with_no_declared_type_is_read_as_json() {
        assert_eq!(read(br#"{"text":"hi"}"#, None).unwrap().text, "hi");
    }

    #[test]
    fn no_text_only_when_nothing_at_all_is_given() {
        assert_eq!(json(r#"{"text":"  "}"#), Err(Unreadable::NoText));
        assert_eq!(json(r#"{}"#), Err(Unreadable::NoText));
        assert!(json(r#"{"attachments":[{"fallback":"f"}]}"#).is_ok());
        assert!(
            json(r#"{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"b"}}]}"#).is_ok()
        );
    }

    #[test]
    fn what_does_not_parse_is_an_invalid_payload() {
        assert_eq!(json("{not json"), Err(Unreadable::InvalidPayload));
        assert_eq!(json(r#"{"text": 5}"#), Err(Unreadable::InvalidPayload));
        assert_eq!(
            json(r#"{"attachments": "x"}"#),
            Err(Unreadable::InvalidPayload)
        );
        let form = read(
            b"payload=%7Bnope",
            Some("application/x-www-form-urlencoded"),
        );
        assert_eq!(form, Err(Unreadable::InvalidPayload));
    }

    #[test]
    fn an_attachment_reads_as_a_quote_with_its_title_linked_and_fields() {
        let post = json(
            r#"{"text":"Alert","attachments":[{"fallback":"unused","pretext":"From *prod*","title":"CPU high","title_link":"https://grafana.example/d/1","text":"at 95%","fields":[{"title":"Host","value":"db-1","short":true}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            post.text,
            "Alert\nFrom **prod**\n> **[CPU high](https://grafana.example/d/1)**\n> at 95%\n> **Host**: db-1"
        );
    }

    #[test]
    fn an_attachment_with_only_a_fallback_shows_it() {
        let post =
            json(r#"{"attachments":[{"fallback":"Build 12 passed","color":"good"}]}"#).unwrap();
        assert_eq!(post.text, "> Build 12 passed");
    }

    #[test]
    fn blocks_give_their_text() {
        let post = json(
            r#"{"blocks":[{"type":"header","text":{"type":"plain_text","text":"Release *1.2*"}},{"type":"section","text":{"type":"mrkdwn","text":"*Done*"},"fields":[{"type":"mrkdwn","text":"a"}]},{"type":"divider"},{"type":"context","elements":[{"type":"mrkdwn","text":"by ci"}]}]}"#,
        )
        .unwrap();
        assert_eq!(post.text, "**Release *1.2***\n**Done**\na\nby ci");
    }

    #[test]
    fn an_answer_is_for_the_asker_alone_unless_it_says_in_channel() {
        let (post, ephemeral) = answer(br#"{"text":"*ok*"}"#, Some("application/json"))
            .unwrap()
            .unwrap();
        assert_eq!((post.text.as_str(), ephemeral), ("**ok**", true));
        let (_, ephemeral) = answer(br#"{"response_type":"in_channel","text":"x"}"#, None)
            .unwrap()
            .unwrap();
        assert!(!ephemeral);
        let (post, ephemeral) = answer(b"deploying...", Some("text/plain"))
            .unwrap()
            .unwrap();
        assert_eq!((post.text.as_str(), ephemeral), ("deploying...", true));
        assert_eq!(answer(b"  ", None), Ok(None));
        assert_eq!(answer(b"{}", None), Ok(None));
        assert_eq!(answer(b"{nope", None), Err(Unreadable::InvalidPayload));
    }

    #[test]
    fn an_icon_is_a_known_shortcode_or_one_emoji() {
        assert_eq!(emoji(":ghost:").as_deref(), Some("👻"));
        assert_eq!(emoji("🦀").as_deref(), Some("🦀"));
        assert_eq!(emoji(":made_up:"), None);
        assert_eq!(emoji("<img>"), None);
    }
}
