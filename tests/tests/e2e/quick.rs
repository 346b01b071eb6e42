//! Quick chat end to end: two people in headless browsers (each with their own cookies) on
//! the page the companion server serves at `/q` — Chromium and Chromium, Firefox and Chromium,
//! Firefox and Firefox, one flow written once against [`Browser`] — and the desktop app
//! joining a room through its `gkchat://` link.

use std::time::Duration;

use gkchat_tests::browser::Browser;
use gkchat_tests::chromium::Chromium;
use gkchat_tests::firefox::Firefox;
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, everything_in, test_config};

const WAIT: Duration = Duration::from_secs(30);

// Fields and buttons may take as long to show as in the app's tests (`super::WAIT`).
async fn type_into(browser: &impl Browser, testid: &str, text: &str) {
    let field = browser.wait_for(&format!("[data-testid={testid}]"), super::WAIT).await;
    browser.clear(&field).await;
    browser.type_text(&field, text).await;
}

async fn click(browser: &impl Browser, testid: &str) {
    let element = browser.wait_for(&format!("[data-testid={testid}]"), super::WAIT).await;
    browser.click(&element).await;
}

async fn text_of(browser: &impl Browser, testid: &str) -> String {
    let element = browser.wait_for(&format!("[data-testid={testid}]"), WAIT).await;
    browser.property(&element, "textContent").await.as_str().unwrap_or_default().to_owned()
}

