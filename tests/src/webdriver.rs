//! A small W3C WebDriver client over HTTP, enough to drive the desktop app through
//! tauri-driver + WebKitWebDriver: sessions, elements, clicks, typing, text, screenshots.

use std::time::Duration;

use crate::browser::Browser;
use base64::Engine;
use serde_json::{Value, json};

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    /// Starts a session that launches `application` (tauri-driver's `tauri:options`).
    pub async fn start(driver_url: &str, application: &str) -> Self {
        Self::start_with(driver_url, json!({ "tauri:options": { "application": application } })).await
    }

    /// Starts a session that launches `application` with command-line `args`.
    pub async fn start_app_with_args(driver_url: &str, application: &str, args: &[String]) -> Self {
        Self::start_with(driver_url, json!({ "tauri:options": { "application": application, "args": args } })).await
    }

    /// Starts a session with these `alwaysMatch` capabilities (any W3C driver).
    pub async fn start_with(driver_url: &str, capabilities: Value) -> Self {
        // No command takes minutes: a window that stopped answering fails the test, with the
        // command's name, instead of hanging it.
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("http client");
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let response: Value = http
            .post(format!("{driver_url}/session"))
            .json(&body)
            .send()
            .await
            .expect("webdriver reachable")
            .json()
            .await
            .expect("webdriver answers json");
        let id =
            response["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session id in {response}")).to_owned();
        Self { http, base: format!("{driver_url}/session/{id}"), id }
    }

    /// Loads `url` in the current tab.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await.expect("navigate");
    }

    /// Opens a new tab, closes the current one and continues in the new one (a person closing
    /// the tab and opening another).
    pub async fn close_tab_for_a_new_one(&self) {
        let created = self.call(reqwest::Method::POST, "/window/new", Some(json!({ "type": "tab" }))).await;
        let handle = created.expect("new tab")["handle"].as_str().expect("tab handle").to_owned();
        self.call(reqwest::Method::DELETE, "/window", None).await.expect("close tab");
        self.call(reqwest::Method::POST, "/window", Some(json!({ "handle": handle }))).await.expect("switch tab");
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let value: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() { Ok(value["value"].clone()) } else { Err(format!("HTTP {status}: {value}")) }
    }

    /// The first element matching `css`, if any.
    pub async fn find(&self, css: &str) -> Option<Element> {
        let value = self
            .call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })))
            .await
            .ok()?;
        value[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned()))
    }

    /// Waits up to `limit` for an element matching `css` (the [`Browser`] way, shared with Firefox).
    pub async fn wait_for(&self, css: &str, limit: Duration) -> Element {
        Browser::wait_for(self, css, limit).await
    }

    pub async fn text(&self, element: &Element) -> String {
        let value = self.call(reqwest::Method::GET, &format!("/element/{}/text", element.0), None).await;
        value.ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    pub async fn property(&self, element: &Element, name: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/element/{}/property/{name}", element.0), None)
            .await
            .unwrap_or(Value::Null)
    }

    /// Waits up to `limit` until property `name` of `element` satisfies `predicate`.
    pub async fn wait_for_property(
        &self,
        element: &Element,
        name: &str,
        limit: Duration,
        predicate: impl Fn(&Value) -> bool,
    ) -> Value {
        Browser::wait_for_property(self, element, name, limit, predicate).await
    }

    pub async fn click(&self, element: &Element) {
        self.interact(element, "click", json!({})).await;
    }

    pub async fn clear(&self, element: &Element) {
        self.interact(element, "clear", json!({})).await;
    }

    pub async fn type_text(&self, element: &Element, text: &str) {
        self.interact(element, "value", json!({ "text": text })).await;
    }

    /// Clicks, clears or types; while the page is still laying out ("element not
    /// interactable", e.g. half-visible at a scroll container's edge), centres the element and
    /// tries again for a few seconds.
    async fn interact(&self, element: &Element, action: &str, body: Value) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let path = format!("/element/{}/{action}", element.0);
        loop {
            match self.call(reqwest::Method::POST, &path, Some(body.clone())).await {
                Ok(_) => return,
                Err(err) if err.contains("not interactable") && tokio::time::Instant::now() < deadline => {
                    let element_ref = json!({ ELEMENT_KEY: element.0 });
                    let script = "arguments[0].scrollIntoView({ block: 'center' });";
                    let centre = json!({ "script": script, "args": [element_ref] });
                    let _ = self.call(reqwest::Method::POST, "/execute/sync", Some(centre)).await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => {
                    self.save_failure_evidence().await;
                    panic!("{action}: {err}")
                }
            }
        }
    }

    /// Waits up to `limit` until the text of `css` satisfies `predicate`; returns that text.
    pub async fn wait_for_text(&self, css: &str, limit: Duration, predicate: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + limit;
        let mut last = String::new();
        loop {
            if let Some(element) = self.find(css).await {
                last = self.text(&element).await;
                if predicate(&last) {
                    return last;
                }
            }
            if tokio::time::Instant::now() >= deadline {
                self.save_failure_evidence().await;
                panic!("{css} never matched within {limit:?}; last text {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Presses `keys` together and lets them go, as a person would (W3C key actions; WebDriver
    /// key codes, e.g. `\u{E009}` Control, `\u{E00A}` Alt, `\u{E015}` ArrowDown).
    pub async fn press(&self, keys: &[&str]) {
        let mut actions: Vec<Value> = keys.iter().map(|key| json!({ "type": "keyDown", "value": key })).collect();
        actions.extend(keys.iter().rev().map(|key| json!({ "type": "keyUp", "value": key })));
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.call(reqwest::Method::POST, "/actions", Some(body)).await.expect("key actions");
        let _ = self.call(reqwest::Method::DELETE, "/actions", None).await;
    }

    /// Runs `script` (a function body; `arguments` as in WebDriver) and returns its value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": args })))
            .await
            .expect("execute script")
    }

    /// Resizes the window (WebDriver's Set Window Rect) and waits until the page has the new
    /// size; `Err` when the driver cannot.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        // The rect is the outer window's: asked again with what decorations take, if any.
        let mut outer = (i64::from(width), i64::from(height));
        for _ in 0..2 {
            let rect = json!({ "width": outer.0, "height": outer.1 });
            self.call(reqwest::Method::POST, "/window/rect", Some(rect)).await?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            let mut inner = (0, 0);
            while tokio::time::Instant::now() < deadline {
                let size = self.execute("return [window.innerWidth, window.innerHeight];", json!([])).await;
                inner = (size[0].as_i64().unwrap_or(0), size[1].as_i64().unwrap_or(0));
                if inner == (i64::from(width), i64::from(height)) {
                    self.settle().await;
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            outer = (outer.0 + i64::from(width) - inner.0, outer.1 + i64::from(height) - inner.1);
        }
        Err(format!("the page never became {width}x{height}"))
    }

    /// Waits until the page has painted what it holds now (two animation frames).
    pub async fn settle(&self) {
        let script = "const done = arguments[arguments.length - 1]; \
                      requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.call(reqwest::Method::POST, "/execute/async", Some(json!({ "script": script, "args": [] })))
            .await
            .expect("execute async script");
    }

    /// A PNG of the window, once what the page holds has been painted.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.settle().await;
        let value = self.call(reqwest::Method::GET, "/screenshot", None).await.expect("screenshot");
        base64::engine::general_purpose::STANDARD.decode(value.as_str().expect("base64 png")).expect("valid base64")
    }

    /// Saves a screenshot and the page source as `target/e2e/failure.{png,html}`.
    pub async fn save_failure_evidence(&self) {
        let dir = crate::desktop::shots_dir();
        if let Ok(value) = self.call(reqwest::Method::GET, "/screenshot", None).await
            && let Some(png) = value.as_str().and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        {
            let _ = std::fs::write(dir.join("failure.png"), png);
        }
        if let Ok(source) = self.call(reqwest::Method::GET, "/source", None).await {
            let _ = std::fs::write(dir.join("failure.html"), source.as_str().unwrap_or_default());
        }
        eprintln!("saved {}/failure.png and failure.html", dir.display());
    }

    pub async fn end(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}
