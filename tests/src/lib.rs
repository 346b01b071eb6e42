//! Helpers for GK Chat's end-to-end tests: a real companion server on an ephemeral port with
//! its own data directory, and clients pointed at it.
//!
//! The database is a SQLite file in the data directory, or, when `GKCHAT_TEST_POSTGRES` holds a
//! server URL (`postgres://postgres@127.0.0.1:5432`, as `./gk test` sets it), a PostgreSQL
//! database of its own per data directory: the same suite runs on both backends.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gkchat_client::{Backoff, Client, ClientConfig};
use gkchat_server::Config;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

pub mod browser;
pub mod chromium;
pub mod desktop;
pub mod fault;
pub mod firefox;
pub mod proxy;
pub mod redis_server;
pub mod s3_server;
pub mod server_process;
pub mod sms;
pub mod video;
pub mod webdriver;

pub use redis_server::{Redis, RedisCluster};
pub use s3_server::S3Server;
pub use server_process::ServerProcess;

/// A companion server running in this process on `127.0.0.1:<ephemeral>`.
pub struct TestServer {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Owns the data directory when the server made its own.
    _temp: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<gkchat_server::Result<()>>>,
    /// The server's clock for status posts: a test moves it on (no waiting a day).
    pub clock: gkchat_server::clock::Clock,
}

