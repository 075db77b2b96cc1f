//! How each durable event changes the room's state tables: the one fold over
//! [`RoomEvent`] that live steps and the migration of old rooms share.

use edgechat_protocol::{Message, Role, RoomEvent};

use super::{Sql, Store, StoreError, schema, to_json};

/// An invite carries no account name: a member's stays as it was.
const UPSERT_MEMBER: &str =
    "INSERT INTO members (user_id, username, handle, role) VALUES (?, ?, ?, ?)
     ON CONFLICT(user_id) DO UPDATE SET username = excluded.username, role = excluded.role,
         handle = CASE WHEN excluded.handle = '' THEN members.handle ELSE excluded.handle END";
const DELETE_MEMBER: &str = "DELETE FROM members WHERE user_id = ?";
/// Run before a member's row is inserted, and before it is deleted: the count
/// (`schema::MEMBER_COUNT`) moves only when the row comes or goes, so an event that
/// changes nothing (a rejoin, a second invite, a kick of someone already gone) leaves it.
const COUNT_ARRIVAL: &str = "UPDATE counters SET value = value + 1
     WHERE key = ? AND NOT EXISTS (SELECT 1 FROM members WHERE user_id = ?)";
const COUNT_DEPARTURE: &str = "UPDATE counters SET value = value - 1
     WHERE key = ? AND EXISTS (SELECT 1 FROM members WHERE user_id = ?)";
const SET_ROLE: &str = "UPDATE members SET role = ? WHERE user_id = ?";
/// Run before the member row goes: the ban keeps the name they had.
const BAN: &str = "INSERT OR IGNORE INTO banned (user_id, username)
     VALUES (?1, COALESCE((SELECT username FROM members WHERE user_id = ?1), ''))";
const UNBAN: &str = "DELETE FROM banned WHERE user_id = ?";
const MUTE: &str = "INSERT INTO muted (user_id, until) VALUES (?, ?)
     ON CONFLICT(user_id) DO UPDATE SET until = excluded.until";
const UNMUTE: &str = "DELETE FROM muted WHERE user_id = ?";
/// The message's row is also its ack key: a taken `(user_id, client_msg_id)` stores
/// nothing and returns no row, and that is a resend.
const INSERT_MESSAGE: &str =
    "INSERT INTO messages (seq, user_id, client_msg_id, deleted, body) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id, client_msg_id) DO NOTHING RETURNING seq";
const UPDATE_MESSAGE: &str = "UPDATE messages SET deleted = ?, body = ? WHERE seq = ?";
const MEMBERSHIP_CHANGED: &str = "INSERT INTO membership_unsynced (user_id, seq) VALUES (?, ?)
     ON CONFLICT(user_id) DO UPDATE SET seq = MAX(seq, excluded.seq)";
const ATTACH: &str = "UPDATE uploads SET attached = 1 WHERE file_id = ?";
const DETACH: &str = "UPDATE uploads SET attached = 0 WHERE file_id = ?";

/// Applies one durable event to the state tables. Events come from this room's own
/// handlers (or its own old log), so each is valid here; one that names something
/// missing changes nothing. (The head is the newest seq of the log and the messages: see
/// [`Store::head`].)
pub fn apply<S: Sql>(store: &Store<S>, event: &RoomEvent) -> Result<(), StoreError> {
    if let Some(user_id) = membership_of(event) {
        store.exec(MEMBERSHIP_CHANGED, &[user_id.into(), event.seq().into()])?;
    }
    match event {
        RoomEvent::UserJoined {
            user_id,
            username,
            handle,
            role,
            ..
        } => upsert_member(store, user_id, username, handle, *role),
        RoomEvent::UserInvited {
            user_id, username, ..
        } => upsert_member(store, user_id, username, "", Role::Member),
        RoomEvent::UserLeft { user_id, .. } | RoomEvent::UserKicked { user_id, .. } => {
            delete_member(store, user_id)
        }
        RoomEvent::UserBanned { user_id, .. } => {
            store.exec(BAN, &[user_id.into()])?;
            delete_member(store, user_id)
        }
        RoomEvent::UserUnbanned { user_id, .. } => store.exec(UNBAN, &[user_id.into()]),
        RoomEvent::UserMuted { user_id, until, .. } => {
            store.exec(MUTE, &[user_id.into(), (*until).into()])
        }
        RoomEvent::UserUnmuted { user_id, .. } => store.exec(UNMUTE, &[user_id.into()]),
        RoomEvent::RoleChanged { user_id, role, .. } => {
            store.exec(SET_ROLE, &[stored_role(*role).into(), user_id.into()])
        }
        RoomEvent::SlowModeChanged { seconds, .. } => {
            store.set_counter(schema::SLOW_MODE, u64::from(*seconds))
        }
        RoomEvent::RoomUpdated {
            name,
            topic,
            capacity,
            ..
        } => match store.info()? {
            Some(mut info) => {
                info.name = name.clone();
                info.topic = topic.clone();
                info.capacity = *capacity;
                store.save_info(&info)
            }
            None => Ok(()),
        },
        RoomEvent::NewMessage(message) => new_message(store, message).map(|_| ()),
        RoomEvent::MessageDeleted { message_id, .. } => {
            let Some(before) = store.stored_message(message_id)? else {
                return Ok(());
            };
            for attachment in &before.attachments {
                store.exec(DETACH, &[(&attachment.file_id).into()])?;
            }
            change_message(store, before, event)
        }
        RoomEvent::MessageEdited { message_id, .. }
        | RoomEvent::ReactionUpdated { message_id, .. }
        | RoomEvent::MessagePinned { message_id, .. }
        | RoomEvent::MessageUnpinned { message_id, .. }
        | RoomEvent::LinkPreview { message_id, .. } => match store.stored_message(message_id)? {
            Some(before) => change_message(store, before, event),
            None => Ok(()),
        },
    }
}

