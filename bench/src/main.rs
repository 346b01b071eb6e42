//! `gkchat-bench`: a load generator for 1:1 and group messaging.
//!
//! Starts a companion server in this process (SQLite in a temporary data directory, or
//! PostgreSQL with `--database-url`), or targets a running one with `--server`; signs up
//! `--pairs` pairs of users, connects each through `gkchat-client`, and then:
//!
//! 1. **throughput**: every sender sends `--messages` messages to its partner with
//!    `--window` requests in flight; prints durable (acknowledged, i.e. committed) messages/s;
//! 2. **latency**: senders send at a fixed total `--rate` for `--seconds`; prints send→receive
//!    latency (the partner's push) p50 / p99 / max.
//!
//! With `--group N` it runs the group scenario instead: one group of N members, every member's
//! connection open, `--group-senders` of them sending at a fixed total `--rate` for `--seconds`;
//! it prints deliveries/s (messages × online recipients), send→receive latency at the receivers
//! p50 / p99 / max, and — with `--server-binary`, which runs the server as its own process — the
//! server's CPU time. The senders are `gkchat-client` connections; every other member is a raw
//! WebSocket that only picks each message's id out of its frame, so the bench's own process
//! costs little per delivery and the server is what is measured.
//!
//! With `--many N` it runs the "many users" scenario (see `many.rs`): N users each sending about
//! a message a second over their direct chats and answering with delivered receipts, the server
//! in its own process (`--server-binary`, pinned to core 0 with `--pin`); it prints the server's
//! CPU ms per message, RSS per connection and send→receive p50 / p99; with `--idle M` M more
//! users hold connections (from several loopback addresses), and `--storm` drops and brings back
//! all of those at once.
//!
//! Run it with `cargo run --release -p gkchat-bench -- --help`.

mod many;
mod media;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use gkchat_client::{Backoff, Client, ClientConfig, Connection, ConnectionState, Event};
use gkchat_proto::account::{DeviceInfo, SignUpRequest};
use gkchat_proto::chat::{Content, NewMessage};
use url::Url;

