//! The HTTP surface: health, readiness, metrics, info, unknown routes.

use gkchat_proto::chat::{Content, NewMessage, ReceiptKind};
use gkchat_proto::{ApiError, ErrorCode, PROTOCOL_VERSION};
use gkchat_tests::{TestServer, api_code, direct_chat, online};

#[tokio::test]
async fn health_readiness_and_info() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();

    let health: serde_json::Value =
        http.get(format!("{}healthz", server.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready = http.get(format!("{}readyz", server.url())).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    let info = server.client().server_info().await.unwrap();
    assert_eq!(info.name, "gkchat-server");
    assert_eq!(info.protocol, PROTOCOL_VERSION);
    assert_eq!(info.instance_id.len(), 36, "a UUID: {}", info.instance_id);
}

#[tokio::test]
async fn unknown_route_is_404_with_code() {
    let server = TestServer::start().await;
    let response = reqwest::get(format!("{}api/v1/nope", server.url())).await.unwrap();
    assert_eq!(response.status(), 404);
    let body: ApiError = response.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn metrics_count_requests_and_connections() {
    let server = TestServer::start().await;
    let client = server.client();
    client.server_info().await.unwrap();
    let connection = client.connect();
    connection.wait_for(|s| s.is_connected()).await;
    // A message and a receipt over the WebSocket, and an error answered over HTTP.
    let (alice, _) = server.signed_up("metrics_alice").await;
    let (_bob, bob_me) = server.signed_up("metrics_bob").await;
    let (alice_live, _events) = online(&alice).await;
    let chat_id = direct_chat(&alice, &bob_me.id).await;
    let message = NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.clone(),
        content: Content::text("counted"),
        reply_to: None,
        forwarded: false,
    };
    let sent = alice_live.send_message(message).await.unwrap();
    alice_live.receipt(&chat_id, ReceiptKind::Read, sent.seq).await.unwrap();
    assert_eq!(api_code(alice.open_direct("no-such-user").await), ErrorCode::NotFound);

    let text = reqwest::get(format!("{}metrics", server.url())).await.unwrap().text().await.unwrap();
    assert!(text.contains("gkchat_ws_connections 2"), "{text}");
    assert!(text.contains("gkchat_messages_stored_total 1"), "{text}");
    assert!(text.contains("gkchat_http_errors_total{code=\"not_found\"} 1"), "{text}");
    for frame in ["send", "receipt"] {
        let count = format!("gkchat_ws_request_seconds_count{{frame=\"{frame}\"}} 1");
        assert!(text.contains(&count), "{count} in {text}");
    }
    assert!(
        text.lines().any(|l| l.starts_with("gkchat_http_request_seconds_bucket{")
            && l.contains("route=\"/api/v1/chats/direct\"")
            && l.contains("le=\"+Inf\"")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("gkchat_http_requests_total{")
            && l.contains("route=\"/api/v1/info\"")
            && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics text ends with # EOF");
    alice_live.close().await;
    connection.close().await;
}
