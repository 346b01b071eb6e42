//! The .deb as a user gets it: `./gk test` builds it and names it in `GKCHAT_DEB`; this
//! installs it with dpkg, checks what it carries (the app, the companion server, the desktop
//! entry that handles gkchat:// links, icons), opens the installed app's window under Xvfb
//! against a server, and removes the package again.

use std::process::Command;

use gkchat_tests::TestServer;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_installs_and_its_app_opens_its_window() {
    let _turn = super::one_at_a_time().await;
    let deb = std::env::var("GKCHAT_DEB").expect("GKCHAT_DEB names the .deb to install (./gk test builds it)");
    let field = |name: &str| {
        let output = Command::new("dpkg-deb").args(["-f", &deb, name]).output().expect("dpkg-deb runs");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    let package = field("Package");
    assert!(!package.is_empty(), "{deb} has no package name");
    as_root(&["dpkg", "-i", &deb]);
    let installed = Installed(package.clone());

    let files = as_root(&["dpkg", "-L", &package]);
    for wanted in ["/usr/bin/gkchat-desktop", "/usr/bin/gkchat-server", "/usr/share/icons/hicolor/"] {
        assert!(files.contains(wanted), "{wanted} missing from the package: {files}");
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

    // The installed app opens its window, shows the bundled UI and reaches the server.
    let server = TestServer::start().await;
    let harness = DesktopHarness::start(&[("GKCHAT_SERVER_URL", server.url().to_string())]).await;
    let session = Session::start(&harness.driver_url, "/usr/bin/gkchat-desktop").await;
    session.wait_for("[data-testid=auth-submit]", WAIT).await;
    session.wait_for_text(BADGE, WAIT, |t| t == "Connected").await;
    std::fs::write(shots_dir().join("installed-deb.png"), session.screenshot().await).unwrap();
    session.end().await;
    drop(installed);
    assert!(!std::path::Path::new("/usr/bin/gkchat-desktop").exists(), "dpkg -r removed it");
}
