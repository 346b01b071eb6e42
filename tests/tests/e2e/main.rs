//! End to end through the real window: the built desktop binary runs under Xvfb, driven by
//! tauri-driver + WebKitWebDriver, against a real companion server on port 0, with the
//! refresh token in a real Secret Service. Run by `./gk test` (feature `e2e`).

mod calls;
mod desktop_life;
mod figures;
mod frame;
mod groups;
mod installer;
mod long_chat;
mod media;
mod quick;
mod soak;

use std::time::Duration;

use gkchat_client::{ConnectionState, Event};
use gkchat_proto::chat::{Content, NewMessage, ReceiptKind};
use gkchat_tests::desktop::{DesktopHarness, desktop_binary, local_stores, shots_dir};
use gkchat_tests::sms::SmsGateway;
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_config, test_device};

/// One end-to-end test at a time: each starts a desktop app or browsers (several processes,
/// a virtual display), and two at once on 2 cores starved each other's windows into timeouts.
async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

async fn within_secs<T>(secs: u64, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), future).await.expect("in time")
}

const BADGE: &str = "[data-testid=connection-state]";
const WAIT: Duration = Duration::from_secs(60);
const PASSWORD: &str = "analytical engine 1843";

async fn type_into(session: &Session, testid: &str, text: &str) {
    let field = session.wait_for(&format!("[data-testid={testid}]"), WAIT).await;
    session.clear(&field).await;
    session.type_text(&field, text).await;
}

async fn click(session: &Session, testid: &str) {
    let element = session.wait_for(&format!("[data-testid={testid}]"), WAIT).await;
    session.click(&element).await;
}

/// Waits until the text content of the first element matching `css` satisfies `ok` (content,
/// not rendered text: WebKitWebDriver reads an ellipsised text as empty; found again on every
/// look, as React may replace the element); returns it.
async fn content_of(session: &Session, css: &str, ok: impl Fn(&str) -> bool) -> String {
    contents(session, css, false, ok).await
}

/// [`content_of`] for any of the elements matching `css` (one of many system messages).
async fn content_of_any(session: &Session, css: &str, ok: impl Fn(&str) -> bool) -> String {
    contents(session, css, true, ok).await
}

