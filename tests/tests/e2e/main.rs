//! End to end through the real window: the built desktop binary runs under Xvfb, driven by
//! tauri-driver + WebKitWebDriver, against a real companion server on port 0.
//! Run by `./gk test` (feature `e2e`), under `dbus-run-session`.

use std::time::Duration;

use gkchat_tests::desktop::{DesktopHarness, desktop_binary, target_dir};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, test_config};

const BADGE: &str = "[data-testid=connection-state]";
const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_connects_to_companion_server() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let addr = server.addr;
    let server_url = server.url().to_string();

    let app = desktop_binary();
    assert!(app.is_file(), "build the desktop app first: {} is missing", app.display());
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server_url.clone())]).await;
    let session = Session::start(&harness.driver_url, app.to_str().unwrap()).await;

    // The UI comes up and the live connection reaches the server.
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;
    let shots = target_dir().join("e2e");
    std::fs::create_dir_all(&shots).unwrap();
    let png = session.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
    std::fs::write(shots.join("connected.png"), &png).unwrap();

    // The frame: four tabs, and the settings screen shows the server from GKCHAT_SERVER_URL.
    for tab in ["chats", "status", "calls", "settings"] {
        session.wait_for(&format!("[data-testid=tab-{tab}]"), WAIT).await;
    }
    let settings = session.wait_for("[data-testid=tab-settings]", WAIT).await;
    session.click(&settings).await;
    let field = session.wait_for("[data-testid=server-url]", WAIT).await;
    // The panel fills the field once get_settings answers.
    let shown = session.wait_for_property(&field, "value", WAIT, |v| v.as_str().is_some_and(|s| !s.is_empty())).await;
    assert_eq!(shown.as_str().map(|s| s.trim_end_matches('/')), Some(server_url.trim_end_matches('/')));
    session.wait_for_text("[data-testid=server-instance]", WAIT, |t| t.len() == 36).await;

    // The badge is live: it follows the server going away and coming back.
    server.stop().await;
    session.wait_for_text(BADGE, WAIT, |t| t.starts_with("Offline") || t.starts_with("Connecting")).await;
    let again = TestServer::start_with(test_config(temp.path()), addr).await;
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;

    // A bad address typed in settings is refused with the error code in words.
    session.clear(&field).await;
    session.type_text(&field, "not a url").await;
    assert_eq!(session.property(&field, "value").await.as_str(), Some("not a url"));
    let save = session.wait_for("[data-testid=save-server-url]", WAIT).await;
    session.click(&save).await;
    session
        .wait_for_text("[data-testid=settings-error]", WAIT, |t| {
            t == "\"not a url\" is not a URL: relative URL without a base (invalid_url)"
        })
        .await;
    std::fs::write(shots.join("settings.png"), session.screenshot().await).unwrap();

    // Themes: an explicit choice overrides the OS and sticks on <html data-theme>.
    let dark = session.wait_for("input[name=theme][value=dark]", WAIT).await;
    session.click(&dark).await;
    let theme = session.execute("return document.documentElement.dataset.theme;", serde_json::json!([])).await;
    assert_eq!(theme.as_str(), Some("dark"));
    std::fs::write(shots.join("dark.png"), session.screenshot().await).unwrap();

    session.end().await;
    drop(harness);
    again.stop().await;
}
