//! Runs the real desktop app for end-to-end tests: a private Xvfb display, a throwaway HOME
//! (so settings and data never touch the developer's), a private D-Bus session with an
//! unlocked Secret Service (gnome-keyring) for the app's token store, and tauri-driver in front
//! of WebKitWebDriver. Everything started here is killed on drop.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

pub struct DesktopHarness {
    xvfb: Child,
    driver: Child,
    pub display: String,
    pub driver_url: String,
    pub home: TempDir,
}

impl DesktopHarness {
    /// The app's data directory in the throwaway HOME (where local message stores live).
    pub fn app_data_dir(&self) -> PathBuf {
        self.home.path().join(".local/share/chat.gk.desktop")
    }
}

/// Every local message store under `data_dir`, as `<user id>.db` names.
pub fn local_stores(data_dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(servers) = std::fs::read_dir(data_dir.join("stores")) {
        for server in servers.flatten() {
            for file in std::fs::read_dir(server.path()).into_iter().flatten().flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if name.ends_with(".db") || name.ends_with(".me.json") {
                    found.push(name);
                }
            }
        }
    }
    found
}

/// The desktop binary under test: `GKCHAT_DESKTOP_BIN`, else `<target>/debug/gkchat-desktop`.
pub fn desktop_binary() -> PathBuf {
    if let Ok(path) = std::env::var("GKCHAT_DESKTOP_BIN") {
        return PathBuf::from(path);
    }
    target_dir().join("debug").join("gkchat-desktop")
}

