//! Configurable limits with documented defaults. The Worker reads them from vars
//! (`wrangler.toml`, `--var`), so tests can set them; docs/protocol.md lists them all.

use crate::rate::Rate;

/// The limits one room enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `MAX_FRAME_BYTES`: largest frame accepted, refused before parsing.
    pub max_frame_bytes: usize,
    /// `MAX_MESSAGE_CHARS`: longest message text, in characters after cleaning.
    pub max_message_chars: usize,
    /// `MAX_ATTACHMENTS`: most attachments on one message.
    pub max_attachments: usize,
    /// `MAX_REACTIONS`: most different emoji on one message.
    pub max_reactions: usize,
    /// `RATE_PER_WINDOW` messages per `RATE_WINDOW_MS` per user, sustained…
    pub rate_per_window: u32,
    pub rate_window_ms: u64,
    /// …with bursts of up to `RATE_BURST`.
    pub rate_burst: u32,
    /// `DUPLICATE_WINDOW_MS`: the same text from the same user within this is refused.
    pub duplicate_window_ms: u64,
    /// `TYPING_TTL_MS`: a typing indicator lasts this long unless refreshed.
    pub typing_ttl_ms: u64,
    /// `PRESENCE_GRACE_MS`: a user whose last device left stays shown for this long, so a
    /// reconnect does not flap.
    pub presence_grace_ms: u64,
    /// Presence changes this soon after the last presence frame wait for its end, and go
    /// together (`PRESENCE_COALESCE_MS`).
    pub presence_coalesce_ms: u64,
    /// `HISTORY_PAGE`: messages in `room-joined` and the default `load-history` page.
    pub history_page: usize,
    /// `MEMBER_PAGE`: members in `room-joined` (to sockets of version 3 on) and in each
    /// `member-page`; also how many read marks `room-joined` carries.
    pub member_page: usize,
    /// `MAX_REPLAY`: durable events kept for resuming with `since`; older asks `resync`.
    pub max_replay: usize,
    /// `MAX_SOCKETS_PER_USER`: one user's sockets to one room; a new one past this closes
    /// the oldest.
    pub max_sockets_per_user: usize,
    /// `MAX_INBOX_SOCKETS`: one user's inbox sockets (a tab or device each); a new one
    /// past this closes the oldest.
    pub max_inbox_sockets: usize,
    /// `UPLOAD_TTL_MS`: an upload no message attached is deleted after this long.
    pub upload_ttl_ms: u64,
    /// `UPLOAD_INTENT_TTL_MS`: bytes stored for an upload that was not registered within
    /// this long are deleted (whoever stored them crashed).
    pub upload_intent_ttl_ms: u64,
    /// `ACTION_RATE_PER_WINDOW` / `_WINDOW_MS` / `_BURST`: edits, deletes, reactions and
    /// pins, per user per room.
    pub action_rate: Rate,
    /// `MODERATION_RATE_…`: mutes, bans, kicks, roles, slow mode and invites, per user
    /// per room.
    pub moderation_rate: Rate,
    /// `MEMBERSHIP_RATE_…`: leaving a room, and so joining it again, per user per room.
    pub membership_rate: Rate,
    /// `READ_RATE_…`: what reads make the room send (a socket's first frames,
    /// `join-room`, `load-history`, `list-members`, `list-bans`, `list-pins`), in KiB of
    /// answer, per user per room.
    pub read_rate: Rate,
    /// `STATUS_RATE_…`: status changes, per user, counted by their inbox.
    pub status_rate: Rate,
    /// `PUSH_RATE_…`: pushes to one user's devices (mentions and direct messages while
    /// no socket of theirs is open), counted by their inbox; past it, pushes are dropped
    /// (the room list still counts what they missed).
    pub push_rate: Rate,
    /// `STATUS_RELAY_MS`: a user's rooms hear of their status at most once in this long;
    /// changes in between reach them together at its end.
    pub status_relay_ms: u64,
    /// `MAX_ROOM_MEMBERS`: the most members a room has, whatever its capacity.
    pub max_room_members: u64,
    /// `ADDED_TO_ROOMS_PER_HOUR`: how many rooms others may add one user to in an hour,
    /// counted (and stored) by that user's inbox.
    pub added_to_rooms_per_hour: u32,
    /// `MAX_HOOKS`: the incoming hooks one room may have.
    pub max_hooks: usize,
    /// `HOOK_RATE_…`: the messages one incoming hook posts, a budget of its own (a bot
    /// has no duplicate window: a CI posts the same text often).
    pub hook_rate: Rate,
    /// `EXPORT_CHUNK`: messages (or members; an account's rooms, messages or files) in one
    /// part of an export, one alarm's work.
    pub export_chunk: usize,
    /// `EXPORT_PART_BYTES`: a part takes no more messages once its files reach this.
    pub export_part_bytes: u64,
    /// `EXPORT_MAX_BYTES`: an archive that grows past this stops, failed.
    pub export_max_bytes: u64,
    /// `EXPORT_TTL_MS`: how long a finished archive is kept, then deleted.
    pub export_ttl_ms: u64,
    /// `EXPORT_PACE_MS`: the wait between one part and the next, so an export shares
    /// the room's one thread with its members.
    pub export_pace_ms: u64,
    /// `EXPORTS_PER_DAY`: exports one user may start in a day, of rooms and of their
    /// account in one count, at the door.
    pub exports_per_day: u32,
    /// `EXPORT_LINK_TTL_MS`: how long a download link works once it is handed out.
    pub export_link_ttl_ms: u64,
    /// `IMPORTS_PER_DAY`: imports one user may start in a day, counted at the door.
    pub imports_per_day: u32,
    /// `IMPORT_MAX_BYTES`: the largest archive an import takes.
    pub import_max_bytes: u64,
    /// `AUDIT_TTL_MS`: how long an audit entry is kept; older ones leave D1 a few at a
    /// time as new ones come.
    pub audit_ttl_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 64 * 1024,
            max_message_chars: 4_000,
            max_attachments: 10,
            max_reactions: 20,
            rate_per_window: 10,
            rate_window_ms: 10_000,
            rate_burst: 5,
            duplicate_window_ms: 30_000,
            typing_ttl_ms: 6_000,
            presence_grace_ms: 5_000,
            presence_coalesce_ms: 250,
            history_page: 50,
            member_page: 100,
            max_replay: 1_000,
            max_sockets_per_user: 5,
            max_inbox_sockets: 20,
            upload_ttl_ms: 24 * 60 * 60 * 1000,
            upload_intent_ttl_ms: 15 * 60 * 1000,
            action_rate: Rate {
                per_window: 30,
                window_ms: 10_000,
                burst: 20,
            },
            moderation_rate: Rate {
                per_window: 20,
                window_ms: 60_000,
                burst: 10,
            },
            membership_rate: Rate {
                per_window: 5,
                window_ms: 60_000,
                burst: 3,
            },
            read_rate: Rate {
                per_window: 1_024,
                window_ms: 10_000,
                burst: 2_048,
            },
            status_rate: Rate {
                per_window: 10,
                window_ms: 60_000,
                burst: 5,
            },
            push_rate: Rate {
                per_window: 20,
                window_ms: 60_000,
                burst: 10,
            },
            status_relay_ms: 10_000,
            max_room_members: 10_000,
            added_to_rooms_per_hour: 30,
            max_hooks: 10,
            hook_rate: Rate {
                per_window: 60,
                window_ms: 60_000,
                burst: 20,
            },
            export_chunk: 2_000,
            export_part_bytes: 16 * 1024 * 1024,
            export_max_bytes: 2 * 1024 * 1024 * 1024,
            export_ttl_ms: 7 * 24 * 60 * 60 * 1000,
            export_pace_ms: 200,
            exports_per_day: 3,
            export_link_ttl_ms: 60 * 60 * 1000,
            imports_per_day: 3,
            import_max_bytes: 100 * 1024 * 1024,
            audit_ttl_ms: 400 * 24 * 60 * 60 * 1000,
        }
    }
}

