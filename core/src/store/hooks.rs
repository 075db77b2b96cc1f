//! The room's incoming hooks: one row each, as many as the room allows (`MAX_HOOKS`),
//! the secret only as its SHA-256.

use edgechat_protocol::Millis;

use super::{Sql, Store, StoreError};

const ALL: &str = "SELECT hook_id, name, secret_hash, created_by, created_at FROM hooks
     ORDER BY created_at, hook_id LIMIT ?";
const ONE: &str =
    "SELECT hook_id, name, secret_hash, created_by, created_at FROM hooks WHERE hook_id = ?";
const COUNT: &str = "SELECT COUNT(*) FROM hooks";
const ADD: &str = "INSERT INTO hooks (hook_id, name, secret_hash, created_by, created_at)
     VALUES (?, ?, ?, ?, ?)";
const RENAME: &str = "UPDATE hooks SET name = ? WHERE hook_id = ?";
const NEW_SECRET: &str = "UPDATE hooks SET secret_hash = ? WHERE hook_id = ?";
const REMOVE: &str = "DELETE FROM hooks WHERE hook_id = ?";

/// One incoming hook, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub hook_id: String,
    pub name: String,
    /// The SHA-256 of its secret, in hex: the secret itself is shown once, never kept.
    pub secret_hash: String,
    pub created_by: String,
    pub created_at: Millis,
}

impl<S: Sql> Store<S> {
    /// The room's hooks, oldest first; at most `limit`.
    pub fn hooks(&self, limit: usize) -> Result<Vec<Hook>, StoreError> {
        self.sql
            .run(ALL, &[(limit as u64).into()])?
            .iter()
            .map(hook)
            .collect()
    }

    pub fn hook(&self, hook_id: &str) -> Result<Option<Hook>, StoreError> {
        self.one(ONE, &[hook_id.into()])?
            .as_ref()
            .map(hook)
            .transpose()
    }

    pub fn hook_count(&self) -> Result<u64, StoreError> {
        self.one(COUNT, &[])?.map_or(Ok(0), |row| row.uint(0))
    }

    pub fn add_hook(&self, hook: &Hook) -> Result<(), StoreError> {
        self.exec(
            ADD,
            &[
                hook.hook_id.as_str().into(),
                hook.name.as_str().into(),
                hook.secret_hash.as_str().into(),
                hook.created_by.as_str().into(),
                hook.created_at.into(),
            ],
        )
    }

    pub fn rename_hook(&self, hook_id: &str, name: &str) -> Result<(), StoreError> {
        self.exec(RENAME, &[name.into(), hook_id.into()])
    }

    pub fn set_hook_secret(&self, hook_id: &str, secret_hash: &str) -> Result<(), StoreError> {
        self.exec(NEW_SECRET, &[secret_hash.into(), hook_id.into()])
    }

    pub fn remove_hook(&self, hook_id: &str) -> Result<(), StoreError> {
        self.exec(REMOVE, &[hook_id.into()])
    }
}

fn hook(row: &super::Row) -> Result<Hook, StoreError> {
    Ok(Hook {
        hook_id: row.text(0)?.to_owned(),
        name: row.text(1)?.to_owned(),
        secret_hash: row.text(2)?.to_owned(),
        created_by: row.text(3)?.to_owned(),
        created_at: row.uint(4)?,
    })
}
