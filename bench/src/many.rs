//! The "many users" scenario (`--many N`): what one message costs the server under a
//! WhatsApp-like load.
//!
//! N accounts are written straight into the server's database (no password hashing) with a
//! device session each; every user opens direct chats with the next `--peers` users (a ring, so
//! each has twice that many chats). All but a share `--offline` of the users connect, each over
//! a raw WebSocket (no typed decoding, no store: the generator costs little), and each sends
//! about `--per-user-rate` messages per second to its chats in turn — some of whose other people
//! are offline, so those messages are stored only — and answers every message pushed to it with
//! a delivered receipt, as the app does. The server runs as its own process (`--server-binary`;
//! with `--pin` on core 0 and the generator on core 1); the scenario reads the server's CPU time
//! and memory from `/proc` and prints CPU ms per message, RSS per connection, and send→ack and
//! send→receive p50 / p99.
//!
//! With `--idle M`, M more users connect and hold their connections without sending (paired in
//! direct chats with one message each, so their catch-up has something in it): it prints the
//! connections held, the connect rate, RSS per connection and the server's heartbeats while the
//! load runs. The connections come from `--sources` loopback addresses (127.0.0.1, .2, …), each
//! with its own ~28,000 ephemeral ports. With `--storm`, after the load every idle connection is
//! dropped at once and comes back as the app would (jittered retries, then a catch-up `sync`):
//! the time until all are back, the reconnect p50 / p99 and the server's CPU for it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::stream::{self, StreamExt};
use futures_util::{SinkExt, TryStreamExt};
use gkchat_proto::ClientFrame;
use gkchat_proto::chat::{NewMessage, ReceiptKind};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use url::Url;

use crate::{ms, percentile, text};

/// What the scenario is asked to do.
pub struct Many {
    pub users: usize,
    pub peers: usize,
    pub offline: f64,
    pub per_user_rate: f64,
    pub warmup: Duration,
    pub seconds: u64,
    pub size: usize,
    /// Users who only hold their connections.
    pub idle: usize,
    /// Loopback source addresses the connections come from.
    pub sources: u8,
    /// After the load, drop every idle connection at once and reconnect them.
    pub storm: bool,
}

/// The servers under load (one, or several instances sharing a database and Redis): where
/// they are, their processes, the database and token secret.
pub struct Target<'a> {
    pub urls: &'a [Url],
    pub pids: &'a [u32],
    pub database_url: &'a str,
    pub jwt_secret: &'a str,
}

impl Target<'_> {
    /// The instance the `i`th connection goes to (round robin).
    fn url(&self, i: usize) -> &Url {
        &self.urls[i % self.urls.len()]
    }

    /// CPU time of all the instances together.
    fn cpu(&self) -> Result<Duration> {
        self.pids.iter().map(|pid| crate::cpu_time(*pid).context("a server's CPU time")).sum()
    }

    /// Resident memory of all the instances together, in KiB.
    fn rss(&self) -> Result<u64> {
        self.pids.iter().map(|pid| rss_kib(*pid).context("a server's RSS")).sum()
    }
}

/// Messages on their way, by id, with when they were sent: those not yet acknowledged, and
/// those to connected people not yet pushed to them (a push may come before its ack).
#[derive(Default)]
struct InFlight {
    unacked: Mutex<HashMap<String, Instant>>,
    undelivered: Mutex<HashMap<String, Instant>>,
}

#[derive(Default)]
struct Tally {
    measuring: AtomicBool,
    /// Senders stop sending; readers go on until `done`.
    stop: AtomicBool,
    done: AtomicBool,
    /// Users whose first message in each of their chats was acknowledged.
    primed: AtomicU64,
    /// The steady load may start.
    go: AtomicBool,
    acked: AtomicU64,
    delivered: AtomicU64,
    to_online: AtomicU64,
    receipts: AtomicU64,
    ack_latency: Mutex<Vec<Duration>>,
    delivery_latency: Mutex<Vec<Duration>>,
    /// Idle users whose one message was acknowledged.
    idle_primed: AtomicU64,
    /// Server pings the idle connections answered while measuring.
    heartbeats: AtomicU64,
    /// Idle connections back (and caught up) after the storm, with how long each took, and the
    /// connection attempts that failed on the way.
    back: AtomicU64,
    back_latency: Mutex<Vec<Duration>>,
    retries: AtomicU64,
}

