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
use gkchat_tests::desktop::{DesktopHarness, app_memory, desktop_binary, memory_by_kind};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_device};

use super::{PASSWORD, sign_up_in_app};

const CHATS: usize = 100;
const PER_CHAT: usize = 1_000;
const LONG: Duration = Duration::from_secs(900);

/// Empties the OS page cache (root only): the next start reads the app and its libraries from disk.
fn drop_page_cache() -> bool {
    let synced = std::process::Command::new("sync").status().is_ok_and(|s| s.success());
    synced && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// The app's start-up marks (name, ms since its process started), asked of the app itself.
async fn startup_marks(session: &Session) -> Vec<(String, f64)> {
    let marks =
        session.execute("return window.__TAURI_INTERNALS__.invoke('startup_marks');", serde_json::json!([])).await;
    marks
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| (m["name"].as_str().unwrap_or_default().to_owned(), m["ms"].as_f64().unwrap_or(f64::NAN)))
        .collect()
}

/// The app's log (its stderr and that of WebKit's processes) while started through `logged_app`.
fn app_log(harness: &DesktopHarness) -> std::path::PathBuf {
    harness.home.path().join("app.log")
}

/// A script that starts `app` keeping its log in `app_log` (WebDriver starts the app with no
/// stderr of its own).
fn logged_app(harness: &DesktopHarness, app: &std::path::Path) -> String {
    let wrapper = harness.home.path().join("app.sh");
    let script = format!("#!/bin/sh\nexec '{}' \"$@\" 2>>'{}'\n", app.display(), app_log(harness).display());
    std::fs::write(&wrapper, script).unwrap();
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    wrapper.display().to_string()
}

/// JavaScriptCore's heap as its last collection in the log left it (`JSC_logGC=1`: lines
/// `[GC<…>: … => 2902kb, p=… END]`), in KiB, and how many collections the log has.
fn js_heap_after_last_collection(log: &str) -> Option<(u64, usize)> {
    let ends: Vec<u64> = log
        .lines()
        .filter(|line| line.starts_with("[GC<") && line.ends_with("END]"))
        .filter_map(|line| {
            let after = &line[line.rfind("=> ")? + 3..];
            after[..after.find("kb")?].parse().ok()
        })
        .collect();
    ends.last().map(|kib| (*kib, ends.len()))
}

/// A new session of the app; one that does not come within a minute (seen twice in about twenty
/// starts after the seeding, not diagnosed) prints the stacks of every thread of the app's
/// processes and of WebKitWebDriver before failing, to tell where the start stopped.
async fn start_or_show_stacks(harness: &DesktopHarness, app: &str) -> Session {
    let (url, path) = (harness.driver_url.clone(), app.to_owned());
    let mut start = tokio::spawn(async move { Session::start(&url, &path).await });
    if let Ok(started) = tokio::time::timeout(Duration::from_secs(60), &mut start).await {
        return started.expect("the session started");
    }
    let script = "ps -eo pid,ppid,stat,etime,cmd | grep -iE 'gkchat|webkit' | grep -v grep; \
                  for p in $(pgrep -f 'gkchat-desktop|WebKitWebProcess|WebKitNetworkProcess|WebKitWebDriver'); do \
                  echo \"=== $p $(tr '\\0' ' ' < /proc/$p/cmdline)\"; \
                  gdb -p $p -batch -ex 'thread apply all bt 12' 2>/dev/null | grep -E '^(Thread|#)'; done";
    let out = std::process::Command::new("sh").arg("-c").arg(script).output();
    println!(
        "no session after 60 s; the app's processes:\n{}",
        out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default()
    );
    let log = std::fs::read_to_string(app_log(harness)).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(60).collect();
    println!("the app's log, last lines:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    panic!("the app's WebDriver session did not start within 60 s");
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn runs(values: &[f64]) -> String {
    format!("({})", values.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(" / "))
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
    // JavaScriptCore logs each collection (the page's heap, one of the causes below).
    let harness =
        DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url().to_string()), ("JSC_logGC", "1".to_owned())]).await;
    let app_path = logged_app(&harness, &app);
    let session = Session::start(&harness.driver_url, &app_path).await;
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
    let processes = app_memory(&app_name);
    for p in &processes {
        let kinds = memory_by_kind(p.pid).iter().map(|(k, mib)| format!("{k} {mib:.0}")).collect::<Vec<_>>();
        println!(
            "idle memory of {} ({}): RSS {:.0} MiB, PSS {:.0} MiB ({})",
            p.name,
            p.pid,
            p.rss_mib,
            p.pss_mib,
            kinds.join(", ")
        );
    }
    // The page's share by cause: its elements (each tile a dozen), and JavaScriptCore's heap as
    // its last collection left it (`JSC_logGC=1` in the environment: the web process's log).
    let elements = session.execute("return document.getElementsByTagName('*').length;", serde_json::json!([])).await;
    println!("idle page: {elements} elements");
    match js_heap_after_last_collection(&std::fs::read_to_string(app_log(&harness)).unwrap_or_default()) {
        Some((kib, collections)) => println!(
            "idle page: JavaScriptCore heap {:.1} MiB after its last collection ({collections} collections so far)",
            kib as f64 / 1024.0
        ),
        None => println!("idle page: no JavaScriptCore collection logged"),
    }
    println!(
        "idle memory of {} processes: RSS {:.0} MiB, PSS {:.0} MiB",
        processes.len(),
        processes.iter().map(|p| p.rss_mib).sum::<f64>(),
        processes.iter().map(|p| p.pss_mib).sum::<f64>()
    );

    // Start to the painted chat list, five times with the OS page cache warm, then three times
    // cold (dropped before the start; needs root, else skipped). The app's own marks count from
    // its process's start (`startup_marks`); the time through WebDriver is printed beside them.
    let mut session = session;
    for cold in [false, true] {
        let mut inside = Vec::new();
        let mut outside = Vec::new();
        for _ in 0..if cold { 3 } else { 5 } {
            if cold && !drop_page_cache() {
                println!("cold starts skipped: cannot write /proc/sys/vm/drop_caches");
                break;
            }
            session.end().await;
            harness.app_exited().await;
            if cold {
                drop_page_cache();
            }
            let started = Instant::now();
            session = start_or_show_stacks(&harness, &app_path).await;
            session.wait_for("[data-testid=chat-tile]", LONG).await;
            while session
                .execute("return document.querySelectorAll('[data-testid=chat-tile]').length;", serde_json::json!([]))
                .await
                .as_u64()
                != Some(CHATS as u64)
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            outside.push(started.elapsed().as_millis() as f64);
            // The page marks the paint a frame after the tiles are in it.
            let deadline = Instant::now() + Duration::from_secs(10);
            let (marks, painted) = loop {
                let marks = startup_marks(&session).await;
                let painted = marks.iter().find(|(name, _)| name == "chat_list_painted").map(|(_, ms)| *ms);
                if painted.is_some() || Instant::now() > deadline {
                    break (marks, painted);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            println!("start marks ({}): {marks:?}", if cold { "cold" } else { "warm" });
            inside.push(painted.expect("the page marks its painted chat list"));
        }
        if inside.is_empty() {
            continue;
        }
        let cache = if cold { "cold" } else { "warm" };
        println!(
            "start to a painted chat list of {CHATS} tiles, page cache {cache}: inside the app median {:.0} ms {}; \
             through WebDriver median {:.0} ms {}",
            median(&mut inside),
            runs(&inside),
            median(&mut outside),
            runs(&outside)
        );
    }
    session.end().await;
}
