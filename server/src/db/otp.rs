//! One-time codes: 6 digits, stored hashed, valid for a few minutes, used once, at most
//! [`MAX_ATTEMPTS`] wrong tries, and a cool-down before the next code for the same number.

use gkchat_proto::ErrorCode;
use gkchat_proto::account::Invalid;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use super::entity::otp_codes;
use crate::error::{Error, Result};

pub const MAX_ATTEMPTS: i32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyPhone,
    SignIn,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyPhone => "verify_phone",
            Self::SignIn => "sign_in",
        }
    }
}

/// A code just made; `code` is what the SMS carries.
#[derive(Debug)]
pub struct Issued {
    pub code: String,
    pub expires_at: i64,
    pub resend_after: i64,
}

fn hash(phone: &str, code: &str) -> String {
    Sha256::digest(format!("{phone}:{code}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Six random digits, uniformly (rejection sampling avoids modulo bias).
fn six_digits() -> String {
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        let n = u32::from_le_bytes(bytes);
        if n < u32::MAX - u32::MAX % 1_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

async fn newest_unused(db: &impl ConnectionTrait, purpose: Purpose, phone: &str) -> Result<Option<otp_codes::Model>> {
    Ok(otp_codes::Entity::find()
        .filter(otp_codes::Column::Phone.eq(phone))
        .filter(otp_codes::Column::Purpose.eq(purpose.as_str()))
        .filter(otp_codes::Column::UsedAt.is_null())
        .order_by_desc(otp_codes::Column::CreatedAt)
        .one(db)
        .await?)
}

/// Makes a new code for `phone`, retiring earlier unused ones. Within `cooldown_ms` of the
/// previous unused code it refuses with a rate limit.
pub async fn issue(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    phone: &str,
    user_id: Option<&str>,
    now_ms: i64,
    ttl_ms: i64,
    cooldown_ms: i64,
) -> Result<Issued> {
    if let Some(previous) = newest_unused(db, purpose, phone).await?
        && previous.created_at + cooldown_ms > now_ms
    {
        let wait_ms = previous.created_at + cooldown_ms - now_ms;
        return Err(Error::RateLimited { retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1) });
    }
    otp_codes::Entity::update_many()
        .col_expr(otp_codes::Column::UsedAt, Expr::value(now_ms))
        .filter(otp_codes::Column::Phone.eq(phone))
        .filter(otp_codes::Column::Purpose.eq(purpose.as_str()))
        .filter(otp_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let code = six_digits();
    let expires_at = now_ms + ttl_ms;
    otp_codes::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        purpose: Set(purpose.as_str().to_owned()),
        phone: Set(phone.to_owned()),
        user_id: Set(user_id.map(str::to_owned)),
        code_hash: Set(hash(phone, &code)),
        attempts: Set(0),
        created_at: Set(now_ms),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(Issued { code, expires_at, resend_after: now_ms + cooldown_ms })
}

/// Uses up the newest code for `phone` if `code` matches it; counts a wrong try otherwise.
pub async fn redeem(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    phone: &str,
    code: &str,
    now_ms: i64,
) -> Result<otp_codes::Model> {
    let invalid = |code: ErrorCode, message: &str| -> Error { Invalid { code, message: message.into() }.into() };
    let Some(current) = newest_unused(db, purpose, phone).await? else {
        return Err(invalid(ErrorCode::InvalidCode, "wrong or already used code"));
    };
    if current.expires_at <= now_ms {
        return Err(invalid(ErrorCode::CodeExpired, "this code has expired; ask for a new one"));
    }
    if current.attempts >= MAX_ATTEMPTS {
        return Err(invalid(ErrorCode::TooManyAttempts, "too many wrong codes; ask for a new one"));
    }
    if current.code_hash == hash(phone, code.trim()) {
        let mut row: otp_codes::ActiveModel = current.into();
        row.used_at = Set(Some(now_ms));
        return Ok(row.update(db).await?);
    }
    let attempts = current.attempts + 1;
    let mut row: otp_codes::ActiveModel = current.into();
    row.attempts = Set(attempts);
    row.update(db).await?;
    if attempts >= MAX_ATTEMPTS {
        Err(invalid(ErrorCode::TooManyAttempts, "too many wrong codes; ask for a new one"))
    } else {
        Err(invalid(ErrorCode::InvalidCode, "wrong code"))
    }
}

/// Deletes codes that expired before `cutoff_ms` (used or not): they only mattered for their
/// cool-down and tries, both long over.
pub async fn purge_expired(db: &impl ConnectionTrait, cutoff_ms: i64) -> Result<u64> {
    Ok(otp_codes::Entity::delete_many()
        .filter(otp_codes::Column::ExpiresAt.lt(cutoff_ms))
        .exec(db)
        .await?
        .rows_affected)
}

/// Removes every code sent for `user_id` or to `phone` (account deletion: the number goes).
pub async fn forget_user(db: &impl ConnectionTrait, user_id: &str, phone: Option<&str>) -> Result<()> {
    let mut named = otp_codes::Column::UserId.eq(user_id);
    if let Some(phone) = phone {
        named = named.or(otp_codes::Column::Phone.eq(phone));
    }
    otp_codes::Entity::delete_many().filter(named).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..100).map(|_| six_digits()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.chars().all(|d| d.is_ascii_digit())));
        assert!(codes.len() > 90);
    }
}