/// What the raw connections read of a frame.
#[derive(serde::Deserialize)]
struct Kind<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
}

#[derive(serde::Deserialize)]
struct Pushed<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(borrow)]
    chat_id: &'a str,
    #[serde(borrow)]
    sender_id: &'a str,
    seq: i64,
}

#[derive(serde::Deserialize)]
struct Acked<'a> {
    id: u64,
    #[serde(borrow)]
    message: AckedMessage<'a>,
}

#[derive(serde::Deserialize)]
struct AckedMessage<'a> {
    #[serde(borrow)]
    id: &'a str,
}

/// One user of the load: who, their token and chats (with whether the other person is online).
struct User {
    id: String,
    token: String,
    chats: Vec<(String, bool)>,
}

/// A user who holds a connection; the first of each pair sends one message in their chat.
struct IdleUser {
    token: String,
    first_message: Option<String>,
}

pub async fn run(many: &Many, target: &Target<'_>) -> Result<()> {
    let n = many.users.max(2);
    let peers = many.peers.clamp(1, (n - 1) / 2).max(1);
    let offline_every = if many.offline > 0.0 { (1.0 / many.offline).round().max(2.0) as usize } else { usize::MAX };
    let online = |i: usize| offline_every == usize::MAX || !i.is_multiple_of(offline_every);
    println!(
        "server: {}  {n} users ({} online), {} chats each, {:.2} messages/s per online user, {} B each",
        target.urls.iter().map(Url::as_str).collect::<Vec<_>>().join(" "),
        (0..n).filter(|i| online(*i)).count(),
        2 * peers,
        many.per_user_rate,
        many.size
    );

    // Accounts, tokens, chats.
    let started = Instant::now();
    let db = sea_orm::Database::connect(target.database_url).await.context("the server's database")?;
    let run_id = uuid::Uuid::now_v7().simple().to_string();
    let now_ms = gkchat_server::now_ms();
    let made = gkchat_server::db::accounts::insert_passwordless(&db, &format!("m{}_", &run_id[24..]), n, now_ms)
        .await
        .context("writing accounts")?;
    db.close().await?;
    let keys = gkchat_server::auth::tokens::TokenKeys::new(target.jwt_secret.as_bytes());
    let mut users: Vec<User> = made
        .into_iter()
        .map(|(id, session)| {
            let (token, _) = keys.issue_access(&id, &session, now_ms, Duration::from_secs(6 * 3600));
            User { id, token, chats: Vec::new() }
        })
        .collect();
    let http = reqwest::Client::new();
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (1..=peers).map(move |k| (i, (i + k) % n))).collect();
    let people: Vec<(&str, &str)> = users.iter().map(|user| (user.id.as_str(), user.token.as_str())).collect();
    let opened = open_direct_chats(&http, target, &people, pairs).await.context("opening chats")?;
    for (i, j, chat) in opened {
        users[i].chats.push((chat.clone(), online(j)));
        users[j].chats.push((chat, online(i)));
    }
    println!("{n} accounts and {} chats made in {:.1} s", n * peers, started.elapsed().as_secs_f64());
    let idle_users = idle_accounts(many.idle, &run_id, &keys, target, &http).await?;
    let sources = many.sources.max(1);
    let total = (0..n).filter(|i| online(*i)).count() + idle_users.len();
    // This process holds them all (and in the storm the catch-up requests in flight); each instance
    // its share.
    check_own_open_files(total + if many.storm { STORM_IN_FLIGHT.min(many.idle) } else { 0 })?;
    for pid in target.pids {
        check_server_open_files(total.div_ceil(target.pids.len()), *pid)?;
    }

    // Everyone online connects (the server weighed just before).
    let rss_idle = target.rss()?;
    let connecting = Instant::now();
    // Numbered as they connect, so instances and source addresses take turns evenly.
    let sending: Vec<User> = users.into_iter().enumerate().filter(|(i, _)| online(*i)).map(|(_, user)| user).collect();
    let active = sending.len();
    let sending = sending.into_iter().enumerate().map(|(k, user)| (k, user.token.clone(), user));
    let sockets: Vec<(User, Socket)> = connect_all(target, sources, sending).await?;
    let holding = idle_users.into_iter().enumerate().map(|(k, user)| (active + k, user.token.clone(), user));
    let idle_sockets: Vec<(IdleUser, Socket)> = connect_all(target, sources, holding).await?;
    let connect_time = connecting.elapsed();
    // Let the server settle (allocations after the handshakes), then weigh it.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_held = target.rss()?;
    let idle = idle_sockets.len();
    let held = active + idle;
    println!(
        "held {held} connections ({active} sending, {idle} idle, from {sources} loopback addresses; connected in {:.2} s = {:.0}/s); server RSS {:.1} MiB idle → {:.1} MiB = {:.1} kB per connection",
        connect_time.as_secs_f64(),
        held as f64 / connect_time.as_secs_f64(),
        rss_idle as f64 / 1024.0,
        rss_held as f64 / 1024.0,
        (rss_held.saturating_sub(rss_idle)) as f64 * 1.024 / held.max(1) as f64,
    );

    // The load.
    let in_flight: Arc<InFlight> = Arc::default();
    let tally = Arc::new(Tally::default());
    let interval = Duration::from_secs_f64(1.0 / many.per_user_rate.max(0.001));
    let mut tasks = Vec::with_capacity(held);
    for (user, socket) in sockets {
        let (in_flight, tally, size) = (in_flight.clone(), tally.clone(), many.size);
        tasks.push(tokio::spawn(async move { drive(user, socket, interval, size, &in_flight, &tally).await }));
    }
    let (storm, storm_heard) = tokio::sync::watch::channel(false);
    let mut idle_tasks = Vec::with_capacity(idle);
    // One HTTP client per source address, shared by the idle users coming back from it.
    let clients = (0..sources)
        .map(|s| {
            reqwest::Client::builder().local_address(std::net::IpAddr::V4(source(usize::from(s), sources))).build()
        })
        .collect::<reqwest::Result<Vec<_>>>()?;
    let reconnecting = Arc::new(tokio::sync::Semaphore::new(STORM_IN_FLIGHT));
    for (k, (user, socket)) in idle_sockets.into_iter().enumerate() {
        let i = active + k;
        let (tally, storm, size) = (tally.clone(), storm_heard.clone(), many.size);
        let way = Way {
            url: target.url(i).clone(),
            from: source(i, sources),
            http: clients[i % usize::from(sources)].clone(),
            reconnecting: reconnecting.clone(),
        };
        idle_tasks.push(tokio::spawn(async move { hold(user, socket, &way, size, storm, &tally).await }));
    }
    // Every chat's first message (the one that shows the chat to the other person, dearer than
    // the rest) is out of the way before anything is measured.
    let priming = Instant::now();
    while tally.primed.load(Ordering::Acquire) < active as u64
        || tally.idle_primed.load(Ordering::Acquire) < idle as u64
    {
        if priming.elapsed() > Duration::from_secs(300) {
            bail!("the first messages were not all acknowledged within five minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Then until the server is idle again (deliveries and receipts of those caught up).
    let mut last = target.cpu()?;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = target.cpu()?;
        let busy = (now - last).as_secs_f64() / 0.5;
        last = now;
        if busy < 0.1 || priming.elapsed() > Duration::from_secs(300) {
            break;
        }
    }
    println!("every chat's first message sent and the server idle again in {:.1} s", priming.elapsed().as_secs_f64());
    tally.go.store(true, Ordering::Release);
    tokio::time::sleep(many.warmup).await;
    let cpu_before = target.cpu()?;
    let began = Instant::now();
    tally.measuring.store(true, Ordering::Release);
    tokio::time::sleep(Duration::from_secs(many.seconds.max(1))).await;
    tally.measuring.store(false, Ordering::Release);
    let cpu = target.cpu()? - cpu_before;
    let window = began.elapsed();
    let rss_loaded = target.rss()?;
    tally.stop.store(true, Ordering::Release);
    // What was sent still arrives (or, past a minute, counts as lost).
    let draining = Instant::now();
    let waiting = || in_flight.undelivered.lock().expect("lock").len();
    while waiting() > 0 && draining.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lost = waiting();
    let storm_result =
        if many.storm && idle > 0 { Some(reconnect_storm(&storm, idle, target, &tally).await?) } else { None };
    tally.done.store(true, Ordering::Release);
    for task in tasks {
        task.await.context("a user task")??;
    }
    drop(storm);
    for task in idle_tasks {
        task.await.context("an idle user's task")??;
    }

    let acked = tally.acked.load(Ordering::Acquire);
    let delivered = tally.delivered.load(Ordering::Acquire);
    let receipts = tally.receipts.load(Ordering::Acquire);
    let to_online = tally.to_online.load(Ordering::Acquire);
    let mut acks = std::mem::take(&mut *tally.ack_latency.lock().expect("lock"));
    let mut deliveries = std::mem::take(&mut *tally.delivery_latency.lock().expect("lock"));
    acks.sort();
    deliveries.sort();
    let seconds = window.as_secs_f64();
    println!(
        "load over {seconds:.1} s: {acked} messages acknowledged ({:.0}/s), {delivered} of the {to_online} to online users pushed ({:.0}/s), {receipts} delivered receipts answered",
        acked as f64 / seconds,
        delivered as f64 / seconds,
    );
    println!(
        "server CPU {:.2} s = {:.0}% of one core: {:.3} ms per message (its push, ack and receipt included); RSS under load {:.1} MiB",
        cpu.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / seconds,
        1000.0 * cpu.as_secs_f64() / acked.max(1) as f64,
        rss_loaded as f64 / 1024.0,
    );
    println!(
        "send→ack p50 {:.2} ms  p99 {:.2} ms;  send→receive p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        ms(percentile(&acks, 0.50)),
        ms(percentile(&acks, 0.99)),
        ms(percentile(&deliveries, 0.50)),
        ms(percentile(&deliveries, 0.99)),
        ms(deliveries.last().copied().unwrap_or_default()),
    );
    if idle > 0 {
        println!(
            "heartbeats: {} server pings answered by the {idle} idle connections ({:.0}/s)",
            tally.heartbeats.load(Ordering::Acquire),
            tally.heartbeats.load(Ordering::Acquire) as f64 / seconds,
        );
    }
    if let Some(storm) = storm_result {
        println!("{storm}");
    }
    if lost > 0 {
        bail!("{lost} messages to online users were sent but never pushed within a minute");
    }
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw WebSocket signed in with `token`, once the server welcomed it.
pub async fn connect(url: &Url, token: &str) -> Result<Socket> {
    connect_from(url, token, std::net::Ipv4Addr::LOCALHOST).await
}

/// The loopback address the `i`th connection comes from (127.0.0.1 to 127.0.0.`sources`).
fn source(i: usize, sources: u8) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::new(127, 0, 0, 1 + (i % usize::from(sources)) as u8)
}

/// [`connect`] from the local address `from` (plain `ws://` only).
async fn connect_from(url: &Url, token: &str, from: std::net::Ipv4Addr) -> Result<Socket> {
    let mut ws = url.join("ws")?;
    ws.set_scheme("ws").map_err(|()| anyhow::anyhow!("bad URL"))?;
    let server = *url.socket_addrs(|| None)?.first().context("the server's address")?;
    let tcp = tokio::net::TcpSocket::new_v4()?;
    tcp.bind((from, 0).into()).with_context(|| format!("binding to {from}"))?;
    let stream = tcp.connect(server).await.context("connecting a user")?;
    stream.set_nodelay(true)?;
    let (mut socket, _) = tokio_tungstenite::client_async_with_config(
        ws.as_str(),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
        Some(gkchat_client::ws_config()),
    )
    .await
    .context("a user's WebSocket handshake")?;
    let hello = gkchat_proto::Hello {
        protocol: gkchat_proto::PROTOCOL_VERSION,
        client: "gkchat-bench".into(),
        token: Some(token.to_owned()),
    };
    socket.send(WsMessage::text(ClientFrame::Hello(hello).encode())).await?;
    loop {
        match socket.next().await {
            Some(Ok(WsMessage::Text(text))) => match serde_json::from_str::<Kind<'_>>(text.as_str())?.kind {
                "welcome" => return Ok(socket),
                "error" => bail!("the server refused a user: {}", text.as_str()),
                _ => {}
            },
            Some(Ok(_)) => {}
            other => bail!("a user's connection ended before welcome: {other:?}"),
        }
    }
}