#[derive(Debug, Parser)]
#[command(about = "GK Chat load generator: durable messages/s and send→receive latency")]
struct Args {
    /// Pairs of users chatting (each pair: one sender, one receiver).
    #[arg(long, default_value_t = 10)]
    pairs: usize,
    /// Messages each sender sends in the throughput phase.
    #[arg(long, default_value_t = 5_000)]
    messages: usize,
    /// Requests in flight per sender in the throughput phase.
    #[arg(long, default_value_t = 64)]
    window: usize,
    /// Total messages per second in the latency phase (0 skips it).
    #[arg(long, default_value_t = 1_000)]
    rate: u64,
    /// Length of the latency phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Bytes of text per message.
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// A running server to target instead of starting one in this process.
    #[arg(long)]
    server: Option<Url>,
    /// Database for the in-process server (default: SQLite in a temporary directory).
    #[arg(long)]
    database_url: Option<String>,
    /// Run the group scenario with a group of this many members (instead of pairs).
    #[arg(long)]
    group: Option<usize>,
    /// Members of the group who send (the latency phase's rate is shared among them).
    #[arg(long, default_value_t = 4)]
    group_senders: usize,
    /// Run this `gkchat-server` binary as a separate process (SQLite in a temporary directory,
    /// or `--database-url`) and report its CPU time.
    #[arg(long)]
    server_binary: Option<std::path::PathBuf>,
    /// Run the "many users" scenario with this many users (needs `--server-binary`).
    #[arg(long)]
    many: Option<usize>,
    /// Many users: direct chats each user opens with the next users (each has twice as many).
    #[arg(long, default_value_t = 3)]
    peers: usize,
    /// Many users: the share of users who never connect (messages to them are stored only).
    #[arg(long, default_value_t = 0.1)]
    offline: f64,
    /// Many users: messages per second each connected user sends.
    #[arg(long, default_value_t = 1.0)]
    per_user_rate: f64,
    /// Many users: seconds of load before the measured `--seconds`.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Many users: this many more users who only hold their connections (paired in chats with
    /// one message each).
    #[arg(long, default_value_t = 0)]
    idle: usize,
    /// Many users: loopback source addresses (127.0.0.1 up to 127.0.0.N) the connections come
    /// from, each with its own ephemeral ports.
    #[arg(long, default_value_t = 4)]
    sources: u8,
    /// Many users: after the load, drop every idle connection at once and time them coming back.
    #[arg(long)]
    storm: bool,
    /// Many users: run this many server instances (sharing the database and `--redis-url`);
    /// connections are spread over them in turn.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// The Redis the instances share (`redis://127.0.0.1:6379/0`).
    #[arg(long)]
    redis_url: Option<String>,
    /// Pin the server process to core 0 and this generator to core 1 (`taskset`).
    #[arg(long)]
    pin: bool,
    /// Media: upload a file of this many MiB over tus and download it again, timed, with the
    /// server's and this client's peak memory (needs --server-binary).
    #[arg(long)]
    media_mib: Option<u64>,
    /// Media: store blobs in this S3-compatible endpoint's bucket `--s3-bucket` (else files).
    #[arg(long)]
    s3_endpoint: Option<String>,
    #[arg(long, default_value = "gkchat-bench")]
    s3_bucket: String,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Pair {
    sender: Arc<Connection>,
    receiver_id: String,
    chat_id: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // Every connection is a socket: up to the hard limit (the many-users scenario says what
    // to raise when even that is too few).
    rlimit::increase_nofile_limit(u64::MAX).context("raising the open-files limit")?;
    let temp = tempfile::tempdir()?;
    let mut child = None;
    // Instances after the first (`--instances`), sharing its database and Redis.
    let mut others: Vec<(Url, std::process::Child)> = Vec::new();
    // The spawned server's token secret, so the many-users scenario can mint tokens.
    let jwt_secret = uuid::Uuid::new_v4().simple().to_string();
    if args.pin {
        pin_self().context("pinning the generator to core 1")?;
    }
    if args.instances > 1 && (args.server.is_some() || args.server_binary.is_none()) {
        bail!("--instances runs several server processes: it needs --server-binary (and not --server)");
    }
    let url = match (&args.server, &args.server_binary) {
        (Some(url), _) => url.clone(),
        (None, Some(binary)) => {
            if args.instances > 1 && args.redis_url.is_none() {
                bail!("--instances needs --redis-url (the instances talk over Redis)");
            }
            let spawned = Spawn {
                data_dir: temp.path(),
                database_url: args.database_url.as_deref(),
                redis_url: args.redis_url.as_deref(),
                jwt_secret: &jwt_secret,
                pin: args.pin,
                env: media::storage_env(args.s3_endpoint.as_deref(), &args.s3_bucket),
            };
            let (url, process) = spawn_server(binary, &spawned).await?;
            child = Some(process);
            for _ in 1..args.instances.max(1) {
                others.push(spawn_server(binary, &spawned).await?);
            }
            url
        }
        (None, None) => start_server(temp.path(), args.database_url.clone()).await?,
    };
    if let Some(users) = args.many {
        let Some(process) = &child else { bail!("--many needs --server-binary (the server in its own process)") };
        let database_url = args
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", temp.path().join("gkchat.db").display()));
        let many = many::Many {
            users,
            peers: args.peers,
            offline: args.offline,
            per_user_rate: args.per_user_rate,
            warmup: Duration::from_secs(args.warmup),
            seconds: args.seconds,
            size: args.size,
            idle: args.idle,
            sources: args.sources,
            storm: args.storm,
        };
        let urls: Vec<Url> = std::iter::once(url.clone()).chain(others.iter().map(|(url, _)| url.clone())).collect();
        let pids: Vec<u32> = std::iter::once(process.id()).chain(others.iter().map(|(_, p)| p.id())).collect();
        let target = many::Target { urls: &urls, pids: &pids, database_url: &database_url, jwt_secret: &jwt_secret };
        let result = many::run(&many, &target).await;
        for mut process in child.into_iter().chain(others.into_iter().map(|(_, process)| process)) {
            let _ = process.kill();
            let _ = process.wait();
        }
        return result;
    }
    if let Some(mib) = args.media_mib {
        let Some(process) = &child else { bail!("--media-mib needs --server-binary (the server in its own process)") };
        let result = media::run(&url, mib, process.id(), args.s3_endpoint.is_some()).await;
        if let Some(mut process) = child {
            let _ = process.kill();
            let _ = process.wait();
        }
        return result;
    }
    if let Some(members) = args.group {
        let result = group_scenario(&args, &url, members, child.as_ref().map(std::process::Child::id)).await;
        if let Some(mut process) = child {
            let _ = process.kill();
            let _ = process.wait();
        }
        return result;
    }
    println!("server: {url}  pairs: {}  message size: {} B", args.pairs, args.size);

    // Accounts and connections.
    let run = uuid::Uuid::now_v7().simple().to_string();
    let mut pairs = Vec::new();
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut receivers = Vec::new();
    for n in 0..args.pairs {
        let sender = sign_up(&url, &format!("s{n}_{}", &run[20..])).await?;
        let receiver = sign_up(&url, &format!("r{n}_{}", &run[20..])).await?;
        let receiver_id = receiver.me().await?.id;
        let sender_live = Arc::new(online(&sender).await?);
        let receiver_live = online(&receiver).await?;
        let mut events = receiver_live.events();
        let (sent_at, latencies) = (sent_at.clone(), latencies.clone());
        receivers.push((
            receiver_live,
            tokio::spawn(async move {
                while let Some(event) = events.next().await {
                    if let Event::Message(message) = event {
                        let start = sent_at.lock().expect("lock").remove(&message.id);
                        if let Some(start) = start {
                            latencies.lock().expect("lock").push(start.elapsed());
                        }
                    }
                }
            }),
        ));
        // The first message starts the chat.
        let chat_id = sender.open_direct(&receiver_id).await?.id;
        let first = sender_live.send_message(text(&chat_id, args.size)).await?;
        pairs.push(Pair { sender: sender_live, receiver_id, chat_id: first.chat_id });
    }

    // Phase 1: throughput.
    if args.messages > 0 {
        let started = Instant::now();
        let mut senders = FuturesUnordered::new();
        for pair in &pairs {
            let connection = pair.sender.clone();
            let chat_id = pair.chat_id.clone();
            let (count, window, size) = (args.messages, args.window.max(1), args.size);
            senders.push(tokio::spawn(async move {
                let mut in_flight = FuturesUnordered::new();
                let mut acked = 0usize;
                for _ in 0..count {
                    if in_flight.len() >= window {
                        in_flight.next().await.expect("in flight")?;
                        acked += 1;
                    }
                    let connection = connection.clone();
                    let message = text(&chat_id, size);
                    in_flight.push(async move { connection.send_message(message).await.map(drop) });
                }
                while let Some(result) = in_flight.next().await {
                    result?;
                    acked += 1;
                }
                Ok::<_, gkchat_client::Error>(acked)
            }));
        }
        let mut total = 0usize;
        while let Some(result) = senders.next().await {
            total += result.context("sender task")??;
        }
        let elapsed = started.elapsed();
        println!(
            "throughput: {total} durable messages in {:.2} s = {:.0} messages/s ({} senders × window {})",
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64(),
            pairs.len(),
            args.window
        );
    }

    // Phase 2: latency at a fixed rate.
    if args.rate > 0 && args.seconds > 0 {
        latencies.lock().expect("lock").clear();
        let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
        let total = args.rate * args.seconds;
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut acks = FuturesUnordered::new();
        let started = Instant::now();
        for n in 0..total {
            ticker.tick().await;
            let pair = &pairs[n as usize % pairs.len()];
            let message = text(&pair.chat_id, args.size);
            sent_at.lock().expect("lock").insert(message.id.clone(), Instant::now());
            let connection = pair.sender.clone();
            acks.push(tokio::spawn(async move { connection.send_message(message).await.map(drop) }));
            while let Some(Some(done)) = futures_util::FutureExt::now_or_never(acks.next()) {
                done.context("send task")??;
            }
        }
        while let Some(done) = acks.next().await {
            done.context("send task")??;
        }
        let send_elapsed = started.elapsed();
        // Let the last pushes arrive.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sent_at.lock().expect("lock").is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let missing = sent_at.lock().expect("lock").len();
        let mut samples = std::mem::take(&mut *latencies.lock().expect("lock"));
        samples.sort();
        println!(
            "latency at {} messages/s (achieved {:.0}/s, {} samples, {missing} not received): p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            args.rate,
            total as f64 / send_elapsed.as_secs_f64(),
            samples.len(),
            ms(percentile(&samples, 0.50)),
            ms(percentile(&samples, 0.99)),
            ms(samples.last().copied().unwrap_or_default()),
        );
        if missing > 0 {
            bail!("{missing} messages were acknowledged but never pushed to their receiver");
        }
    }
    for pair in &pairs {
        let _ = &pair.receiver_id;
        pair.sender.shut_down().await;
    }
    for (receiver, task) in receivers {
        receiver.shut_down().await;
        task.abort();
    }
    Ok(())
}

/// CPU time (user + system) of process `pid` so far, from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel's clock ticks are 100 per second on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// How the server process is started.
struct Spawn<'a> {
    data_dir: &'a std::path::Path,
    database_url: Option<&'a str>,
    redis_url: Option<&'a str>,
    jwt_secret: &'a str,
    /// On core 0 (`taskset`).
    pin: bool,
    /// More settings, as `GKCHAT_*` variables (the blob store).
    env: Vec<(String, String)>,
}