/// Cargo's target directory for this workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// `<target>/e2e/`, where the end-to-end tests save screenshots; emptied of an earlier run's
/// files the first time a test of this run asks for it (tests of one binary run in parallel).
pub fn shots_dir() -> PathBuf {
    static FRESH: std::sync::Once = std::sync::Once::new();
    let dir = target_dir().join("e2e");
    FRESH.call_once(|| {
        let _ = std::fs::remove_dir_all(&dir);
    });
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl DesktopHarness {
    /// Starts Xvfb and tauri-driver; `app_env` is passed on to the app.
    pub async fn start(app_env: &[(&str, String)]) -> Self {
        // `-displayfd 1`: Xvfb picks a free display and prints its number on stdout.
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (./gk test installs it)");
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().expect("xvfb stdout")).read_line(&mut line).expect("display number");
        let display = format!(":{}", line.trim());

        let home = tempfile::tempdir().expect("temp home");
        // dunst's context menu (its way to pick a notification's action) runs a "dmenu" that
        // here picks the Accept line by itself, so a test can press Accept headless.
        let dunst_dir = home.path().join(".config/dunst");
        std::fs::create_dir_all(&dunst_dir).expect("dunst config dir");
        let picker = home.path().join("pick-accept.sh");
        let offered = home.path().join("dmenu-offered");
        let script = format!("#!/bin/sh\ntee \"{}\" | grep -m1 -i accept\n", offered.display());
        std::fs::write(&picker, script).expect("picker script");
        std::fs::set_permissions(&picker, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        std::fs::write(dunst_dir.join("dunstrc"), format!("[global]\n    dmenu = {}\n", picker.display()))
            .expect("dunstrc");
        let port = free_port();
        let native_port = free_port();
        // dbus-run-session gives the app its own bus; the keyring daemon on it keeps its
        // files in the throwaway HOME and is unlocked with a password read from stdin. Its
        // first process returns before the daemon owns its bus name, and an early request would
        // make D-Bus start a second, locked one: wait for the name (asking starts nothing).
        // A notification daemon (dunst) shares the bus, and the bus address is left in HOME so
        // a test can ask dunst what it showed, or launch the app a second time on this bus.
        let script = format!(
            "printf gkchat-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
             for i in $(seq 200); do \
               dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                 org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q 'boolean true' && break; \
               sleep 0.05; \
             done && \
             (dunst >/dev/null 2>&1 &) && \
             printf %s \"$DBUS_SESSION_BUS_ADDRESS\" > \"$HOME/session-bus\" && \
             exec tauri-driver --port {port} --native-port {native_port}"
        );
        let mut driver = Command::new("dbus-run-session");
        driver
            .args(["--", "sh", "-c", &script])
            // Its own process group, so drop can end the bus, the daemon and the driver at once.
            .process_group(0)
            .env("DISPLAY", &display)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_DATA_HOME", home.path().join(".local/share"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in app_env {
            driver.env(key, value);
        }
        let driver = driver.spawn().expect("dbus-run-session is installed (./gk test installs it)");
        let driver_url = format!("http://127.0.0.1:{port}");

        let harness = Self { xvfb, driver, display, driver_url, home };
        harness.wait_for_driver().await;
        harness
    }

    /// Waits (30 s at most) until no app of this harness runs any more. Ending a WebDriver
    /// session returns before the app has exited, and a launch while it still runs is a second
    /// instance: it hands over to the old one and exits, and the new session never starts.
    pub async fn app_exited(&self) {
        let display = format!("DISPLAY={}", self.display);
        let running = || {
            std::fs::read_dir("/proc").into_iter().flatten().flatten().any(|entry| {
                let command = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                let first = command.split(|b| *b == 0).next().unwrap_or_default();
                first.ends_with(b"gkchat-desktop")
                    && std::fs::read(entry.path().join("environ"))
                        .unwrap_or_default()
                        .split(|b| *b == 0)
                        .any(|var| var == display.as_bytes())
            })
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while running() {
            assert!(std::time::Instant::now() < deadline, "the app did not exit within 30 s of its session's end");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The private session bus the app runs on.
    pub fn session_bus(&self) -> String {
        let file = self.home.path().join("session-bus");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(address) = std::fs::read_to_string(&file)
                && !address.is_empty()
            {
                return address;
            }
            assert!(std::time::Instant::now() < deadline, "the session bus address never appeared");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `dunstctl` (the notification daemon on the app's bus) and returns what it printed.
    pub fn dunstctl(&self, args: &[&str]) -> String {
        let output = Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", self.session_bus())
            .output()
            .expect("dunstctl is installed (./gk test installs dunst)");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the daemon has a notification on screen.
    pub async fn wait_for_displayed(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.dunstctl(&["count", "displayed"]).trim().parse::<u32>().unwrap_or(0) == 0 {
            let history = self.dunstctl(&["history"]);
            assert!(tokio::time::Instant::now() < deadline, "no notification on screen; history: {history}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Opens dunst's context menu of the notifications on screen, whose "dmenu" picks the
    /// Accept action; returns the menu lines dunst offered (actions with their notification).
    pub fn invoke_notification_action(&self) -> String {
        let offered = self.home.path().join("dmenu-offered");
        let _ = std::fs::remove_file(&offered);
        self.dunstctl(&["context"]);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(lines) = std::fs::read_to_string(&offered)
                && !lines.is_empty()
            {
                return lines;
            }
            assert!(std::time::Instant::now() < deadline, "dunst offered no actions");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the app binary a second time on the app's display and bus, with `args`, and
    /// waits for it to end (a second instance hands over and quits).
    pub fn launch_again(&self, app: &Path, args: &[&str]) -> std::process::ExitStatus {
        let mut second = Command::new(app)
            .args(args)
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", self.session_bus())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("XDG_DATA_HOME", self.home.path().join(".local/share"))
            .env("XDG_CACHE_HOME", self.home.path().join(".cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the app binary starts");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = second.try_wait().expect("wait for the second launch") {
                return status;
            }
            if std::time::Instant::now() > deadline {
                let _ = second.kill();
                let _ = second.wait();
                panic!("the second launch did not hand over and quit");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    async fn wait_for_driver(&self) {
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if http.get(format!("{}/status", self.driver_url)).send().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tauri-driver did not start at {}", self.driver_url);
    }
}

impl Drop for DesktopHarness {
    fn drop(&mut self) {
        // The whole group: dbus-run-session, its bus, gnome-keyring and tauri-driver.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.driver.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// Memory of one of the app's processes, from `/proc` (MiB).
#[derive(Debug, Clone)]
pub struct ProcessMemory {
    pub pid: u32,
    /// The kernel's name for it: `gkchat-desktop`, `WebKitWebProces`, `WebKitNetworkP` (15
    /// characters at most).
    pub name: String,
    pub rss_mib: f64,
    pub pss_mib: f64,
}

/// The app's processes: every process whose command is the app binary `binary` (a file name),
/// and their descendants (WebKit's web and network processes).
pub fn app_processes(binary: &str) -> Vec<u32> {
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

/// `field` (kB) of `/proc/<pid>/<file>`, in MiB.
fn proc_mib(pid: u32, file: &str, field: &str) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    let kb: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
    Some(kb as f64 / 1024.0)
}

/// The memory of each of the app's processes (see [`app_processes`]) that still runs.
pub fn app_memory(binary: &str) -> Vec<ProcessMemory> {
    app_processes(binary)
        .into_iter()
        .filter_map(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_owned();
            Some(ProcessMemory {
                pid,
                name,
                rss_mib: proc_mib(pid, "status", "VmRSS:")?,
                pss_mib: proc_mib(pid, "smaps_rollup", "Pss:")?,
            })
        })
        .collect()
}

/// Where a process's memory is (PSS, MiB), by kind of mapping: `malloc heap` (the brk heap),
/// `anonymous` (other malloc arenas, JavaScriptCore's and WebKit's own heaps, thread stacks),
/// `shared memory` (WebKit's buffers between its processes), `libraries` (code and data of
/// the `.so` files and the binary), `other files`.
pub fn memory_by_kind(pid: u32) -> Vec<(&'static str, f64)> {
    let Ok(smaps) = std::fs::read_to_string(format!("/proc/{pid}/smaps")) else { return Vec::new() };
    let mut kinds: Vec<(&'static str, f64)> = Vec::new();
    let mut kind = "anonymous";
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            let name = line.split_whitespace().nth(5).unwrap_or_default();
            kind = match name {
                "[heap]" => "malloc heap",
                "" | "[stack]" | "[anon]" => "anonymous",
                n if n.starts_with("/memfd:") || n.starts_with("/dev/shm") => "shared memory",
                n if n.contains(".so") || n.contains("gkchat-desktop") => "libraries",
                n if n.starts_with('[') => "anonymous",
                _ => "other files",
            };
        } else if first == "Pss:" {
            let kb: f64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, total)) => *total += kb / 1024.0,
                None => kinds.push((kind, kb / 1024.0)),
            }
        }
    }
    kinds.sort_by(|a, b| b.1.total_cmp(&a.1));
    kinds
}
