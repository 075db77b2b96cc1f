//! edgechat's identity rules as plain Rust, tested natively: access tokens, password
//! records, refresh token digests, names, cookies and the WebSocket subprotocol. The
//! Worker supplies what only the runtime has (randomness, PBKDF2 through WebCrypto, the
//! clock) and does the I/O.

pub mod cookie;
pub mod names;
pub mod password;
pub mod refresh;
pub mod subprotocol;
pub mod token;

/// Whatever went wrong, as the caller should report it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's signature or algorithm is not ours")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is for another issuer or audience")]
    WrongAudience,
}
