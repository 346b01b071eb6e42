//! GK Chat headless client.
//!
//! Everything a user can do in the desktop app goes through this crate, so tests, load
//! generators and bots need no window. REST work goes through [`Client`]; live work through the
//! [`Connection`] it opens, which keeps one WebSocket up (reconnecting with backoff and jitter)
//! and reports its [`ConnectionState`] and [`Event`]s.

mod backoff;
mod connection;
mod error;
mod rest;

pub use backoff::Backoff;
pub use connection::{Connection, ConnectionState, Event, Events};
pub use error::{Error, Result};
pub use rest::parse_server_url;

use url::Url;

/// How to reach the server and how to behave.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The companion server's base URL, e.g. `http://127.0.0.1:8787`.
    pub server_url: Url,
    /// Names this client in the server's logs, e.g. `gkchat-desktop/0.1.0`.
    pub client_name: String,
    /// Delays between reconnect attempts.
    pub backoff: Backoff,
}

impl ClientConfig {
    pub fn new(server_url: Url, client_name: impl Into<String>) -> Self {
        Self { server_url, client_name: client_name.into(), backoff: Backoff::default() }
    }
}

/// A client of one companion server.
#[derive(Debug, Clone)]
pub struct Client {
    config: ClientConfig,
    http: reqwest::Client,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(config.client_name.clone())
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Self { config, http })
    }

    pub fn server_url(&self) -> &Url {
        &self.config.server_url
    }

    /// Opens the live connection; it reconnects by itself until [`Connection::close`].
    pub fn connect(&self) -> Connection {
        Connection::open(&self.config)
    }
}