/// One user: sends every `interval` (starting at a random point of the first one) to its chats
/// in turn, and answers each message pushed to it with a delivered receipt.
async fn drive(
    user: User,
    mut socket: Socket,
    interval: Duration,
    size: usize,
    in_flight: &InFlight,
    tally: &Tally,
) -> Result<()> {
    let first = tokio::time::Instant::now() + interval.mul_f64(fastrand::f64());
    let mut ticker = tokio::time::interval_at(first, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // First, one message in each chat (requests 1 to `chats`), then the steady load.
    let chats = user.chats.len() as u64;
    for (n, (chat, _)) in user.chats.iter().enumerate() {
        let first = ClientFrame::Send { id: n as u64 + 1, message: text(chat, size) };
        socket.send(WsMessage::text(first.encode())).await?;
    }
    if chats == 0 {
        tally.primed.fetch_add(1, Ordering::AcqRel);
    }
    let mut request = chats;
    let mut primed = 0u64;
    let mut turn = 0usize;
    let measuring = || tally.measuring.load(Ordering::Acquire);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if tally.done.load(Ordering::Acquire) {
                    let _ = socket.close(None).await;
                    return Ok(());
                }
                if tally.stop.load(Ordering::Acquire) || !tally.go.load(Ordering::Acquire) {
                    continue;
                }
                let Some((chat, peer_online)) = user.chats.get(turn % user.chats.len().max(1)) else { continue };
                turn += 1;
                request += 1;
                let message: NewMessage = text(chat, size);
                let now = Instant::now();
                in_flight.unacked.lock().expect("lock").insert(message.id.clone(), now);
                if *peer_online {
                    in_flight.undelivered.lock().expect("lock").insert(message.id.clone(), now);
                }
                if measuring() && *peer_online {
                    tally.to_online.fetch_add(1, Ordering::Relaxed);
                }
                socket.send(WsMessage::text(ClientFrame::Send { id: request, message }.encode())).await?;
            }
            frame = socket.next() => {
                let Some(frame) = frame else { bail!("the server closed a user's connection") };
                let WsMessage::Text(frame) = frame? else { continue };
                match serde_json::from_str::<Kind<'_>>(frame.as_str())?.kind {
                    "ack" => {
                        let acked: Acked<'_> = serde_json::from_str(frame.as_str())?;
                        if acked.id <= chats {
                            primed += 1;
                            if primed == chats {
                                tally.primed.fetch_add(1, Ordering::AcqRel);
                            }
                            continue;
                        }
                        let sent = in_flight.unacked.lock().expect("lock").remove(acked.message.id);
                        let Some(at) = sent else { continue };
                        if measuring() {
                            tally.acked.fetch_add(1, Ordering::Relaxed);
                            tally.ack_latency.lock().expect("lock").push(at.elapsed());
                        }
                    }
                    "message" => {
                        let pushed: Pushed<'_> = serde_json::from_str(frame.as_str())?;
                        if pushed.sender_id == user.id {
                            continue;
                        }
                        let sent = in_flight.undelivered.lock().expect("lock").remove(pushed.id);
                        if let (Some(at), true) = (sent, measuring()) {
                            tally.delivered.fetch_add(1, Ordering::Relaxed);
                            tally.delivery_latency.lock().expect("lock").push(at.elapsed());
                        }
                        request += 1;
                        let receipt = ClientFrame::Receipt {
                            id: request,
                            chat_id: pushed.chat_id.to_owned(),
                            kind: ReceiptKind::Delivered,
                            seq: pushed.seq,
                        };
                        socket.send(WsMessage::text(receipt.encode())).await?;
                        if measuring() {
                            tally.receipts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    "error" => bail!("the server answered an error: {}", frame.as_str()),
                    _ => {}
                }
            }
        }
    }
}

