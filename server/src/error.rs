//! The server's one error type, mapped once to an HTTP status and a stable [`ErrorCode`].
//! The internal cause goes to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A failure the client should see as-is.
    #[error("{code}: {message}")]
    Api { status: StatusCode, code: ErrorCode, message: String },
}

impl Error {
    pub fn api(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Api { status, code, message: message.into() }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Error::Api { status, code, message } => (status, ApiError::new(code, message)),
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiError::new(ErrorCode::Internal, "internal error; see the server log"),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}
