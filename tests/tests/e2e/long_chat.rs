//! A chat of 100,000 messages in the real window: the app catches up on all of them into its
//! store, the chat opens on its newest messages, scrolling up pages older ones in while the
//! page keeps only a window of rows (virtualised), and a search hit on the chat's first message
//! jumps there. How long each step took is printed (figures for BENCHMARKS.md); nothing
//! timed is asserted.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use gkchat_client::ConnectionState;
use gkchat_proto::chat::{Content, NewMessage};
use gkchat_tests::desktop::{DesktopHarness, desktop_binary, shots_dir};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_device};

use super::{PASSWORD, WAIT, sign_up_in_app, type_into};

/// 100,000; `GKCHAT_LONG_CHAT_MESSAGES` sets fewer for a quick look.
fn messages() -> usize {
    std::env::var("GKCHAT_LONG_CHAT_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}
const LONG: Duration = Duration::from_secs(600);

fn numbered(n: usize, chat_id: &str) -> NewMessage {
    NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.to_owned(),
        content: Content::text(format!("note n{n:06} of a very long chat")),
        reply_to: None,
        forwarded: false,
    }
}

/// How many messages the timeline holds, how many rows are in the DOM, the `seq` of the first
/// row in the DOM and the oldest `seq` the timeline holds.
async fn timeline(session: &Session) -> (u64, u64, i64, i64) {
    let script = "const t = document.querySelector('[data-testid=timeline]'); \
                  const first = t.querySelector('[data-testid=message]'); \
                  return [Number(t.dataset.loaded), t.querySelectorAll('[data-testid=message]').length, \
                          first ? Number(first.dataset.seq) : -1, Number(t.dataset.oldestSeq || -1)];";
    let value = session.execute(script, serde_json::json!([])).await;
    let number = |i: usize| value[i].as_f64().unwrap_or(-1.0);
    (number(0) as u64, number(1) as u64, number(2) as i64, number(3) as i64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_of_100000_messages_opens_scrolls_and_finds() {
    let _turn = super::one_at_a_time().await;
    let messages = messages();
    let server = TestServer::start().await;
    let app = desktop_binary();
    let app = app.to_str().unwrap().to_owned();
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url().to_string())]).await;
    let session = Session::start(&harness.driver_url, &app).await;
    sign_up_in_app(&session, "Ada", "ada").await;
    let ada_seed = client_for(server.url());
    let ada = ada_seed.sign_in("ada", PASSWORD, test_device("seed")).await.unwrap();
    session.end().await;
    harness.app_exited().await;

    // While the app is closed, grace writes 100,000 messages from 16 connections at once (the
    // server stores what they send together in one transaction), 8 in flight on each.
    let seeding = Instant::now();
    let (grace, _) = server.signed_up("grace").await;
    ada_seed.add_contact("grace").await.unwrap();
    let live = grace.connect();
    live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
    let chat = gkchat_tests::direct_chat(&grace, &ada.id).await;
    live.send_message(numbered(0, &chat)).await.unwrap();
    const WRITERS: usize = 16;
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (grace, chat) = (grace.clone(), chat.clone());
        writers.push(tokio::spawn(async move {
            let live = grace.connect();
            live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
            let numbers = (1..messages).filter(|n| n % WRITERS == w);
            futures_util::stream::iter(numbers)
                .map(|n| live.send_message(numbered(n, &chat)))
                .buffer_unordered(8)
                .filter(|sent| std::future::ready(sent.is_ok()))
                .count()
                .await
        }));
    }
    let mut acked = 0;
    for writer in writers {
        acked += writer.await.unwrap();
    }
    assert_eq!(acked, messages - 1, "every message was acknowledged");
    println!("figure: seeded {messages} messages on the server in {:.1} s", seeding.elapsed().as_secs_f64());

    // The app starts and catches up on all of them.
    let catching_up = Instant::now();
    let session = Session::start(&harness.driver_url, &app).await;
    session.wait_for_text("[data-testid=chat-tile-unread]", LONG, |t| t == messages.to_string()).await;
    println!("figure: start and catch-up of {messages} messages: {:.1} s", catching_up.elapsed().as_secs_f64());

    // Opening shows the newest, with a bounded number of rows in the page.
    let opening = Instant::now();
    let tile = session.wait_for("[data-testid=chat-tile-name]", WAIT).await;
    session.click(&tile).await;
    session.wait_for(&format!("[data-testid=message][data-seq=\"{messages}\"]"), WAIT).await;
    println!("figure: open the chat to its newest message: {} ms", opening.elapsed().as_millis());
    std::fs::write(shots_dir().join("long-chat.png"), session.screenshot().await).unwrap();
    let (loaded, rows, _, _) = timeline(&session).await;
    assert!(loaded >= 200 && rows < 120, "a window of rows: {rows} in the page of {loaded} loaded");

    // Scroll to the top twenty times: each time an older page comes in, the page stays small
    // and what the timeline holds stays bounded (the newest end goes past 1,000).
    let mut oldest_seen = i64::MAX;
    let mut pages = Vec::new();
    for _ in 0..20 {
        let (_, _, _, before) = timeline(&session).await;
        let started = Instant::now();
        session.execute("document.querySelector('[data-testid=timeline]').scrollTop = 0;", serde_json::json!([])).await;
        let deadline = Instant::now() + WAIT;
        let mut scrolled = Instant::now();
        loop {
            let (loaded, rows, _, now) = timeline(&session).await;
            if now < before {
                assert!(rows < 120, "still a window of rows: {rows} of {loaded}");
                assert!(loaded <= 1_000, "the timeline holds at most 1,000 messages: {loaded}");
                break;
            }
            assert!(Instant::now() < deadline, "no older page came in (still {now})");
            // A scroll that landed while the list was still laying out is done again, as a
            // person would scroll again.
            if scrolled.elapsed() > Duration::from_secs(2) {
                let again =
                    "const t = document.querySelector('[data-testid=timeline]'); t.scrollTop = 40; t.scrollTop = 0;";
                session.execute(again, serde_json::json!([])).await;
                scrolled = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        pages.push(started.elapsed().as_millis());
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, _, first, _) = timeline(&session).await;
        if first >= 0 {
            oldest_seen = oldest_seen.min(first);
        }
    }
    let (_, _, _, oldest) = timeline(&session).await;
    assert!(oldest <= (messages - 200 * 21 + 1) as i64, "twenty older pages came in: the oldest held is {oldest}");
    assert!(oldest_seen < (messages - 4_000) as i64, "the rows shown went back in time: {oldest_seen}");
    pages.sort_unstable();
    println!(
        "figure: 20 older pages of 200 by scrolling up: median {} ms, max {} ms",
        pages[pages.len() / 2],
        pages[pages.len() - 1]
    );

    // A search hit on the very first message jumps there.
    let jumping = Instant::now();
    type_into(&session, "chat-search", "n000000").await;
    let hit = session.wait_for("[data-testid=search-hit]", WAIT).await;
    session.click(&hit).await;
    session.wait_for(".bubble.highlight[data-seq=\"1\"]", LONG).await;
    println!("figure: search and jump to the first of {messages} messages: {} ms", jumping.elapsed().as_millis());
    let (loaded, rows, _, _) = timeline(&session).await;
    assert!(rows < 120 && loaded <= 1_000, "still a window after the jump: {rows} rows of {loaded}");

    session.end().await;
    drop(harness);
    server.stop().await;
}
