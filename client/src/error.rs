//! The client's one error type. Every variant maps to a stable [`ErrorCode`] so the desktop
//! app can show the same code the server would.

use gkchat_proto::{ApiError, ErrorCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidUrl(String),
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    /// The server answered with an error body.
    #[error("{}: {}", .error.code, .error.message)]
    Api { status: u16, error: ApiError },
    /// The server said something this client does not understand.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// The live connection is not up (or went down before the answer came).
    #[error("not connected to the server")]
    Disconnected,
    #[error("internal client error: {0}")]
    Internal(String),
    /// The operation needs an account and none is signed in.
    #[error("not signed in")]
    SignedOut,
    /// The OS keyring (or another token store) failed.
    #[error("cannot use the keyring: {0}")]
    TokenStore(String),
    /// The local message store failed.
    #[error("local store: {0}")]
    Store(String),
    /// Bad input caught before it reached the server, with the code the server would give.
    #[error("{message}")]
    Invalid { code: ErrorCode, message: String },
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Store(err.to_string())
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidUrl(_) => ErrorCode::InvalidUrl,
            Error::Unreachable(_) | Error::Disconnected => ErrorCode::Unreachable,
            Error::Api { error, .. } => error.code,
            Error::Protocol(_) => ErrorCode::BadFrame,
            Error::Internal(_) | Error::TokenStore(_) | Error::Store(_) => ErrorCode::Internal,
            Error::Invalid { code, .. } => *code,
            Error::SignedOut => ErrorCode::Unauthorized,
        }
    }
}