async fn contents(session: &Session, css: &str, any: bool, ok: impl Fn(&str) -> bool) -> String {
    let script = "const all = [...document.querySelectorAll(arguments[0])].map(e => e.textContent); \
                  return arguments[1] ? all : all.slice(0, 1);";
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = serde_json::Value::Null;
    while tokio::time::Instant::now() < deadline {
        last = session.execute(script, serde_json::json!([css, any])).await;
        let texts = last.as_array().into_iter().flatten().filter_map(|t| t.as_str());
        if let Some(text) = texts.into_iter().find(|t| ok(t)) {
            return text.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.save_failure_evidence().await;
    panic!("{css} never had the content wanted within {WAIT:?}; last {last}");
}

/// Waits until the header names me `name`. (The name ellipsises when the column is narrow,
/// which WebKitWebDriver reads as no visible text: read its content.)
async fn shows_me_as(session: &Session, name: &str) {
    content_of(session, "[data-testid=me-name]", |t| t == name).await;
}

/// Signs up `username` (display name `display_name`) in the app's sign-up form; returns once
/// the app shows them signed in.
async fn sign_up_in_app(session: &Session, display_name: &str, username: &str) {
    click(session, "auth-tab-sign-up").await;
    type_into(session, "auth-display-name", display_name).await;
    type_into(session, "auth-username", username).await;
    type_into(session, "auth-email", &format!("{username}@example.org")).await;
    type_into(session, "auth-password", PASSWORD).await;
    click(session, "auth-submit").await;
    shows_me_as(session, display_name).await;
}

/// Waits until Settings has loaded its lists, so buttons below them no longer move under a click.
async fn settings_loaded(session: &Session) {
    session.wait_for_text("[data-testid=devices]", WAIT, |t| t.contains("this device")).await;
    session.wait_for_text("[data-testid=blocked]", WAIT, |t| t.contains("@charles")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_edit_profile_restart_still_signed_in() {
    let _turn = one_at_a_time().await;
    let temp = tempfile::tempdir().unwrap();
    let mut sms = SmsGateway::start().await;
    let config = gkchat_server::Config { sms_gateway_url: sms.url.clone(), ..test_config(temp.path()) };
    let server = TestServer::start_with(config.clone(), "127.0.0.1:0".parse().unwrap()).await;
    let addr = server.addr;
    let server_url = server.url().to_string();

    let app = desktop_binary();
    assert!(app.is_file(), "build the desktop app first: {} is missing", app.display());
    let app = app.to_str().unwrap().to_owned();
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server_url.clone())]).await;
    let session = Session::start(&harness.driver_url, &app).await;

    // First start: signed out, yet connected to the server.
    session.wait_for("[data-testid=auth-submit]", WAIT).await;
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;
    std::fs::write(shots_dir().join("connected.png"), session.screenshot().await).unwrap();

    // A weak password is refused with its code; then sign up for real.
    click(&session, "auth-tab-sign-up").await;
    type_into(&session, "auth-display-name", "Ada Lovelace").await;
    type_into(&session, "auth-username", "ada").await;
    type_into(&session, "auth-email", "ada@example.org").await;
    type_into(&session, "auth-password", "password").await;
    click(&session, "auth-submit").await;
    session.wait_for_text("[data-testid=auth-error]", WAIT, |t| t.ends_with("(weak_password)")).await;
    type_into(&session, "auth-password", PASSWORD).await;
    click(&session, "auth-submit").await;
    shows_me_as(&session, "Ada Lovelace").await;

    // Add a contact by username in the Chats tab; a wrong name is refused in words.
    let (charles, _) = server.signed_up("charles").await;
    type_into(&session, "add-contact-username", "nobody.here").await;
    click(&session, "add-contact").await;
    session.wait_for_text("[data-testid=contacts-error]", WAIT, |t| t.ends_with("(not_found)")).await;
    type_into(&session, "add-contact-username", "charles").await;
    click(&session, "add-contact").await;
    session.wait_for_text("[data-testid=contact]", WAIT, |t| t.contains("@charles")).await;
    // Their presence follows them live: online while connected, then "last seen today".
    let charles_live = charles.connect();
    session.wait_for_text("[data-testid=contact-presence]", WAIT, |t| t == "online").await;
    charles_live.close().await;
    session.wait_for_text("[data-testid=contact-presence]", WAIT, |t| t.starts_with("last seen today at")).await;
    // Report and block them; the blocked list in Settings shows them.
    click(&session, "contact-report").await;
    type_into(&session, "report-reason", "keeps sending adverts").await;
    click(&session, "report-submit").await;
    session.wait_for_text("[data-testid=contacts-notice]", WAIT, |t| t.contains("report was sent")).await;
    click(&session, "tab-settings").await;
    session.wait_for_text("[data-testid=blocked]", WAIT, |t| t.contains("@charles")).await;
    click(&session, "tab-chats").await;

    // Edit the profile in Settings; the header follows and the server has it.
    click(&session, "tab-settings").await;
    // A photo: pick a file, zoom into the square, save; the header shows it.
    let picture = temp.path().join("portrait.png");
    image::RgbImage::from_fn(300, 200, |x, _| if x < 150 { [200, 30, 30].into() } else { [30, 30, 200].into() })
        .save(&picture)
        .unwrap();
    let file_input = session.wait_for("[data-testid=photo-file]", WAIT).await;
    session.type_text(&file_input, picture.to_str().unwrap()).await;
    session.wait_for("[data-testid=photo-crop]", WAIT).await;
    click(&session, "photo-save").await;
    session.wait_for("img[data-testid=avatar-photo]", WAIT).await;
    type_into(&session, "profile-display-name", "Ada L.").await;
    type_into(&session, "profile-status", "at the gym").await;
    click(&session, "save-profile").await;
    session.wait_for("[data-testid=profile-saved]", WAIT).await;
    shows_me_as(&session, "Ada L.").await;
    content_of(&session, "[data-testid=me-status]", |t| t == "at the gym").await;
    let other_device = client_for(server.url());
    let me = other_device.sign_in("ada", PASSWORD, test_device("headless")).await.unwrap();
    assert_eq!((me.display_name.as_str(), me.status_text.as_str()), ("Ada L.", "at the gym"));
    assert!(me.photo.is_some(), "the photo reached the server");
    frame::every_frame(&session, "settings").await;

    // Messaging with a headless client: grace is a stranger, so her chat waits under Message
    // requests; the tile shows the unread count and the last message; opening the chat reads it
    // (she sees that once Ada accepts); Enter sends; ticks turn to read when grace reads.
    click(&session, "tab-chats").await;
    let (grace, grace_me) = server.signed_up("grace").await;
    let grace_live = grace.connect();
    let mut grace_events = grace_live.events();
    grace_live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
    let hello = |text: &str, chat_id: &str| NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.to_owned(),
        content: Content::text(text),
        reply_to: None,
        forwarded: false,
    };
    let chat_id = gkchat_tests::direct_chat(&grace, &me.id).await;
    grace_live.send_message(hello("hello Ada", &chat_id)).await.unwrap();
    grace_live.send_message(hello("are you there?", &chat_id)).await.unwrap();
    session.wait_for_text("[data-testid=requests-entry]", WAIT, |t| t == "Message requests (1)").await;
    click(&session, "requests-entry").await;
    session.wait_for_text("[data-testid=chat-tile-unread]", WAIT, |t| t == "2").await;
    // (The preview ellipsises, which WebKitWebDriver reads as no visible text: read its content.)
    let preview = session.wait_for("[data-testid=chat-tile-preview]", WAIT).await;
    session.wait_for_property(&preview, "textContent", WAIT, |v| v.as_str() == Some("are you there?")).await;
    frame::every_frame(&session, "chat-list").await;
    click(&session, "chat-tile-name").await;
    session.wait_for_text("[data-testid=conversation-name]", WAIT, |t| t == "grace").await;
    session.wait_for_text("[data-testid=timeline]", WAIT, |t| t.contains("are you there?")).await;
    session.wait_for_text("[data-testid=request-bar]", WAIT, |t| t.contains("grace is not in your contacts")).await;
    std::fs::write(shots_dir().join("message-request.png"), session.screenshot().await).unwrap();
    click(&session, "request-accept").await;
    let composer = session.wait_for("[data-testid=composer]", WAIT).await;
    session.type_text(&composer, "hi grace, here now").await;
    session.type_text(&composer, "\u{E007}").await;
    let received = within_secs(20, async {
        loop {
            if let Some(Event::Message(m)) = grace_events.next().await
                && m.sender_id == me.id
            {
                return m;
            }
        }
    })
    .await;
    assert_eq!(received.content, Some(Content::text("hi grace, here now")));
    // Opening the chat read grace's messages; grace reading ada's turns the tick blue.
    let tile = grace.chats().await.unwrap().remove(0);
    assert_eq!(tile.read_by_all_seq, 2, "the app marked grace's messages read");
    grace_live.receipt(&chat_id, ReceiptKind::Read, received.seq).await.unwrap();
    session
        .wait_for_text("[data-testid=message][data-status=read] [data-testid=message-text]", WAIT, |t| {
            t == "hi grace, here now"
        })
        .await;
    // Message info says when grace received and read it.
    let menu = session.wait_for("[data-testid=message][data-status=read] [data-testid=message-menu]", WAIT).await;
    session.click(&menu).await;
    click(&session, "message-info").await;
    session.wait_for_text("[data-testid=message-info-text]", WAIT, |t| t.contains("Read today at")).await;
    session.wait_for("[data-testid=chat-tile]", WAIT).await;
    assert!(session.find("[data-testid=chat-tile-unread]").await.is_none(), "nothing unread any more");
    frame::every_frame(&session, "conversation").await;
    // Search finds it on this device (FTS5) and jumps to it.
    type_into(&session, "chat-search", "here no").await;
    let hit = session.wait_for("[data-testid=search-hit]", WAIT).await;
    session.wait_for_property(&hit, "textContent", WAIT, |v| v.as_str().is_some_and(|t| t.contains("here now"))).await;
    session.click(&hit).await;
    session.wait_for(".bubble.highlight[data-message-id]", WAIT).await;
    let search = session.wait_for("[data-testid=chat-search]", WAIT).await;
    session.clear(&search).await;
    drop(grace_me);
    click(&session, "tab-settings").await;

    // Verify a phone number with the code the SMS gateway received.
    type_into(&session, "verify-phone-phone", "+44 7911 123456").await;
    click(&session, "verify-phone-submit").await;
    let code = sms.code_for("+447911123456").await;
    type_into(&session, "verify-phone-code", &code).await;
    click(&session, "verify-phone-submit").await;
    session.wait_for_text("[data-testid=phone-verified]", WAIT, |t| t.starts_with("+447911123456")).await;
    session.wait_for_text("[data-testid=profile-phone]", WAIT, |t| t.contains("+447911123456")).await;

    // My code: the link under the QR code adds me, for whoever scans or pastes it.
    let link = session.wait_for_text("[data-testid=contact-link]", WAIT, |t| t.starts_with("gkchat://add/")).await;
    let (scanner, _) = server.signed_up("scanner").await;
    let added = scanner.add_contact(&link).await.unwrap();
    assert_eq!(added.display_name, "Ada L.");

    // The server field shows GKCHAT_SERVER_URL once get_settings answers.
    let field = session.wait_for("[data-testid=server-url]", WAIT).await;
    let shown = session.wait_for_property(&field, "value", WAIT, |v| v.as_str().is_some_and(|s| !s.is_empty())).await;
    assert_eq!(shown.as_str().map(|s| s.trim_end_matches('/')), Some(server_url.trim_end_matches('/')));
    session.wait_for_text("[data-testid=server-instance]", WAIT, |t| t.len() == 36).await;

    // The devices list (loaded when Settings opens) shows this app and the headless client.
    click(&session, "tab-chats").await;
    click(&session, "tab-settings").await;
    session.wait_for_text("[data-testid=devices]", WAIT, |t| t.contains("headless") && t.contains("this device")).await;

    // The badge is live: it follows the server going away and coming back.
    server.stop().await;
    session.wait_for_text(BADGE, WAIT, |t| t.starts_with("Offline") || t.starts_with("Connecting")).await;
    let server = TestServer::start_with(config.clone(), addr).await;
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;

    // A bad address typed in settings is refused with the error code in words.
    type_into(&session, "server-url", "not a url").await;
    click(&session, "save-server-url").await;
    session
        .wait_for_text("[data-testid=settings-error]", WAIT, |t| {
            t == "\"not a url\" is not a URL: relative URL without a base (invalid_url)"
        })
        .await;

    // Themes: an explicit choice overrides the OS and sticks on <html data-theme>; it is kept
    // with the account, so Ada's other device is told at once.
    let other_live = other_device.connect();
    let mut other_events = other_live.events();
    other_live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
    let dark = session.wait_for("input[name=theme][value=dark]", WAIT).await;
    session.click(&dark).await;
    let theme = session.execute("return document.documentElement.dataset.theme;", serde_json::json!([])).await;
    assert_eq!(theme.as_str(), Some("dark"));
    within_secs(60, async {
        loop {
            if let Some(gkchat_client::Event::Me(me)) = other_events.next().await
                && me.appearance.theme == gkchat_proto::appearance::Theme::Dark
            {
                break;
            }
        }
    })
    .await;
    std::fs::write(shots_dir().join("dark.png"), session.screenshot().await).unwrap();

    // Restart the app with the server away: the keyring keeps the sign-in, no password asked,
    // and the chat list comes from the local store before the network answers.
    session.end().await;
    harness.app_exited().await;
    server.stop().await;
    let session = Session::start(&harness.driver_url, &app).await;
    shows_me_as(&session, "Ada L.").await;
    session.wait_for_text("[data-testid=chat-tile-name]", WAIT, |t| t == "grace").await;
    let preview = session.wait_for("[data-testid=chat-tile-preview]", WAIT).await;
    session.wait_for_property(&preview, "textContent", WAIT, |v| v.as_str() == Some("You: hi grace, here now")).await;
    session.wait_for_text(BADGE, WAIT, |t| t.starts_with("Offline") || t.starts_with("Connecting")).await;
    std::fs::write(shots_dir().join("offline-start.png"), session.screenshot().await).unwrap();
    let server = TestServer::start_with(config, addr).await;
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;
    std::fs::write(shots_dir().join("restarted.png"), session.screenshot().await).unwrap();

    // Signed out from another device: the server closes the app's live connection, and the
    // app returns to sign-in by itself.
    other_device.sign_out_other_devices().await.unwrap();
    session.wait_for("[data-testid=auth-submit]", WAIT).await;

    // Sign in again, by phone this time; sign out from the app, restart: signed out for good.
    click(&session, "auth-tab-phone").await;
    type_into(&session, "auth-phone-phone", "+447911123456").await;
    click(&session, "auth-phone-submit").await;
    let code = sms.code_for("+447911123456").await;
    type_into(&session, "auth-phone-code", &code).await;
    click(&session, "auth-phone-submit").await;
    shows_me_as(&session, "Ada L.").await;
    click(&session, "tab-settings").await;
    settings_loaded(&session).await;
    click(&session, "sign-out").await;
    session.wait_for("[data-testid=auth-submit]", WAIT).await;
    session.end().await;
    harness.app_exited().await;
    let session = Session::start(&harness.driver_url, &app).await;
    session.wait_for("[data-testid=auth-submit]", WAIT).await;

    // Delete the account from the app: back to sign-in, and the account is gone.
    type_into(&session, "auth-login", "ada").await;
    type_into(&session, "auth-password", PASSWORD).await;
    click(&session, "auth-submit").await;
    session.wait_for("[data-testid=me-name]", WAIT).await;
    click(&session, "tab-settings").await;
    settings_loaded(&session).await;
    click(&session, "delete-account-open").await;
    type_into(&session, "delete-account-password", PASSWORD).await;
    let ada_store = format!("{}.db", me.id);
    let ada_kept = format!("{}.me.json", me.id);
    let cached = local_stores(&harness.app_data_dir());
    assert!(cached.contains(&ada_store) && cached.contains(&ada_kept), "the chats are cached on this device");
    click(&session, "delete-account-confirm").await;
    session.wait_for("[data-testid=auth-submit]", WAIT).await;
    within_secs(10, async {
        while local_stores(&harness.app_data_dir()).iter().any(|f| *f == ada_store || *f == ada_kept) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let gone = client_for(server.url()).sign_in("ada", PASSWORD, test_device("check")).await;
    assert!(
        matches!(gone, Err(gkchat_client::Error::Api { ref error, .. }) if error.code == gkchat_proto::ErrorCode::InvalidCredentials),
        "{gone:?}"
    );

    session.end().await;
    drop(harness);
    server.stop().await;
}
