//! A TCP relay between a client and the server that a test can hold and cut: the stand-in for a
//! network that fails at the worst moment. `hold_replies` keeps forwarding what the client
//! sends on its live connection while swallowing what the server answers there (frames reach
//! the server and are committed, their acks never arrive); `cut` then drops every relayed connection at once, as a lost Wi-Fi
//! does. New connections are relayed again right away (with replies flowing) — unless the
//! relay is `down` (the network is gone until `up`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

pub struct CuttableRelay {
    pub addr: SocketAddr,
    /// Bumped by `cut`; every relayed connection ends when it changes.
    generation: watch::Sender<u64>,
    holding: Arc<AtomicBool>,
    down: Arc<AtomicBool>,
    accept: JoinHandle<()>,
}

impl CuttableRelay {
    /// Relays `127.0.0.1:<ephemeral>` to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
        let addr = listener.local_addr().expect("relay address");
        let (generation, _) = watch::channel(0u64);
        let holding = Arc::new(AtomicBool::new(false));
        let down = Arc::new(AtomicBool::new(false));
        let accept = {
            let generation = generation.clone();
            let holding = holding.clone();
            let down = down.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    if down.load(Ordering::SeqCst) {
                        drop(client);
                        continue;
                    }
                    let Ok(server) = TcpStream::connect(target).await else { continue };
                    let mut cut = generation.subscribe();
                    let holding = holding.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = relay(client, server, holding) => {}
                            _ = cut.changed() => {}
                        }
                    });
                }
            })
        };
        Self { addr, generation, holding, down, accept }
    }

    /// The relay's address as an HTTP URL (what a client is pointed at).
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}", self.addr)).expect("relay url")
    }

    /// From now on the server's bytes are swallowed (the client's still reach the server).
    pub fn hold_replies(&self) {
        self.holding.store(true, Ordering::SeqCst);
    }

    /// Drops every relayed connection; the next ones are relayed normally.
    pub fn cut(&self) {
        self.holding.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// The network goes: every relayed connection drops, new ones are closed at once.
    pub fn down(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cut();
    }

    /// The network returns.
    pub fn up(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for CuttableRelay {
    fn drop(&mut self) {
        self.accept.abort();
        self.generation.send_modify(|g| *g += 1);
    }
}

/// Copies both ways until either side closes. On the live connection (a `GET /ws` upgrade),
/// server→client bytes are dropped while `holding`; plain HTTP requests always get answers.
async fn relay(client: TcpStream, server: TcpStream, holding: Arc<AtomicBool>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut first = vec![0u8; 16 * 1024];
    let Ok(n) = client_read.read(&mut first).await else { return };
    if n == 0 || server_write.write_all(&first[..n]).await.is_err() {
        return;
    }
    let live = first.starts_with(b"GET /ws");
    let upstream = tokio::io::copy(&mut client_read, &mut server_write);
    let downstream = async {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = server_read.read(&mut buffer).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(());
            }
            if !(live && holding.load(Ordering::SeqCst)) {
                client_write.write_all(&buffer[..n]).await?;
            }
        }
    };
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
    }
}
