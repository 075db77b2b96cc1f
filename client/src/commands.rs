//! The composer's built-in commands: what `/shrug`, `/me`, `/topic`, `/invite @name`,
//! `/kick @name`, `/mute @name 10m`, `/slow N`, `/leave` and `/help` stand for, and what
//! the composer offers while a `/` is typed. Each stands for an action the room already
//! has, sent as that action's own request, so the room checks the same role and spends
//! the same budget; a name is resolved by the server, by account name. Any other `/name`
//! is the room's registered command (`run-command`). Plain Rust, tested natively.

use edgechat_protocol::Role;

/// A built-in command, read from what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Builtin {
    /// A message in italics: an action (`/me waves`).
    Me(String),
    /// A message with ¯\_(ツ)_/¯ after it.
    Shrug(String),
    Topic(String),
    Invite(String),
    Kick(String),
    /// Whom, and for how long (ms).
    Mute(String, u64),
    /// Seconds between one member's messages; 0 turns it off.
    Slow(u32),
    Leave,
    Help,
}

/// One command the composer offers: its name, what it takes, what it does, and the
/// least role that may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub command: String,
    pub usage: String,
    pub description: String,
}

/// The built-ins: name, usage, what it does, the least role.
const BUILTINS: &[(&str, &str, &str, Role)] = &[
    (
        "/me",
        "/me text",
        "Says it as an action, in italics",
        Role::Member,
    ),
    ("/shrug", "/shrug [text]", "Adds a shrug", Role::Member),
    (
        "/invite",
        "/invite @name",
        "Adds someone to this room",
        Role::Member,
    ),
    ("/leave", "/leave", "Leaves this room", Role::Member),
    ("/help", "/help", "Lists the commands here", Role::Member),
    (
        "/topic",
        "/topic text",
        "Sets the room's topic",
        Role::Moderator,
    ),
    (
        "/kick",
        "/kick @name",
        "Removes someone from this room",
        Role::Moderator,
    ),
    (
        "/mute",
        "/mute @name 10m",
        "Mutes someone: 30s, 10m, 2h, 1d",
        Role::Moderator,
    ),
    (
        "/slow",
        "/slow N",
        "One message every N seconds each; 0 turns it off",
        Role::Admin,
    ),
];

/// The longest mute a command sets: a week.
const MAX_MUTE_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// What `text` asks for: `None` when it is no built-in (a message, or the room's own
/// command), else the built-in or why it cannot be read.
pub fn builtin(text: &str) -> Option<Result<Builtin, String>> {
    let (name, rest) = edgechat_protocol::text::command(text)?;
    let needs = |what: &str| Err(format!("{name} needs {what}: {}", usage(name)));
    Some(match name {
        "/me" if rest.is_empty() => needs("some text"),
        "/me" => Ok(Builtin::Me(rest.to_owned())),
        "/shrug" => Ok(Builtin::Shrug(rest.to_owned())),
        "/topic" => Ok(Builtin::Topic(rest.to_owned())),
        "/invite" => one_name(rest).map_or_else(|| needs("a name"), |n| Ok(Builtin::Invite(n))),
        "/kick" => one_name(rest).map_or_else(|| needs("a name"), |n| Ok(Builtin::Kick(n))),
        "/mute" => {
            let mut words = rest.split_whitespace();
            let (who, how_long) = (words.next().and_then(one_name), words.next());
            match (who, how_long.map(duration_ms)) {
                (Some(who), Some(Some(ms))) if words.next().is_none() => Ok(Builtin::Mute(who, ms)),
                (Some(who), None) => Ok(Builtin::Mute(who, 10 * 60 * 1000)),
                _ => needs("a name and how long"),
            }
        }
        "/slow" => match rest.parse::<u32>() {
            Ok(seconds) if seconds <= 3600 => Ok(Builtin::Slow(seconds)),
            _ => needs("a number of seconds from 0 to 3600"),
        },
        "/leave" => Ok(Builtin::Leave),
        "/help" => Ok(Builtin::Help),
        _ => return None,
    })
}

fn usage(name: &str) -> &'static str {
    BUILTINS
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or("", |(_, usage, ..)| usage)
}

/// `@name` (or `name`) as an account name, when it is the only word.
fn one_name(rest: &str) -> Option<String> {
    let name = rest.trim().trim_start_matches('@');
    let valid = !name.is_empty()
        && !name.contains(char::is_whitespace)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    valid.then(|| name.to_ascii_lowercase())
}

/// `30s`, `10m`, `2h`, `1d` (or a bare number of minutes) in ms, up to a week.
pub fn duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => (&text[..at], &text[at..]),
        None => (text, "m"),
    };
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let unit_ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms).filter(|ms| *ms <= MAX_MUTE_MS)
}

/// The shrug, as code: the markdown has no escapes, and its `_(ツ)_` would read as italics.
const SHRUG: &str = "`¯\\_(ツ)_/¯`";

/// The text a message-like built-in sends.
pub fn message_text(builtin: &Builtin) -> Option<String> {
    match builtin {
        Builtin::Me(text) => Some(format!("_{text}_")),
        Builtin::Shrug(text) if text.is_empty() => Some(SHRUG.to_owned()),
        Builtin::Shrug(text) => Some(format!("{text} {SHRUG}")),
        _ => None,
    }
}

