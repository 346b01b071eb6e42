//! GK Chat companion server.
//!
//! The binary is thin: it loads [`Config`], binds, and calls [`run`]. Tests bind `127.0.0.1:0`
//! and call the same [`run`], so what they exercise is exactly what users run.

pub mod admin;
pub mod api;
pub mod appearance;
pub mod auth;
pub mod blobs;
pub mod calls;
pub mod clock;
pub mod config;
pub mod db;
pub mod disappearing;
pub mod error;
pub mod groups;
pub mod http;
pub mod hub;
pub mod media;
pub mod membership;
pub mod messaging;
pub mod metrics;
pub mod photo;
pub mod presence;
pub mod quick;
pub mod quick_page;
pub mod redis_link;
pub mod requests;
pub mod routes;
pub mod sms;
pub mod socket;
pub mod status;
pub mod turn;
pub mod ws;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::Config;
pub use error::{Error, Result};

/// How long shutdown waits for open WebSocket connections to say goodbye.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What every request handler and connection shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub instance_id: Arc<str>,
    pub auth: Arc<auth::Auth>,
    /// The live connections, by user and device session.
    pub hub: Arc<hub::Hub>,
    /// Blobs (attachments, photos): files under the data directory, or an S3 bucket.
    pub blobs: blobs::Blobs,
    /// Running hashes of the uploads whose bytes pass through this instance.
    pub hashers: Arc<media::Hashers>,
    /// Image decodes running at once are capped by these permits.
    pub decodes: Arc<Semaphore>,
    /// Who is in each chat: the one membership check, remembered until membership changes.
    pub members: Arc<membership::Membership>,
    /// Stores sent messages in batches (group commit).
    pub sends: Arc<messaging::SendQueue>,
    pub receipts: Arc<messaging::ReceiptQueue>,
    /// Connections starting and ending record "last seen" through one writer.
    pub last_seen: Arc<presence::LastSeenQueue>,
    /// Throttles typing frames per member and chat.
    pub typing: Arc<messaging::TypingGate>,
    /// Quick chats (no accounts): in memory, or in Redis when `redis_url` is set.
    pub quick: Arc<quick::QuickRooms>,
    /// Calls going on now.
    pub calls: Arc<calls::book::Book>,
    /// The embedded TURN relay, when enabled.
    pub turn: Option<Arc<turn::Relay>>,
    /// The secret behind TURN credentials.
    pub turn_secret: Arc<str>,
    /// Sends one-time codes (console or SMS gateway).
    pub sms: Arc<sms::CodeSender>,
    pub metrics: Arc<metrics::Metrics>,
    /// One permit per open WebSocket; caps connections at `max_connections`.
    pub connection_permits: Arc<Semaphore>,
    /// Cancelled when the server shuts down; connections close with "going away".
    pub shutdown: CancellationToken,
    /// Tracks connection tasks so shutdown can wait for their writers to drain.
    pub connections: TaskTracker,
}