/// Pins this process (every thread) to core 1.
fn pin_self() -> Result<()> {
    let status = std::process::Command::new("taskset")
        .args(["-a", "-p", "-c", "1", &std::process::id().to_string()])
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("taskset failed: {status}");
    }
    Ok(())
}

/// Runs `binary` as a server on a free port with its data in `data_dir`.
async fn spawn_server(binary: &std::path::Path, spawn: &Spawn<'_>) -> Result<(Url, std::process::Child)> {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut command = if spawn.pin {
        let mut taskset = std::process::Command::new("taskset");
        taskset.args(["-c", "0"]).arg(binary);
        taskset
    } else {
        std::process::Command::new(binary)
    };
    let child = command
        .env("GKCHAT_LISTEN", addr.to_string())
        .env("GKCHAT_DATA_DIR", spawn.data_dir)
        .env("GKCHAT_DATABASE_URL", spawn.database_url.unwrap_or_default())
        .env("GKCHAT_REDIS_URL", spawn.redis_url.unwrap_or_default())
        .env("GKCHAT_JWT_SECRET", spawn.jwt_secret)
        .env("GKCHAT_TURN_ENABLED", "false")
        .env("GKCHAT_LOG", "warn")
        .env("GKCHAT_AUTH_ATTEMPTS_PER_IP_MINUTE", "1000000")
        .env("GKCHAT_AUTH_ATTEMPTS_PER_ACCOUNT_MINUTE", "1000000")
        .env("GKCHAT_MAX_CONNECTIONS", "100000")
        .envs(spawn.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let url = Url::parse(&format!("http://{addr}"))?;
    for _ in 0..400 {
        if gkchat_client::Client::new(ClientConfig::new(url.clone(), "gkchat-bench"))?.server_info().await.is_ok() {
            return Ok((url, child));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    bail!("the server process did not start")
}

/// One group of `members`, all online; a few send at a fixed rate; every push is timed.
async fn group_scenario(args: &Args, url: &Url, members: usize, server_pid: Option<u32>) -> Result<()> {
    let members = members.max(2);
    let senders = args.group_senders.clamp(1, members);
    println!("server: {url}  group of {members} members, {senders} sending, message size: {} B", args.size);
    let run = uuid::Uuid::now_v7().simple().to_string();
    let started = Instant::now();
    // Sign-ups hash passwords: a few at a time.
    let mut clients = Vec::with_capacity(members);
    let names: Vec<String> = (0..members).map(|n| format!("g{n}_{}", &run[20..])).collect();
    for chunk in names.chunks(8) {
        let made = futures_util::future::try_join_all(chunk.iter().map(|name| sign_up(url, name))).await?;
        clients.extend(made);
    }
    let mut ids = Vec::with_capacity(members);
    for client in &clients {
        ids.push(client.me().await?.id);
    }
    let new = gkchat_proto::group::NewGroup {
        name: "Everyone".into(),
        description: String::new(),
        member_ids: ids[1..].to_vec(),
    };
    let made = clients[0].create_group(&new).await?;
    if !made.refused.is_empty() {
        bail!("{} members could not be added", made.refused.len());
    }
    let chat_id = made.chat.id;
    println!("{members} accounts and the group made in {:.1} s", started.elapsed().as_secs_f64());

    // Everyone online; each receiver times the pushes of messages it did not send.
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let timing = {
        let (sent_at, latencies) = (sent_at.clone(), latencies.clone());
        move |id: &str| {
            let start = sent_at.lock().expect("lock").get(id).copied();
            if let Some(start) = start {
                latencies.lock().expect("lock").push(start.elapsed());
            }
        }
    };
    let mut connections = Vec::with_capacity(senders);
    let mut listeners = Vec::with_capacity(members);
    for (n, client) in clients.iter().enumerate() {
        if n >= senders {
            listeners.push(raw_receiver(url, client.access_token().await?, timing.clone()).await?);
            continue;
        }
        let connection = Arc::new(online(client).await?);
        let mut events = connection.events();
        let timing = timing.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = events.next().await {
                if let Event::Message(message) = event {
                    timing(&message.id);
                }
            }
        }));
        connections.push(connection);
    }
    // One message first, so every connection is past its catch-up.
    connections[0].send_message(text(&chat_id, args.size)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let rate = args.rate.max(1);
    let total = rate * args.seconds.max(1);
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let cpu_before = server_pid.and_then(cpu_time);
    let mut acks = FuturesUnordered::new();
    let began = Instant::now();
    for n in 0..total {
        ticker.tick().await;
        let connection = connections[n as usize % senders].clone();
        let message = text(&chat_id, args.size);
        sent_at.lock().expect("lock").insert(message.id.clone(), Instant::now());
        acks.push(tokio::spawn(async move { connection.send_message(message).await.map(drop) }));
        while let Some(Some(done)) = futures_util::FutureExt::now_or_never(acks.next()) {
            done.context("send task")??;
        }
    }
    while let Some(done) = acks.next().await {
        done.context("send task")??;
    }
    let sending = began.elapsed();
    // Every message reaches every member but its sender.
    let expected = total as usize * (members - 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    while latencies.lock().expect("lock").len() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let delivering = began.elapsed();
    let cpu = match (cpu_before, server_pid.and_then(cpu_time)) {
        (Some(before), Some(after)) => format!(
            "server CPU {:.2} s over {:.2} s ({:.0}% of one core)",
            (after - before).as_secs_f64(),
            delivering.as_secs_f64(),
            100.0 * (after - before).as_secs_f64() / delivering.as_secs_f64()
        ),
        _ => "server CPU not measured (run with --server-binary)".into(),
    };
    let mut samples = std::mem::take(&mut *latencies.lock().expect("lock"));
    samples.sort();
    println!(
        "group: {total} messages at {rate}/s (sent in {:.2} s) → {} deliveries in {:.2} s = {:.0} deliveries/s; \
         latency p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms; {cpu}",
        sending.as_secs_f64(),
        samples.len(),
        delivering.as_secs_f64(),
        samples.len() as f64 / delivering.as_secs_f64(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.99)),
        ms(samples.last().copied().unwrap_or_default()),
    );
    if samples.len() < expected {
        bail!("{} of {expected} deliveries never arrived", expected - samples.len());
    }
    for connection in connections {
        connection.shut_down().await;
    }
    for listener in listeners {
        listener.abort();
    }
    Ok(())
}

