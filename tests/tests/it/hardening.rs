//! Holes an attacker found in what was shipped, each proven closed through a real server and
//! real sockets: a signed-out device that stopped reading, memory held by strangers before
//! `hello` and on the quick-chat socket, decompression bombs, slow HTTP clients, oracles and
//! enumeration, the shape of every error, names that lie, and the headers every answer carries.

use gkchat_tests::text_message;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gkchat_client::QuickChats;
use gkchat_proto::limits::MAX_BEFORE_HELLO_BYTES;
use gkchat_proto::quick::{
    QUICK_HISTORY_MAX_BYTES, QUICK_HISTORY_MAX_MESSAGES, QUICK_TEXT_MAX_BYTES, QuickServerFrame,
};
use gkchat_proto::{ApiError, ClientFrame, ErrorCode, Hello, PROTOCOL_VERSION, ServerFrame};
use gkchat_tests::{TEST_PASSWORD, TestServer, api_code, eventually, online, test_config, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const WAIT: Duration = Duration::from_secs(20);

/// A server whose config `tune` changed, in a temp dir the caller keeps.
async fn tuned(tune: impl FnOnce(gkchat_server::Config) -> gkchat_server::Config) -> (TestServer, tempfile::TempDir) {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(tune(test_config(temp.path())), "127.0.0.1:0".parse().unwrap()).await;
    (server, temp)
}

/// The value of one metric line (`name value`) in the server's `/metrics`.
async fn metric(server: &TestServer, name: &str) -> f64 {
    let text = reqwest::get(format!("{}metrics", server.url())).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

/// Opens a TCP connection and asks `path` for a WebSocket upgrade by hand, so the test can then
/// write any bytes it likes (or none); returns the stream after the `101`.
async fn raw_upgrade(server: &TestServer, path: &str, extra_headers: &str) -> TcpStream {
    match try_raw_upgrade(server, path, extra_headers).await {
        Ok(stream) => stream,
        Err(head) => panic!("no upgrade: {head}"),
    }
}

/// [`raw_upgrade`], or the answer's head when it was not `101`.
async fn try_raw_upgrade(server: &TestServer, path: &str, extra_headers: &str) -> Result<TcpStream, String> {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra_headers}\r\n",
        server.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "the server answered the upgrade");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    if head.starts_with("HTTP/1.1 101") { Ok(stream) } else { Err(head) }
}

/// A masked client frame header announcing a text frame of `length` bytes (payload not included).
fn text_frame_header(length: u64) -> Vec<u8> {
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&length.to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    header
}

