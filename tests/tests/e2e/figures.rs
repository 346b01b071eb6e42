//! Not a test: the desktop figures for BENCHMARKS.md, printed (nothing timed is asserted).
//! The release app (what users install) with 100 chats and 100,000 messages in its local
//! store: start to an interactive chat list, and the memory of all its processes once idle.
//!
//! ```sh
//! ./gk deb   # builds target/release/gkchat-desktop
//! GKCHAT_DESKTOP_BIN=target/release/gkchat-desktop dbus-run-session -- \
//!   cargo test -p gkchat-tests --features e2e --test e2e -- --ignored --nocapture desktop_figures
//! ```

use std::time::{Duration, Instant};

use gkchat_client::ConnectionState;
use gkchat_proto::chat::{Content, NewMessage};
use gkchat_tests::desktop::{DesktopHarness, desktop_binary};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_device};

use super::{PASSWORD, sign_up_in_app};

const CHATS: usize = 100;
const PER_CHAT: usize = 1_000;
const LONG: Duration = Duration::from_secs(900);

/// The app's processes: every process whose command is the app binary, and their descendants
/// (WebKit's web and network processes).
fn app_processes(binary: &str) -> Vec<u32> {
    let mut all: Vec<(u32, u32, String)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let ppid =
            status.lines().find_map(|l| l.strip_prefix("PPid:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
        let command = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let first = command.split(|b| *b == 0).next().unwrap_or_default();
        all.push((pid, ppid, String::from_utf8_lossy(first).into_owned()));
    }
    let mut found: Vec<u32> = all.iter().filter(|(_, _, cmd)| cmd.ends_with(binary)).map(|(pid, _, _)| *pid).collect();
    let mut grew = true;
    while grew {
        grew = false;
        for (pid, ppid, _) in &all {
            if found.contains(ppid) && !found.contains(pid) {
                found.push(*pid);
                grew = true;
            }
        }
    }
    found
}

/// Sum of `field` (kB) in `/proc/<pid>/<file>` over `pids`, in MiB.
fn sum_kb(pids: &[u32], file: &str, field: &str) -> f64 {
    let kb: u64 = pids
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok())
        .filter_map(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum();
    kb as f64 / 1024.0
}

async fn unread_total(session: &Session) -> u64 {
    let script = "return Array.from(document.querySelectorAll('[data-testid=chat-tile-unread]'))\
                  .reduce((sum, e) => sum + Number(e.textContent), 0);";
    session.execute(script, serde_json::json!([])).await.as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "figures for BENCHMARKS.md, run by hand with the release app"]
async fn desktop_figures() {
    let _turn = super::one_at_a_time().await;
    let server = TestServer::start().await;
    let app = desktop_binary();
    let app_name = app.file_name().unwrap().to_string_lossy().into_owned();
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url().to_string())]).await;
    let session = Session::start(&harness.driver_url, app.to_str().unwrap()).await;
    sign_up_in_app(&session, "Mia", "mia").await;
    let mia_seed = client_for(server.url());
    let mia = mia_seed.sign_in("mia", PASSWORD, test_device("seed")).await.unwrap();

    // 100 people write 1,000 messages each; the app receives them live into its store.
    let seeding = Instant::now();
    let mut writers = Vec::new();
    for i in 0..CHATS {
        let (client, _) = server.signed_up(&format!("writer{i:03}")).await;
        // Her contacts: their chats are hers, not requests.
        mia_seed.add_contact(&format!("writer{i:03}")).await.unwrap();
        let to = mia.id.clone();
        writers.push(tokio::spawn(async move {
            let live = client.connect();
            live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
            let chat_id = gkchat_tests::direct_chat(&client, &to).await;
            for n in 0..PER_CHAT {
                let message = NewMessage {
                    id: uuid::Uuid::now_v7().to_string(),
                    chat_id: chat_id.clone(),
                    content: Content::text(format!("message {n} of a long conversation, with some words")),
                    reply_to: None,
                    forwarded: false,
                };
                live.send_message(message).await.unwrap();
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let expected = (CHATS * PER_CHAT) as u64;
    let deadline = Instant::now() + LONG;
    while unread_total(&session).await < expected {
        assert!(Instant::now() < deadline, "the app never showed all messages");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    println!("seeded {expected} messages in {CHATS} chats in {:.0} s", seeding.elapsed().as_secs_f64());

    // Idle: a minute after the last message, all the app's processes.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let pids = app_processes(&app_name);
    println!(
        "idle memory of {} processes: RSS {:.0} MiB, PSS {:.0} MiB",
        pids.len(),
        sum_kb(&pids, "status", "VmRSS:"),
        sum_kb(&pids, "smaps_rollup", "Pss:")
    );

    // Start to an interactive chat list (signed in from the keyring, tiles from the local
    // store), five times; the process is new each time, the OS page cache is warm.
    let mut starts = Vec::new();
    let mut session = session;
    for _ in 0..5 {
        session.end().await;
        harness.app_exited().await;
        let started = Instant::now();
        session = Session::start(&harness.driver_url, app.to_str().unwrap()).await;
        session.wait_for("[data-testid=chat-tile]", LONG).await;
        while session
            .execute("return document.querySelectorAll('[data-testid=chat-tile]').length;", serde_json::json!([]))
            .await
            .as_u64()
            != Some(CHATS as u64)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        starts.push(started.elapsed().as_millis());
    }
    starts.sort_unstable();
    println!("start to a chat list of {CHATS} tiles (ms, 5 runs, sorted): {starts:?}; median {}", starts[2]);
    session.end().await;
}
