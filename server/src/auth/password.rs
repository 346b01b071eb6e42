//! Passwords: argon2id hashes (the crate's defaults follow the OWASP recommendation), a
//! guessability check with zxcvbn, and verification that takes as long for unknown accounts.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{Invalid, check_password_length};

use crate::error::{Error, Result};

/// Refuses short, long, and easily guessed passwords (common passwords, names, the
/// username or email itself).
pub fn check_strength(password: &str, user_inputs: &[&str]) -> Result<(), Invalid> {
    check_password_length(password)?;
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 2 {
        let hint = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(": {w}")).unwrap_or_default();
        return Err(Invalid {
            code: ErrorCode::WeakPassword,
            message: format!("this password is too easy to guess{hint}"),
        });
    }
    Ok(())
}

/// Hashes on a blocking thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing task: {e}")))?
    .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// True when `password` matches `stored`. With no stored hash (unknown account) it still does
/// the work, so response times do not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let matches = PasswordHash::new(&stored)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
        matches && stored != dummy_hash()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(b"no such account", &salt).expect("argon2 hashes").to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_personal_passwords_are_refused() {
        for weak in ["password", "password1", "12345678", "qwertyuiop", "iloveyou"] {
            assert_eq!(check_strength(weak, &[]).unwrap_err().code, ErrorCode::WeakPassword, "{weak}");
        }
        assert!(check_strength("alicealice", &["alice", "alice@example.org"]).is_err());
        assert!(check_strength("short", &[]).is_err());
        assert!(check_strength("correct horse battery staple", &[]).is_ok());
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let stored = hash("correct horse battery staple".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple".into(), Some(stored.clone())).await);
        assert!(!verify("wrong".into(), Some(stored)).await);
        assert!(!verify("no such account".into(), None).await);
    }
}
