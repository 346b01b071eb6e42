//! An S3-compatible server of the test's own: moto's server (PyPI `moto[server]`, in the venv
//! `./gk test` makes under `target/tools/s3`, or wherever `GKCHAT_MOTO_SERVER` points) on a
//! free loopback port, with one empty bucket, killed when dropped. Its objects live in its
//! memory, so a test can list them to see what the server left behind.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gkchat_server::Config;

pub const BUCKET: &str = "gkchat-test";

pub struct S3Server {
    pub port: u16,
    child: Child,
}

fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("GKCHAT_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    crate::desktop::target_dir().join("tools/s3/bin/moto_server")
}

impl S3Server {
    /// Starts moto and makes the bucket. Fails (never skips) when moto is not installed:
    /// `./gk test` installs it.
    pub async fn start() -> Self {
        let binary = moto_server();
        assert!(binary.exists(), "{} is missing: `./gk test` installs moto[server] there", binary.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let server = Self { port, child };
        let http = reqwest::Client::new();
        for _ in 0..400 {
            if let Ok(answer) = http.put(format!("{}/{BUCKET}", server.endpoint())).send().await
                && answer.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("moto_server on port {port} never made the bucket");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `config` storing its blobs in this server's bucket.
    pub fn configure(&self, config: &mut Config) {
        config.storage = "s3".into();
        config.s3_endpoint = self.endpoint();
        config.s3_bucket = BUCKET.into();
        config.s3_allow_http = true;
        config.s3_access_key_id = "test".into();
        config.s3_secret_access_key = "test".into();
    }

    /// The keys in the bucket (ListObjectsV2, from the XML answer), sorted.
    pub async fn keys(&self) -> Vec<String> {
        let answer = reqwest::get(format!("{}/{BUCKET}?list-type=2&max-keys=1000", self.endpoint()))
            .await
            .expect("list the bucket")
            .text()
            .await
            .expect("list body");
        let mut keys: Vec<String> = answer
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect();
        keys.sort();
        keys
    }

    /// Multipart uploads begun and neither completed nor aborted (ListMultipartUploads).
    pub async fn open_multipart_uploads(&self) -> usize {
        let answer = reqwest::get(format!("{}/{BUCKET}?uploads", self.endpoint()))
            .await
            .expect("list multipart uploads")
            .text()
            .await
            .expect("list body");
        answer.matches("<UploadId>").count()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