/// Opens storage, then serves HTTP and WebSocket on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = db::open(&config.database_url()).await?;
    let writer = db::writer(&config.database_url(), &db).await?;
    let instance_id = db::meta::instance_id(&db).await?;
    let jwt_secret =
        if config.jwt_secret.is_empty() { db::meta::jwt_secret(&db).await? } else { config.jwt_secret.clone() };
    let limits = auth::limiter::PerMinute {
        auth_per_ip: config.auth_attempts_per_ip_minute,
        auth_per_account: config.auth_attempts_per_account_minute,
        uploads_per_account: config.uploads_per_account_minute,
        quick_chats_per_ip: config.quick_chats_per_ip_minute,
    };
    let mut auth = auth::Auth {
        keys: auth::tokens::TokenKeys::new(jwt_secret.as_bytes()),
        access_ttl: Duration::from_secs(config.access_token_secs.max(1)),
        refresh_ttl: Duration::from_secs(config.refresh_token_days.max(1).saturating_mul(24 * 3600)),
        limiter: auth::limiter::Limiter::new(limits),
    };
    let turn_secret =
        if config.turn_secret.is_empty() { db::meta::turn_secret(&db).await? } else { config.turn_secret.clone() };
    let relay =
        if config.turn_enabled { Some(Arc::new(turn::Relay::start(&config, &turn_secret).await?)) } else { None };
    let shutdown_token = CancellationToken::new();
    // One connection to Redis, when set, for everything the instances share.
    let redis = if config.redis_url.is_empty() {
        None
    } else {
        let within = Some(redis_link::ANSWER_WITHIN);
        Some(Arc::new(redis_link::Redis::connect(&config.redis_url, config.redis_cluster, within).await?))
    };
    let quick =
        quick::QuickRooms::open(redis.clone(), Duration::from_secs(config.quick_idle_secs), shutdown_token.clone())
            .await?;
    let metrics = Arc::new(metrics::Metrics::new());
    let (pushed, dropped) = (metrics.ws_pushes.clone(), metrics.ws_pushes_dropped.clone());
    let (hub, bus) = if let Some(redis) = redis {
        let counters = hub::bus::Counters {
            published: metrics.bus_published.clone(),
            received: metrics.bus_received.clone(),
            errors: metrics.bus_errors.clone(),
        };
        let ttl = Duration::from_secs(config.presence_ttl_secs);
        let (bus, parts) = hub::bus::Bus::new(redis, ttl, counters);
        auth.limiter = auth::limiter::Limiter::shared(limits, bus.redis());
        (hub::Hub::with_bus(pushed, dropped, bus.clone()), Some((bus, parts)))
    } else {
        (hub::Hub::counting(pushed, dropped), None)
    };
    let state = AppState {
        calls: Arc::new(match &bus {
            Some((bus, _)) => calls::book::Book::Redis(bus.redis()),
            None => calls::book::Book::default(),
        }),
        turn: relay,
        turn_secret: turn_secret.into(),
        members: Arc::new(membership::Membership::new(bus.as_ref().map(|(bus, _)| bus.clone()))),
        hub: Arc::new(hub),
        blobs: blobs::Blobs::open(&config)?,
        hashers: Arc::default(),
        decodes: Arc::new(Semaphore::new(photo::concurrent_decodes())),
        typing: Arc::default(),
        sends: Arc::new(messaging::SendQueue::start(writer.clone(), config.clock.clone())),
        receipts: Arc::new(messaging::ReceiptQueue::start(writer.clone())),
        last_seen: Arc::new(presence::LastSeenQueue::start(writer)),
        quick: Arc::new(quick),
        sms: Arc::new(sms::CodeSender::from_config(&config.sms_gateway_url, &config.data_dir)?),
        auth: Arc::new(auth),
        connection_permits: Arc::new(Semaphore::new(config.max_connections)),
        config: Arc::new(config),
        db,
        instance_id: instance_id.into(),
        metrics,
        shutdown: shutdown_token,
        connections: TaskTracker::new(),
    };
    let bus = match bus {
        Some((bus, parts)) => Some((bus, hub::bus::start(&state, parts).await?)),
        None => None,
    };
    tracing::info!(
        addr = %listener.local_addr()?,
        instance_id = %state.instance_id,
        node = bus.as_ref().map_or("", |(bus, _)| bus.node()),
        "gkchat-server listening"
    );

    let token = state.shutdown.clone();
    tokio::spawn(async move {
        shutdown.await;
        token.cancel();
    });
    // Idle quick chats are destroyed within a tenth of the idle time (at least every second).
    let (rooms, stop) = (state.quick.clone(), state.shutdown.clone());
    let every = (rooms.idle() / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = tick.tick() => {
                    let swept = rooms.sweep().await;
                    if swept > 0 {
                        tracing::info!(swept, "idle quick chats destroyed");
                    }
                }
            }
        }
    });

    // Every minute: rate-limit tables forget addresses and accounts back to their full
    // allowance, and one-time codes expired an hour ago go.
    let (auth, db, stop) = (state.auth.clone(), state.db.clone(), state.shutdown.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = tick.tick() => {
                    auth.limiter.forget_idle();
                    if let Err(err) = db::otp::purge_expired(&db, now_ms() - 3_600_000).await {
                        tracing::warn!(error = %err, "purging expired one-time codes failed");
                    }
                }
            }
        }
    });

    // Messages whose timer ran out disappear (every few seconds, and when the clock moves).
    disappearing::start(state.clone());

    // Every minute: expired status posts go, unfinished uploads past their time end, media
    // nothing uses go, and blobs orphaned longer than the grace period are deleted.
    let (sweeper, stop) = (state.clone(), state.shutdown.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = tick.tick() => {
                    match status::sweep(&sweeper.db, sweeper.config.clock.now_ms()).await {
                        Ok(0) => {}
                        Ok(swept) => tracing::info!(swept, "expired status posts deleted"),
                        Err(err) => tracing::warn!(error = %err, "sweeping status posts failed"),
                    }
                    match media::sweep(&sweeper.db, &sweeper.blobs, &sweeper.config, now_ms()).await {
                        Ok(swept) if swept != media::Swept::default() => tracing::info!(?swept, "media swept"),
                        Ok(_) => {}
                        Err(err) => tracing::warn!(error = %err, "sweeping media failed"),
                    }
                }
            }
        }
    });

    let app = http::router(state.clone());
    http::serve(listener, app, &state.config, state.shutdown.clone()).await;

    if let Some(relay) = &state.turn {
        relay.close().await;
    }
    state.connections.close();
    if tokio::time::timeout(SHUTDOWN_GRACE, state.connections.wait()).await.is_err() {
        tracing::warn!("some connections did not close within {SHUTDOWN_GRACE:?}");
    }
    if let Some((bus, running)) = bus {
        hub::bus::close(&bus, running).await;
    }
    state.db.clone().close().await?;
    tracing::info!("gkchat-server stopped");
    Ok(())
}

/// Milliseconds since the Unix epoch: the unit of every timestamp we store and send.
pub use gkchat_proto::now_ms;
