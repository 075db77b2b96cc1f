//! Files in R2: room uploads (`POST /api/rooms/{id}/files`, `GET /api/files/{id}`) and
//! avatars (`PUT /api/me/avatar`, `GET /api/users/{id}/avatar`). What a file is and what
//! it may be called are `edgechat_core::files`; this module streams bytes and checks
//! who may see them.

mod avatar;
mod body;
mod download;
mod upload;

pub use avatar::{delete_avatar, get_avatar, put_avatar};
pub use download::download;
pub use upload::upload;

use edgechat_core::store::Store;
use wasm_bindgen::JsValue;
use worker::{Bucket, D1Database, Result};

use crate::room_object::ObjectSql;

/// Where a room file's bytes are. Only server-made ids reach a key.
fn file_key(file_id: &str) -> String {
    format!("files/{file_id}")
}

fn avatar_key(avatar_id: &str) -> String {
    format!("avatars/{avatar_id}")
}

/// Ids the server minted: a one-letter kind and 32 hex digits. Anything else is not a
/// file, and is answered 404 without a lookup.
fn is_file_id(id: &str, prefix: char) -> bool {
    id.len() == 33
        && id.starts_with(prefix)
        && id[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Deletes the bytes and D1 rows of the files a room doomed, forgetting each once both
/// are gone. Runs with the room's write-behind, so a failure is retried by its alarm.
pub async fn purge(store: &Store<ObjectSql>, db: &D1Database, bucket: &Bucket) -> Result<()> {
    let failed = |err: edgechat_core::store::StoreError| worker::Error::RustError(err.to_string());
    let doomed = store.doomed().map_err(failed)?;
    if doomed.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = doomed.iter().map(|id| file_key(id)).collect();
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
        store.buried(id).map_err(failed)?;
    }
    Ok(())
}
