//! Sending one-time codes. Pluggable by configuration: the console sender logs the code (the
//! development default); the HTTP sender POSTs JSON to an SMS gateway.

use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};

pub enum CodeSender {
    /// Writes the code to the server log.
    Console,
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
    /// The HTTP sender when a gateway URL is configured, else the console.
    pub fn from_config(gateway_url: &str) -> Result<Self> {
        if gateway_url.is_empty() {
            return Ok(Self::Console);
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
            Self::Console => {
                tracing::info!(%phone, %code, %purpose, "one-time code (console sender; set sms_gateway_url to send SMS)");
                Ok(())
            }
            Self::Http { client, url } => {
                let message = GatewayMessage { to: phone, code, purpose, text };
                let response = client.post(url).json(&message).send().await;
                match response {
                    Ok(response) if response.status().is_success() => Ok(()),
                    Ok(response) => Err(gateway_failed(format!("the SMS gateway answered {}", response.status()))),
                    Err(err) => Err(gateway_failed(format!("the SMS gateway is unreachable: {err}"))),
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
