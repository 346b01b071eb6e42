//! The fault run: pairs of real messengers (each with its persisted outbox in a SQLite store)
//! send to each other through the real `gkchat-server` binary, which is killed with SIGKILL at
//! random moments and started again on the same port and data, while a relay in front of it
//! cuts the clients' connections at other random moments. At the end every message a sender
//! composed must be acknowledged and present exactly once, in order, at its recipient (and on
//! the server); the report says sent, acknowledged, delivered, lost, duplicated.
//!
//! `tests/fault.rs` runs a short version in the test command; `cargo run -p gkchat-tests --bin
//! gkchat-fault -- --help` runs the long one (figures in BENCHMARKS.md).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gkchat_client::{Client, Messenger, Store};
use gkchat_proto::chat::Content;

use crate::proxy::CuttableRelay;
use crate::server_process::ServerProcess;
use crate::{client_for, sign_up_request};

/// What to run.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// The `gkchat-server` binary to start and kill.
    pub server_binary: PathBuf,
    /// Sender → receiver pairs.
    pub pairs: usize,
    /// Messages each sender composes.
    pub messages_per_sender: usize,
    /// SIGKILLs of the server, at random moments while messages flow.
    pub kills: usize,
    /// Cuts of every client connection (by the relay), at other random moments.
    pub cuts: usize,
    /// The kills are spread over about this long (the senders pace themselves to it).
    pub spread: Duration,
    /// Seed of the random moments, so a failing run can be repeated.
    pub seed: u64,
}

/// What came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultReport {
    pub sent: usize,
    pub acknowledged: usize,
    pub delivered: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
    /// Acknowledged messages the server's history lacks, holds twice, or out of order.
    pub server_mismatches: usize,
    pub kills: usize,
    pub cuts: usize,
    pub elapsed_ms: u128,
}

impl std::fmt::Display for FaultReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sent {}, acknowledged {}, delivered {}, lost {}, duplicated {}, out of order {}, server mismatches {}, \
             kills {}, cuts {}, {:.1} s",
            self.sent,
            self.acknowledged,
            self.delivered,
            self.lost,
            self.duplicated,
            self.out_of_order,
            self.server_mismatches,
            self.kills,
            self.cuts,
            self.elapsed_ms as f64 / 1000.0
        )
    }
}

struct Pair {
    sender: Messenger,
    receiver: Messenger,
    sender_client: Client,
    chat_id: String,
    tag: String,
}

fn text_of(content: Option<&Content>) -> Option<&str> {
    match content {
        Some(Content::Text { text, .. }) => Some(text),
        _ => None,
    }
}

/// Every message text of `chat_id` in a store, in its order (paging back from the newest).
async fn texts_in(store: &Store, chat_id: &str) -> Vec<(i64, String, bool)> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = store.messages(chat_id, before, 500).await.expect("read the local store");
        // Pending messages (no place yet) come first on the first page; page on by the oldest
        // stored one.
        let oldest = page.iter().map(|local| local.message.seq).filter(|seq| *seq > 0).min();
        let done = page.len() < 500 || oldest.is_none_or(|seq| seq <= 1);
        before = oldest;
        let mut texts: Vec<(i64, String, bool)> = page
            .iter()
            .filter_map(|local| {
                let sent = matches!(local.status, gkchat_client::SendStatus::Sent);
                text_of(local.message.content.as_ref()).map(|t| (local.message.seq, t.to_owned(), sent))
            })
            .collect();
        texts.append(&mut all);
        all = texts;
        if done {
            break;
        }
    }
    all
}

/// What a list of `tag`'s numbered texts holds: which numbers, how many more than once, and
/// how many out of order.
fn check(texts: &[String], tag: &str) -> (HashSet<usize>, usize, usize) {
    let numbers: Vec<usize> = texts.iter().filter_map(|t| t.strip_prefix(tag)?.parse().ok()).collect();
    let mut seen = HashMap::new();
    for n in &numbers {
        *seen.entry(*n).or_insert(0usize) += 1;
    }
    let duplicated = seen.values().map(|count| count - 1).sum();
    let out_of_order = numbers.windows(2).filter(|w| w[1] <= w[0]).count();
    (seen.into_keys().collect(), duplicated, out_of_order)
}

