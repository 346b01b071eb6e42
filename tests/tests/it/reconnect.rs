//! The headless client's live connection: connect, round trip, survive a server restart,
//! wait for a server that is not there yet, and stop cleanly.

use std::time::Duration;

use gkchat_client::{ConnectionState, Event};
use gkchat_proto::ErrorCode;
use gkchat_tests::{TestServer, client_for, test_config, within};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn connects_and_round_trips() {
    let server = TestServer::start().await;
    let info = server.client().server_info().await.unwrap();
    let connection = server.client().connect();
    let state = within(WAIT, "connected", connection.wait_for(ConnectionState::is_connected)).await;
    match state {
        ConnectionState::Connected { instance_id, protocol, .. } => {
            assert_eq!(instance_id, info.instance_id);
            assert_eq!(protocol, info.protocol);
        }
        other => panic!("{other:?}"),
    }
    connection.ping().await.unwrap();
    connection.close().await;
}

#[tokio::test]
async fn reconnects_after_server_restart() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let addr = server.addr;
    let connection = server.client().connect();
    let mut events = connection.events();
    within(WAIT, "connected", connection.wait_for(ConnectionState::is_connected)).await;

    server.stop().await;
    // The state is a watch (latest value only): under load the first "offline" may already be
    // followed by a failed retry, so its code is checked in the ordered event stream below.
    within(WAIT, "offline", connection.wait_for(|s| matches!(s, ConnectionState::Offline { .. }))).await;
    assert!(matches!(connection.ping().await, Err(gkchat_client::Error::Disconnected)));

    // Same address, same data: the client finds it again by itself.
    let again = TestServer::start_with(test_config(temp.path()), addr).await;
    within(WAIT, "reconnected", connection.wait_for(ConnectionState::is_connected)).await;
    connection.ping().await.unwrap();

    // The event stream told the whole story in order.
    let mut seen = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(100), events.next()).await {
        seen.push(event);
    }
    let server_error =
        seen.iter().position(|e| matches!(e, Event::ServerError(f) if f.code == ErrorCode::ServerShuttingDown));
    let offline = seen.iter().position(|e| matches!(e, Event::State(ConnectionState::Offline { .. })));
    let first_offline = offline.map(|i| &seen[i]);
    assert!(
        matches!(
            first_offline,
            Some(Event::State(ConnectionState::Offline { code: Some(ErrorCode::ServerShuttingDown), .. }))
        ),
        "the first offline state carries the server's reason: {first_offline:?}"
    );
    let reconnected = seen.iter().rposition(|e| matches!(e, Event::State(ConnectionState::Connected { .. })));
    assert!(server_error < offline && offline < reconnected && server_error.is_some(), "{seen:#?}");

    connection.close().await;
    again.stop().await;
}

#[tokio::test]
async fn waits_for_a_server_that_is_not_there_yet() {
    // Reserve a port, then free it: nobody listens there for now.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let connection = client_for(format!("http://{addr}").parse().unwrap()).connect();
    let state = within(
        WAIT,
        "second failed attempt",
        connection.wait_for(|s| matches!(s, ConnectionState::Offline { attempt: 2.., .. })),
    )
    .await;
    match state {
        ConnectionState::Offline { reason, code, retry_in_ms, .. } => {
            assert!(reason.contains("cannot reach"), "{reason}");
            assert_eq!(code, None);
            assert!(retry_in_ms <= 400, "backoff max respected: {retry_in_ms}");
        }
        other => panic!("{other:?}"),
    }

    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(test_config(temp.path()), addr).await;
    within(WAIT, "connected once the server appears", connection.wait_for(ConnectionState::is_connected)).await;
    connection.close().await;
    server.stop().await;
}

#[tokio::test]
async fn close_stops_for_good() {
    let server = TestServer::start().await;
    let connection = server.client().connect();
    let watch = connection.watch_state();
    within(WAIT, "connected", connection.wait_for(ConnectionState::is_connected)).await;
    connection.close().await;
    assert_eq!(*watch.borrow(), ConnectionState::Stopped);
    // The server saw the goodbye: no connection is left open.
    let metrics = reqwest::get(format!("{}metrics", server.url())).await.unwrap().text().await.unwrap();
    let open_now = metrics.lines().find(|l| l.starts_with("gkchat_ws_connections ")).unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut open_now = open_now;
    while open_now != "gkchat_ws_connections 0" && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let metrics = reqwest::get(format!("{}metrics", server.url())).await.unwrap().text().await.unwrap();
        open_now = metrics.lines().find(|l| l.starts_with("gkchat_ws_connections ")).unwrap().to_owned();
    }
    assert_eq!(open_now, "gkchat_ws_connections 0");
}
