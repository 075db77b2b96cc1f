//! Access tokens: short-lived HS256 JWTs. Verification pins the algorithm, the issuer, the
//! audience and the expiry; nothing in the token's header can change how it is checked.

use chrono::{DateTime, Duration, Utc};
use jwt_compact::{
    AlgorithmExt, Claims, Header, TimeOptions, UntrustedToken,
    alg::{Hs256, Hs256Key},
};
use serde::{Deserialize, Serialize};

use crate::AuthError;

pub const ISSUER: &str = "edgechat";
pub const AUDIENCE: &str = "edgechat-api";

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: String,
    /// The display name when the token was issued.
    pub name: String,
    /// A global admin.
    #[serde(default)]
    pub adm: bool,
    pub iss: String,
    pub aud: String,
}

/// A verified token's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub user_id: String,
    pub name: String,
    pub admin: bool,
    /// Milliseconds since the epoch.
    pub expires_at: u64,
}

fn at(millis: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis as i64).unwrap_or_default()
}

fn options(now_ms: u64) -> TimeOptions<impl Fn() -> DateTime<Utc>> {
    // No leeway: issuer and verifier share a clock.
    TimeOptions::new(Duration::zero(), move || at(now_ms))
}

/// Signs a token for `user_id` valid for `ttl_ms` from `now_ms`.
pub fn issue(
    secret: &[u8],
    user_id: &str,
    name: &str,
    admin: bool,
    now_ms: u64,
    ttl_ms: u64,
) -> String {
    let claims = AccessClaims {
        sub: user_id.to_owned(),
        name: name.to_owned(),
        adm: admin,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    };
    issue_claims(secret, claims, now_ms, ttl_ms)
}

/// Signs exactly these claims (tools and tests use it to mint tokens for other audiences).
pub fn issue_claims(secret: &[u8], claims: AccessClaims, now_ms: u64, ttl_ms: u64) -> String {
    let claims = Claims::new(claims)
        .set_duration_and_issuance(&options(now_ms), Duration::milliseconds(ttl_ms as i64));
    let header = Header::empty().with_token_type("JWT");
    // Signing with HMAC cannot fail; serialising these claims cannot either.
    Hs256
        .token(&header, &claims, &Hs256Key::new(secret))
        .unwrap_or_default()
}

/// Checks a token's algorithm, signature, issuer, audience and expiry at `now_ms`.
pub fn verify(secret: &[u8], token: &str, now_ms: u64) -> Result<Verified, AuthError> {
    let untrusted = UntrustedToken::new(token).map_err(|_| AuthError::Malformed)?;
    if untrusted.algorithm() != "HS256" {
        return Err(AuthError::BadSignature);
    }
    let token = Hs256
        .validator::<AccessClaims>(&Hs256Key::new(secret))
        .validate(&untrusted)
        .map_err(|_| AuthError::BadSignature)?;
    let claims = token.claims();
    claims
        .validate_expiration(&options(now_ms))
        .map_err(|_| AuthError::Expired)?;
    let custom = &claims.custom;
    if custom.iss != ISSUER || custom.aud != AUDIENCE {
        return Err(AuthError::WrongAudience);
    }
    let expires_at = claims
        .expiration
        .map(|e| e.timestamp_millis().max(0) as u64)
        .ok_or(AuthError::Expired)?;
    Ok(Verified {
        user_id: custom.sub.clone(),
        name: custom.name.clone(),
        admin: custom.adm,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    const SECRET: &[u8] = b"a test secret that is long enough";
    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn a_token_verifies_with_its_claims() {
        let token = issue(SECRET, "u-1", "Ana", true, NOW, 60_000);
        let verified = verify(SECRET, &token, NOW + 1_000).unwrap();
        assert_eq!(verified.user_id, "u-1");
        assert_eq!(verified.name, "Ana");
        assert!(verified.admin);
        assert_eq!(verified.expires_at, NOW + 60_000);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let token = issue(SECRET, "u-1", "Ana", false, NOW, 60_000);
        assert_eq!(
            verify(SECRET, &token, NOW + 60_001),
            Err(AuthError::Expired)
        );
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let token = issue(b"someone else's key", "u-1", "Ana", false, NOW, 60_000);
        assert_eq!(verify(SECRET, &token, NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn alg_none_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"u-1","name":"Eve","adm":true,"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{}}}"#,
            NOW / 1000 + 600
        ));
        for token in [format!("{header}.{body}."), format!("{header}.{body}")] {
            assert!(verify(SECRET, &token, NOW).is_err(), "{token}");
        }
    }

    #[test]
    fn another_algorithm_is_refused_even_with_our_key() {
        use jwt_compact::alg::{Hs384, Hs384Key};
        let claims = Claims::new(AccessClaims {
            sub: "u-1".into(),
            name: "Ana".into(),
            adm: false,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        })
        .set_duration_and_issuance(&options(NOW), Duration::minutes(5));
        let token = Hs384
            .token(&Header::empty(), &claims, &Hs384Key::new(SECRET))
            .unwrap();
        assert_eq!(verify(SECRET, &token, NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let claims = Claims::new(AccessClaims {
            sub: "u-1".into(),
            name: "Ana".into(),
            adm: false,
            iss: ISSUER.into(),
            aud: "another-app".into(),
        })
        .set_duration_and_issuance(&options(NOW), Duration::minutes(5));
        let token = Hs256
            .token(&Header::empty(), &claims, &Hs256Key::new(SECRET))
            .unwrap();
        assert_eq!(verify(SECRET, &token, NOW), Err(AuthError::WrongAudience));
    }

    #[test]
    fn garbage_is_malformed() {
        for token in ["", "abc", "a.b.c", "...."] {
            assert!(verify(SECRET, token, NOW).is_err(), "{token}");
        }
    }
}
