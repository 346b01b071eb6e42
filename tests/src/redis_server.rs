//! A Redis server of the test's own: `redis-server` on a free loopback port, nothing saved to
//! disk, killed when dropped; or a Redis Cluster of three such primaries ([`RedisCluster`]).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `redis-server` child process.
pub struct Redis {
    pub port: u16,
    child: Child,
}

impl Redis {
    /// Starts `redis-server` and waits until it answers. Fails (never skips) when it is not
    /// installed: `./gk` installs it with the other test packages.
    pub async fn start() -> Self {
        Self::launch(|_| Vec::new(), None).await
    }

    /// `redis-server` on a free port with the arguments `args` gives for it, waiting until it
    /// answers; another port when the chosen one was taken meanwhile (by a test running beside).
    async fn launch(args: impl Fn(u16) -> Vec<String>, dir: Option<&std::path::Path>) -> Self {
        for _ in 0..5 {
            let port = free_port();
            let args = args(port);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut redis = Self { port, child: spawn(port, &args, dir) };
            if redis.ready().await {
                return redis;
            }
        }
        panic!("redis-server never started on a free port (five tries)");
    }

    /// Kills the server (SIGKILL: its clients see their connections drop) and starts a new,
    /// empty one on the same port.
    pub async fn restart(&mut self, down_while: impl std::future::Future<Output = ()>) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        down_while.await;
        self.child = spawn(self.port, &[], None);
        self.wait_ready().await;
    }

    async fn wait_ready(&mut self) {
        let port = self.port;
        assert!(self.ready().await, "redis-server on port {port} never answered");
    }

    /// Until it answers PING (up to 30 s on a loaded machine); false when it exited (its port
    /// was taken) or never answered.
    async fn ready(&mut self) -> bool {
        let client = redis::Client::open(self.url()).expect("redis URL");
        for _ in 0..1200 {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            if let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING").query_async::<String>(&mut connection).await.is_ok()
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection for looking at the keys.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        let client = redis::Client::open(self.url()).expect("redis URL");
        client.get_multiplexed_async_connection().await.expect("connect to the test Redis")
    }

    /// Every key matching `pattern`, with its TTL in milliseconds (`PTTL`: -1 = none), sorted.
    pub async fn keys_with_ttl(&self, pattern: &str) -> Vec<(String, i64)> {
        let mut connection = self.connection().await;
        let mut keys: Vec<String> = redis::cmd("KEYS").arg(pattern).query_async(&mut connection).await.expect("KEYS");
        keys.sort();
        let mut out = Vec::new();
        for key in keys {
            let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut connection).await.expect("PTTL");
            out.push((key, ttl));
        }
        out
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Redis Cluster of three primaries (no replicas), each a `redis-server` of the test's own,
/// its slots assigned by `redis-cli --cluster create`; all killed when dropped.
pub struct RedisCluster {
    pub nodes: Vec<Redis>,
    _dir: tempfile::TempDir,
}

impl RedisCluster {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut nodes = Vec::new();
        for _ in 0..3 {
            let args = |port: u16| {
                // The cluster bus port, given: port + 10000 (the default) may be past 65535.
                let bus = free_port().to_string();
                ["--cluster-enabled", "yes", "--cluster-config-file", &format!("nodes-{port}.conf")]
                    .into_iter()
                    .map(str::to_owned)
                    .chain(["--cluster-node-timeout".into(), "2000".into(), "--cluster-port".into(), bus])
                    .collect()
            };
            nodes.push(Redis::launch(args, Some(dir.path())).await);
        }
        let addresses: Vec<String> = nodes.iter().map(|node| format!("127.0.0.1:{}", node.port)).collect();
        let made = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("redis-cli runs");
        assert!(made.status.success(), "redis-cli --cluster create: {}", String::from_utf8_lossy(&made.stdout));
        for node in &nodes {
            let mut connection = node.connection().await;
            let mut ok = false;
            for _ in 0..400 {
                let info: String =
                    redis::cmd("CLUSTER").arg("INFO").query_async(&mut connection).await.expect("CLUSTER INFO");
                if info.contains("cluster_state:ok") {
                    ok = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            assert!(ok, "the cluster never became ready on port {}", node.port);
        }
        Self { nodes, _dir: dir }
    }

    /// Every node's URL, comma-separated (what `redis_url` takes with `redis_cluster`). The
    /// first node holds the slots of GK Chat's `{gk}` keys: it is named last, so finding them
    /// takes the cluster's redirection.
    pub fn url(&self) -> String {
        let mut named: Vec<String> = self.nodes.iter().map(Redis::url).collect();
        named.rotate_left(1);
        named.join(",")
    }

    /// Every key on every node.
    pub async fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for node in &self.nodes {
            let mut connection = node.connection().await;
            let mut here: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.expect("KEYS");
            keys.append(&mut here);
        }
        keys.sort();
        keys
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port()
}

/// `redis-server` on `port` with `extra` arguments, saving nothing, working in `dir` if given.
fn spawn(port: u16, extra: &[&str], dir: Option<&std::path::Path>) -> Child {
    let mut command = Command::new("redis-server");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| {
            panic!("cannot start `redis-server` ({err}): install it (Debian: apt-get install redis-server; ./gk does)")
        })
}