/// `count` accounts who only hold connections, paired (first with second, …) in direct chats
/// that the first of each pair opens.
async fn idle_accounts(
    count: usize,
    run_id: &str,
    keys: &gkchat_server::auth::tokens::TokenKeys,
    target: &Target<'_>,
    http: &reqwest::Client,
) -> Result<Vec<IdleUser>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let started = Instant::now();
    let db = sea_orm::Database::connect(target.database_url).await.context("the server's database")?;
    let now_ms = gkchat_server::now_ms();
    let made = gkchat_server::db::accounts::insert_passwordless(&db, &format!("i{}_", &run_id[24..]), count, now_ms)
        .await
        .context("writing idle accounts")?;
    db.close().await?;
    let people: Vec<(String, String)> = made
        .into_iter()
        .map(|(id, session)| {
            let (token, _) = keys.issue_access(&id, &session, now_ms, Duration::from_secs(6 * 3600));
            (id, token)
        })
        .collect();
    let pairs: Vec<(usize, usize)> = (0..count / 2).map(|pair| (2 * pair, 2 * pair + 1)).collect();
    let named: Vec<(&str, &str)> = people.iter().map(|(id, token)| (id.as_str(), token.as_str())).collect();
    let chats = open_direct_chats(http, target, &named, pairs).await.context("opening the idle users' chats")?;
    let mut users: Vec<IdleUser> =
        people.into_iter().map(|(_, token)| IdleUser { token, first_message: None }).collect();
    for (first, _, chat) in chats {
        users[first].first_message = Some(chat);
    }
    println!("{count} idle accounts and {} chats made in {:.1} s", count / 2, started.elapsed().as_secs_f64());
    Ok(users)
}