/// The largest page `load-history` returns, whatever it asks for.
pub const MAX_HISTORY_PAGE: usize = 100;

/// The most messages a room keeps pinned (as Discord does): `list-pins` sends them all.
pub const MAX_PINS: usize = 50;

/// The longest room name, and the longest topic, in characters.
pub const ROOM_NAME_MAX: usize = 64;
pub const TOPIC_MAX: usize = 250;

/// The largest `MEMBER_PAGE` may be set to; also the most members, and read marks, a
/// `room-joined` lists to a socket of version 1 or 2 (which predate paging).
pub const MAX_MEMBER_PAGE: usize = 500;

impl Limits {
    /// Reads each limit through `var`, keeping the default for any that is missing or not
    /// a positive whole number (a bad var must not take a room down).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let d = Self::default();
        let read = |name: &str, default: u64| {
            var(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        let size = |name: &str, default: usize| read(name, default as u64) as usize;
        let rate = |prefix: &str, default: Rate| Rate {
            per_window: read(
                &format!("{prefix}_RATE_PER_WINDOW"),
                u64::from(default.per_window),
            ) as u32,
            window_ms: read(&format!("{prefix}_RATE_WINDOW_MS"), default.window_ms),
            burst: read(&format!("{prefix}_RATE_BURST"), u64::from(default.burst)) as u32,
        };
        Self {
            max_frame_bytes: size("MAX_FRAME_BYTES", d.max_frame_bytes),
            max_message_chars: size("MAX_MESSAGE_CHARS", d.max_message_chars),
            max_attachments: size("MAX_ATTACHMENTS", d.max_attachments),
            max_reactions: size("MAX_REACTIONS", d.max_reactions),
            rate_per_window: read("RATE_PER_WINDOW", u64::from(d.rate_per_window)) as u32,
            rate_window_ms: read("RATE_WINDOW_MS", d.rate_window_ms),
            rate_burst: read("RATE_BURST", u64::from(d.rate_burst)) as u32,
            duplicate_window_ms: read("DUPLICATE_WINDOW_MS", d.duplicate_window_ms),
            typing_ttl_ms: read("TYPING_TTL_MS", d.typing_ttl_ms),
            presence_grace_ms: read("PRESENCE_GRACE_MS", d.presence_grace_ms),
            presence_coalesce_ms: read("PRESENCE_COALESCE_MS", d.presence_coalesce_ms),
            history_page: size("HISTORY_PAGE", d.history_page).min(MAX_HISTORY_PAGE),
            member_page: size("MEMBER_PAGE", d.member_page).clamp(1, MAX_MEMBER_PAGE),
            max_replay: size("MAX_REPLAY", d.max_replay),
            max_sockets_per_user: size("MAX_SOCKETS_PER_USER", d.max_sockets_per_user),
            max_inbox_sockets: size("MAX_INBOX_SOCKETS", d.max_inbox_sockets),
            upload_ttl_ms: read("UPLOAD_TTL_MS", d.upload_ttl_ms),
            upload_intent_ttl_ms: read("UPLOAD_INTENT_TTL_MS", d.upload_intent_ttl_ms),
            action_rate: rate("ACTION", d.action_rate),
            moderation_rate: rate("MODERATION", d.moderation_rate),
            membership_rate: rate("MEMBERSHIP", d.membership_rate),
            read_rate: rate("READ", d.read_rate),
            status_rate: rate("STATUS", d.status_rate),
            push_rate: rate("PUSH", d.push_rate),
            status_relay_ms: read("STATUS_RELAY_MS", d.status_relay_ms),
            max_room_members: read("MAX_ROOM_MEMBERS", d.max_room_members),
            added_to_rooms_per_hour: read(
                "ADDED_TO_ROOMS_PER_HOUR",
                u64::from(d.added_to_rooms_per_hour),
            ) as u32,
            max_hooks: size("MAX_HOOKS", d.max_hooks),
            hook_rate: rate("HOOK", d.hook_rate),
            export_chunk: size("EXPORT_CHUNK", d.export_chunk),
            export_part_bytes: read("EXPORT_PART_BYTES", d.export_part_bytes),
            export_max_bytes: read("EXPORT_MAX_BYTES", d.export_max_bytes),
            export_ttl_ms: read("EXPORT_TTL_MS", d.export_ttl_ms),
            export_pace_ms: read("EXPORT_PACE_MS", d.export_pace_ms),
            exports_per_day: read("EXPORTS_PER_DAY", u64::from(d.exports_per_day)) as u32,
            export_link_ttl_ms: read("EXPORT_LINK_TTL_MS", d.export_link_ttl_ms),
            imports_per_day: read("IMPORTS_PER_DAY", u64::from(d.imports_per_day)) as u32,
            import_max_bytes: read("IMPORT_MAX_BYTES", d.import_max_bytes),
            audit_ttl_ms: read("AUDIT_TTL_MS", d.audit_ttl_ms),
        }
    }

    /// Every var name, for documentation checks.
    pub const VARS: &'static [&'static str] = &[
        "MAX_FRAME_BYTES",
        "MAX_MESSAGE_CHARS",
        "MAX_ATTACHMENTS",
        "MAX_REACTIONS",
        "RATE_PER_WINDOW",
        "RATE_WINDOW_MS",
        "RATE_BURST",
        "DUPLICATE_WINDOW_MS",
        "TYPING_TTL_MS",
        "PRESENCE_GRACE_MS",
        "PRESENCE_COALESCE_MS",
        "HISTORY_PAGE",
        "MEMBER_PAGE",
        "MAX_REPLAY",
        "MAX_SOCKETS_PER_USER",
        "MAX_INBOX_SOCKETS",
        "UPLOAD_INTENT_TTL_MS",
        "ACTION_RATE_PER_WINDOW",
        "ACTION_RATE_WINDOW_MS",
        "ACTION_RATE_BURST",
        "MODERATION_RATE_PER_WINDOW",
        "MODERATION_RATE_WINDOW_MS",
        "MODERATION_RATE_BURST",
        "MEMBERSHIP_RATE_PER_WINDOW",
        "MEMBERSHIP_RATE_WINDOW_MS",
        "MEMBERSHIP_RATE_BURST",
        "READ_RATE_PER_WINDOW",
        "READ_RATE_WINDOW_MS",
        "READ_RATE_BURST",
        "STATUS_RATE_PER_WINDOW",
        "STATUS_RATE_WINDOW_MS",
        "STATUS_RATE_BURST",
        "PUSH_RATE_PER_WINDOW",
        "PUSH_RATE_WINDOW_MS",
        "PUSH_RATE_BURST",
        "STATUS_RELAY_MS",
        "MAX_ROOM_MEMBERS",
        "ADDED_TO_ROOMS_PER_HOUR",
        "MAX_HOOKS",
        "HOOK_RATE_PER_WINDOW",
        "HOOK_RATE_WINDOW_MS",
        "HOOK_RATE_BURST",
        "EXPORT_CHUNK",
        "EXPORT_PART_BYTES",
        "EXPORT_MAX_BYTES",
        "EXPORT_TTL_MS",
        "EXPORT_PACE_MS",
        "EXPORTS_PER_DAY",
        "EXPORT_LINK_TTL_MS",
        "IMPORTS_PER_DAY",
        "IMPORT_MAX_BYTES",
        "AUDIT_TTL_MS",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_vars_keep_the_defaults() {
        assert_eq!(Limits::from_vars(|_| None), Limits::default());
    }

    #[test]
    fn a_set_var_overrides_its_default() {
        let limits = Limits::from_vars(|name| (name == "MAX_MESSAGE_CHARS").then(|| "12".into()));
        assert_eq!(limits.max_message_chars, 12);
        assert_eq!(limits.max_frame_bytes, Limits::default().max_frame_bytes);
    }

    #[test]
    fn every_var_is_read() {
        for name in Limits::VARS {
            let limits = Limits::from_vars(|n| (n == *name).then(|| "7".into()));
            assert_ne!(limits, Limits::default(), "{name} is not read");
        }
    }

    #[test]
    fn a_malformed_or_zero_var_keeps_the_default() {
        for bad in ["", "abc", "0", "-5"] {
            let limits = Limits::from_vars(|_| Some(bad.into()));
            assert_eq!(limits, Limits::default(), "var value {bad:?}");
        }
    }
}
