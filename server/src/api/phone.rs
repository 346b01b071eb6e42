//! Phone numbers: verify one for my account, and sign in with a one-time code sent to it.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{
    AuthTokens, Invalid, Me, PhoneCodeRequest, PhoneCodeSent, PhoneSignInRequest, VerifyPhoneRequest,
};

use super::ApiJson;
use super::auth::{check_device, start_session};
use crate::auth::AuthUser;
use crate::db::accounts;
use crate::db::otp::{self, Purpose};
use crate::error::{Error, Result};
use crate::{AppState, now_ms};

/// International numbers only (`+` and country code), valid for their country; E.164 out.
pub fn normalize_phone(text: &str) -> Result<String, Invalid> {
    let invalid = || Invalid {
        code: ErrorCode::InvalidPhone,
        message: format!("{:?} is not a phone number in international form, like +44 7911 123456", text.trim()),
    };
    let parsed = phonenumber::parse(None, text.trim()).map_err(|_| invalid())?;
    if !phonenumber::is_valid(&parsed) {
        return Err(invalid());
    }
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// Checks the per-IP and per-number limits on code requests and code checks.
async fn limit(state: &AppState, peer: SocketAddr, phone: &str) -> Result<()> {
    state.auth.limiter.check_ip(peer.ip()).await?;
    state.auth.limiter.check_account(&format!("phone:{phone}")).await
}

/// Issues a code for `phone` and sends it when the number belongs to `user_id`; with no account
/// the code is kept (for the cool-down) but goes nowhere.
async fn send_code(state: &AppState, purpose: Purpose, phone: &str, user_id: Option<&str>) -> Result<PhoneCodeSent> {
    let config = &state.config;
    let ttl_ms = i64::try_from(config.otp_ttl_secs).unwrap_or(300) * 1000;
    let cooldown_ms = i64::try_from(config.otp_resend_secs).unwrap_or(60) * 1000;
    let issued = otp::issue(&state.db, purpose, phone, user_id, now_ms(), ttl_ms, cooldown_ms).await?;
    match (purpose, user_id) {
        // Signing in: sent in the background, so neither the time the gateway takes nor its
        // failure tells that the number has an account.
        (Purpose::SignIn, Some(_)) => {
            let (sms, phone, code) = (state.sms.clone(), phone.to_owned(), issued.code.clone());
            tokio::spawn(async move {
                if let Err(err) = sms.send(&phone, &code, Purpose::SignIn.as_str(), ttl_ms / 60_000).await {
                    tracing::warn!(error = %err, "a sign-in code was not sent");
                }
            });
        }
        (Purpose::VerifyPhone, Some(_)) => {
            state.sms.send(phone, &issued.code, purpose.as_str(), ttl_ms / 60_000).await?;
        }
        (_, None) => {}
    }
    Ok(PhoneCodeSent { phone: phone.to_owned(), expires_at: issued.expires_at, resend_after: issued.resend_after })
}

pub async fn request_verification(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    auth: AuthUser,
    ApiJson(request): ApiJson<PhoneCodeRequest>,
) -> Result<(StatusCode, Json<PhoneCodeSent>)> {
    let phone = normalize_phone(&request.phone)?;
    limit(&state, peer, &phone).await?;
    if accounts::find_by_phone(&state.db, &phone).await?.is_some_and(|other| other.id != auth.user_id) {
        return Err(Invalid { code: ErrorCode::PhoneTaken, message: "another account uses this number".into() }.into());
    }
    let sent = send_code(&state, Purpose::VerifyPhone, &phone, Some(&auth.user_id)).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

pub async fn verify(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    auth: AuthUser,
    ApiJson(request): ApiJson<VerifyPhoneRequest>,
) -> Result<Json<Me>> {
    let phone = normalize_phone(&request.phone)?;
    limit(&state, peer, &phone).await?;
    let used = otp::redeem(&state.db, Purpose::VerifyPhone, &phone, &request.code, now_ms()).await?;
    if used.user_id.as_deref() != Some(auth.user_id.as_str()) {
        return Err(Invalid { code: ErrorCode::InvalidCode, message: "wrong code".into() }.into());
    }
    let user = accounts::get(&state.db, &auth.user_id).await?.ok_or_else(|| Error::not_found("no such account"))?;
    Ok(Json(accounts::to_me(&accounts::set_phone(&state.db, user, phone).await?)))
}

/// Answers alike whether or not the number has an account — the same body, and the same
/// cool-down on a second request (a code is kept for an unknown number too, tied to no
/// account, so it can never sign anyone in) — and sends the code only when one does.
pub async fn request_sign_in_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<PhoneCodeRequest>,
) -> Result<(StatusCode, Json<PhoneCodeSent>)> {
    let phone = normalize_phone(&request.phone)?;
    limit(&state, peer, &phone).await?;
    let user = accounts::find_by_phone(&state.db, &phone).await?.filter(|u| u.deleted_at.is_none());
    let sent = send_code(&state, Purpose::SignIn, &phone, user.as_ref().map(|u| u.id.as_str())).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

pub async fn sign_in_with_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<PhoneSignInRequest>,
) -> Result<Json<AuthTokens>> {
    let phone = normalize_phone(&request.phone)?;
    limit(&state, peer, &phone).await?;
    let device = check_device(request.device)?;
    let used = otp::redeem(&state.db, Purpose::SignIn, &phone, &request.code, now_ms()).await?;
    let user = match used.user_id {
        Some(id) => accounts::get(&state.db, &id).await?.filter(|u| u.phone.as_deref() == Some(phone.as_str())),
        None => None,
    };
    let user =
        user.ok_or_else(|| Error::from(Invalid { code: ErrorCode::InvalidCode, message: "wrong code".into() }))?;
    Ok(Json(start_session(&state, &user, &device).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_e164() {
        assert_eq!(normalize_phone("+44 7911 123456").unwrap(), "+447911123456");
        assert_eq!(normalize_phone(" +1 (650) 253-0000 ").unwrap(), "+16502530000");
        for bad in ["07911 123456", "+44 12", "not a number", "+999 123456789", ""] {
            assert_eq!(normalize_phone(bad).unwrap_err().code, ErrorCode::InvalidPhone, "{bad}");
        }
    }
}