/// Reads until the server closes the connection; returns everything read.
async fn read_to_end(stream: &mut TcpStream, what: &str) -> Vec<u8> {
    within(WAIT, what, async {
        let mut all = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return all,
                Ok(n) => all.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
}

fn hello(token: Option<String>) -> String {
    ClientFrame::Hello(Hello { protocol: PROTOCOL_VERSION, client: "hardening-test".into(), token }).encode()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SessionEnd {
    SignOut,
    DeleteAccount,
    /// Nothing ends the session: the device just never reads again.
    Nothing,
}

/// Item 1: a device whose push queue is full when its session ends is cut off all the same, and
/// what it sends afterwards is never stored.
async fn a_device_that_stopped_reading_is_cut_off_when(end: SessionEnd) {
    // With nothing to end the session, the write timeout (two heartbeats) must.
    let heartbeat_secs = if end == SessionEnd::Nothing { 1 } else { 25 };
    let (server, _temp) = tuned(|config| gkchat_server::Config { heartbeat_secs, ..config }).await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, _) = server.signed_up("bob").await;
    let (bob_live, _bob_events) = online(&bob).await;

    // Alice's device: signed in over a raw socket with a tiny receive buffer, then it stops
    // reading.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let (mut alice_socket, _) = tokio_tungstenite::client_async(server.ws_url(), stream).await.unwrap();
    alice_socket.send(Message::text(hello(Some(alice.access_token().await.unwrap())))).await.unwrap();
    loop {
        match within(WAIT, "welcome", alice_socket.next()).await {
            Some(Ok(Message::Text(text))) if text.contains("\"welcome\"") => break,
            Some(Ok(_)) => {}
            other => panic!("no welcome: {other:?}"),
        }
    }

    // Bob writes until the server has to drop pushes to her: her queue is full.
    let big = "x".repeat(60_000);
    let chat_id = gkchat_tests::direct_chat(&bob, &alice_me.id).await;
    for sent in 0.. {
        assert!(sent < 5_000, "the server never dropped a push to a socket that stopped reading");
        bob_live.send_message(text_message(&chat_id, big.clone())).await.unwrap();
        if metric(&server, "gkchat_ws_pushes_dropped_total").await > 0.0
            || metric(&server, "gkchat_ws_connections").await < 2.0
        {
            break;
        }
    }
    if end != SessionEnd::Nothing {
        assert_eq!(metric(&server, "gkchat_ws_connections").await, 2.0, "still connected when the session ends");
    }

    match end {
        SessionEnd::SignOut => alice.sign_out().await.unwrap(),
        SessionEnd::DeleteAccount => alice.delete_account(TEST_PASSWORD).await.unwrap(),
        SessionEnd::Nothing => {}
    }
    // Her connection ends though nobody reads it...
    eventually("the revoked device's connection to close", || async {
        metric(&server, "gkchat_ws_connections").await == 1.0
    })
    .await;
    // ...and when the device reads and writes again, nothing it says is acted on.
    let after = text_message(&chat_id, "sent after the sign-out");
    let _ = alice_socket.send(Message::text(ClientFrame::Send { id: 1, message: after.clone() }.encode())).await;
    within(WAIT, "the end of the revoked socket", async {
        while let Some(Ok(message)) = alice_socket.next().await {
            if let Message::Text(text) = message {
                assert!(!text.contains("\"ack\""), "a revoked device's send was acknowledged");
            }
        }
    })
    .await;
    let history = bob.history(&chat_id, None, 500).await.unwrap();
    assert!(history.messages.iter().all(|m| m.id != after.id), "a revoked device's message was stored");
}

#[tokio::test]
async fn a_signed_out_device_that_stopped_reading_is_cut_off() {
    a_device_that_stopped_reading_is_cut_off_when(SessionEnd::SignOut).await;
}

#[tokio::test]
async fn a_deleted_account_whose_device_stopped_reading_is_cut_off() {
    a_device_that_stopped_reading_is_cut_off_when(SessionEnd::DeleteAccount).await;
}

#[tokio::test]
async fn a_device_that_never_reads_again_is_dropped() {
    a_device_that_stopped_reading_is_cut_off_when(SessionEnd::Nothing).await;
}

/// Item 2: before `hello` a stranger may send a few KiB at all, not park a 16 MiB frame.
#[tokio::test]
async fn a_stranger_cannot_park_a_big_frame_before_hello() {
    let server = TestServer::start().await;
    let mut stream = raw_upgrade(&server, "/ws", "").await;
    stream.write_all(&text_frame_header(16 * 1024 * 1024)).await.unwrap();
    let chunk = vec![b'a'; 4096];
    // The server stops reading long before 64 KiB; writes then fail or sit in buffers.
    for _ in 0..16 {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
    }
    let answer = read_to_end(&mut stream, "the server to close a stranger's big frame").await;
    assert!(String::from_utf8_lossy(&answer).contains("frame_too_large"), "{:?}", String::from_utf8_lossy(&answer));

    // A frame within the frame limit but beyond what may come before hello ends it too; after
    // hello, frames that size are taken (and refused in words, the connection staying up).
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let _ = socket.send(Message::text(" ".repeat(MAX_BEFORE_HELLO_BYTES + 1024))).await;
    let mut saw = String::new();
    within(WAIT, "the close before hello", async {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                saw.push_str(&text);
            }
        }
    })
    .await;
    assert!(saw.contains("frame_too_large"), "{saw}");

    // Signed in, frames that size are taken; anonymous, the allowance stays.
    let (alice, _) = server.signed_up("alice").await;
    let padded = format!("{{\"type\":\"ping\",\"id\":5,\"pad\":\"{}\"}}", "p".repeat(4 * MAX_BEFORE_HELLO_BYTES));
    for token in [Some(alice.access_token().await.unwrap()), None] {
        let signed_in = token.is_some();
        let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
        socket.send(Message::text(hello(token))).await.unwrap();
        let welcome = within(WAIT, "welcome", socket.next()).await.unwrap().unwrap();
        assert!(welcome.to_text().unwrap().contains("welcome"));
        let _ = socket.send(Message::text(padded.clone())).await;
        let answer = within(WAIT, "an answer", socket.next()).await.unwrap().unwrap();
        let answer = ServerFrame::decode(answer.to_text().unwrap()).unwrap();
        if signed_in {
            assert_eq!(answer, ServerFrame::Pong { id: 5 });
        } else {
            assert!(matches!(&answer, ServerFrame::Error(e) if e.code == ErrorCode::FrameTooLarge), "{answer:?}");
        }
    }
}

