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
}

/// The server under load: where it is, its process, its database and token secret.
pub struct Target<'a> {
    pub url: &'a Url,
    pub pid: u32,
    pub database_url: &'a str,
    pub jwt_secret: &'a str,
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

pub async fn run(many: &Many, target: &Target<'_>) -> Result<()> {
    let n = many.users.max(2);
    let peers = many.peers.clamp(1, (n - 1) / 2).max(1);
    let offline_every = if many.offline > 0.0 { (1.0 / many.offline).round().max(2.0) as usize } else { usize::MAX };
    let online = |i: usize| offline_every == usize::MAX || !i.is_multiple_of(offline_every);
    println!(
        "server: {}  {n} users ({} online), {} chats each, {:.2} messages/s per online user, {} B each",
        target.url,
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
    let open = target.url.join("api/v1/chats/direct")?;
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (1..=peers).map(move |k| (i, (i + k) % n))).collect();
    let opened: Vec<(usize, usize, String)> = stream::iter(pairs)
        .map(|(i, j)| {
            let (http, open) = (http.clone(), open.clone());
            let (token, peer) = (users[i].token.clone(), users[j].id.clone());
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
        .context("opening chats")?;
    for (i, j, chat) in opened {
        users[i].chats.push((chat.clone(), online(j)));
        users[j].chats.push((chat, online(i)));
    }
    println!("{n} accounts and {} chats made in {:.1} s", n * peers, started.elapsed().as_secs_f64());

    // Everyone online connects (the server weighed just before).
    let rss_idle = rss_kib(target.pid).context("the server's RSS")?;
    let connecting = Instant::now();
    let sockets: Vec<(User, Socket)> = stream::iter(users.into_iter().enumerate().filter(|(i, _)| online(*i)))
        .map(|(_, user)| {
            let url = target.url.clone();
            async move {
                let socket = connect(&url, &user.token).await?;
                Ok::<_, anyhow::Error>((user, socket))
            }
        })
        .buffer_unordered(64)
        .try_collect()
        .await?;
    let connect_time = connecting.elapsed();
    // Let the server settle (allocations after the handshakes), then weigh it.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_held = rss_kib(target.pid).context("the server's RSS")?;
    let held = sockets.len();
    println!(
        "held {held} connections (connected in {:.2} s = {:.0}/s); server RSS {:.1} MiB idle → {:.1} MiB = {:.1} kB per connection",
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
    // Every chat's first message (the one that shows the chat to the other person, dearer than
    // the rest) is out of the way before anything is measured.
    let priming = Instant::now();
    while tally.primed.load(Ordering::Acquire) < held as u64 {
        if priming.elapsed() > Duration::from_secs(300) {
            bail!("the first messages were not all acknowledged within five minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Then until the server is idle again (deliveries and receipts of those caught up).
    let mut last = crate::cpu_time(target.pid).context("the server's CPU time")?;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = crate::cpu_time(target.pid).context("the server's CPU time")?;
        let busy = (now - last).as_secs_f64() / 0.5;
        last = now;
        if busy < 0.1 || priming.elapsed() > Duration::from_secs(300) {
            break;
        }
    }
    println!("every chat's first message sent and the server idle again in {:.1} s", priming.elapsed().as_secs_f64());
    tally.go.store(true, Ordering::Release);
    tokio::time::sleep(many.warmup).await;
    let cpu_before = crate::cpu_time(target.pid).context("the server's CPU time")?;
    let began = Instant::now();
    tally.measuring.store(true, Ordering::Release);
    tokio::time::sleep(Duration::from_secs(many.seconds.max(1))).await;
    tally.measuring.store(false, Ordering::Release);
    let cpu = crate::cpu_time(target.pid).context("the server's CPU time")? - cpu_before;
    let window = began.elapsed();
    let rss_loaded = rss_kib(target.pid).context("the server's RSS")?;
    tally.stop.store(true, Ordering::Release);
    // What was sent still arrives (or, past a minute, counts as lost).
    let draining = Instant::now();
    let waiting = || in_flight.undelivered.lock().expect("lock").len();
    while waiting() > 0 && draining.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lost = waiting();
    tally.done.store(true, Ordering::Release);
    for task in tasks {
        task.await.context("a user task")??;
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
    if lost > 0 {
        bail!("{lost} messages to online users were sent but never pushed within a minute");
    }
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw WebSocket signed in with `token`, once the server welcomed it.
pub async fn connect(url: &Url, token: &str) -> Result<Socket> {
    let mut ws = url.join("ws")?;
    ws.set_scheme(if url.scheme() == "https" { "wss" } else { "ws" }).map_err(|()| anyhow::anyhow!("bad URL"))?;
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(ws.as_str(), Some(gkchat_client::ws_config()), false)
            .await
            .context("connecting a user")?;
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

/// Resident memory of process `pid` in KiB, from `/proc/<pid>/status`.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
