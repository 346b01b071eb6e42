//! The live link to the companion server: one `gkchat-client` (with its keyring token store),
//! its connection, and — while someone is signed in — their messenger over a local store. The
//! connection state, the account, presence and messenger events are mirrored into feeds the UI
//! subscribes to. Changing the server URL swaps all of it; subscribers keep their subscriptions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gkchat_client::{
    Calls, Client, ClientConfig, Connection, ConnectionState, Event, Messenger, MessengerEvent, Store,
};
use gkchat_proto::account::{Me, Presence};
use tokio::sync::{Mutex, broadcast, watch};
use tokio::task::JoinHandle;
use url::Url;

use crate::keyring_store::KeyringTokenStore;

/// What every server's calls use: the devices from the settings, and the window's video frames.
pub struct CallMedia {
    pub settings: std::sync::Mutex<crate::calls::CallSettings>,
    pub video: Arc<crate::calls::VideoFrames>,
}

impl CallMedia {
    pub fn devices(&self) -> gkchat_client::calls::rtc::MediaDevices {
        self.settings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).devices()
    }
}

/// What the UI follows, whichever server is current.
#[derive(Clone)]
pub struct UiFeeds {
    pub connection: watch::Sender<ConnectionState>,
    /// The signed-in user's id, or `None`.
    pub account: watch::Sender<Option<String>>,
    /// Contacts' presence changes as they arrive.
    pub presence: broadcast::Sender<Presence>,
    /// Chats and messages changing.
    pub messages: broadcast::Sender<MessengerEvent>,
    /// The current call changing.
    pub calls: broadcast::Sender<gkchat_client::CallView>,
}

/// The signed-in account's messenger, when there is one.
pub type SharedMessenger = Arc<Mutex<Option<Arc<Messenger>>>>;

pub struct Live {
    pub client: Client,
    pub connection: Arc<Connection>,
    pub messenger: SharedMessenger,
    /// Told whenever `messenger` has been filled (a store opened for whoever signed in).
    pub messenger_ready: Arc<tokio::sync::Notify>,
    /// Calls over this connection.
    pub calls: Arc<Calls>,
    /// Where this server's per-account stores live.
    stores: PathBuf,
    tasks: [JoinHandle<()>; 5],
}

impl Live {
    /// Connects to `url`, keeps a messenger for whoever signs in (stores under `data_dir`), and
    /// mirrors everything into `feeds`.
    pub fn start(url: Url, feeds: &UiFeeds, data_dir: &Path, media: &CallMedia) -> gkchat_client::Result<Self> {
        let client_name = format!("gkchat-desktop/{}", env!("CARGO_PKG_VERSION"));
        let store = Arc::new(KeyringTokenStore::new(url.as_str()));
        let stores = data_dir.join("stores").join(server_dir_name(&url));
        let client = Client::with_token_store(ClientConfig::new(url, client_name), store)?;
        let connection = Arc::new(client.connect());
        let messenger: SharedMessenger = Arc::default();
        let messenger_ready = Arc::new(tokio::sync::Notify::new());
        let calls = Arc::new(Calls::start(connection.clone(), media.devices()));
        let (remote, local) = media.video.sinks();
        calls.set_default_video_sinks(Some(remote), Some(local));
        let tasks = [
            crate::calls::forward_calls(&calls, feeds.calls.clone()),
            mirror(connection.watch_state(), feeds.connection.clone()),
            mirror(client.watch_account(), feeds.account.clone()),
            forward_presence(&connection, feeds.presence.clone()),
            tokio::spawn(follow_account(
                client.clone(),
                connection.clone(),
                stores.clone(),
                messenger.clone(),
                messenger_ready.clone(),
                feeds.messages.clone(),
            )),
        ];
        Ok(Self { client, connection, messenger, messenger_ready, calls, stores, tasks })
    }

    /// The accounts kept for starts without the network, on this server.
    pub fn kept_accounts(&self) -> KeptAccounts {
        KeptAccounts { stores: self.stores.clone() }
    }

    /// The local store file of `user_id` on this server.
    pub fn store_path(&self, user_id: &str) -> PathBuf {
        store_file(&self.stores, user_id)
    }