/// Joins a fresh quick chat as its first person; returns the live URL and the session.
async fn joined_quick_chat(server: &TestServer) -> (String, String) {
    let chats = QuickChats::new();
    let created = chats.create(&server.url(), ["Ann".into(), "Ben".into()]).await.unwrap();
    let link = gkchat_client::QuickLink::of_invite(&server.url(), &created.invites[0].path).unwrap();
    let session = chats.join(&link, "Ann", &created.invites[0].code).await.unwrap();
    let path = created.invites[0].path.trim_start_matches("/q");
    (format!("/api/v1/quick{path}/live"), session)
}

async fn quick_live(
    server: &TestServer,
    path: &str,
    session: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>> {
    let mut request = format!("ws://{}{path}", server.addr).into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Quick {session}").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// Item 2: the quick-chat live socket has a size limit, counts against the connection cap, and
/// drops a peer that stops answering pings.
#[tokio::test]
async fn the_quick_chat_socket_is_limited_counted_and_pinged() {
    let (server, _temp) =
        tuned(|config| gkchat_server::Config { max_connections: 2, heartbeat_secs: 1, ..config }).await;
    let (path, session) = joined_quick_chat(&server).await;

    // A message far beyond the longest quick text is not read whole: the socket is closed.
    let mut live = quick_live(&server, &path, &session).await;
    let _ = live.send(Message::text("x".repeat(1024 * 1024))).await;
    within(WAIT, "the oversized quick frame to end the socket", async {
        while let Some(Ok(message)) = live.next().await {
            if let Message::Text(text) = message {
                let frame: QuickServerFrame = serde_json::from_str(&text).unwrap();
                assert!(matches!(frame, QuickServerFrame::Joined { .. }), "{frame:?}");
            }
        }
    })
    .await;

    // Two live sockets fill a cap of two: a third, or an app connection, is refused.
    let first = quick_live(&server, &path, &session).await;
    let _second = quick_live(&server, &path, &session).await;
    let mut request = format!("ws://{}{path}", server.addr).into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Quick {session}").parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("a third socket over the cap: {other:?}"),
    }
    assert!(tokio_tungstenite::connect_async(server.ws_url()).await.is_err());
    drop(first);

    // A peer that never answers pings (it never reads) is dropped after two heartbeats.
    let authorization = format!("Authorization: Quick {session}\r\n");
    let mut silent = within(WAIT, "a permit to come free", async {
        loop {
            if let Ok(stream) = try_raw_upgrade(&server, &path, &authorization).await {
                return stream;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    read_to_end(&mut silent, "the server to drop a quick peer that never answers pings").await;
}

/// A PNG of `side`×`side` black pixels, compressed hard: a small file that decodes to `side`²
/// bytes.
pub fn black_png(side: u32) -> Vec<u8> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    let pixels = vec![0u8; side as usize * side as usize];
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::NoFilter)
        .write_image(&pixels, side, side, image::ExtendedColorType::L8)
        .unwrap();
    out
}

/// Item 3: a decompression bomb is refused from its header, and uploads are rate-limited.
#[tokio::test]
async fn photo_bombs_are_refused_and_uploads_limited() {
    let (server, _temp) = tuned(|config| gkchat_server::Config { uploads_per_account_minute: 3, ..config }).await;
    let (alice, _) = server.signed_up("alice").await;
    let bomb = black_png(12_000);
    assert!(bomb.len() < 400 * 1024, "{} bytes", bomb.len());
    assert_eq!(api_code(alice.set_photo(bomb, None).await), ErrorCode::InvalidImage);
    let photo = black_png(300);
    alice.set_photo(photo.clone(), None).await.unwrap();
    alice.set_photo(photo.clone(), None).await.unwrap();
    assert_eq!(api_code(alice.set_photo(photo, None).await), ErrorCode::RateLimited);
}

/// Item 4: a client that trickles its headers, or idles between requests, is disconnected.
#[tokio::test]
async fn slow_and_idle_http_clients_are_disconnected() {
    let (server, _temp) = tuned(|config| gkchat_server::Config { http_header_timeout_secs: 1, ..config }).await;
    let (mut readers, mut writers) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let stream = TcpStream::connect(server.addr).await.unwrap();
        let (reader, mut writer) = stream.into_split();
        writer.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        readers.push(reader);
        writers.push(writer);
    }
    // One more header line now and then: each request stays busy, never finishing.
    let trickle = async {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        for n in 0u64.. {
            tick.tick().await;
            for writer in &mut writers {
                let _ = writer.write_all(format!("X-Slow-{n}: y\r\n").as_bytes()).await;
            }
        }
    };
    let all_closed = async {
        for reader in &mut readers {
            let mut buffer = [0u8; 1024];
            while matches!(reader.read(&mut buffer).await, Ok(n) if n > 0) {}
        }
    };
    tokio::select! {
        () = trickle => unreachable!("the trickle never ends"),
        () = within(WAIT, "every trickling client to be cut off", all_closed) => {}
    }

    // An idle keep-alive connection is closed after its answer.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let answer = read_to_end(&mut idle, "an idle keep-alive connection to be closed").await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
}

/// Item 5: deleting an account checks the password no faster than signing in does.
#[tokio::test]
async fn account_deletion_is_no_password_oracle() {
    let (server, _temp) = tuned(|config| gkchat_server::Config { auth_attempts_per_account_minute: 3, ..config }).await;
    let (alice, _) = server.signed_up("alice").await;
    for _ in 0..3 {
        assert_eq!(api_code(alice.delete_account("wrong guess 1234").await), ErrorCode::InvalidCredentials);
    }
    assert_eq!(api_code(alice.delete_account("wrong guess 1234").await), ErrorCode::RateLimited);
    assert_eq!(api_code(alice.delete_account(TEST_PASSWORD).await), ErrorCode::RateLimited);
    alice.me().await.expect("the account is still there");
}

/// Item 5: quick chats are limited per address, and a room's history is capped.
#[tokio::test]
async fn quick_chats_are_limited_per_address_and_their_history_capped() {
    let (server, _temp) = tuned(|config| gkchat_server::Config { quick_chats_per_ip_minute: 3, ..config }).await;
    let http = reqwest::Client::new();
    let create = || {
        http.post(format!("{}api/v1/quick", server.url())).json(&serde_json::json!({ "names": ["Ann", "Ben"] })).send()
    };
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(create().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    history_is_capped(&TestServer::start().await).await;
}

/// Says more than a room keeps, then joins again: the history holds the newest messages only,
/// within both caps, numbered on.
pub async fn history_is_capped(server: &TestServer) {
    let (path, session) = joined_quick_chat(server).await;
    let mut live = quick_live(server, &path, &session).await;
    let mut said = 0;
    let mut say = async |texts: Vec<String>| {
        for text in &texts {
            live.send(Message::text(serde_json::json!({ "type": "send", "text": text }).to_string())).await.unwrap();
        }
        within(WAIT, "every message echoed", async {
            let mut echoed = 0;
            while echoed < texts.len() {
                if let Some(Ok(Message::Text(text))) = live.next().await
                    && text.contains("\"message\"")
                {
                    echoed += 1;
                }
            }
        })
        .await;
        said += texts.len();
        let mut again = quick_live(server, &path, &session).await;
        let joined = within(WAIT, "the history", again.next()).await.unwrap().unwrap();
        let Ok(QuickServerFrame::Joined { messages, .. }) = serde_json::from_str(joined.to_text().unwrap()) else {
            panic!("expected the history: {joined:?}");
        };
        assert_eq!(messages.last().unwrap().seq, said as u64, "numbered on");
        assert_eq!(&messages.last().unwrap().text, texts.last().unwrap());
        assert!(messages.iter().map(|m| m.text.len()).sum::<usize>() <= QUICK_HISTORY_MAX_BYTES);
        messages.len()
    };
    // Long messages: the byte cap keeps the newest 256 KiB.
    let kept = say(vec!["y".repeat(QUICK_TEXT_MAX_BYTES); 100]).await;
    assert_eq!(kept, QUICK_HISTORY_MAX_BYTES / QUICK_TEXT_MAX_BYTES);
    // Short ones: the count cap keeps the newest 500.
    let kept = say((0..QUICK_HISTORY_MAX_MESSAGES + 20).map(|n| format!("short {n}")).collect()).await;
    assert_eq!(kept, QUICK_HISTORY_MAX_MESSAGES);
}

async fn error_of(response: reqwest::Response) -> (u16, ErrorCode) {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/json"), "status {status}");
    (status, response.json::<ApiError>().await.unwrap().code)
}

/// Item 6: every error answers `{code, message}`, also those axum makes itself.
#[tokio::test]
async fn every_error_has_a_code_and_a_message() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let http = reqwest::Client::new();
    let token = alice.access_token().await.unwrap();
    let url = |path: &str| format!("{}{path}", server.url());
    let bad_query = http.get(url("api/v1/calls?before=yesterday")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(error_of(bad_query).await, (400, ErrorCode::BadRequest));
    assert_eq!(error_of(http.delete(url("healthz")).send().await.unwrap()).await, (405, ErrorCode::MethodNotAllowed));
    assert_eq!(error_of(http.put(url("api/v1/chats")).send().await.unwrap()).await, (405, ErrorCode::MethodNotAllowed));
    assert_eq!(error_of(http.get(url("api/v1/nowhere")).send().await.unwrap()).await, (404, ErrorCode::NotFound));
    let not_json = http.post(url("api/v1/auth/signin")).body("login=alice").send().await.unwrap();
    assert_eq!(error_of(not_json).await.1, ErrorCode::BadRequest);
    let plain_ws = http.get(url("ws")).send().await.unwrap();
    assert_eq!(error_of(plain_ws).await, (400, ErrorCode::BadRequest));
}

/// Item 7: names may not hide characters or turn the writing direction.
#[tokio::test]
async fn names_that_lie_are_refused() {
    let server = TestServer::start().await;
    let mut request = gkchat_tests::sign_up_request("mallory");
    request.display_name = Some("Alice\u{202E}ecilA".into());
    assert_eq!(api_code(server.client().sign_up(&request).await), ErrorCode::InvalidProfile);
    let (mallory, _) = server.signed_up("mallory").await;
    for name in ["Al\u{200B}ice", "\u{2067}Alice\u{2069}", "Alice\u{200F}"] {
        let update = gkchat_proto::account::ProfileUpdate { display_name: Some(name.into()), ..Default::default() };
        assert_eq!(api_code(mallory.update_profile(&update).await), ErrorCode::InvalidProfile, "{name:?}");
    }
    let chats = QuickChats::new();
    let created = chats.create(&server.url(), ["Ann\u{202E}".into(), "Ben".into()]).await;
    assert_eq!(api_code(created), ErrorCode::BadRequest);
}

/// Item 11: security headers on every answer; the quick-chat page keeps its own strict policy.
#[tokio::test]
async fn every_answer_carries_security_headers() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    for path in ["healthz", "api/v1/info", "api/v1/me", "nowhere", "q"] {
        let response = http.get(format!("{}{path}", server.url())).send().await.unwrap();
        let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
        assert_eq!(header("cache-control").as_deref(), Some("no-store"), "{path}");
        let policy = header("content-security-policy").unwrap_or_default();
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        if path == "q" {
            assert!(policy.contains("script-src 'self'"), "the page's own policy stays: {policy}");
        } else {
            assert!(policy.starts_with("default-src 'none'"), "{path}: {policy}");
        }
    }
}
