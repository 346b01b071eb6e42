//! Sending one-time codes. Pluggable by configuration: the development default appends each
//! code to `one-time-codes.txt` in the data directory (never to the log, which may be shipped
//! elsewhere); the HTTP sender POSTs JSON to an SMS gateway.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};

pub enum CodeSender {
    /// Appends the code to this file (readable by its owner only).
    File(PathBuf),
    /// POSTs `{to, code, purpose, text}` to `url`.
    Http { client: reqwest::Client, url: String },
}

#[derive(Serialize)]
struct GatewayMessage<'a> {
    to: &'a str,
    code: &'a str,
    purpose: &'a str,
    text: String,
}

impl CodeSender {
    /// The name of the development sender's file in the data directory.
    pub const FILE_NAME: &str = "one-time-codes.txt";

    /// The HTTP sender when a gateway URL is configured, else the file in `data_dir`.
    pub fn from_config(gateway_url: &str, data_dir: &std::path::Path) -> Result<Self> {
        if gateway_url.is_empty() {
            return Ok(Self::File(data_dir.join(Self::FILE_NAME)));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Config(format!("SMS gateway client: {e}")))?;
        Ok(Self::Http { client, url: gateway_url.to_owned() })
    }

    pub async fn send(&self, phone: &str, code: &str, purpose: &str, ttl_minutes: i64) -> Result<()> {
        let text = format!("Your GK Chat code is {code}. It expires in {ttl_minutes} minutes. Never share it.");
        match self {
            Self::File(path) => {
                let line = format!("{} {phone} {purpose}: {text}\n", crate::now_ms());
                append_private(path, &line)
                    .await
                    .map_err(|err| gateway_failed(format!("writing {}: {err}", path.display())))?;
                tracing::info!(
                    file = %path.display(),
                    "a one-time code was written to the file (no SMS gateway; set sms_gateway_url to send SMS)"
                );
                Ok(())
            }
            Self::Http { client, url } => {
                let message = GatewayMessage { to: phone, code, purpose, text };
                let response = client.post(url).json(&message).send().await;
                match response {
                    Ok(response) if response.status().is_success() => Ok(()),
                    Ok(response) => Err(gateway_failed(format!("the SMS gateway answered {}", response.status()))),
                    // Without the URL: it may carry the gateway's key.
                    Err(err) => Err(gateway_failed(format!("the SMS gateway is unreachable: {}", err.without_url()))),
                }
            }
        }
    }
}

fn gateway_failed(cause: String) -> Error {
    tracing::error!(%cause, "sending a code failed");
    Error::api(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        gkchat_proto::ErrorCode::Unavailable,
        "the code could not be sent; try again later",
    )
}

/// Appends `line` to `path`, creating it readable and writable by its owner only.
async fn append_private(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await?;
    file.write_all(line.as_bytes()).await?;
    file.flush().await
}
