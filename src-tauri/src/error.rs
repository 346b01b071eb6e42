//! The error every command returns: a stable code from `gkchat-proto` plus words for people.

use gkchat_proto::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<gkchat_client::Error> for CommandError {
    fn from(error: gkchat_client::Error) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<std::io::Error> for CommandError {
    fn from(error: std::io::Error) -> Self {
        Self::new(ErrorCode::Internal, format!("cannot save settings: {error}"))
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