/// Runs the plan; panics only when the harness itself cannot run (the report carries faults).
pub async fn run(plan: &FaultPlan) -> FaultReport {
    let started = Instant::now();
    let temp = tempfile::tempdir().expect("temp dir");
    let data_dir = temp.path().join("server");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let mut server = ServerProcess::new(plan.server_binary.clone(), data_dir, &[("GKCHAT_TURN_ENABLED", "false")]);
    server.start().await;
    let relay = Arc::new(CuttableRelay::start(server.addr).await);

    let mut pairs = Vec::new();
    for n in 0..plan.pairs {
        let sender_client = client_for(relay.url());
        let sender_me = sender_client.sign_up(&sign_up_request(&format!("sender{n}"))).await.expect("sign-up");
        let receiver_client = client_for(relay.url());
        let receiver_me = receiver_client.sign_up(&sign_up_request(&format!("receiver{n}"))).await.expect("sign-up");
        let open = async |client: &Client, id: &str| {
            let store = Store::open(Some(&temp.path().join(format!("{id}.db"))), id).await.expect("store");
            Messenger::start(client.clone(), Arc::new(client.connect()), store)
        };
        let sender = open(&sender_client, &sender_me.id).await;
        let chat_id = sender.open_direct(&receiver_me.id).await.expect("open the chat");
        pairs.push(Pair {
            sender,
            receiver: open(&receiver_client, &receiver_me.id).await,
            sender_client,
            chat_id,
            tag: format!("pair {n} message "),
        });
    }

    // The senders compose at a steady pace over the spread; the killer and the cutter strike
    // meanwhile.
    let period = plan.spread.checked_div(plan.messages_per_sender.max(1) as u32).unwrap_or_default();
    let composers = pairs.iter().map(|pair| async {
        let mut tick = tokio::time::interval(period.max(Duration::from_micros(100)));
        for i in 0..plan.messages_per_sender {
            tick.tick().await;
            let text = format!("{}{i:07}", pair.tag);
            pair.sender.send_text(&pair.chat_id, &text, None).await.expect("compose");
        }
    });
    let kills = AtomicUsize::new(0);
    let cuts = AtomicUsize::new(0);
    let mut random = fastrand::Rng::with_seed(plan.seed);
    let mean_gap = plan.spread.checked_div(plan.kills.max(1) as u32).unwrap_or(Duration::from_secs(1));
    let kill_moments: Vec<Duration> = (0..plan.kills).map(|_| mean_gap.mul_f64(0.5 + random.f64())).collect();
    let mean_cut_gap = plan.spread.checked_div(plan.cuts.max(1) as u32).unwrap_or(Duration::from_secs(1));
    let cut_moments: Vec<Duration> = (0..plan.cuts).map(|_| mean_cut_gap.mul_f64(0.5 + random.f64())).collect();
    let killer = async {
        for gap in &kill_moments {
            tokio::time::sleep(*gap).await;
            server.kill();
            kills.fetch_add(1, Ordering::Relaxed);
            server.start().await;
        }
    };
    let cutter = async {
        for gap in &cut_moments {
            tokio::time::sleep(*gap).await;
            relay.cut();
            cuts.fetch_add(1, Ordering::Relaxed);
        }
    };
    tokio::join!(futures_util::future::join_all(composers), killer, cutter);

    // Everything composed goes out and arrives (the clients reconnect by themselves).
    let settle = Duration::from_secs(600) + plan.spread;
    let flushed = tokio::time::timeout(settle, async {
        for pair in &pairs {
            pair.sender.flushed().await.expect("read the outbox");
        }
        for pair in &pairs {
            loop {
                let chats = pair.receiver.chats().await.expect("read the local store");
                let have = match chats.first() {
                    Some(chat) => chat.summary.last_message.as_ref().map_or(0, |m| m.seq),
                    None => 0,
                };
                if have >= plan.messages_per_sender as i64 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    })
    .await;
    if flushed.is_err() {
        eprintln!("not everything arrived within {settle:?}; counting what did");
    }

    let mut report = FaultReport {
        sent: plan.pairs * plan.messages_per_sender,
        acknowledged: 0,
        delivered: 0,
        lost: 0,
        duplicated: 0,
        out_of_order: 0,
        server_mismatches: 0,
        kills: kills.load(Ordering::Relaxed),
        cuts: cuts.load(Ordering::Relaxed),
        elapsed_ms: 0,
    };
    for pair in &pairs {
        let chat_id = &pair.chat_id;
        let sent = texts_in(pair.sender.store(), chat_id).await;
        let acked: Vec<String> = sent.into_iter().filter(|(_, _, acked)| *acked).map(|(_, text, _)| text).collect();
        let (acked, _, _) = check(&acked, &pair.tag);
        report.acknowledged += acked.len();
        let received = texts_in(pair.receiver.store(), chat_id).await;
        let texts: Vec<String> = received.into_iter().map(|(_, text, _)| text).collect();
        let (delivered, duplicated, out_of_order) = check(&texts, &pair.tag);
        report.delivered += delivered.len();
        report.lost += acked.difference(&delivered).count();
        report.duplicated += duplicated;
        report.out_of_order += out_of_order;
        // The server's own copy, page by page back from the newest.
        let mut on_server = Vec::new();
        let mut before = None;
        loop {
            let mut page = pair.sender_client.history(chat_id, before, 500).await.expect("history");
            page.messages.sort_by_key(|m| m.seq);
            let Some(oldest) = page.messages.first() else { break };
            before = Some(oldest.seq);
            let mut texts: Vec<String> =
                page.messages.iter().filter_map(|m| text_of(m.content.as_ref()).map(str::to_owned)).collect();
            texts.append(&mut on_server);
            on_server = texts;
            if !page.more {
                break;
            }
        }
        let (held, server_duplicates, server_disorder) = check(&on_server, &pair.tag);
        report.server_mismatches += acked.difference(&held).count() + server_duplicates + server_disorder;
    }
    report.elapsed_ms = started.elapsed().as_millis();
    drop(pairs);
    drop(relay);
    server.kill();
    report
}

/// The debug (or, when asked, release) server binary next to this build.
pub fn server_binary(profile: &str) -> PathBuf {
    crate::desktop::target_dir().join(profile).join("gkchat-server")
}
