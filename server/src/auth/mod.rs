//! Authentication: password hashing, access and refresh tokens, rate limits, and the
//! [`AuthUser`] extractor every signed-in route takes.

pub mod limiter;
pub mod password;
pub mod tokens;

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use gkchat_proto::ErrorCode;

use crate::AppState;
use crate::db::sessions;
use crate::error::{Error, Result};

/// Keys, lifetimes and limits, built once at start.
pub struct Auth {
    pub keys: tokens::TokenKeys,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub limiter: limiter::Limiter,
}

/// The signed-in user and device behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub user_id: String,
    pub session_id: String,
}

impl AppState {
    /// Checks an access token: signature, expiry, and that its device session is still live
    /// (so "sign out this device" takes effect at once, not when the token expires).
    pub async fn authenticate(&self, access_token: &str) -> Result<AuthUser> {
        let claims = self.auth.keys.verify_access(access_token)?;
        let live = sessions::find_live(&self.db, &claims.sid, crate::now_ms()).await?;
        match live {
            Some(session) if session.user_id == claims.sub => {
                Ok(AuthUser { user_id: claims.sub, session_id: claims.sid })
            }
            _ => Err(Error::unauthorized(ErrorCode::SessionRevoked, "this device was signed out; sign in again")),
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| Error::unauthorized(ErrorCode::Unauthorized, "sign in first"))?;
        state.authenticate(token.trim()).await
    }
}
