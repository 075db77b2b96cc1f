//! The D1 statements the write-behind runs, bound from what the core says to write
//! ([`ArchiveOp`]): every value a parameter, never spliced into the SQL.

use edgechat_core::archive::ArchiveOp;
use edgechat_protocol::{RoomInfo, Seq};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Result};

pub(super) fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

pub(super) fn int(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

pub(super) fn opt(n: Option<u64>) -> JsValue {
    n.map_or(JsValue::NULL, int)
}

fn kind(kind: edgechat_protocol::RoomKind) -> &'static str {
    match kind {
        edgechat_protocol::RoomKind::Public => "public",
        edgechat_protocol::RoomKind::Private => "private",
        edgechat_protocol::RoomKind::Direct => "direct",
        edgechat_protocol::RoomKind::Group => "group",
    }
}

pub(super) fn statement(
    db: &D1Database,
    sql: &str,
    values: &[JsValue],
) -> Result<D1PreparedStatement> {
    db.prepare(sql).bind(values)
}

pub(super) fn directory(db: &D1Database, room: &RoomInfo) -> Result<D1PreparedStatement> {
    statement(
        db,
        "INSERT INTO rooms (id, name, created_at, kind, capacity, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO NOTHING",
        &[
            text(&room.room_id),
            text(&room.name),
            int(room.created_at),
            text(kind(room.kind)),
            opt(room.capacity.map(u64::from)),
            text(&room.created_by),
        ],
    )
}

/// The statements for one operation of the event at `seq`. Membership writes land only
/// over a row an older event wrote (`room_members.seq`): the standing copied ahead of the
/// log ([`sync_membership`]) is newer than anything the log still carries for that user.
pub(super) fn statements(
    db: &D1Database,
    room_id: &str,
    op: &ArchiveOp,
    seq: Seq,
) -> Result<Vec<D1PreparedStatement>> {
    Ok(match op {
        ArchiveOp::Member { .. }
        | ArchiveOp::Role { .. }
        | ArchiveOp::NotMember { .. }
        | ArchiveOp::Banned { .. }
        | ArchiveOp::Muted { .. } => vec![membership(db, room_id, op, seq)?],
        // New messages go in bulk, see `new_messages`.
        ArchiveOp::Message(_) => Vec::new(),
        ArchiveOp::Edited { .. }
        | ArchiveOp::Deleted { .. }
        | ArchiveOp::Reaction { .. }
        | ArchiveOp::Pinned { .. } => message_change(db, room_id, op)?,
        ArchiveOp::Room {
            name,
            topic,
            capacity,
        } => vec![statement(
            db,
            "UPDATE rooms SET name = ?2, topic = ?3, capacity = ?4 WHERE id = ?1",
            &[
                text(room_id),
                text(name),
                text(topic),
                opt(capacity.map(u64::from)),
            ],
        )?],
    })
}

/// The statement of a membership operation at `seq`, landing only over an older one.
fn membership(
    db: &D1Database,
    room_id: &str,
    op: &ArchiveOp,
    seq: Seq,
) -> Result<D1PreparedStatement> {
    let room = text(room_id);
    match op {
        ArchiveOp::Member {
            user_id,
            username,
            role: r,
            at,
        } => statement(
            db,
            "INSERT INTO room_members (room_id, user_id, username, role, member, joined_at, seq) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
             ON CONFLICT(room_id, user_id) DO UPDATE SET username = excluded.username, role = excluded.role,
                 member = 1, joined_at = excluded.joined_at, seq = excluded.seq
             WHERE room_members.seq <= excluded.seq",
            &[room, text(user_id), text(username), text(r.as_str()), int(*at), int(seq)],
        ),
        ArchiveOp::Role { user_id, role: r } => statement(
            db,
            "UPDATE room_members SET role = ?3, seq = ?4 WHERE room_id = ?1 AND user_id = ?2 AND seq <= ?4",
            &[room, text(user_id), text(r.as_str()), int(seq)],
        ),
        ArchiveOp::NotMember { user_id } => statement(
            db,
            "UPDATE room_members SET member = 0, seq = ?3 WHERE room_id = ?1 AND user_id = ?2 AND seq <= ?3",
            &[room, text(user_id), int(seq)],
        ),
        ArchiveOp::Banned { user_id, banned } => statement(
            db,
            "INSERT INTO room_members (room_id, user_id, username, member, joined_at, banned, seq) VALUES (?1, ?2, '', 0, 0, ?3, ?4)
             ON CONFLICT(room_id, user_id) DO UPDATE SET banned = excluded.banned, seq = excluded.seq
             WHERE room_members.seq <= excluded.seq",
            &[room, text(user_id), int(u64::from(*banned)), int(seq)],
        ),
        ArchiveOp::Muted { user_id, until } => statement(
            db,
            "UPDATE room_members SET muted_until = ?3, seq = ?4 WHERE room_id = ?1 AND user_id = ?2 AND seq <= ?4",
            &[room, text(user_id), opt(*until), int(seq)],
        ),
        _ => Err(worker::Error::RustError("not a membership operation".into())),
    }
}

