//! Files in R2: room uploads (`POST /api/rooms/{id}/files`, `GET /api/files/{id}`) and
//! avatars (`PUT /api/me/avatar`, `GET /api/users/{id}/avatar`). What a file is and what
//! it may be called are `edgechat_core::files`; this module streams bytes and checks
//! who may see them.

mod avatar;
mod body;
mod download;
pub(crate) mod quota;
mod upload;

pub use avatar::{delete_avatar, get_avatar, put_avatar};
pub use body::{Incoming, declared_length};
pub use download::download;
pub use upload::upload;

/// Where a room file's bytes are. Only server-made ids reach a key.
pub(crate) fn file_key(file_id: &str) -> String {
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
