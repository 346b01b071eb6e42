//! Headless Firefox for the quick-chat page, driven through WebDriver BiDi: Firefox (Debian's
//! `firefox-esr`) speaks BiDi itself over a WebSocket, so no driver is needed — and Debian has
//! no geckodriver to drive it with WebDriver classic. One [`Firefox`] is one person: its own
//! process and profile (cookies), killed on drop. The operations carry the names of
//! [`crate::webdriver::Session`]'s and implement [`Browser`], so one flow runs in both browsers.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::browser::Browser;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Firefox prints this on stderr once BiDi listens (`--remote-debugging-port 0` picks the port).
const LISTENING: &str = "WebDriver BiDi listening on ";

/// The longest a single command (a navigation, say) may take.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// Prefs that keep Firefox off the network on its own (nothing but the test server is
/// reachable here), free of first-run pages, and off the desktop portals on the session bus.
/// Firefox's own automation prefs (`remote.prefs.recommended`) add to these.
const USER_JS: &str = r#"
user_pref("app.update.disabledForTesting", true);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("app.normandy.api_url", "");
user_pref("app.shield.optoutstudies.enabled", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("services.settings.server", "data:,#remote-settings-dummy/v1");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.usage.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("toolkit.telemetry.server", "");
user_pref("browser.ping-centre.telemetry", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.downloads.remote.enabled", false);
user_pref("browser.safebrowsing.blockedURIs.enabled", false);
user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");
user_pref("browser.safebrowsing.provider.google4.updateURL", "");
user_pref("extensions.update.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("extensions.blocklist.enabled", false);
user_pref("browser.region.network.url", "");
user_pref("browser.region.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("browser.search.geoip.url", "");
user_pref("geo.provider.network.url", "");
user_pref("media.gmp-manager.url", "");
user_pref("media.gmp-manager.chromium-update-url", "");
user_pref("media.gmp-gmpopenh264.enabled", false);
user_pref("media.gmp-widevinecdm.enabled", false);
user_pref("dom.push.connection.enabled", false);
user_pref("dom.push.serverURL", "");
user_pref("identity.fxaccounts.enabled", false);
user_pref("browser.discovery.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.newtabpage.activity-stream.feeds.section.topstories", false);
user_pref("browser.newtabpage.activity-stream.feeds.topsites", false);
user_pref("browser.topsites.contile.enabled", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.page", 0);
user_pref("browser.startup.homepage", "about:blank");
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "about:blank");
user_pref("startup.homepage_welcome_url.additional", "");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("browser.tabs.warnOnClose", false);
user_pref("toolkit.startup.max_resumed_crashes", -1);
user_pref("browser.backup.enabled", false);
user_pref("widget.use-xdg-desktop-portal.settings", 0);
user_pref("widget.use-xdg-desktop-portal.file-picker", 0);
user_pref("widget.use-xdg-desktop-portal.mime-handler", 0);
user_pref("widget.use-xdg-desktop-portal.location", 0);
user_pref("widget.use-xdg-desktop-portal.open-uri", 0);
"#;

pub struct Firefox {
    process: Child,
    socket: tokio::sync::Mutex<Socket>,
    next_id: AtomicU64,
    /// The browsing context (tab) the operations act on.
    context: Mutex<String>,
    _profile: tempfile::TempDir,
}

/// A node on the page, by its BiDi shared id.
#[derive(Debug, Clone)]
pub struct Node(String);

impl Node {
    fn reference(&self) -> Value {
        json!({ "sharedId": self.0 })
    }
}

impl Firefox {
    /// Starts a headless Firefox with a fresh profile and opens a BiDi session on it.
    pub async fn start() -> Self {
        let profile = tempfile::tempdir().expect("profile dir");
        std::fs::write(profile.path().join("user.js"), USER_JS).expect("write user.js");
        let mut process = Command::new("firefox-esr")
            .args(["--headless", "--no-remote", "--remote-debugging-port", "0", "--profile"])
            .arg(profile.path())
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            // As Mozilla's own test harnesses do: connecting anywhere but loopback is fatal, and
            // the remote-settings server pref above is honoured (release builds ignore it else).
            .env("MOZ_DISABLE_NONLOCAL_CONNECTIONS", "1")
            // Off the session bus: else it wakes the desktop portal, which starts a keyring
            // beside the one the desktop tests unlock.
            .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", profile.path().join("no-bus").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start firefox-esr ({err}): ./gk test installs it (Debian firefox-esr)")
            });
        // Read stderr for the address, and keep draining it so Firefox never blocks on it; its
        // lines go to the test's output (shown when the test fails).
        let stderr = process.stderr.take().expect("piped stderr");
        let (address_tx, mut address_rx) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix(LISTENING) {
                    let _ = address_tx.send(address.trim().to_owned());
                }
                eprintln!("firefox: {line}");
            }
        });
        let Ok(Some(address)) = tokio::time::timeout(Duration::from_secs(60), address_rx.recv()).await else {
            let _ = process.kill();
            let _ = process.wait();
            panic!("firefox-esr did not open WebDriver BiDi within 60 s");
        };
        let (socket, _) =
            tokio_tungstenite::connect_async(format!("{address}/session")).await.expect("connect to Firefox's BiDi");
        let firefox = Self {
            process,
            socket: tokio::sync::Mutex::new(socket),
            next_id: AtomicU64::new(1),
            context: Mutex::new(String::new()),
            _profile: profile,
        };
        firefox.command("session.new", json!({ "capabilities": {} })).await.expect("BiDi session.new");
        let tree = firefox.command("browsingContext.getTree", json!({ "maxDepth": 0 })).await.expect("getTree");
        let context = tree["contexts"][0]["context"].as_str().expect("a top-level browsing context").to_owned();
        firefox.switch_to(context).await;
        firefox
    }

    /// Sends one BiDi command and waits for its answer (events in between are skipped: the
    /// client subscribes to none).
    async fn command(&self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut socket = self.socket.lock().await;
        let request = json!({ "id": id, "method": method, "params": params });
        socket.send(Message::text(request.to_string())).await.map_err(|err| format!("{method}: send: {err}"))?;
        loop {
            let next = tokio::time::timeout(COMMAND_LIMIT, socket.next())
                .await
                .map_err(|_| format!("{method}: no answer within {COMMAND_LIMIT:?}"))?;
            let message = match next {
                Some(Ok(message)) => message,
                Some(Err(err)) => return Err(format!("{method}: {err}")),
                None => return Err(format!("{method}: Firefox closed the connection")),
            };
            let Message::Text(text) = message else { continue };
            let answer: Value = serde_json::from_str(text.as_str()).map_err(|err| format!("{method}: {err}"))?;
            if answer["id"] != id {
                continue;
            }
            return match answer["type"].as_str() {
                Some("success") => Ok(answer["result"].clone()),
                _ => Err(format!("{method}: {} ({})", answer["error"], answer["message"])),
            };
        }
    }

    fn context(&self) -> String {
        self.context.lock().expect("context lock").clone()
    }

    /// Continues in `context`, sized like the Chromium window.
    async fn switch_to(&self, context: String) {
        let viewport = json!({ "context": context, "viewport": { "width": 900, "height": 800 } });
        self.command("browsingContext.setViewport", viewport).await.expect("set the viewport");
        *self.context.lock().expect("context lock") = context;
    }

    /// Calls `function` (JavaScript source) in the current tab with BiDi `arguments`; a
    /// returned promise is awaited. The result comes back as JSON.
    async fn call_function(&self, function: &str, arguments: Vec<Value>) -> Result<Value, String> {
        let params = json!({
            "functionDeclaration": function,
            "arguments": arguments,
            "target": { "context": self.context() },
            "awaitPromise": true,
        });
        let result = self.command("script.callFunction", params).await?;
        match result["type"].as_str() {
            Some("success") => Ok(remote_to_json(&result["result"])),
            _ => Err(format!("script threw: {}", result["exceptionDetails"]["text"])),
        }
    }

    /// Loads `url` in the current tab and waits until it has loaded.
    pub async fn goto(&self, url: &str) {
        let params = json!({ "context": self.context(), "url": url, "wait": "complete" });
        self.command("browsingContext.navigate", params).await.expect("navigate");
    }

    /// Opens a new tab, closes the current one and continues in the new one.
    pub async fn close_tab_for_a_new_one(&self) {
        let created = self.command("browsingContext.create", json!({ "type": "tab" })).await.expect("new tab");
        let new = created["context"].as_str().expect("new tab's context").to_owned();
        self.command("browsingContext.close", json!({ "context": self.context() })).await.expect("close tab");
        self.switch_to(new).await;
    }

    /// The first element matching `css`, if any.
    pub async fn find(&self, css: &str) -> Option<Node> {
        let params = json!({
            "context": self.context(),
            "locator": { "type": "css", "value": css },
            "maxNodeCount": 1,
        });
        let found = self.command("browsingContext.locateNodes", params).await.ok()?;
        found["nodes"][0]["sharedId"].as_str().map(|id| Node(id.to_owned()))
    }

    pub async fn property(&self, node: &Node, name: &str) -> Value {
        let name = json!({ "type": "string", "value": name });
        self.call_function("(node, name) => node[name]", vec![node.reference(), name]).await.unwrap_or(Value::Null)
    }

    /// A real mouse click in the middle of `node`, scrolled into view first.
    pub async fn click(&self, node: &Node) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let centred =
                self.call_function("(node) => node.scrollIntoView({ block: 'center' })", vec![node.reference()]);
            let clicked = match centred.await {
                Ok(_) => {
                    let actions = json!([{
                        "type": "pointer",
                        "id": "mouse",
                        "parameters": { "pointerType": "mouse" },
                        "actions": [
                            { "type": "pointerMove", "x": 0, "y": 0, "origin": { "type": "element", "element": node.reference() } },
                            { "type": "pointerDown", "button": 0 },
                            { "type": "pointerUp", "button": 0 },
                        ],
                    }]);
                    self.perform(actions).await
                }
                Err(err) => Err(err),
            };
            match clicked {
                Ok(()) => return,
                // Still laying out (or moving): try again for a few seconds.
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(err) => {
                    self.save_failure_evidence().await;
                    panic!("click: {err}");
                }
            }
        }
    }

    /// Empties a text field as a person would: select all of it, press Backspace.
    pub async fn clear(&self, node: &Node) {
        let select = "(node) => { node.focus(); if (typeof node.select === 'function') node.select(); }";
        self.call_function(select, vec![node.reference()]).await.expect("focus and select");
        self.press(&["\u{E003}"]).await;
    }

    /// Types `text` into `node` key by key, at the end of what it holds (WebDriver key codes,
    /// e.g. `\u{E007}` Enter, are keys).
    pub async fn type_text(&self, node: &Node, text: &str) {
        let focus = "(node) => { if (document.activeElement !== node) { node.focus(); \
                     if (typeof node.value === 'string' && node.setSelectionRange) \
                     { const end = node.value.length; try { node.setSelectionRange(end, end); } catch {} } } }";
        self.call_function(focus, vec![node.reference()]).await.expect("focus");
        let keys: Vec<Value> = text
            .chars()
            .flat_map(|key| [json!({ "type": "keyDown", "value": key }), json!({ "type": "keyUp", "value": key })])
            .collect();
        self.perform(json!([{ "type": "key", "id": "keyboard", "actions": keys }])).await.expect("key actions");
    }

    /// Presses `keys` together and lets them go (WebDriver key codes).
    pub async fn press(&self, keys: &[&str]) {
        let mut actions: Vec<Value> = keys.iter().map(|key| json!({ "type": "keyDown", "value": key })).collect();
        actions.extend(keys.iter().rev().map(|key| json!({ "type": "keyUp", "value": key })));
        self.perform(json!([{ "type": "key", "id": "keyboard", "actions": actions }])).await.expect("key actions");
    }

    async fn perform(&self, actions: Value) -> Result<(), String> {
        let params = json!({ "context": self.context(), "actions": actions });
        self.command("input.performActions", params).await.map(|_| ())
    }

    /// Runs `script` (a function body; `arguments` as in WebDriver) and returns its value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        let arguments = args.as_array().map(|args| args.iter().map(json_to_local).collect()).unwrap_or_default();
        self.call_function(&format!("function () {{ {script} }}"), arguments).await.expect("execute script")
    }

    /// Waits until the page has painted what it holds now (two animation frames).
    pub async fn settle(&self) {
        let script =
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))";
        self.call_function(script, Vec::new()).await.expect("animation frames");
    }

    /// A PNG of the tab, once what the page holds has been painted.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.settle().await;
        self.try_screenshot().await.expect("screenshot")
    }

    async fn try_screenshot(&self) -> Result<Vec<u8>, String> {
        let shot = self.command("browsingContext.captureScreenshot", json!({ "context": self.context() })).await?;
        let data = shot["data"].as_str().ok_or("no screenshot data")?;
        base64::engine::general_purpose::STANDARD.decode(data).map_err(|err| err.to_string())
    }

    /// Saves a screenshot and the page source as `target/e2e/firefox-failure.{png,html}`.
    pub async fn save_failure_evidence(&self) {
        let dir = crate::desktop::shots_dir();
        if let Ok(png) = self.try_screenshot().await {
            let _ = std::fs::write(dir.join("firefox-failure.png"), png);
        }
        if let Ok(Value::String(source)) = self.call_function("() => document.documentElement.outerHTML", vec![]).await
        {
            let _ = std::fs::write(dir.join("firefox-failure.html"), source);
        }
        eprintln!("saved {}/firefox-failure.png and firefox-failure.html", dir.display());
    }

    /// Closes the browser (the process is killed on drop if it has not gone by then).
    pub async fn end(mut self) {
        let _ = self.command("browser.close", json!({})).await;
        for _ in 0..50 {
            if matches!(self.process.try_wait(), Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Firefox {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Browser for Firefox {
    type Element = Node;

    async fn goto(&self, url: &str) {
        Firefox::goto(self, url).await;
    }

    async fn close_tab_for_a_new_one(&self) {
        Firefox::close_tab_for_a_new_one(self).await;
    }

    async fn find(&self, css: &str) -> Option<Node> {
        Firefox::find(self, css).await
    }

    async fn property(&self, node: &Node, name: &str) -> Value {
        Firefox::property(self, node, name).await
    }

    async fn click(&self, node: &Node) {
        Firefox::click(self, node).await;
    }

    async fn clear(&self, node: &Node) {
        Firefox::clear(self, node).await;
    }

    async fn type_text(&self, node: &Node, text: &str) {
        Firefox::type_text(self, node, text).await;
    }

    async fn execute(&self, script: &str, args: Value) -> Value {
        Firefox::execute(self, script, args).await
    }

    async fn save_failure_evidence(&self) {
        Firefox::save_failure_evidence(self).await;
    }

    async fn end(self) {
        Firefox::end(self).await;
    }
}

/// A BiDi remote value (what a script returned) as JSON; nodes and other objects without a
/// JSON form come back as their BiDi description.
fn remote_to_json(value: &Value) -> Value {
    match value["type"].as_str() {
        Some("undefined" | "null") => Value::Null,
        Some("string" | "boolean" | "number") => value["value"].clone(),
        Some("array") => {
            value["value"].as_array().map(|items| items.iter().map(remote_to_json).collect()).unwrap_or_default()
        }
        Some("object") => {
            let pairs = value["value"].as_array().cloned().unwrap_or_default();
            let entries = pairs.iter().filter_map(|pair| {
                let key = match &pair[0] {
                    Value::String(key) => key.clone(),
                    key => remote_to_json(key).as_str()?.to_owned(),
                };
                Some((key, remote_to_json(&pair[1])))
            });
            Value::Object(entries.collect())
        }
        _ => value.clone(),
    }
}

/// JSON as a BiDi local value, to pass into a script.
fn json_to_local(value: &Value) -> Value {
    match value {
        Value::Null => json!({ "type": "null" }),
        Value::Bool(b) => json!({ "type": "boolean", "value": b }),
        Value::Number(n) => json!({ "type": "number", "value": n }),
        Value::String(s) => json!({ "type": "string", "value": s }),
        Value::Array(items) => json!({ "type": "array", "value": items.iter().map(json_to_local).collect::<Vec<_>>() }),
        Value::Object(map) => {
            let pairs: Vec<Value> = map.iter().map(|(key, value)| json!([key, json_to_local(value)])).collect();
            json!({ "type": "object", "value": pairs })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_values_cross_as_json() {
        let local = json_to_local(&json!({ "a": [1, "two", null, true] }));
        assert_eq!(local["type"], "object");
        assert_eq!(local["value"][0][1]["value"][1], json!({ "type": "string", "value": "two" }));
        let remote = json!({ "type": "object", "value": [["a", { "type": "array", "value": [
            { "type": "number", "value": 1 }, { "type": "undefined" }, { "type": "string", "value": "x" }
        ] }]] });
        assert_eq!(remote_to_json(&remote), json!({ "a": [1, null, "x"] }));
    }
}