/// What the raw receiver reads of a frame: its type and, for a message, its id (the rest is
/// skipped, not decoded).
#[derive(serde::Deserialize)]
struct Peek<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(borrow)]
    id: Option<&'a str>,
}

/// A member that only receives: a raw WebSocket signed in with `token` (no typed decoding, no
/// store), calling `on_message` with the id of every message pushed. Returns once the server
/// welcomed it.
async fn raw_receiver(
    url: &Url,
    token: String,
    on_message: impl Fn(&str) + Send + 'static,
) -> Result<tokio::task::JoinHandle<()>> {
    use tokio_tungstenite::tungstenite::Message as WsMessage;
    let mut socket = many::connect(url, &token).await?;
    Ok(tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            if let WsMessage::Text(text) = frame
                && let Ok(Peek { kind: "message", id: Some(id) }) = serde_json::from_str(text.as_str())
            {
                on_message(id);
            }
        }
    }))
}

fn text(chat_id: &str, size: usize) -> NewMessage {
    NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.to_owned(),
        content: Content::text("x".repeat(size.max(1))),
        reply_to: None,
        forwarded: false,
    }
}

async fn start_server(data_dir: &std::path::Path, database_url: Option<String>) -> Result<Url> {
    let config = gkchat_server::Config {
        data_dir: data_dir.to_path_buf(),
        database_url: database_url.unwrap_or_default(),
        auth_attempts_per_ip_minute: 1_000_000,
        auth_attempts_per_account_minute: 1_000_000,
        max_connections: 100_000,
        // Messaging only: no TURN relay (and no clash with a server on the default port).
        turn_enabled: false,
        ..gkchat_server::Config::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(err) = gkchat_server::run(listener, config, std::future::pending()).await {
            eprintln!("server stopped: {err}");
        }
    });
    let url = Url::parse(&format!("http://{addr}"))?;
    for _ in 0..200 {
        if gkchat_client::Client::new(ClientConfig::new(url.clone(), "gkchat-bench"))?.server_info().await.is_ok() {
            return Ok(url);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    bail!("the in-process server did not start")
}

async fn sign_up(url: &Url, username: &str) -> Result<Client> {
    let mut config = ClientConfig::new(url.clone(), "gkchat-bench");
    config.backoff = Backoff { base: Duration::from_millis(50), max: Duration::from_millis(500) };
    let client = Client::new(config)?;
    client
        .sign_up(&SignUpRequest {
            username: username.to_owned(),
            email: format!("{username}@bench.invalid"),
            password: "bench load generator 2026".into(),
            display_name: None,
            device: DeviceInfo { name: "gkchat-bench".into(), platform: "cli".into() },
        })
        .await
        .with_context(|| format!("signing up {username}"))?;
    Ok(client)
}

async fn online(client: &Client) -> Result<Connection> {
    let connection = client.connect();
    let connected = connection.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. }));
    tokio::time::timeout(Duration::from_secs(10), connected).await.context("connecting")?;
    Ok(connection)
}
