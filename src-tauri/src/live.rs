//! The live link to the companion server: one `gkchat-client` connection at a time, whose
//! state is mirrored into a watch channel the UI subscribes to. Changing the server URL
//! swaps the connection; subscribers keep their subscription.

use gkchat_client::{Client, ClientConfig, Connection, ConnectionState};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

pub struct Live {
    pub client: Client,
    pub connection: Connection,
    mirror: JoinHandle<()>,
}

impl Live {
    /// Connects to `url` and mirrors the connection's state into `ui_state`.
    pub fn start(url: Url, ui_state: watch::Sender<ConnectionState>) -> gkchat_client::Result<Self> {
        let client_name = format!("gkchat-desktop/{}", env!("CARGO_PKG_VERSION"));
        let client = Client::new(ClientConfig::new(url, client_name))?;
        let connection = client.connect();
        let mut state = connection.watch_state();
        let mirror = tokio::spawn(async move {
            loop {
                ui_state.send_replace(state.borrow_and_update().clone());
                if state.changed().await.is_err() {
                    break;
                }
            }
        });
        Ok(Self { client, connection, mirror })
    }

    /// Says goodbye to the server; the mirror stops without publishing "stopped", so the UI
    /// goes straight to the next connection's state.
    pub async fn stop(self) {
        self.mirror.abort();
        self.connection.close().await;
    }
}