/// Connects every `(i, token, who)`, 64 at a time, to its instance from its source address.
async fn connect_all<T>(
    target: &Target<'_>,
    sources: u8,
    who: impl Iterator<Item = (usize, String, T)>,
) -> Result<Vec<(T, Socket)>> {
    stream::iter(who)
        .map(|(i, token, who)| {
            let url = target.url(i).clone();
            async move {
                let socket = connect_from(&url, &token, source(i, sources)).await?;
                Ok::<_, anyhow::Error>((who, socket))
            }
        })
        .buffer_unordered(64)
        .try_collect()
        .await
}

/// Opens the direct chat of each pair (`i` opens it with `j`) over REST, 32 at a time: for each,
/// `(i, j, chat id)`. `people` are (user id, access token).
async fn open_direct_chats(
    http: &reqwest::Client,
    target: &Target<'_>,
    people: &[(&str, &str)],
    pairs: Vec<(usize, usize)>,
) -> Result<Vec<(usize, usize, String)>> {
    let open = target.url(0).join("api/v1/chats/direct")?;
    stream::iter(pairs)
        .map(|(i, j)| {
            let (http, open) = (http.clone(), open.clone());
            let (token, peer) = (people[i].1.to_owned(), people[j].0.to_owned());
            async move {
                let response = http
                    .post(open)
                    .bearer_auth(token)
                    .json(&gkchat_proto::chat::OpenDirectChat { user_id: peer })
                    .send()
                    .await?
                    .error_for_status()?;
                let chat: gkchat_proto::chat::ChatSummary = response.json().await?;
                Ok::<_, anyhow::Error>((i, j, chat.id))
            }
        })
        .buffer_unordered(32)
        .try_collect()
        .await
}

