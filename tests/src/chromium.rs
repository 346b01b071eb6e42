//! Headless Chromium for the quick-chat page: Debian's `chromium` driven through its
//! `chromedriver` with the WebDriver client in [`crate::webdriver`]. Every browser gets its
//! own profile directory, so two browsers are two people with their own cookies.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::webdriver::Session;

pub struct Chromium {
    driver: Child,
    url: String,
    profiles: Vec<tempfile::TempDir>,
}

impl Chromium {
    /// Starts chromedriver on a free port.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (./gk test installs chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(format!("{url}/status")).send().await.is_ok() {
                return Self { driver, url, profiles: Vec::new() };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = driver.kill();
        let _ = driver.wait();
        panic!("chromedriver did not start on port {port}");
    }

    /// A new browser with a fresh profile. The flags keep Chromium from reaching out to the
    /// network on its own (nothing but the test server is reachable here).
    pub async fn browser(&mut self) -> Session {
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=900,800".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        self.profiles.push(profile);
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
        });
        Session::start_with(&self.url, capabilities).await
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
