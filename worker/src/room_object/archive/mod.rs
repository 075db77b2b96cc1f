//! What the write-behind (`write_behind.rs`) copies to D1: the room's log, a batch at a
//! time, in seq order, idempotently, and the standing of changed members ahead of it. The
//! rules of what to write are `edgechat_core::archive`; this turns them into bound
//! statements and remembers how far D1 has got.

use edgechat_core::archive::{self, ArchiveOp};
use edgechat_core::store::Store;
use edgechat_protocol::{RoomEvent, RoomInfo, Seq};
use wasm_bindgen::JsValue;
use worker::{Bucket, D1Database, Result};

use super::{ObjectSql, stored};

mod statements;

use statements::{
    MESSAGE_ROW_BYTES, directory, int, new_messages, opt, statement, statements, text,
};

/// What one batch copied, for the notifications it causes.
#[derive(Default)]
pub struct Copied {
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
pub async fn copy_batch(
    store: &Store<ObjectSql>,
    db: &D1Database,
    room: &RoomInfo,
    batch: usize,
    batch_bytes: usize,
    fault: bool,
) -> Result<Copied> {
    let after = store.archived().map_err(stored)?;
    let pending = store.pending(after, batch + 1).map_err(stored)?;
    let more = pending.len() > batch;
    let mut statements_ = vec![directory(db, room)?];
    let mut report = Copied {
        more,
        after,
        through: after,
        ..Copied::default()
    };
    let later = gather(
        db,
        room,
        &pending,
        (batch, batch_bytes),
        &mut report,
        &mut statements_,
    )?;
    let through = report.through;
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

/// Takes the batch's events from `pending` into `report` (up to `limits`: events, and
/// bytes of new message text): the write-through statements into `out` at once, and the
/// rest, to follow the batch's new messages, returned in seq order.
fn gather(
    db: &D1Database,
    room: &RoomInfo,
    pending: &[edgechat_core::store::Pending],
    (batch, batch_bytes): (usize, usize),
    report: &mut Copied,
    out: &mut Vec<worker::D1PreparedStatement>,
) -> Result<Vec<(ArchiveOp, Seq)>> {
    let statements_ = out;
    let mut through = report.after;
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
    Ok(later)
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

/// Copies the room's audit entries D1 lacks (a hundred at most), then forgets them here.
/// Each is named by the room and its number, so a copy retried after a failure is
/// stored once. Entries older than `forget_before` (`AUDIT_TTL_MS`) leave D1 with them,
/// twice as many as come at most.
pub async fn copy_audit(
    store: &Store<ObjectSql>,
    db: &D1Database,
    room: &RoomInfo,
    forget_before: u64,
) -> Result<()> {
    let owed = store.audit_unsynced(100).map_err(stored)?;
    let Some(last) = owed.last().map(|row| row.id) else {
        return Ok(());
    };
    let mut rows = owed
        .iter()
        .map(|row| {
            statement(
                db,
                "INSERT OR IGNORE INTO audit_log
                     (id, at, room_id, actor_id, action, target_id, detail, request_id, conn_id, req_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                &[
                    // Zero-padded, so ids of one room sort as their acts came.
                    text(&format!("{}/{:012}", room.room_id, row.id)),
                    int(row.at),
                    text(&room.room_id),
                    text(&row.actor),
                    text(&row.action),
                    text(&row.target),
                    text(&row.detail),
                    text(&row.request_id),
                    text(&row.conn),
                    text(&row.req_id),
                ],
            )
        })
        .collect::<Result<Vec<_>>>()?;
    // At least as many old entries go as new ones come.
    let sweep = (2 * owed.len()).max(50);
    rows.push(crate::audit::sweep(db, forget_before, sweep)?);
    db.batch(rows).await?;
    store.audit_synced(last).map_err(stored)
}
