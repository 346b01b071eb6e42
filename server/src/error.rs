//! The server's one error type, mapped once to an HTTP status and a stable [`ErrorCode`].
//! The internal cause goes to the log, never to the client.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gkchat_proto::account::Invalid;
use gkchat_proto::{ApiError, ErrorCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("database pool: {0}")]
    Sqlx(#[from] sea_orm::sqlx::Error),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal: {0}")]
    Internal(String),
    /// Too many attempts; the client may retry after this many seconds.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A failure the client should see as-is.
    #[error("{code}: {message}")]
    Api { status: StatusCode, code: ErrorCode, message: String },
}

impl Error {
    pub fn api(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Api { status, code, message: message.into() }
    }

    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::api(StatusCode::UNAUTHORIZED, code, message)
    }

    /// A check's refusal (`gkchat_proto`'s `check` functions answer a code and words).
    pub fn bad_request((code, message): (ErrorCode, String)) -> Self {
        Self::api(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::api(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// Words for the client: the message of a client-facing error, nothing internal.
    pub fn public_message(&self) -> String {
        match self {
            Error::Api { message, .. } => message.clone(),
            Error::RateLimited { retry_after_secs } => format!("too many attempts; try again in {retry_after_secs} s"),
            _ => "internal error; see the server log".into(),
        }
    }

    /// The stable code this error shows a client.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Api { code, .. } => *code,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            _ => ErrorCode::Internal,
        }
    }
}

/// A value that broke a field rule is the client's mistake: 400 (409 when taken).
impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        let status = match invalid.code {
            ErrorCode::UsernameTaken | ErrorCode::EmailTaken | ErrorCode::PhoneTaken => StatusCode::CONFLICT,
            ErrorCode::InvalidCode | ErrorCode::CodeExpired | ErrorCode::TooManyAttempts => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::api(status, invalid.code, invalid.message)
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        Self::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, rejection.body_text())
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Self {
        Self::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, rejection.body_text())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Api { status, code, message } => {
                let mut response = (status, Json(ApiError::new(code, message))).into_response();
                response.extensions_mut().insert(code);
                response
            }
            Error::RateLimited { retry_after_secs } => {
                let body = ApiError::new(
                    ErrorCode::RateLimited,
                    format!("too many attempts; try again in {retry_after_secs} s"),
                );
                let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response.extensions_mut().insert(ErrorCode::RateLimited);
                response
            }
            other => {
                tracing::error!(error = %other, "request failed");
                let body = ApiError::new(ErrorCode::Internal, "internal error; see the server log");
                let mut response = (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
                response.extensions_mut().insert(ErrorCode::Internal);
                response
            }
        }
    }
}
