//! The real `gkchat-server` binary as a child process: started on a free loopback port with
//! its data directory and environment, ready once `/readyz` answers, and killed with SIGKILL
//! (no shutdown, no flush) when a test wants a crash — or when dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

use url::Url;

/// The server process, started again after each kill on the same address and data.
pub struct ServerProcess {
    binary: PathBuf,
    data_dir: PathBuf,
    pub addr: SocketAddr,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

impl ServerProcess {
    /// A server from `binary` on `data_dir` (its log goes to `server.log` there), with `env`
    /// beside the defaults (loopback, quiet log, generous sign-in limits).
    pub fn new(binary: PathBuf, data_dir: PathBuf, env: &[(&str, &str)]) -> Self {
        let env = env.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect();
        Self { binary, data_dir, addr: free_addr(), env, child: None }
    }

    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}", self.addr)).expect("server url")
    }

    pub async fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join("server.log"))
            .expect("server log file");
        let child = Command::new(&self.binary)
            .env_clear()
            .env("HOME", &self.data_dir)
            .env("GKCHAT_LISTEN", self.addr.to_string())
            .env("GKCHAT_DATA_DIR", &self.data_dir)
            .env("GKCHAT_LOG", "warn")
            .env("GKCHAT_AUTH_ATTEMPTS_PER_IP_MINUTE", "100000")
            .env("GKCHAT_AUTH_ATTEMPTS_PER_ACCOUNT_MINUTE", "100000")
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        self.child = Some(child);
        let url = format!("http://{}/readyz", self.addr);
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(response) = http.get(&url).timeout(Duration::from_secs(2)).send().await
                && response.status().is_success()
            {
                return;
            }
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("the server exited at start ({status}); see {}", self.data_dir.join("server.log").display());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server did not become ready; see {}", self.data_dir.join("server.log").display());
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback address (bound and released; the server binds it right after).
fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}
