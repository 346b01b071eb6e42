//! Access tokens are short-lived JWTs (HS256) naming the user and the device session; refresh
//! tokens are 256 random bits, shown to the client once and stored only as a SHA-256 hash.

use std::time::Duration;

use base64::Engine;
use gkchat_proto::ErrorCode;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// User id.
    pub sub: String,
    /// Device session id.
    pub sid: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    pub iat: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// A token for `user_id` on `session_id`, valid `ttl` from `now_ms`; returns it and its
    /// expiry in milliseconds.
    pub fn issue_access(&self, user_id: &str, session_id: &str, now_ms: i64, ttl: Duration) -> (String, i64) {
        let ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 1000);
        let claims = AccessClaims {
            sub: user_id.to_owned(),
            sid: session_id.to_owned(),
            iat: now_ms / 1000,
            exp: now_ms / 1000 + ttl_secs,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail");
        (token, claims.exp * 1000)
    }

    pub fn verify_access(&self, token: &str) -> Result<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(
            |err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    Error::unauthorized(ErrorCode::TokenExpired, "the access token has expired; refresh it")
                }
                _ => Error::unauthorized(ErrorCode::Unauthorized, "invalid access token"),
            },
        )
    }
}

/// A fresh refresh token: 32 random bytes, URL-safe base64.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a refresh token.
pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random secret for signing access tokens, created once per database.
pub fn new_signing_secret() -> String {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_token_round_trip_and_expiry() {
        let keys = TokenKeys::new(b"test secret");
        let now = 1_800_000_000_000;
        let (token, expires) = keys.issue_access("u1", "s1", now, Duration::from_secs(900));
        assert_eq!(expires, now + 900_000);
        // Verification uses the real clock: a token from 2027 is still valid today.
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));

        let (old, _) = keys.issue_access("u1", "s1", 1_000_000_000_000, Duration::from_secs(900));
        assert!(matches!(keys.verify_access(&old), Err(Error::Api { code: ErrorCode::TokenExpired, .. })));
        let other = TokenKeys::new(b"other secret");
        assert!(matches!(other.verify_access(&token), Err(Error::Api { code: ErrorCode::Unauthorized, .. })));
        assert!(matches!(keys.verify_access("garbage"), Err(Error::Api { code: ErrorCode::Unauthorized, .. })));
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_refresh_token(&a).len(), 64);
        assert_eq!(hash_refresh_token(&a), hash_refresh_token(&a));
    }
}
