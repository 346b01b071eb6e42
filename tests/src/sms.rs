//! A stand-in SMS gateway: an HTTP receiver on port 0 that records what the server POSTs, so
//! tests read the one-time codes a phone would get.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use serde_json::Value;
use tokio::sync::mpsc;

pub struct SmsGateway {
    pub url: String,
    received: mpsc::UnboundedReceiver<Value>,
}

impl SmsGateway {
    pub async fn start() -> Self {
        let (sent, received) = mpsc::unbounded_channel();
        let app = axum::Router::new()
            .route(
                "/sms",
                post(|State(sent): State<mpsc::UnboundedSender<Value>>, Json(message): Json<Value>| async move {
                    let _ = sent.send(message);
                    "queued"
                }),
            )
            .with_state(sent);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind gateway");
        let url = format!("http://{}/sms", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, received }
    }

    /// The next message the server sent (waits up to 10 s).
    pub async fn next(&mut self) -> Value {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.received.recv())
            .await
            .expect("an SMS within 10 s")
            .expect("gateway running")
    }

    /// The code in the next message to `phone`.
    pub async fn code_for(&mut self, phone: &str) -> String {
        let message = self.next().await;
        assert_eq!(message["to"], phone, "{message}");
        message["code"].as_str().expect("code").to_owned()
    }

    /// Nothing more arrived.
    pub fn is_quiet(&mut self) -> bool {
        self.received.try_recv().is_err()
    }
}