/// The commands the composer offers for the `/` it starts with: the built-ins `role`
/// may use, then the room's own (`registered`: name and description), whose name starts
/// with what was typed; at most `limit`. `None` once the command's name is done (a space
/// typed) or the draft is no command.
pub fn offered(
    draft: &str,
    role: Role,
    registered: &[(String, String)],
    limit: usize,
) -> Option<Vec<Offer>> {
    let typed = draft.strip_prefix('/')?;
    if typed.contains(char::is_whitespace) {
        return None;
    }
    let prefix = format!("/{}", typed.to_ascii_lowercase());
    let builtins = BUILTINS
        .iter()
        .filter(|(name, .., least)| name.starts_with(&prefix) && role >= *least)
        .map(|(name, usage, description, _)| Offer {
            command: (*name).to_owned(),
            usage: (*usage).to_owned(),
            description: (*description).to_owned(),
        });
    let own = registered
        .iter()
        .filter(|(name, _)| name.starts_with(&prefix) && !BUILTINS.iter().any(|b| b.0 == name))
        .map(|(name, description)| Offer {
            command: name.clone(),
            usage: format!("{name} [text]"),
            description: if description.is_empty() {
                "This room's command".to_owned()
            } else {
                description.clone()
            },
        });
    Some(builtins.chain(own).take(limit).collect())
}

/// What `/help` shows: every command `role` may use here, one a line.
pub fn help(role: Role, registered: &[(String, String)]) -> String {
    let lines: Vec<String> = offered("/", role, registered, usize::MAX)
        .unwrap_or_default()
        .into_iter()
        .map(|o| format!("- `{}`: {}", o.usage, o.description))
        .collect();
    format!("Commands here:\n{}", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_builtin_reads_what_it_takes() {
        assert_eq!(builtin("/me waves"), Some(Ok(Builtin::Me("waves".into()))));
        assert_eq!(builtin("/shrug"), Some(Ok(Builtin::Shrug(String::new()))));
        assert_eq!(
            builtin("/topic Release week"),
            Some(Ok(Builtin::Topic("Release week".into())))
        );
        assert_eq!(
            builtin("/invite @Ana.Lima"),
            Some(Ok(Builtin::Invite("ana.lima".into())))
        );
        assert_eq!(builtin("/kick bob"), Some(Ok(Builtin::Kick("bob".into()))));
        assert_eq!(
            builtin("/mute @bob 2h"),
            Some(Ok(Builtin::Mute("bob".into(), 7_200_000)))
        );
        assert_eq!(
            builtin("/mute @bob"),
            Some(Ok(Builtin::Mute("bob".into(), 600_000)))
        );
        assert_eq!(builtin("/slow 30"), Some(Ok(Builtin::Slow(30))));
        assert_eq!(builtin("/leave"), Some(Ok(Builtin::Leave)));
        assert_eq!(builtin("/help"), Some(Ok(Builtin::Help)));
    }

    #[test]
    fn a_builtin_missing_what_it_needs_says_how_to_use_it() {
        assert_eq!(
            builtin("/kick"),
            Some(Err("/kick needs a name: /kick @name".into()))
        );
        assert!(builtin("/mute @bob forever").unwrap().is_err());
        assert!(builtin("/slow fast").unwrap().is_err());
        assert!(builtin("/me").unwrap().is_err());
    }

    #[test]
    fn other_commands_and_messages_are_no_builtin() {
        assert_eq!(builtin("/deploy prod"), None);
        assert_eq!(builtin("hello /me"), None);
        assert_eq!(builtin("/usr/bin is full"), None);
    }

    #[test]
    fn durations_read_in_their_unit_up_to_a_week() {
        assert_eq!(duration_ms("30s"), Some(30_000));
        assert_eq!(duration_ms("10m"), Some(600_000));
        assert_eq!(duration_ms("1d"), Some(86_400_000));
        assert_eq!(duration_ms("15"), Some(900_000));
        assert_eq!(duration_ms("8d"), None);
        assert_eq!(duration_ms("0m"), None);
        assert_eq!(duration_ms("5y"), None);
    }

    #[test]
    fn me_and_shrug_write_markdown_that_reads_right() {
        assert_eq!(
            message_text(&Builtin::Me("waves".into())).as_deref(),
            Some("_waves_")
        );
        assert_eq!(
            message_text(&Builtin::Shrug("ok".into())).as_deref(),
            Some("ok `¯\\_(ツ)_/¯`")
        );
    }

    #[test]
    fn the_composer_offers_what_the_role_may_use_and_the_rooms_own() {
        let registered = [("/deploy".to_owned(), "Deploys a build".to_owned())];
        let names = |offers: Vec<Offer>| offers.into_iter().map(|o| o.command).collect::<Vec<_>>();
        assert_eq!(
            names(offered("/d", Role::Member, &registered, 6).unwrap()),
            ["/deploy"]
        );
        let member = names(offered("/", Role::Member, &registered, 20).unwrap());
        assert!(member.contains(&"/shrug".to_owned()) && !member.contains(&"/kick".to_owned()));
        let admin = names(offered("/", Role::Admin, &registered, 20).unwrap());
        assert!(admin.contains(&"/kick".to_owned()) && admin.contains(&"/slow".to_owned()));
        assert_eq!(offered("/deploy prod", Role::Member, &registered, 6), None);
        assert_eq!(offered("hi", Role::Member, &registered, 6), None);
        assert!(help(Role::Member, &registered).contains("`/deploy [text]`: Deploys a build"));
    }
}
