//! The write-behind to D1: the room's log, copied in batches, in seq order, idempotently.
//! The rules of what to write are `edgechat_core::archive`; this turns them into bound
//! statements and remembers how far D1 has got.

use edgechat_core::archive::{self, ArchiveOp};
use edgechat_core::store::Store;
use edgechat_protocol::{RoomEvent, RoomInfo, Seq};
use wasm_bindgen::JsValue;
use worker::{Bucket, D1Database, D1PreparedStatement, Result};

use super::{ObjectSql, stored};

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn int(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn opt(n: Option<u64>) -> JsValue {
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

fn statement(db: &D1Database, sql: &str, values: &[JsValue]) -> Result<D1PreparedStatement> {
    db.prepare(sql).bind(values)
}

fn directory(db: &D1Database, room: &RoomInfo) -> Result<D1PreparedStatement> {
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
fn statements(
    db: &D1Database,
    room_id: &str,
    op: &ArchiveOp,
    seq: Seq,
) -> Result<Vec<D1PreparedStatement>> {
    let room = text(room_id);
    Ok(match op {
        ArchiveOp::Member {
            user_id,
            username,
            role: r,
            at,
        } => vec![statement(
            db,
            "INSERT INTO room_members (room_id, user_id, username, role, member, joined_at, seq) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
             ON CONFLICT(room_id, user_id) DO UPDATE SET username = excluded.username, role = excluded.role,
                 member = 1, joined_at = excluded.joined_at, seq = excluded.seq
             WHERE room_members.seq <= excluded.seq",
            &[room, text(user_id), text(username), text(r.as_str()), int(*at), int(seq)],
        )?],
        ArchiveOp::Role { user_id, role: r } => vec![statement(
            db,
            "UPDATE room_members SET role = ?3, seq = ?4 WHERE room_id = ?1 AND user_id = ?2 AND seq <= ?4",
            &[room, text(user_id), text(r.as_str()), int(seq)],
        )?],
        ArchiveOp::NotMember { user_id } => vec![statement(
            db,
            "UPDATE room_members SET member = 0, seq = ?3 WHERE room_id = ?1 AND user_id = ?2 AND seq <= ?3",
            &[room, text(user_id), int(seq)],
        )?],
        ArchiveOp::Banned { user_id, banned } => vec![statement(
            db,
            "INSERT INTO room_members (room_id, user_id, username, member, joined_at, banned, seq) VALUES (?1, ?2, '', 0, 0, ?3, ?4)
             ON CONFLICT(room_id, user_id) DO UPDATE SET banned = excluded.banned, seq = excluded.seq
             WHERE room_members.seq <= excluded.seq",
            &[room, text(user_id), int(u64::from(*banned)), int(seq)],
        )?],
        ArchiveOp::Muted { user_id, until } => vec![statement(
            db,
            "UPDATE room_members SET muted_until = ?3, seq = ?4 WHERE room_id = ?1 AND user_id = ?2 AND seq <= ?4",
            &[room, text(user_id), opt(*until), int(seq)],
        )?],
        // New messages go in bulk, see `new_messages`.
        ArchiveOp::Message(_) => Vec::new(),
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
        ArchiveOp::Room {
            name,
            topic,
            capacity,
        } => vec![statement(
            db,
            "UPDATE rooms SET name = ?2, topic = ?3, capacity = ?4 WHERE id = ?1",
            &[room, text(name), text(topic), opt(capacity.map(u64::from))],
        )?],
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
const MESSAGE_ROW_BYTES: usize = 1_024;

fn new_messages(
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
                "handles": edgechat_core::mentions::handles(&m.text),
            })
        })
        .collect();
    let rows = text(&serde_json::Value::Array(rows).to_string());
    Ok(vec![
        statement(
            db,
            "INSERT INTO messages (id, room_id, seq, user_id, username, text, attachments, reply_to,
                 client_msg_id, created_at, updated_at)
             SELECT json_extract(value, '$.id'), ?2, json_extract(value, '$.seq'),
                 json_extract(value, '$.userId'), json_extract(value, '$.username'),
                 json_extract(value, '$.text'), json_extract(value, '$.attachments'),
                 json_extract(value, '$.replyTo'), json_extract(value, '$.clientMsgId'),
                 json_extract(value, '$.at'), json_extract(value, '$.at')
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

/// What a flush copied, for the notifications it causes.
#[derive(Default)]
pub struct Flushed {
    /// More events wait.
    pub more: bool,
    /// The batch covered the seqs `(after, through]`.
    pub after: Seq,
    pub through: Seq,
    /// The new messages in it.
    pub messages: Vec<edgechat_protocol::Message>,
    /// Users who became members by the room's creation or an invitation.
    pub welcomed: Vec<String>,
}

/// Copies up to `batch` events after the archived seq, and unsynced read marks, to D1 in
/// one transaction; on success records how far D1 has got.
pub async fn flush(
    store: &Store<ObjectSql>,
    db: &D1Database,
    room: &RoomInfo,
    batch: usize,
    batch_bytes: usize,
    fault: bool,
) -> Result<Flushed> {
    let after = store.archived().map_err(stored)?;
    let pending = store.pending(after, batch + 1).map_err(stored)?;
    let more = pending.len() > batch;
    let mut through = after;
    let mut statements_ = vec![directory(db, room)?];
    let mut report = Flushed {
        more,
        after,
        ..Flushed::default()
    };
    // Membership first (mentions resolve against it), then every new message of the batch
    // in one statement, then the rest in seq order (edits and deletes may touch the new
    // messages). Under load that is a handful of statements for a whole batch.
    let mut later: Vec<(ArchiveOp, Seq)> = Vec::new();
    // The new messages go to D1 as one JSON parameter, which D1 caps (2 MB): a batch of
    // long messages ends early, and the rest go in the next.
    let mut bytes = 0;
    for row in pending.iter().take(batch) {
        let event = &row.event;
        if let RoomEvent::NewMessage(m) = event {
            let size = m.text.len() + MESSAGE_ROW_BYTES;
            if !report.messages.is_empty() && bytes + size > batch_bytes {
                report.more = true;
                break;
            }
            bytes += size;
        }
        match event {
            RoomEvent::NewMessage(m) => report.messages.push(m.clone()),
            RoomEvent::UserInvited { user_id, .. } => report.welcomed.push(user_id.clone()),
            RoomEvent::UserJoined {
                user_id, seq: 1, ..
            } => report.welcomed.push(user_id.clone()),
            _ => {}
        }
        for op in archive::ops(event, row.at) {
            if op.is_write_through() {
                statements_.extend(statements(db, &room.room_id, &op, event.seq())?);
            } else {
                later.push((op, event.seq()));
            }
        }
        through = event.seq();
    }
    report.through = through;
    statements_.extend(new_messages(db, &room.room_id, &report.messages)?);
    for (op, seq) in &later {
        statements_.extend(statements(db, &room.room_id, op, *seq)?);
    }
    let marks = store.unsynced_read_marks().map_err(stored)?;
    for (user_id, seq) in &marks {
        statements_.push(statement(
            db,
            "UPDATE room_members SET last_read_seq = MAX(last_read_seq, ?3) WHERE room_id = ?1 AND user_id = ?2",
            &[text(&room.room_id), text(user_id), int(*seq)],
        )?);
    }
    if fault {
        return Err(worker::Error::RustError(
            "injected fault: the batch fails as if D1 refused it".into(),
        ));
    }
    let counted = statements_.len() as u64 + 1;
    statements_.push(statement(
        db,
        "INSERT INTO archive_stats (room_id, batches, statements, events) VALUES (?1, 1, ?2, ?3)
         ON CONFLICT(room_id) DO UPDATE SET batches = batches + 1,
             statements = statements + excluded.statements, events = events + excluded.events",
        &[text(&room.room_id), int(counted), int(through - after)],
    )?);
    db.batch(statements_).await?;
    store.set_archived(through).map_err(stored)?;
    store.read_marks_synced(&marks).map_err(stored)?;
    Ok(report)
}

/// Copies the standing of members whose membership, role, ban or mute changed, as it is
/// now, ahead of the log: a ban or kick reaches D1 (which authorizes reading history,
/// files and search over HTTP) in one round trip, however many messages wait and even
/// while their batches fail. Each row lands only over one an older change wrote.
/// Returns how many were copied.
pub async fn sync_membership(
    store: &Store<ObjectSql>,
    db: &D1Database,
    room: &RoomInfo,
    now: u64,
) -> Result<usize> {
    let owed = store.membership_unsynced(100).map_err(stored)?;
    if owed.is_empty() {
        return Ok(0);
    }
    let mut statements_ = vec![directory(db, room)?];
    for m in &owed {
        let (member, username, role) = match &m.member {
            Some((username, role)) => (1, username.as_str(), role.as_str()),
            None => (0, "", "member"),
        };
        statements_.push(statement(
            db,
            "INSERT INTO room_members (room_id, user_id, username, role, member, joined_at, banned, muted_until, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(room_id, user_id) DO UPDATE SET
                 username = CASE WHEN excluded.member = 1 THEN excluded.username ELSE room_members.username END,
                 role = excluded.role, member = excluded.member, banned = excluded.banned,
                 muted_until = excluded.muted_until, seq = excluded.seq,
                 joined_at = CASE WHEN room_members.member = 0 AND excluded.member = 1
                     THEN excluded.joined_at ELSE room_members.joined_at END
             WHERE room_members.seq <= excluded.seq",
            &[
                text(&room.room_id),
                text(&m.user_id),
                text(username),
                text(role),
                int(member),
                int(now),
                int(u64::from(m.banned)),
                opt(m.muted_until),
                int(m.seq),
            ],
        )?);
    }
    db.batch(statements_).await?;
    store.membership_synced(&owed).map_err(stored)?;
    Ok(owed.len())
}

/// Deletes the bytes and D1 rows of the files a room doomed, forgetting each once both
/// are gone. Runs with the room's write-behind, so a failure is retried by its alarm.
pub async fn purge(store: &Store<ObjectSql>, db: &D1Database, bucket: &Bucket) -> Result<()> {
    let doomed = store.doomed().map_err(stored)?;
    if doomed.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = doomed.iter().map(|id| crate::files::file_key(id)).collect();
    bucket.delete_multiple(keys).await?;
    let statements = doomed
        .iter()
        .map(|id| {
            db.prepare("DELETE FROM files WHERE id = ?")
                .bind(&[JsValue::from_str(id)])
        })
        .collect::<Result<Vec<_>>>()?;
    db.batch(statements).await?;
    for id in &doomed {
        store.buried(id).map_err(stored)?;
    }
    Ok(())
}