    /// Says goodbye to the server; the mirrors stop without publishing "stopped", so the UI
    /// goes straight to the next connection's state.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        self.messenger.lock().await.take();
        let _ = self.calls.hang_up().await;
        self.connection.shut_down().await;
    }
}

/// My account as each user of this device last had it from one server, one JSON file per user
/// next to their local store, so the app can start signed in before (or without) the network.
#[derive(Clone)]
pub struct KeptAccounts {
    stores: PathBuf,
}

impl KeptAccounts {
    fn path(&self, user_id: &str) -> PathBuf {
        self.stores.join(format!("{user_id}.me.json"))
    }

    pub fn read(&self, user_id: &str) -> Option<Me> {
        let text = std::fs::read(self.path(user_id)).ok()?;
        serde_json::from_slice::<Me>(&text).ok().filter(|me| me.id == user_id)
    }

    /// Best effort: without the copy the app only waits for the server at the next start.
    pub fn keep(&self, me: &Me) {
        let path = self.path(&me.id);
        let written = std::fs::create_dir_all(&self.stores).and_then(|()| {
            let temp = path.with_extension("json.tmp");
            std::fs::write(&temp, serde_json::to_vec(me).unwrap_or_default())?;
            std::fs::rename(&temp, &path)
        });
        if let Err(err) = written {
            tracing::warn!(file = %path.display(), %err, "could not keep the account for offline starts");
        }
    }

    pub fn forget(&self, user_id: &str) {
        match std::fs::remove_file(self.path(user_id)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!(%err, "could not remove the kept account");
            }
            _ => {}
        }
    }
}

/// A directory name for one server's stores, e.g. `127.0.0.1_8787`.
fn server_dir_name(url: &Url) -> String {
    let text =
        format!("{}_{}{}", url.host_str().unwrap_or("server"), url.port_or_known_default().unwrap_or(0), url.path());
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect()
}

/// Starts a messenger (on `<stores>/<user id>.db`) whenever someone signs in, and ends it when
/// they sign out.
async fn follow_account(
    client: Client,
    connection: Arc<Connection>,
    stores: PathBuf,
    slot: SharedMessenger,
    ready: Arc<tokio::sync::Notify>,
    feed: broadcast::Sender<MessengerEvent>,
) {
    let mut account = client.watch_account();
    let mut forwarding: Option<JoinHandle<()>> = None;
    loop {
        let user = account.borrow_and_update().clone();
        if let Some(task) = forwarding.take() {
            task.abort();
        }
        slot.lock().await.take();
        if let Some(user_id) = user {
            match open_store(&stores, &user_id).await {
                Ok(store) => {
                    crate::startup::MARKS.mark("store_open");
                    let messenger = Arc::new(Messenger::start(client.clone(), connection.clone(), store));
                    forwarding = Some(forward_messages(messenger.subscribe(), feed.clone()));
                    *slot.lock().await = Some(messenger);
                    ready.notify_waiters();
                    let _ = feed.send(MessengerEvent::ChatsChanged);
                }
                Err(err) => tracing::error!(%err, "cannot open the local message store"),
            }
        }
        if account.changed().await.is_err() {
            break;
        }
    }
}

fn store_file(stores: &Path, user_id: &str) -> PathBuf {
    stores.join(format!("{user_id}.db"))
}

async fn open_store(stores: &Path, user_id: &str) -> gkchat_client::Result<Store> {
    std::fs::create_dir_all(stores).map_err(|e| gkchat_client::Error::Store(e.to_string()))?;
    Store::open(Some(&store_file(stores, user_id)), user_id).await
}

fn forward_messages(
    mut events: broadcast::Receiver<MessengerEvent>,
    to: broadcast::Sender<MessengerEvent>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    let _ = to.send(event);
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let _ = to.send(MessengerEvent::ChatsChanged);
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    })
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

#[cfg(test)]
mod tests {
    #[test]
    fn server_dir_names_are_plain() {
        let url = url::Url::parse("https://chat.example.org/gk/").unwrap();
        assert_eq!(super::server_dir_name(&url), "chat.example.org_443_gk_");
    }
}
