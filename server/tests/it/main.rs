//! The `gkchat-server` binary as users run it: configured by environment, serving, and
//! stopping cleanly on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the server if a test fails before stopping it.
struct Running {
    child: Child,
    addr: String,
    log: mpsc::Receiver<String>,
}

/// Starts the binary with HOME pointing into `home`, so nothing touches the real data dir.
fn start(home: &std::path::Path, extra_env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gkchat-server"));
    command
        .env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("GKCHAT_LISTEN", "127.0.0.1:0")
        .env("GKCHAT_TURN_PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("server binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let line = log.recv_timeout(Duration::from_secs(30)).expect("server logs that it listens");
        // "gkchat-server listening addr=…" (the TURN relay logs its own UDP address too).
        if line.contains("gkchat-server listening")
            && let Some(rest) = line.split(" addr=").nth(1)
        {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    Running { child, addr, log }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("write request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    response
}

fn stop_with(running: Running, signal: &str) -> Vec<String> {
    let mut running = running;
    let status = Command::new("kill").args([signal, &running.child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = running.child.wait().expect("server exits");
    assert!(exit.success(), "clean exit on {signal}: {exit:?}");
    running.log.try_iter().collect()
}

#[test]
fn runs_from_environment_and_stops_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let running = start(home.path(), &[]);
    let health = get(&running.addr, "/healthz");
    assert!(health.starts_with("HTTP/1.0 200") || health.starts_with("HTTP/1.1 200"), "{health}");
    let data_dir = home.path().join("data/gkchat-server");
    assert!(data_dir.join("gkchat.db").is_file(), "default data dir created under XDG_DATA_HOME");

    let log = stop_with(running, "-TERM");
    assert!(log.iter().any(|l| l.contains("gkchat-server stopped")), "{log:#?}");
    assert!(!log.iter().any(|l| l.contains('\u{1b}')), "no colour codes when not on a terminal");
}

#[test]
fn data_dir_from_environment_and_sigint() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("elsewhere");
    let running = start(home.path(), &[("GKCHAT_DATA_DIR", data_dir.to_str().unwrap())]);
    assert!(get(&running.addr, "/readyz").contains("\"ready\""));
    stop_with(running, "-INT");
    assert!(data_dir.join("gkchat.db").is_file());
}

#[test]
fn bad_config_fails_with_a_message() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gkchat-server"))
        .env_clear()
        .env("HOME", home.path())
        .env("GKCHAT_LISTEN", "not-an-address")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.to_lowercase().contains("listen"), "{stderr}");
}