impl TestServer {
    /// A server with a fresh temporary data directory.
    pub async fn start() -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut server = Self::start_with(test_config(temp.path()), "127.0.0.1:0".parse().expect("addr")).await;
        server._temp = Some(temp);
        server
    }

    /// A server on `data_dir` (which the caller keeps), on an ephemeral port.
    pub async fn start_in(data_dir: &Path) -> Self {
        Self::start_with(test_config(data_dir), "127.0.0.1:0".parse().expect("addr")).await
    }

    /// A server with `config`, listening on `addr` (port 0 for any free one).
    pub async fn start_with(config: Config, addr: SocketAddr) -> Self {
        if config.database_url.starts_with("postgres") {
            ensure_postgres_database(&config.database_url, &config.data_dir).await;
        }
        let listener = TcpListener::bind(addr).await.expect("bind test server");
        let addr = listener.local_addr().expect("local addr");
        let data_dir = config.data_dir.clone();
        let clock = config.clock.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(gkchat_server::run(listener, config, async move {
            let _ = stopped.await;
        }));
        let server = Self { addr, data_dir, _temp: None, stop: Some(stop), task: Some(task), clock };
        server.wait_ready().await;
        server
    }

    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}", self.addr)).expect("server url")
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// A client of this server that retries quickly.
    pub fn client(&self) -> Client {
        client_for(self.url())
    }

    /// A new account `username`, signed in on a fresh client.
    pub async fn signed_up(&self, username: &str) -> (Client, gkchat_proto::account::Me) {
        let client = self.client();
        let me = client.sign_up(&sign_up_request(username)).await.expect("sign-up succeeds");
        (client, me)
    }

    /// A group `name` made by the first of `usernames` (each signed up here) with the others in
    /// it: the people in that order, and the group's chat id.
    pub async fn group_of(&self, name: &str, usernames: &[&str]) -> (Vec<(Client, gkchat_proto::account::Me)>, String) {
        let mut people = Vec::new();
        for username in usernames {
            people.push(self.signed_up(username).await);
        }
        let member_ids = people[1..].iter().map(|(_, me)| me.id.clone()).collect();
        let new = gkchat_proto::group::NewGroup { name: name.into(), description: String::new(), member_ids };
        let chat_id = people[0].0.create_group(&new).await.expect("the group is made").chat.id;
        (people, chat_id)
    }

    /// `count` accounts written straight into the server's database (no password to hash: they
    /// only ever connect with minted tokens), each with a live device session: their ids and
    /// access tokens (valid for an hour).
    pub async fn bulk_accounts(&self, prefix: &str, count: usize) -> Vec<(String, String)> {
        let db = sea_orm::Database::connect(test_config(&self.data_dir).database_url()).await.expect("database");
        let now_ms = gkchat_server::now_ms();
        let made = gkchat_server::db::accounts::insert_passwordless(&db, prefix, count, now_ms)
            .await
            .expect("insert accounts");
        db.close().await.expect("close");
        let exp = now_ms / 1000 + 3600;
        made.into_iter()
            .map(|(id, session)| {
                let token = mint_access_token(&id, &session, exp, TEST_JWT_SECRET);
                (id, token)
            })
            .collect()
    }

    /// Runs the server's media sweeper as of `now_ms` (a test picks the time: an hour on, and
    /// blobs nothing uses are past their grace period), with this server's own configuration.
    pub async fn sweep_media_at(&self, now_ms: i64) -> gkchat_server::media::Swept {
        let config = test_config(&self.data_dir);
        let db = sea_orm::Database::connect(config.database_url()).await.expect("database");
        let blobs = gkchat_server::blobs::Blobs::open(&config).expect("blob store");
        let swept = gkchat_server::media::sweep(&db, &blobs, &config, now_ms).await.expect("sweep");
        db.close().await.expect("close");
        swept
    }

    /// Runs the server's status sweeper as of its clock's time: how many expired posts went.
    pub async fn sweep_status(&self) -> usize {
        let config = test_config(&self.data_dir);
        let db = sea_orm::Database::connect(config.database_url()).await.expect("database");
        let swept = gkchat_server::status::sweep(&db, self.clock.now_ms()).await.expect("sweep");
        db.close().await.expect("close");
        swept
    }

    /// Whether the blob store holds a blob named `name` (a SHA-256).
    pub async fn has_blob(&self, name: &str) -> bool {
        let config = test_config(&self.data_dir);
        let blobs = gkchat_server::blobs::Blobs::open(&config).expect("blob store");
        blobs.exists(name).await.expect("blob store answers")
    }

    /// The sweeper as it will run once the grace period for unused blobs has passed.
    pub async fn sweep_media_after_grace(&self) -> gkchat_server::media::Swept {
        let grace_ms = test_config(&self.data_dir).blob_grace_secs as i64 * 1000;
        self.sweep_media_at(gkchat_server::now_ms() + grace_ms + 1000).await
    }

    /// Until the server answers `readyz` (a fresh PostgreSQL database runs every migration first,
    /// which takes seconds on a loaded machine); a server that exited instead fails at once.
    async fn wait_ready(&self) {
        let http = reqwest::Client::new();
        let url = format!("{}readyz", self.url());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while tokio::time::Instant::now() < deadline {
            if let Ok(response) = http.get(&url).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(
                !self.task.as_ref().is_some_and(JoinHandle::is_finished),
                "test server at {} exited while starting",
                self.addr
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("test server at {} never became ready", self.addr);
    }

    /// Shuts the server down gracefully and waits for it; the data directory stays.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // A graceful stop waits for every connection to end: one that never does is a bug
            // to see, not a test that hangs.
            tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .unwrap_or_else(|_| panic!("the server at {} did not stop within 30 s", self.addr))
                .expect("server task")
                .expect("server ran cleanly");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Names the PostgreSQL server the suite runs against instead of SQLite.
pub const POSTGRES_ENV: &str = "GKCHAT_TEST_POSTGRES";

/// Defaults for tests: data in `data_dir`; the database there, or on the PostgreSQL server
/// named by `GKCHAT_TEST_POSTGRES` in a database derived from `data_dir` (so a restart on
/// the same directory finds the same data).
pub fn test_config(data_dir: &Path) -> Config {
    let database_url = match std::env::var(POSTGRES_ENV) {
        Ok(base) if !base.is_empty() => {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            data_dir.hash(&mut hasher);
            format!("{}/gk_{:016x}", base.trim_end_matches('/'), hasher.finish())
        }
        _ => String::new(),
    };
    Config {
        data_dir: data_dir.to_path_buf(),
        database_url,
        jwt_secret: TEST_JWT_SECRET.into(),
        // Every test talks from 127.0.0.1; the rate-limit tests set their own limits.
        auth_attempts_per_ip_minute: 10_000,
        auth_attempts_per_account_minute: 10_000,
        uploads_per_account_minute: 10_000,
        quick_chats_per_ip_minute: 10_000,
        // Many test servers run at once: each TURN relay takes any free UDP port.
        turn_port: 0,
        ..Config::default()
    }
}

/// Test servers sign access tokens with this, so tests can mint expired or forged ones.
pub const TEST_JWT_SECRET: &str = "gkchat-tests-only-secret";

/// An HS256 access token for `user_id`'s device session `session_id`, expiring at `exp` (Unix
/// seconds), signed with `secret` — [`TEST_JWT_SECRET`] for one the test server accepts.
pub fn mint_access_token(user_id: &str, session_id: &str, exp: i64, secret: &str) -> String {
    #[derive(serde::Serialize)]
    struct Claims<'a> {
        sub: &'a str,
        sid: &'a str,
        exp: i64,
        iat: i64,
    }
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &Claims { sub: user_id, sid: session_id, exp, iat: exp - 900 },
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a token encodes")
}

/// A password every sign-up in the tests uses: long and not guessable.
pub const TEST_PASSWORD: &str = "violet harbour 47 lanterns";

pub fn test_device(name: &str) -> gkchat_proto::account::DeviceInfo {
    gkchat_proto::account::DeviceInfo { name: name.into(), platform: "test".into() }
}

/// A sign-up request for `username` with a matching email and [`TEST_PASSWORD`].
pub fn sign_up_request(username: &str) -> gkchat_proto::account::SignUpRequest {
    gkchat_proto::account::SignUpRequest {
        username: username.into(),
        email: format!("{username}@example.org"),
        password: TEST_PASSWORD.into(),
        display_name: None,
        device: test_device("first device"),
    }
}

/// The test databases this process made, with the data directory each belongs to.
static POSTGRES_DATABASES: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());

