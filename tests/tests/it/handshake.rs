//! The WebSocket handshake and protocol errors: each bad peer gets an `error` frame with a
//! stable code and a clean close, and the server keeps serving everyone else.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gkchat_proto::limits::MAX_FRAME_BYTES;
use gkchat_proto::{ClientFrame, ErrorCode, Hello, PROTOCOL_VERSION, ServerFrame};
use gkchat_tests::{TestServer, test_config, within};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

// Longer than the server's 10 s handshake deadline, which the paused-clock test relies on.
const WAIT: Duration = Duration::from_secs(30);

async fn open(server: &TestServer) -> Socket {
    tokio_tungstenite::connect_async(server.ws_url()).await.expect("websocket connects").0
}

fn hello(protocol: u32) -> Message {
    Message::text(ClientFrame::Hello(Hello { protocol, client: "raw-test".into(), token: None }).encode())
}

async fn next_server_frame(socket: &mut Socket) -> ServerFrame {
    loop {
        match within(WAIT, "a server frame", socket.next()).await {
            Some(Ok(Message::Text(text))) => return ServerFrame::decode(text.as_str()).expect("server frame decodes"),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

async fn handshake(socket: &mut Socket) {
    socket.send(hello(PROTOCOL_VERSION)).await.unwrap();
    match next_server_frame(socket).await {
        ServerFrame::Welcome(welcome) => assert_eq!(welcome.protocol, PROTOCOL_VERSION),
        other => panic!("expected welcome, got {other:?}"),
    }
}

/// Asserts the error frame's code, then a close frame with `close_code`, then the end.
async fn expect_error_and_close(socket: &mut Socket, code: ErrorCode, close_code: CloseCode) {
    match next_server_frame(socket).await {
        ServerFrame::Error(error) => {
            assert_eq!(error.code, code, "{}", error.message);
            assert_eq!(error.id, None);
        }
        other => panic!("expected error frame, got {other:?}"),
    }
    match within(WAIT, "the close frame", socket.next()).await {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(frame.code, close_code);
            assert_eq!(frame.reason.as_str(), code.as_str());
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    let end = within(WAIT, "the end of the stream", socket.next()).await;
    assert!(matches!(end, None | Some(Err(_))), "stream should end after close, got {end:?}");
}

async fn ping(socket: &mut Socket, id: u64) {
    socket.send(Message::text(ClientFrame::Ping { id }.encode())).await.unwrap();
    assert_eq!(next_server_frame(socket).await, ServerFrame::Pong { id });
}

#[tokio::test]
async fn good_handshake_then_ping() {
    let server = TestServer::start().await;
    let mut socket = open(&server).await;
    handshake(&mut socket).await;
    ping(&mut socket, 7).await;
}

#[tokio::test]
async fn bad_peers_are_closed_and_others_keep_being_served() {
    let server = TestServer::start().await;
    let mut good = open(&server).await;
    handshake(&mut good).await;

    let cases: Vec<(&str, Vec<Message>, ErrorCode, CloseCode)> = vec![
        ("garbage before hello", vec![Message::text("this is not json")], ErrorCode::BadFrame, CloseCode::Protocol),
        (
            "unknown frame before hello",
            vec![Message::text(r#"{"type":"teleport"}"#)],
            ErrorCode::UnknownFrame,
            CloseCode::Protocol,
        ),
        (
            "wrong protocol version",
            vec![hello(PROTOCOL_VERSION + 41)],
            ErrorCode::UnsupportedProtocol,
            CloseCode::Protocol,
        ),
        (
            "ping before hello",
            vec![Message::text(ClientFrame::Ping { id: 1 }.encode())],
            ErrorCode::HandshakeRequired,
            CloseCode::Policy,
        ),
        (
            "hello with fields of the wrong type",
            vec![Message::text(r#"{"type":"hello","protocol":"one","client":"x"}"#)],
            ErrorCode::BadFrame,
            CloseCode::Protocol,
        ),
        ("binary frame", vec![Message::binary(vec![0xde, 0xad])], ErrorCode::BadFrame, CloseCode::Unsupported),
        (
            "oversized frame",
            vec![Message::text("x".repeat(MAX_FRAME_BYTES + 1))],
            ErrorCode::FrameTooLarge,
            CloseCode::Size,
        ),
    ];
    for (what, frames, code, close_code) in cases {
        let mut bad = open(&server).await;
        for frame in frames {
            bad.send(frame).await.unwrap_or_else(|e| panic!("{what}: send failed: {e}"));
        }
        expect_error_and_close(&mut bad, code, close_code).await;
        ping(&mut good, 100).await;
    }

    // After the handshake too: garbage and unknown frames close the connection.
    for (text, code) in [("{{{", ErrorCode::BadFrame), (r#"{"type":"warp","speed":9}"#, ErrorCode::UnknownFrame)] {
        let mut bad = open(&server).await;
        handshake(&mut bad).await;
        bad.send(Message::text(text)).await.unwrap();
        expect_error_and_close(&mut bad, code, CloseCode::Protocol).await;
    }
    ping(&mut good, 101).await;

    let metrics = reqwest::get(format!("{}metrics", server.url())).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("gkchat_ws_errors_total{code=\"unsupported_protocol\"} 1"), "{metrics}");
}

#[tokio::test]
async fn hello_with_a_bad_token_is_refused() {
    let server = TestServer::start().await;
    let mut socket = open(&server).await;
    let hello =
        ClientFrame::Hello(Hello { protocol: PROTOCOL_VERSION, client: "raw".into(), token: Some("forged".into()) });
    socket.send(Message::text(hello.encode())).await.unwrap();
    expect_error_and_close(&mut socket, ErrorCode::Unauthorized, CloseCode::Policy).await;
}

#[tokio::test]
async fn second_hello_is_refused_but_connection_stays() {
    let server = TestServer::start().await;
    let mut socket = open(&server).await;
    handshake(&mut socket).await;
    socket.send(hello(PROTOCOL_VERSION)).await.unwrap();
    match next_server_frame(&mut socket).await {
        ServerFrame::Error(error) => assert_eq!(error.code, ErrorCode::BadRequest),
        other => panic!("expected error, got {other:?}"),
    }
    ping(&mut socket, 3).await;
}

#[tokio::test]
async fn silent_peer_times_out_on_handshake() {
    let server = TestServer::start().await;
    let mut socket = open(&server).await;
    // Freeze the clock: the runtime jumps to the server's handshake deadline once idle.
    tokio::time::pause();
    expect_error_and_close(&mut socket, ErrorCode::HandshakeTimeout, CloseCode::Policy).await;
}

#[tokio::test]
async fn connection_limit_answers_server_busy() {
    let temp = tempfile::tempdir().unwrap();
    let config = gkchat_server::Config { max_connections: 1, ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let mut first = open(&server).await;
    handshake(&mut first).await;

    let second = server.client().connect();
    let state =
        within(WAIT, "server_busy", second.wait_for(|s| matches!(s, gkchat_client::ConnectionState::Offline { .. })))
            .await;
    match state {
        gkchat_client::ConnectionState::Offline { code, .. } => assert_eq!(code, Some(ErrorCode::ServerBusy)),
        other => panic!("{other:?}"),
    }
    ping(&mut first, 1).await;

    // A freed slot is usable again.
    first.close(None).await.unwrap();
    drop(first);
    second.retry_now();
    within(WAIT, "reconnect after a slot frees", second.wait_for(|s| s.is_connected())).await;
    second.close().await;
}