/// Files besides the connections (the runtime, the database, logs).
const SPARE_FILES: usize = 200;

/// Refuses a run that would need more open files than this process may have, saying how to
/// allow more (the bench raised its own soft limit to the hard one at start).
fn check_own_open_files(sockets: usize) -> Result<()> {
    let (own, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).context("this process's open-files limit")?;
    if (sockets + SPARE_FILES) as u64 > own {
        bail!(
            "{sockets} sockets need ~{} open files; this process may have {own} (hard limit {hard}). \
             Raise the hard limit first (as root: `ulimit -Hn 1048576` in the shell that runs the bench, \
             or LimitNOFILE= in a systemd unit)",
            sockets + SPARE_FILES
        );
    }
    Ok(())
}

/// Refuses a run that would need more open files than the server `server_pid` may have.
fn check_server_open_files(connections: usize, server_pid: u32) -> Result<()> {
    let spare = SPARE_FILES;
    let limits = std::fs::read_to_string(format!("/proc/{server_pid}/limits")).context("the server's limits")?;
    let server: Option<u64> = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse().ok());
    if let Some(server) = server
        && (connections + spare) as u64 > server
    {
        bail!(
            "{connections} connections need ~{} open files; the server may have {server}. It raises its soft \
             limit to the hard one at start: raise the hard limit of whatever starts it (LimitNOFILE= in \
             its systemd unit, `ulimit -Hn` as root in its shell)",
            connections + spare
        );
    }
    Ok(())
}