/// Creates the database named in `url` unless it exists, and first drops those this process
/// made for data directories that are gone (their tests are over): a PostgreSQL run makes
/// hundreds, some 8 MB each, and the disk is shared.
async fn ensure_postgres_database(url: &str, data_dir: &Path) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let (server, name) = url.rsplit_once('/').expect("postgres URL ends in /<database>");
    let finished: Vec<String> = {
        let mut made = POSTGRES_DATABASES.lock().expect("database list");
        let (gone, kept) = made.drain(..).partition(|(_, dir): &(String, PathBuf)| !dir.exists());
        *made = kept;
        if !made.iter().any(|(made_name, _)| made_name == name) {
            made.push((name.to_owned(), data_dir.to_path_buf()));
        }
        gone.into_iter().map(|(name, _)| name).collect()
    };
    let admin = Database::connect(format!("{server}/postgres")).await.expect("PostgreSQL reachable");
    let backend = admin.get_database_backend();
    for old in finished {
        // FORCE ends the connections a dropped server's pool may still hold.
        admin
            .execute(Statement::from_string(backend, format!("DROP DATABASE IF EXISTS \"{old}\" WITH (FORCE)")))
            .await
            .expect("drop a finished test database");
    }
    let exists = admin
        .query_one(Statement::from_sql_and_values(
            backend,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .expect("query pg_database")
        .is_some();
    if !exists {
        admin
            .execute(Statement::from_string(backend, format!("CREATE DATABASE \"{name}\"")))
            .await
            .expect("create test database");
    }
    admin.close().await.expect("close admin connection");
}

/// A client for `url` with a short backoff so reconnect tests stay quick.
pub fn client_for(url: Url) -> Client {
    let mut config = ClientConfig::new(url, "gkchat-tests");
    config.backoff = Backoff { base: Duration::from_millis(50), max: Duration::from_millis(400) };
    Client::new(config).expect("client")
}

/// The stable code of a failed client call; panics on success or a non-API failure.
pub fn api_code<T: std::fmt::Debug>(result: Result<T, gkchat_client::Error>) -> gkchat_proto::ErrorCode {
    match result {
        Err(gkchat_client::Error::Api { error, .. }) => error.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A new text message for `chat_id` with a fresh id.
pub fn text_message(chat_id: &str, body: impl Into<String>) -> gkchat_proto::chat::NewMessage {
    gkchat_proto::chat::NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.to_owned(),
        content: gkchat_proto::chat::Content::text(body),
        reply_to: None,
        forwarded: false,
    }
}

/// The id of `client`'s direct chat with `peer_id`, opened on the server if new.
pub async fn direct_chat(client: &gkchat_client::Client, peer_id: &str) -> String {
    client.open_direct(peer_id).await.expect("open a direct chat").id
}

/// Opens `client`'s live connection and waits (10 s at most) until it is signed in; the events
/// subscription starts before the connection is up, so nothing after it is missed.
pub async fn online(client: &Client) -> (gkchat_client::Connection, gkchat_client::Events) {
    let connection = client.connect();
    let events = connection.events();
    within(
        Duration::from_secs(10),
        "signed-in connection",
        connection.wait_for(|s| matches!(s, gkchat_client::ConnectionState::Connected { user_id: Some(_), .. })),
    )
    .await;
    (connection, events)
}

/// A messenger for `user_id` over `client`'s own connection, on a store file (`None`: in memory).
pub async fn messenger(client: &Client, user_id: &str, store: Option<&Path>) -> gkchat_client::Messenger {
    messenger_at(client, user_id, store, gkchat_client::Clock::system()).await
}

/// [`messenger`] whose reminders go by `clock`.
pub async fn messenger_at(
    client: &Client,
    user_id: &str,
    store: Option<&Path>,
    clock: gkchat_client::Clock,
) -> gkchat_client::Messenger {
    let store = gkchat_client::Store::open(store, user_id).await.expect("open the local store");
    gkchat_client::Messenger::start_with_clock(client.clone(), std::sync::Arc::new(client.connect()), store, clock)
}

/// A message as the server has it now (from the newest 100 of its chat's history).
pub async fn from_server(client: &Client, chat_id: &str, id: &str) -> gkchat_proto::chat::Message {
    let page = client.history(chat_id, None, 100).await.unwrap();
    page.messages.into_iter().find(|m| m.id == id).expect("in the history")
}

/// A message as `device` holds it, if it does.
pub async fn on_device(device: &gkchat_client::Messenger, id: &str) -> Option<gkchat_proto::chat::Message> {
    device.store().message(id).await.unwrap().map(|m| m.message)
}

/// Waits (15 s at most) until every file of a message of `messenger`'s is uploaded.
pub async fn uploaded(messenger: &gkchat_client::Messenger, message_id: &str) {
    within(Duration::from_secs(15), "the uploads finish", async {
        loop {
            let transfers = messenger.store().transfers_of(message_id).await.unwrap();
            if !transfers.is_empty() && transfers.iter().all(|t| t.state == gkchat_client::TransferState::Done) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await;
}

/// Polls `check` (every 25 ms, 15 s at most) until it holds.
pub async fn eventually<F: std::future::Future<Output = bool>>(what: &str, check: impl Fn() -> F) {
    within(Duration::from_secs(15), what, async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await;
}

/// Waits up to `limit` for `future`, panicking with `what` on timeout.
pub async fn within<T>(limit: Duration, what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(limit, future).await.unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Every file under `dir`, read whole, as one lossy string (to prove something never reached
/// the disk).
pub fn everything_in(dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).expect("readable directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            all.push_str(&everything_in(&path));
        } else {
            // A file the server removes meanwhile (a SQLite journal, a finished upload) held nothing
            // any more.
            match std::fs::read(&path) {
                Ok(bytes) => all.push_str(&String::from_utf8_lossy(&bytes)),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => panic!("{} unreadable: {err}", path.display()),
            }
        }
    }
    all
}
