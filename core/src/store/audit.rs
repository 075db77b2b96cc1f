//! The room's audit log as the room keeps it (schema 18): each moderation or
//! administration act, appended in the same step as the act, so the two land together
//! or not at all. The write-behind copies the entries to D1 (`audit_log`), where admins
//! read them, and then deletes them here: the room holds only what D1 still lacks.

use edgechat_protocol::{Id, Millis};

use super::{Sql, Store, StoreError};

const ADD: &str = "INSERT INTO audit (at, actor, action, target, detail, request_id, conn, req_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const UNSYNCED: &str = "SELECT id, at, actor, action, target, detail, request_id, conn, req_id
     FROM audit ORDER BY id LIMIT ?";
const SYNCED: &str = "DELETE FROM audit WHERE id <= ?";
pub(super) const ANY_AUDIT: &str = "SELECT 1 FROM audit LIMIT 1";

/// One act, as the room records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRow {
    /// Its place in the room's record (given when it is stored).
    pub id: u64,
    pub at: Millis,
    /// Who acted.
    pub actor: Id,
    /// What they did: the event's `type` (`user-banned`, `role-changed`, …) or the act's
    /// name (`hook-created`, `export-started`, …).
    pub action: String,
    /// Whom or what it was done to: a user's id, a hook's, an export's; empty for the
    /// room itself.
    pub target: String,
    /// The act's particulars, a JSON object (the new role, the mute's end, …).
    pub detail: String,
    /// How it came: the HTTP request's id, or the socket's connection and the frame's
    /// `reqId`.
    pub request_id: String,
    pub conn: String,
    pub req_id: String,
}

impl<S: Sql> Store<S> {
    pub fn add_audit(&self, row: &AuditRow) -> Result<(), StoreError> {
        self.exec(
            ADD,
            &[
                row.at.into(),
                (&row.actor).into(),
                (&row.action).into(),
                (&row.target).into(),
                (&row.detail).into(),
                (&row.request_id).into(),
                (&row.conn).into(),
                (&row.req_id).into(),
            ],
        )
    }

    /// The oldest `limit` entries D1 does not have yet.
    pub fn audit_unsynced(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        self.sql
            .run(UNSYNCED, &[(limit as u64).into()])?
            .iter()
            .map(|row| {
                Ok(AuditRow {
                    id: row.uint(0)?,
                    at: row.uint(1)?,
                    actor: row.text(2)?.to_owned(),
                    action: row.text(3)?.to_owned(),
                    target: row.text(4)?.to_owned(),
                    detail: row.text(5)?.to_owned(),
                    request_id: row.text(6)?.to_owned(),
                    conn: row.text(7)?.to_owned(),
                    req_id: row.text(8)?.to_owned(),
                })
            })
            .collect()
    }

    /// D1 has the entries through `id`: the room forgets them.
    pub fn audit_synced(&self, id: u64) -> Result<(), StoreError> {
        self.exec(SYNCED, &[id.into()])
    }
}
