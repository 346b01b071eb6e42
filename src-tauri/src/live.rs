//! The live link to the companion server: one `gkchat-client` (with its keyring token store)
//! and its connection at a time, whose state is mirrored into watch channels the UI subscribes
//! to. Changing the server URL swaps both; subscribers keep their subscriptions.

use std::sync::Arc;

use gkchat_client::{Client, ClientConfig, Connection, ConnectionState, Event};
use gkchat_proto::account::Presence;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use url::Url;

use crate::keyring_store::KeyringTokenStore;

/// What the UI follows, whichever server is current.
#[derive(Clone)]
pub struct UiFeeds {
    pub connection: watch::Sender<ConnectionState>,
    /// The signed-in user's id, or `None`.
    pub account: watch::Sender<Option<String>>,
    /// Contacts' presence changes as they arrive.
    pub presence: broadcast::Sender<Presence>,
}

pub struct Live {
    pub client: Client,
    pub connection: Connection,
    mirrors: [JoinHandle<()>; 3],
}

impl Live {
    /// Connects to `url` and mirrors the connection state and the account into `feeds`.
    pub fn start(url: Url, feeds: &UiFeeds) -> gkchat_client::Result<Self> {
        let client_name = format!("gkchat-desktop/{}", env!("CARGO_PKG_VERSION"));
        let store = Arc::new(KeyringTokenStore::new(url.as_str()));
        let client = Client::with_token_store(ClientConfig::new(url, client_name), store)?;
        let connection = client.connect();
        let mirrors = [
            mirror(connection.watch_state(), feeds.connection.clone()),
            mirror(client.watch_account(), feeds.account.clone()),
            forward_presence(&connection, feeds.presence.clone()),
        ];
        Ok(Self { client, connection, mirrors })
    }

    /// Says goodbye to the server; the mirrors stop without publishing "stopped", so the UI
    /// goes straight to the next connection's state.
    pub async fn stop(self) {
        for mirror in &self.mirrors {
            mirror.abort();
        }
        self.connection.close().await;
    }
}

fn forward_presence(connection: &Connection, to: broadcast::Sender<Presence>) -> JoinHandle<()> {
    let mut events = connection.events();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if let Event::Presence(presence) = event {
                // No subscriber yet is fine: the contact list loads presence with the contacts.
                let _ = to.send(presence);
            }
        }
    })
}

fn mirror<T: Clone + Send + Sync + 'static>(mut from: watch::Receiver<T>, to: watch::Sender<T>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            to.send_replace(from.borrow_and_update().clone());
            if from.changed().await.is_err() {
                break;
            }
        }
    })
}
