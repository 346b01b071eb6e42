//! GK Chat headless client.
//!
//! Everything a user can do in the desktop app goes through this crate, so tests, load
//! generators and bots need no window. REST work goes through [`Client`]; live work through the
//! [`Connection`] it opens, which keeps one WebSocket up (reconnecting with backoff and jitter)
//! and reports its [`ConnectionState`] and [`Event`]s. Signing in keeps the refresh token in a
//! [`TokenStore`] and refreshes the access token silently.

mod auth;
mod backoff;
pub mod calls;
mod clock;
mod connection;
mod error;
pub mod media;
mod messenger;
mod quick;
mod rest;
mod store;

use std::sync::Arc;

pub use auth::{MemoryTokenStore, StoredSession, TokenStore};
pub use backoff::Backoff;
pub use calls::{CallNotice, CallPhase, CallView, Calls, synthetic_devices};
pub use clock::Clock;
pub use connection::{Connection, ConnectionState, Event, Events, ws_config};
pub use error::{Error, Result};
pub use messenger::{
    AUTO_DOWNLOAD_BYTES_DEFAULT, CACHE_BYTES_DEFAULT, Direction, MediaSource, Messenger, MessengerEvent, PreviewDraft,
    TransferUpdate,
};
pub use quick::{QuickChats, QuickEvent, QuickLink, QuickRoom, QuickSpeaker};
pub use rest::parse_server_url;
pub use store::{
    GalleryTab, LocalChat, LocalMessage, QueuedAction, Reminder, SearchHit, SendStatus, Store, Transfer, TransferState,
};
use tokio::sync::{Mutex, watch};
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

/// A client of one companion server. Cheap to clone; clones share the sign-in.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    store: Arc<dyn TokenStore>,
    /// The current sign-in; the lock also makes refreshes single-flight.
    tokens: Mutex<Option<auth::Tokens>>,
    /// The signed-in user's id, or `None`; changes when signing in or out (also remotely).
    account: watch::Sender<Option<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("server_url", &self.inner.config.server_url.as_str()).finish_non_exhaustive()
    }
}

impl Client {
    /// A client whose sign-in lasts as long as the process.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Self::with_token_store(config, Arc::new(MemoryTokenStore::default()))
    }

    /// A client that keeps its refresh token in `store` (see [`Client::resume`]).
    pub fn with_token_store(config: ClientConfig, store: Arc<dyn TokenStore>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(config.client_name.clone())
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let (account, _) = watch::channel(None);
        Ok(Self { inner: Arc::new(Inner { config, http, store, tokens: Mutex::new(None), account }) })
    }

    /// The HTTP connection pool every request goes through.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub fn server_url(&self) -> &Url {
        &self.inner.config.server_url
    }

    /// Follows who is signed in (`None` when nobody is), including remote sign-outs.
    pub fn watch_account(&self) -> watch::Receiver<Option<String>> {
        self.inner.account.subscribe()
    }

    /// Opens the live connection; it reconnects by itself until [`Connection::close`]. While
    /// signed in, each attempt authenticates with a fresh access token.
    pub fn connect(&self) -> Connection {
        Connection::open(self.clone())
    }
}