/// The statements of a change to a message already in D1.
fn message_change(
    db: &D1Database,
    room_id: &str,
    op: &ArchiveOp,
) -> Result<Vec<D1PreparedStatement>> {
    let room = text(room_id);
    Ok(match op {
        ArchiveOp::Edited { message_id, text: t, at } => {
            let mut out = vec![statement(
                db,
                "UPDATE messages SET text = ?2, edited = 1, updated_at = ?3 WHERE id = ?1",
                &[text(message_id), text(t), int(*at)],
            )?];
            out.extend(mentions(db, room_id, message_id, t)?);
            out
        }
        ArchiveOp::Deleted { message_id, at } => vec![
            statement(
                db,
                "UPDATE messages SET text = '', attachments = '[]', deleted = 1, updated_at = ?2 WHERE id = ?1",
                &[text(message_id), int(*at)],
            )?,
            statement(db, "DELETE FROM reactions WHERE message_id = ?1", &[text(message_id)])?,
            statement(db, "DELETE FROM pins WHERE message_id = ?1", &[text(message_id)])?,
            statement(db, "DELETE FROM mentions WHERE message_id = ?1", &[text(message_id)])?,
        ],
        ArchiveOp::Reaction {
            message_id,
            emoji,
            user_ids,
        } => vec![
            statement(
                db,
                "DELETE FROM reactions WHERE message_id = ?1 AND emoji = ?2",
                &[text(message_id), text(emoji)],
            )?,
            statement(
                db,
                "INSERT INTO reactions (message_id, emoji, user_id) SELECT ?1, ?2, value FROM json_each(?3)",
                &[
                    text(message_id),
                    text(emoji),
                    text(&serde_json::to_string(user_ids).unwrap_or_else(|_| "[]".into())),
                ],
            )?,
        ],
        ArchiveOp::Pinned {
            message_id,
            by,
            at,
            pinned: true,
        } => vec![statement(
            db,
            "INSERT INTO pins (message_id, room_id, pinned_by, pinned_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(message_id) DO UPDATE SET pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at",
            &[text(message_id), room, text(by), int(*at)],
        )?],
        ArchiveOp::Pinned { message_id, .. } => vec![statement(
            db,
            "DELETE FROM pins WHERE message_id = ?1",
            &[text(message_id)],
        )?],
        _ => Vec::new(),
    })
}

/// The mentions of `message_id`, replaced by those in `body`: members of the room whose
/// username it names.
fn mentions(
    db: &D1Database,
    room_id: &str,
    message_id: &str,
    body: &str,
) -> Result<Vec<D1PreparedStatement>> {
    let handles = edgechat_core::mentions::handles(body);
    let mut out = vec![statement(
        db,
        "DELETE FROM mentions WHERE message_id = ?1",
        &[text(message_id)],
    )?];
    if !handles.is_empty() {
        out.push(statement(
            db,
            "INSERT OR IGNORE INTO mentions (message_id, user_id)
             SELECT ?1, u.id FROM users u
             JOIN room_members m ON m.user_id = u.id AND m.room_id = ?2 AND m.member = 1
             WHERE u.username_key IN (SELECT value FROM json_each(?3))",
            &[
                text(message_id),
                text(room_id),
                text(&serde_json::to_string(&handles).unwrap_or_else(|_| "[]".into())),
            ],
        )?);
    }
    Ok(out)
}

/// Every new message of a batch in one insert, and their mentions in one more: the rows
/// travel as one bound JSON array.
/// What a new message's row adds to the bulk insert's JSON beyond its text: ids, names,
/// attachments and the keys, generously.
pub(super) const MESSAGE_ROW_BYTES: usize = 1_024;

pub(super) fn new_messages(
    db: &D1Database,
    room_id: &str,
    messages: &[edgechat_protocol::Message],
) -> Result<Vec<D1PreparedStatement>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<serde_json::Value> = messages
        .iter()
        .map(|m| {
            serde_json::json!({
                "id": m.message_id,
                "seq": m.seq,
                "userId": m.user_id,
                "username": m.username,
                "text": m.text,
                "attachments": serde_json::to_string(&m.attachments).unwrap_or_else(|_| "[]".into()),
                "replyTo": m.reply_to,
                "clientMsgId": m.client_msg_id,
                "at": m.timestamp,
                "bot": m.bot.is_some(),
                "handles": edgechat_core::mentions::handles(&m.text),
            })
        })
        .collect();
    let rows = text(&serde_json::Value::Array(rows).to_string());
    Ok(vec![
        statement(
            db,
            "INSERT INTO messages (id, room_id, seq, user_id, username, text, attachments, reply_to,
                 client_msg_id, created_at, updated_at, bot)
             SELECT json_extract(value, '$.id'), ?2, json_extract(value, '$.seq'),
                 json_extract(value, '$.userId'), json_extract(value, '$.username'),
                 json_extract(value, '$.text'), json_extract(value, '$.attachments'),
                 json_extract(value, '$.replyTo'), json_extract(value, '$.clientMsgId'),
                 json_extract(value, '$.at'), json_extract(value, '$.at'), json_extract(value, '$.bot')
             FROM json_each(?1) WHERE true
             ON CONFLICT(id) DO UPDATE SET text = excluded.text, attachments = excluded.attachments,
                 edited = 0, deleted = 0, updated_at = excluded.updated_at",
            &[rows.clone(), text(room_id)],
        )?,
        statement(
            db,
            "INSERT OR IGNORE INTO mentions (message_id, user_id)
             SELECT json_extract(j.value, '$.id'), u.id
             FROM json_each(?1) AS j, json_each(j.value, '$.handles') AS h
             JOIN users u ON u.username_key = h.value
             JOIN room_members m ON m.user_id = u.id AND m.room_id = ?2 AND m.member = 1",
            &[rows, text(room_id)],
        )?,
    ])
}