async fn wait_text(browser: &impl Browser, testid: &str, predicate: impl Fn(&str) -> bool) -> String {
    let element = browser.wait_for(&format!("[data-testid={testid}]"), WAIT).await;
    let value = browser.wait_for_property(&element, "textContent", WAIT, |v| v.as_str().is_some_and(&predicate)).await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Says `text` with the Enter key, as a person would.
async fn say(browser: &impl Browser, text: &str) {
    type_into(browser, "say", &format!("{text}\u{E007}")).await;
}

/// Joins on the landing page of `link` with `name` and `code`.
async fn join(browser: &impl Browser, link: &str, name: &str, code: &str) {
    browser.goto(link).await;
    type_into(browser, "join-name", name).await;
    type_into(browser, "join-code", code).await;
    click(browser, "join").await;
}

/// Both texts are in the timeline, `first` before `second`.
fn in_order(timeline: &str, first: &str, second: &str) -> bool {
    matches!((timeline.find(first), timeline.find(second)), (Some(a), Some(b)) if a < b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_create_join_chat_rejoin_and_end_a_quick_chat() {
    let _turn = super::one_at_a_time().await;
    let mut chromium = Chromium::start().await;
    let ada = chromium.browser().await;
    let grace = chromium.browser().await;
    create_join_chat_rejoin_and_end(ada, grace).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firefox_and_chromium_create_join_chat_rejoin_and_end_a_quick_chat() {
    let _turn = super::one_at_a_time().await;
    let ada = Firefox::start().await;
    let mut chromium = Chromium::start().await;
    let grace = chromium.browser().await;
    create_join_chat_rejoin_and_end(ada, grace).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_firefox_profiles_create_join_chat_rejoin_and_end_a_quick_chat() {
    let _turn = super::one_at_a_time().await;
    let ada = Firefox::start().await;
    let grace = Firefox::start().await;
    create_join_chat_rejoin_and_end(ada, grace).await;
}

/// Ada creates a quick chat on the page, both join with their codes (Ada after a wrong one),
/// they chat both ways, Ada closes her tab and comes back to the whole history, Grace ends it.
async fn create_join_chat_rejoin_and_end(ada: impl Browser, grace: impl Browser) {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;

    // Ada starts the chat on the page and gets both links and codes.
    ada.goto(&format!("{}q", server.url())).await;
    type_into(&ada, "name-0", "Ada").await;
    type_into(&ada, "name-1", "Grace").await;
    click(&ada, "create").await;
    let link = [text_of(&ada, "link-0").await, text_of(&ada, "link-1").await];
    let code = [text_of(&ada, "code-0").await, text_of(&ada, "code-1").await];
    assert!(link[0].starts_with(&format!("{}q/", server.url())) && link[0] != link[1], "{link:?}");
    assert!(ada.find("[data-testid=invite-0] img").await.is_some(), "the QR code is shown");

    // A wrong code is refused in words; the right one opens the chat.
    ada.goto(&link[0]).await;
    wait_text(&ada, "hello", |t| t == "Hello Ada").await;
    type_into(&ada, "join-name", "Ada").await;
    type_into(&ada, "join-code", "WRONG234").await;
    click(&ada, "join").await;
    wait_text(&ada, "join-error", |t| t.contains("wrong") && t.contains("4 tries left")).await;
    type_into(&ada, "join-code", &code[0]).await;
    click(&ada, "join").await;
    wait_text(&ada, "chat-with", |t| t == "Grace").await;
    wait_text(&ada, "other-status", |t| t == "is away").await;

    // Grace joins (her name in any case); each sees the other arrive; they chat both ways.
    join(&grace, &link[1], "grace", &code[1].to_lowercase()).await;
    wait_text(&grace, "chat-with", |t| t == "Ada").await;
    wait_text(&grace, "other-status", |t| t == "is here").await;
    wait_text(&ada, "other-status", |t| t == "is here").await;
    say(&ada, "Hello Grace").await;
    wait_text(&grace, "timeline", |t| t.contains("Hello Grace")).await;
    say(&grace, "Hi Ada, compiling").await;
    wait_text(&ada, "timeline", |t| in_order(t, "Hello Grace", "Hi Ada, compiling")).await;

    // Ada closes her tab; Grace sees her go and writes meanwhile; Ada opens her link again
    // and is back in the chat without the code (HttpOnly cookie), everything in order.
    ada.close_tab_for_a_new_one().await;
    wait_text(&grace, "other-status", |t| t == "is away").await;
    say(&grace, "while you were away").await;
    wait_text(&grace, "timeline", |t| t.contains("while you were away")).await;
    ada.goto(&link[0]).await;
    wait_text(&ada, "timeline", |t| {
        in_order(t, "Hello Grace", "Hi Ada, compiling") && in_order(t, "Hi Ada, compiling", "while you were away")
    })
    .await;
    wait_text(&grace, "other-status", |t| t == "is here").await;
    let cookies = ada.execute("return document.cookie;", serde_json::json!([])).await;
    assert_eq!(cookies, "", "the session cookie is HttpOnly: the page's script cannot read it");

    // Grace ends it: both see it has ended; the link says so afterwards.
    click(&grace, "end").await;
    wait_text(&grace, "ended", |t| t == "This chat has ended.").await;
    wait_text(&ada, "ended", |t| t == "This chat has ended.").await;
    ada.goto(&link[0]).await;
    wait_text(&ada, "ended", |t| t == "This chat has ended.").await;

    ada.end().await;
    grace.end().await;
    // Nothing of the chat reached the disk.
    server.stop().await;
    let on_disk = everything_in(temp.path());
    for secret in ["Hello Grace", "Hi Ada, compiling", "while you were away", code[0].as_str(), code[1].as_str()] {
        assert!(!on_disk.contains(secret), "{secret:?} was written to the data directory");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_quick_chat_ends_for_both_browsers() {
    let _turn = super::one_at_a_time().await;
    let mut chromium = Chromium::start().await;
    let ada = chromium.browser().await;
    let grace = chromium.browser().await;
    an_idle_quick_chat_ends_for_both(ada, grace).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_quick_chat_ends_for_firefox_and_chromium() {
    let _turn = super::one_at_a_time().await;
    let ada = Firefox::start().await;
    let mut chromium = Chromium::start().await;
    let grace = chromium.browser().await;
    an_idle_quick_chat_ends_for_both(ada, grace).await;
}

/// Ada and Grace join a room and then say nothing: both are told it ended, on the page.
async fn an_idle_quick_chat_ends_for_both(ada: impl Browser, grace: impl Browser) {
    let temp = tempfile::tempdir().unwrap();
    // The test controls the idle time: four seconds instead of thirty minutes (long enough
    // for both to join on a busy machine: joining and attaching count as activity).
    let config = gkchat_server::Config { quick_idle_secs: 4, ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let http = reqwest::Client::new();
    let body = serde_json::json!({ "names": ["Ada", "Grace"] });
    let room: gkchat_proto::quick::QuickChatCreated =
        http.post(format!("{}api/v1/quick", server.url())).json(&body).send().await.unwrap().json().await.unwrap();
    let link = |i: usize| format!("{}{}", server.url(), room.invites[i].path.trim_start_matches('/'));
    join(&ada, &link(0), "Ada", &room.invites[0].code).await;
    join(&grace, &link(1), "Grace", &room.invites[1].code).await;
    wait_text(&ada, "other-status", |t| t == "is here").await;
    say(&ada, "anyone?").await;
    wait_text(&grace, "timeline", |t| t.contains("anyone?")).await;
    // Then nobody says anything: both are told, while still on the page.
    ended_without_activity(&ada).await;
    ended_without_activity(&grace).await;
    ada.end().await;
    grace.end().await;
}

async fn ended_without_activity(browser: &impl Browser) {
    wait_text(browser, "ended", |t| t == "This chat has ended.").await;
    let page = browser.wait_for("#app", WAIT).await;
    browser
        .wait_for_property(&page, "textContent", WAIT, |v| v.as_str().is_some_and(|t| t.contains("without activity")))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_joins_through_its_gkchat_link_and_talks_with_a_browser() {
    let _turn = super::one_at_a_time().await;
    use gkchat_tests::desktop::{DesktopHarness, desktop_binary};
    let server = TestServer::start().await;
    let chats = gkchat_client::QuickChats::new();
    let room = chats.create(&server.url(), ["Ada".into(), "Grace".into()]).await.unwrap();
    let links: Vec<gkchat_client::QuickLink> = room
        .invites
        .iter()
        .map(|invite| gkchat_client::QuickLink::of_invite(&server.url(), &invite.path).unwrap())
        .collect();

    // Ada is in a browser.
    let mut chromium = Chromium::start().await;
    let ada = chromium.browser().await;
    join(&ada, &links[0].web_link(), "Ada", &room.invites[0].code).await;
    wait_text(&ada, "other-status", |t| t == "is away").await;

    // Grace's app is started with her gkchat:// link (as the OS does for a clicked link).
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url().to_string())]).await;
    let app_link = links[1].app_link();
    let grace = Session::start_app_with_args(
        &harness.driver_url,
        desktop_binary().to_str().unwrap(),
        std::slice::from_ref(&app_link),
    )
    .await;
    let hello = grace.wait_for("[data-testid=quick-hello]", Duration::from_secs(60)).await;
    grace.wait_for_property(&hello, "textContent", WAIT, |v| v == "Hello Grace").await;
    type_into(&grace, "quick-join-name", "Grace").await;
    type_into(&grace, "quick-join-code", "WRONG234").await;
    click(&grace, "quick-join").await;
    wait_text(&grace, "quick-error", |t| t.contains("invalid_code")).await;
    type_into(&grace, "quick-join-code", &room.invites[1].code).await;
    click(&grace, "quick-join").await;
    wait_text(&grace, "quick-chat-with", |t| t == "Ada").await;
    wait_text(&grace, "quick-other-status", |t| t == "is here").await;
    wait_text(&ada, "other-status", |t| t == "is here").await;

    // Both ways.
    type_into(&grace, "quick-say", "hello from the app\u{E007}").await;
    wait_text(&ada, "timeline", |t| t.contains("hello from the app")).await;
    say(&ada, "hello from the browser").await;
    wait_text(&grace, "quick-timeline", |t| in_order(t, "hello from the app", "hello from the browser")).await;
    let shots = gkchat_tests::desktop::shots_dir();
    std::fs::write(shots.join("quick-chat-app.png"), grace.screenshot().await).unwrap();

    // Grace leaves the chat screen and comes back with the link: no code, the chat as it was.
    click(&grace, "quick-close").await;
    wait_text(&ada, "other-status", |t| t == "is away").await;
    say(&ada, "still there?").await;
    wait_text(&ada, "timeline", |t| t.contains("still there?")).await;
    click(&grace, "auth-quick-chat").await;
    type_into(&grace, "quick-link", &app_link).await;
    click(&grace, "quick-open").await;
    wait_text(&grace, "quick-timeline", |t| {
        in_order(t, "hello from the app", "hello from the browser")
            && in_order(t, "hello from the browser", "still there?")
    })
    .await;
    wait_text(&ada, "other-status", |t| t == "is here").await;

    // Grace ends it from the app; the browser is told.
    click(&grace, "quick-end").await;
    wait_text(&grace, "quick-ended", |t| t == "This chat has ended.").await;
    wait_text(&ada, "ended", |t| t == "This chat has ended.").await;
    std::fs::write(shots.join("quick-chat-ended.png"), grace.screenshot().await).unwrap();

    grace.end().await;
    ada.end().await;
}
