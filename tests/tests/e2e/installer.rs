//! The packages as a user gets them: `./gk test` builds them and names them in `GKCHAT_DEB` (the
//! app) and `GKCHAT_SERVER_DEB` (the companion server); this installs both with dpkg, checks
//! what each carries (the app alone, with the desktop entry that handles gkchat:// links and
//! icons; the server with its systemd unit and configuration), starts the installed server as
//! its unit does, opens the installed app's window under Xvfb against it, stops the server and
//! removes both packages again.

use std::process::Command;

use gkchat_tests::desktop::{DesktopHarness, shots_dir};
use gkchat_tests::webdriver::Session;

use super::{BADGE, WAIT};

/// Runs a system command as root (directly when root, else through sudo); its stdout.
fn as_root(args: &[&str]) -> String {
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"));
    let mut command = if is_root { Command::new(args[0]) } else { Command::new("sudo") };
    if !is_root {
        command.arg("-n").arg(args[0]);
    }
    let output = command.args(&args[1..]).output().expect("the command runs");
    assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Removes the package however the test ends.
struct Installed(String);

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| as_root(&["dpkg", "-r", &self.0]));
    }
}

/// Installs the .deb named by the variable `var`; the package (removed when dropped) and the
/// files it put in place.
fn install(var: &str) -> (Installed, String) {
    let deb = std::env::var(var).unwrap_or_else(|_| panic!("{var} names the .deb to install (./gk test builds it)"));
    let output = Command::new("dpkg-deb").args(["-f", &deb, "Package"]).output().expect("dpkg-deb runs");
    let package = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(!package.is_empty(), "{deb} has no package name");
    as_root(&["dpkg", "-i", &deb]);
    let files = as_root(&["dpkg", "-L", &package]);
    (Installed(package), files)
}

/// The installed server, run as its systemd unit runs it (with a data directory and port of the
/// test's own); stopped with SIGTERM like `systemctl stop`.
struct InstalledServer {
    process: std::process::Child,
    url: String,
}

impl InstalledServer {
    async fn start(data_dir: &std::path::Path) -> Self {
        let unit = std::fs::read_to_string("/usr/lib/systemd/system/gkchat-server.service")
            .or_else(|_| std::fs::read_to_string("/lib/systemd/system/gkchat-server.service"))
            .expect("the package installs its systemd unit");
        let exec = unit.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("the unit's ExecStart");
        let mut words = exec.split_whitespace();
        let program = words.next().unwrap().to_owned();
        // Its own data directory and a free port instead of the unit's; the unit's config file.
        let args: Vec<String> = words.map(str::to_owned).collect();
        let config_at = args.iter().position(|a| a == "--config").expect("the unit names its config file");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let process = Command::new(&program)
            .args(["--config", &args[config_at + 1]])
            .args(["--data-dir", data_dir.to_str().unwrap(), "--listen", &listen])
            .spawn()
            .expect("the installed server starts");
        let url = format!("http://{listen}/");
        let info = format!("{url}api/v1/info");
        let deadline = tokio::time::Instant::now() + WAIT;
        while reqwest::get(&info).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "the installed server did not answer at {info}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Self { process, url }
    }

    /// SIGTERM, then the exit (graceful: success).
    fn stop(mut self) {
        let pid = self.process.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.process.wait().unwrap();
        assert!(status.success(), "the server's exit after SIGTERM: {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_server_packages_install_and_talk() {
    let _turn = super::one_at_a_time().await;
    let (app_installed, files) = install("GKCHAT_DEB");
    for wanted in ["/usr/bin/gkchat-desktop", "/usr/share/icons/hicolor/"] {
        assert!(files.contains(wanted), "{wanted} missing from the package: {files}");
    }
    assert!(!files.contains("gkchat-server"), "the app's package carries the app alone: {files}");
    let (server_installed, server_files) = install("GKCHAT_SERVER_DEB");
    for wanted in ["/usr/bin/gkchat-server", "/etc/gkchat/config.toml", "systemd/system/gkchat-server.service"] {
        assert!(server_files.contains(wanted), "{wanted} missing from the server's package: {server_files}");
    }
    let entry = files
        .lines()
        .find(|line| line.starts_with("/usr/share/applications/") && line.ends_with(".desktop"))
        .expect("a desktop entry");
    let entry = std::fs::read_to_string(entry).unwrap();
    assert!(entry.contains("x-scheme-handler/gkchat"), "the entry handles gkchat:// links: {entry}");
    assert!(entry.contains("Exec=gkchat-desktop"), "{entry}");
    let server = Command::new("/usr/bin/gkchat-server").arg("--version").output().unwrap();
    assert!(server.status.success() && String::from_utf8_lossy(&server.stdout).contains("gkchat-server"));

    // The installed server starts as its unit starts it; the installed app opens its window,
    // shows the bundled UI, reaches that server and signs up on it.
    let data = tempfile::tempdir().unwrap();
    let server = InstalledServer::start(data.path()).await;
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url.clone())]).await;
    let session = Session::start(&harness.driver_url, "/usr/bin/gkchat-desktop").await;
    session.wait_for("[data-testid=auth-submit]", WAIT).await;
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;
    super::sign_up_in_app(&session, "Ivy", "ivy").await;
    std::fs::write(shots_dir().join("installed-deb.png"), session.screenshot().await).unwrap();
    session.end().await;
    server.stop();
    assert!(data.path().join("gkchat.db").is_file(), "the installed server kept its database in its data directory");
    drop(app_installed);
    drop(server_installed);
    assert!(!std::path::Path::new("/usr/bin/gkchat-desktop").exists(), "dpkg -r removed the app");
    assert!(!std::path::Path::new("/usr/bin/gkchat-server").exists(), "dpkg -r removed the server");
}