/// Stores a new message: its row, and its attachments marked attached. `false`, with
/// nothing stored, when its sender already sent a message with its `clientMsgId`.
pub(super) fn new_message<S: Sql>(store: &Store<S>, message: &Message) -> Result<bool, StoreError> {
    let inserted = store.sql.run(
        INSERT_MESSAGE,
        &[
            message.seq.into(),
            (&message.user_id).into(),
            (&message.client_msg_id).into(),
            message.deleted.into(),
            to_json(message)?.into(),
        ],
    )?;
    if inserted.is_empty() {
        return Ok(false);
    }
    for attachment in &message.attachments {
        store.exec(ATTACH, &[(&attachment.file_id).into()])?;
    }
    Ok(true)
}

/// The user whose membership, role, ban or mute `event` changes: D1 gets their row
/// ahead of the log (see [`Store::membership_unsynced`]).
pub(crate) fn membership_of(event: &RoomEvent) -> Option<&str> {
    match event {
        RoomEvent::UserJoined { user_id, .. }
        | RoomEvent::UserInvited { user_id, .. }
        | RoomEvent::UserLeft { user_id, .. }
        | RoomEvent::UserKicked { user_id, .. }
        | RoomEvent::UserBanned { user_id, .. }
        | RoomEvent::UserUnbanned { user_id, .. }
        | RoomEvent::UserMuted { user_id, .. }
        | RoomEvent::UserUnmuted { user_id, .. }
        | RoomEvent::RoleChanged { user_id, .. } => Some(user_id),
        RoomEvent::SlowModeChanged { .. }
        | RoomEvent::RoomUpdated { .. }
        | RoomEvent::NewMessage(_)
        | RoomEvent::MessageDeleted { .. }
        | RoomEvent::MessageEdited { .. }
        | RoomEvent::ReactionUpdated { .. }
        | RoomEvent::MessagePinned { .. }
        | RoomEvent::MessageUnpinned { .. }
        | RoomEvent::LinkPreview { .. } => None,
    }
}

fn upsert_member<S: Sql>(
    store: &Store<S>,
    user_id: &str,
    username: &str,
    handle: &str,
    role: Role,
) -> Result<(), StoreError> {
    store.exec(
        COUNT_ARRIVAL,
        &[schema::MEMBER_COUNT.into(), user_id.into()],
    )?;
    store.exec(
        UPSERT_MEMBER,
        &[
            user_id.into(),
            username.into(),
            handle.into(),
            stored_role(role).into(),
        ],
    )
}

fn delete_member<S: Sql>(store: &Store<S>, user_id: &str) -> Result<(), StoreError> {
    store.exec(
        COUNT_DEPARTURE,
        &[schema::MEMBER_COUNT.into(), user_id.into()],
    )?;
    store.exec(DELETE_MEMBER, &[user_id.into()])
}

/// A role as the members table keeps it: a JSON string (`"admin"`, quotes included), as
/// the first schema wrote it and as rooms read it back.
fn stored_role(role: Role) -> String {
    format!("\"{}\"", role.as_str())
}

/// Writes back a message as `event` leaves it (the change itself is
/// [`RoomEvent::apply_to`], shared with the client).
fn change_message<S: Sql>(
    store: &Store<S>,
    mut message: Message,
    event: &RoomEvent,
) -> Result<(), StoreError> {
    event.apply_to(&mut message);
    store.exec(
        UPDATE_MESSAGE,
        &[
            message.deleted.into(),
            to_json(&message)?.into(),
            message.seq.into(),
        ],
    )
}
