//! Desktop life end to end: notifications reach a real notification daemon (dunst) on the
//! app's private session bus — none for a muted chat — and a second launch of the app with a
//! `gkchat://` link hands it to the running app and quits: a contact link adds that person, a
//! quick-chat link opens the quick chat.

use std::time::Duration;

use gkchat_client::ConnectionState;
use gkchat_proto::chat::{ChatSettingsUpdate, Content, MUTED_FOREVER, NewMessage};
use gkchat_tests::desktop::{DesktopHarness, desktop_binary, shots_dir};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_device};

use super::{PASSWORD, WAIT, click, sign_up_in_app, type_into};

fn text(text: &str, chat_id: &str) -> NewMessage {
    NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.to_owned(),
        content: Content::text(text),
        reply_to: None,
        forwarded: false,
    }
}

/// Waits until the daemon has shown a notification containing `words`; returns everything it
/// has shown (dunst keeps closed ones in its history, so the shown ones are closed first).
async fn notified(harness: &DesktopHarness, words: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        harness.dunstctl(&["close-all"]);
        let history = harness.dunstctl(&["history"]);
        if history.contains(words) {
            return history;
        }
        assert!(tokio::time::Instant::now() < deadline, "no notification with {words:?}; history: {history}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_and_a_second_launch_reach_the_running_app() {
    let _turn = super::one_at_a_time().await;
    let server = TestServer::start().await;
    let app = desktop_binary();
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url().to_string())]).await;
    let session = Session::start(&harness.driver_url, app.to_str().unwrap()).await;
    sign_up_in_app(&session, "Nora", "nora").await;
    let nora_elsewhere = client_for(server.url());
    let nora = nora_elsewhere.sign_in("nora", PASSWORD, test_device("headless")).await.unwrap();
    // Otto and Lena are her contacts (a stranger's chat would wait under Requests).
    let (otto, _) = server.signed_up("otto").await;
    let (lena, _) = server.signed_up("lena").await;
    nora_elsewhere.add_contact("otto").await.unwrap();
    nora_elsewhere.add_contact("lena").await.unwrap();

    // Otto writes: a notification with his name and his words.
    let otto_live = otto.connect();
    otto_live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
    let first = otto_live
        .send_message(text("first from otto", &gkchat_tests::direct_chat(&otto, &nora.id).await))
        .await
        .unwrap();
    let history = notified(&harness, "first from otto").await;
    assert!(history.contains("otto"), "the sender is the summary: {history}");

    // Nora mutes Otto's chat (on her other device; the app hears of it). Otto's next message
    // makes no notification; Lena's, sent after it, does.
    let mute = ChatSettingsUpdate { muted_until: Some(MUTED_FOREVER), ..ChatSettingsUpdate::default() };
    nora_elsewhere.update_chat(&first.chat_id, &mute).await.unwrap();
    otto_live.send_message(text("muted words from otto", &first.chat_id)).await.unwrap();
    let lena_live = lena.connect();
    lena_live.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
    lena_live.send_message(text("hello from lena", &gkchat_tests::direct_chat(&lena, &nora.id).await)).await.unwrap();
    let history = notified(&harness, "hello from lena").await;
    assert!(!history.contains("muted words"), "a muted chat made a notification: {history}");
    session.wait_for_text("[data-testid=chat-tile-unread]", WAIT, |t| t == "1").await;

    // Keyboard: Alt+Down opens the first chat (Lena's, the latest), Alt+Down again the next,
    // Esc closes it, Ctrl+K goes to the search box, Ctrl+, to settings.
    const CONTROL: &str = "\u{E009}";
    const ALT: &str = "\u{E00A}";
    const DOWN: &str = "\u{E015}";
    session.press(&[ALT, DOWN]).await;
    session.wait_for_text("[data-testid=conversation-name]", WAIT, |t| t == "lena").await;
    session.press(&[ALT, DOWN]).await;
    session.wait_for_text("[data-testid=conversation-name]", WAIT, |t| t == "otto").await;
    session.press(&["\u{E00C}"]).await;
    session.wait_for("[data-testid=chat-list]", WAIT).await;
    assert!(session.find("[data-testid=conversation-name]").await.is_none(), "Esc closed the chat");
    session.press(&[CONTROL, "k"]).await;
    let focused = "return document.activeElement && document.activeElement.dataset.testid;";
    let deadline = tokio::time::Instant::now() + WAIT;
    while session.execute(focused, serde_json::json!([])).await != "chat-search" {
        assert!(tokio::time::Instant::now() < deadline, "Ctrl+K did not focus the search box");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.press(&[CONTROL, ","]).await;
    session.wait_for("[data-testid=notification-settings]", WAIT).await;

    // Start at login: the switch makes and removes the OS's autostart entry.
    let autostart_dir = harness.home.path().join(".config/autostart");
    let entries = || std::fs::read_dir(&autostart_dir).map(|d| d.flatten().count()).unwrap_or(0);
    assert_eq!(entries(), 0);
    click(&session, "desktop-autostart").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while entries() == 0 {
        if tokio::time::Instant::now() > deadline {
            session.save_failure_evidence().await;
            panic!("no autostart entry appeared in {}", autostart_dir.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let entry = std::fs::read_dir(&autostart_dir).unwrap().flatten().next().unwrap().path();
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains("gkchat-desktop"), "the entry starts this app: {text}");
    click(&session, "desktop-autostart").await;
    while entries() != 0 {
        assert!(tokio::time::Instant::now() < deadline, "the autostart entry stayed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A second launch with Pia's contact link, while Settings is showing: the running app goes
    // back to Chats and adds her, and says so.
    let (pia, _) = server.signed_up("pia").await;
    let contact_link = pia.contact_link().await.unwrap();
    assert!(contact_link.starts_with("gkchat://add/"), "a contact link: {contact_link}");
    let status = harness.launch_again(&app, &[&contact_link]);
    assert!(status.success(), "the second launch quits cleanly: {status}");
    session.wait_for_text("[data-testid=contacts-notice]", WAIT, |t| t.contains("@pia")).await;
    let contacts = "return [...document.querySelectorAll('[data-testid=contact]')].map(c => c.textContent).join('|');";
    let deadline = tokio::time::Instant::now() + WAIT;
    while !session.execute(contacts, serde_json::json!([])).await.as_str().unwrap_or("").contains("@pia") {
        assert!(tokio::time::Instant::now() < deadline, "the contact list never showed @pia");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let on_server = nora_elsewhere.contacts().await.unwrap();
    assert!(on_server.iter().any(|c| c.username == "pia"), "the server has her too: {on_server:?}");

    // Ctrl+N: the new-chat picker; her name and Enter open the chat with her.
    session.press(&[CONTROL, "n"]).await;
    type_into(&session, "new-chat-search", "pia").await;
    session.press(&["\u{E007}"]).await;
    session.wait_for_text("[data-testid=conversation-name]", WAIT, |t| t == "pia").await;
    assert!(session.find("[data-testid=new-chat]").await.is_none(), "the picker closed");

    // A second launch with a quick-chat link: it hands the link over and quits; the running
    // app opens that chat.
    let chats = gkchat_client::QuickChats::new();
    let room = chats.create(&server.url(), ["Nora".into(), "Sam".into()]).await.unwrap();
    let link = gkchat_client::QuickLink::of_invite(&server.url(), &room.invites[0].path).unwrap();
    let status = harness.launch_again(&app, &[&link.app_link()]);
    assert!(status.success(), "the second launch quits cleanly: {status}");
    session.wait_for_text("[data-testid=quick-hello]", WAIT, |t| t == "Hello Nora").await;
    std::fs::write(shots_dir().join("second-launch.png"), session.screenshot().await).unwrap();
    session.end().await;
}