/// Reconnections in flight at once in the storm, so the bench's own sockets stay within its
/// open-files limit (the server may see up to this many handshakes at a time).
const STORM_IN_FLIGHT: usize = 2000;

/// How an idle user reaches the server: its instance, its source address, and the HTTP client
/// that leaves from there.
struct Way {
    url: Url,
    from: std::net::Ipv4Addr,
    http: reqwest::Client,
    /// Permits for reconnecting in the storm (shared by all).
    reconnecting: Arc<tokio::sync::Semaphore>,
}

/// One idle user: sends its one message (if it opened a chat), then holds the connection and
/// answers pings; when the storm comes, drops it and comes back as the app would.
async fn hold(
    user: IdleUser,
    mut socket: Socket,
    way: &Way,
    size: usize,
    mut storm: tokio::sync::watch::Receiver<bool>,
    tally: &Tally,
) -> Result<()> {
    match &user.first_message {
        Some(chat) => {
            socket.send(WsMessage::text(ClientFrame::Send { id: 1, message: text(chat, size) }.encode())).await?
        }
        None => {
            tally.idle_primed.fetch_add(1, Ordering::AcqRel);
        }
    }
    loop {
        tokio::select! {
            changed = storm.changed() => {
                if changed.is_err() {
                    // The run is over.
                    let _ = socket.close(None).await;
                    return Ok(());
                }
                // Reset at once, no close handshake (as when a load balancer in front restarts):
                // the server sees every connection end, and the port is free again at once.
                if let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = socket.get_ref() {
                    let _ = tcp.set_zero_linger();
                }
                drop(socket);
                let dropped = Instant::now();
                socket = come_back(way, &user.token, tally).await?;
                tally.back_latency.lock().expect("lock").push(dropped.elapsed());
                tally.back.fetch_add(1, Ordering::AcqRel);
            }
            frame = socket.next() => {
                let Some(frame) = frame else { bail!("the server closed an idle user's connection") };
                match frame? {
                    WsMessage::Ping(_) if tally.measuring.load(Ordering::Acquire) => {
                        tally.heartbeats.fetch_add(1, Ordering::Relaxed);
                    }
                    WsMessage::Text(frame) => match serde_json::from_str::<Kind<'_>>(frame.as_str())?.kind {
                        "ack" => {
                            tally.idle_primed.fetch_add(1, Ordering::AcqRel);
                        }
                        "error" => bail!("the server answered an idle user with an error: {}", frame.as_str()),
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
    }
}

/// Reconnects as the app does after a drop: retries with jittered, growing waits (so a
/// thousand clients do not come back in step), then catches up with one `sync`.
async fn come_back(way: &Way, token: &str, tally: &Tally) -> Result<Socket> {
    let Way { url, from, http, reconnecting } = way;
    // Spread over the first second, as clients notice a drop at different moments.
    tokio::time::sleep(Duration::from_millis(fastrand::u64(0..1000))).await;
    let sync = url.join("api/v1/sync")?;
    let mut wait = Duration::from_millis(250);
    for _ in 0..12 {
        let permit = reconnecting.acquire().await?;
        let attempt = async {
            let socket = connect_from(url, token, *from).await?;
            let request = gkchat_proto::chat::SyncRequest {
                cursors: Default::default(),
                members: Default::default(),
                limit: None,
            };
            http.post(sync.clone()).bearer_auth(token).json(&request).send().await?.error_for_status()?;
            Ok::<_, anyhow::Error>(socket)
        };
        match tokio::time::timeout(Duration::from_secs(15), attempt).await {
            Ok(Ok(socket)) => return Ok(socket),
            Ok(Err(_)) | Err(_) => {
                drop(permit);
                tally.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(wait.mul_f64(0.5 + fastrand::f64())).await;
                wait = (wait * 2).min(Duration::from_secs(8));
            }
        }
    }
    bail!("an idle user could not come back after twelve attempts")
}

/// Drops every idle connection at once and waits (two minutes at most) for all to be back.
async fn reconnect_storm(
    storm: &tokio::sync::watch::Sender<bool>,
    idle: usize,
    target: &Target<'_>,
    tally: &Tally,
) -> Result<String> {
    let cpu_before = target.cpu()?;
    let began = Instant::now();
    storm.send_replace(true);
    while tally.back.load(Ordering::Acquire) < idle as u64 && began.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = began.elapsed();
    let cpu = target.cpu()? - cpu_before;
    let back = tally.back.load(Ordering::Acquire);
    let mut latencies = std::mem::take(&mut *tally.back_latency.lock().expect("lock"));
    latencies.sort();
    if back < idle as u64 {
        bail!("reconnect storm: only {back} of {idle} connections came back within two minutes");
    }
    Ok(format!(
        "reconnect storm: {idle} connections dropped at once, all back and caught up in {:.1} s ({:.0}/s), \
         {} failed attempts retried; each back after p50 {:.0} ms p99 {:.0} ms; server CPU {:.2} s ({:.2} ms per reconnect)",
        took.as_secs_f64(),
        idle as f64 / took.as_secs_f64(),
        tally.retries.load(Ordering::Acquire),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        cpu.as_secs_f64(),
        1000.0 * cpu.as_secs_f64() / idle as f64,
    ))
}

/// Resident memory of process `pid` in KiB, from `/proc/<pid>/status`.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
