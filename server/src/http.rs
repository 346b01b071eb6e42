//! HTTP: the accept loop (with header-read and idle timeouts), the routes (health, readiness,
//! metrics, server info, the WebSocket upgrade, the API, the quick-chat page), and what every
//! answer gets on its way out: security headers, and a `{code, message}` body on every error —
//! also on the ones axum and hyper make themselves (bad query strings, 405s, 413s).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use gkchat_proto::{ApiError, ErrorCode, PROTOCOL_VERSION, ServerInfo};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::{Error, Result};
use crate::metrics::{CodeLabels, HttpLabels, RouteLabels};
use crate::routes::Routes;
use crate::{AppState, Config};

/// How long shutdown waits for HTTP requests in flight.
const REQUESTS_GRACE: Duration = Duration::from_secs(5);

/// Serves `app` over HTTP/1.1 on `listener` until `stop` is cancelled. A client must send a
/// request's headers within `http_header_timeout_secs` of connecting or of its previous answer,
/// so neither a trickle of header bytes nor an idle keep-alive connection holds a socket long.
pub async fn serve(listener: TcpListener, app: Router, config: &Config, stop: CancellationToken) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(config.http_header_timeout_secs.max(1)));
    let requests = TaskTracker::new();
    // At most this many HTTP connections at once (an upgraded WebSocket leaves this count for
    // the WebSocket cap); beyond it the listener waits.
    let open = Arc::new(Semaphore::new(config.max_connections.max(1)));
    loop {
        let (stream, peer, permit) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = async {
                let permit = open.clone().acquire_owned().await.expect("never closed");
                (listener.accept().await, permit)
            } => match accepted {
                (Ok((stream, peer)), permit) => (stream, peer, permit),
                (Err(err), _) => {
                    // Out of file descriptors, say: wait a moment instead of spinning.
                    tracing::debug!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(Extension(ConnectInfo(peer)).layer(app.clone()));
        let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let stop = stop.clone();
        requests.spawn(async move {
            let _permit = permit;
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stop.cancelled() => {
                    // Finish the request in flight, take no more.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::trace!(error = %err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    requests.close();
    if tokio::time::timeout(REQUESTS_GRACE, requests.wait()).await.is_err() {
        tracing::warn!("some HTTP requests did not finish within {REQUESTS_GRACE:?}");
    }
}

/// Every route the server serves.
pub fn routes() -> Routes {
    Routes::new()
        .get("/healthz", healthz)
        .get("/readyz", readyz)
        .get("/metrics", metrics)
        .get("/api/v1/info", info)
        .get("/ws", crate::ws::upgrade)
        .nest("/api/v1", crate::api::routes())
        .merge(crate::quick_page::routes())
}

pub fn router(state: AppState) -> Router {
    routes()
        .into_router()
        .fallback(not_found)
        .route_layer(middleware::from_fn_with_state(state.clone(), count_requests))
        // Spans name the route, never the URI: quick-chat links carry their tokens in the path.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
            tracing::debug_span!("request", method = %request.method(), route)
        }))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        // A handler that panics answers 500 (as JSON, below) instead of dropping the connection.
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), every_answer))
        .with_state(state)
}

/// Routes whose request bodies stream for as long as the bytes keep coming (uploads): they
/// watch for a stall themselves (`transfer_idle_secs`) instead of a deadline for the whole.
/// (A download's body streams after its answer began, which no deadline covers.)
const STREAMING: [&str; 1] = ["/api/v1/uploads"];

/// Every other request must be answered within `http_request_timeout_secs`, its body included
/// (408 after that).
async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if STREAMING.iter().any(|prefix| request.uri().path().starts_with(prefix)) {
        return next.run(request).await;
    }
    let limit = Duration::from_secs(state.config.http_request_timeout_secs.max(1));
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Headers every answer carries unless its handler set its own (the quick-chat page has a
/// stricter policy of its own).
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// Longest plain-text error body kept as the message of its `{code, message}` replacement.
const PLAIN_ERROR_MAX: usize = 1024;

async fn every_answer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let mut response = if response.status().is_client_error() || response.status().is_server_error() {
        as_api_error(response).await
    } else {
        response
    };
    // Every error answer carries its stable code by now (see `Error::into_response` and
    // `as_api_error`): unknown routes, timeouts and panics are counted too.
    if let Some(code) = response.extensions().get::<ErrorCode>() {
        state.metrics.http_errors.get_or_create(&CodeLabels { code: code.as_str().into() }).inc();
    }
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    // Answers carry tokens and private data: no cache keeps them unless a route says so.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An error answer whose body is not already our JSON becomes `{code, message}`, its code
/// chosen by the status (axum's rejections are plain text; a 405 has no body at all).
async fn as_api_error(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let status = parts.status;
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        status if status.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    let text = axum::body::to_bytes(body, PLAIN_ERROR_MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = match text.trim() {
        "" => status.canonical_reason().unwrap_or("request refused").to_lowercase(),
        text => text.to_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = serde_json::to_vec(&ApiError::new(code, message)).expect("an ApiError serialises");
    parts.extensions.insert(code);
    Response::from_parts(parts, Body::from(body))
}

/// Liveness: the process answers.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers too.
async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    state.db.ping().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness check failed");
        Error::api(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "database unreachable")
    })?;
    Ok(Json(json!({ "status": "ready" })))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.encode())
}

async fn info(State(state): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        name: "gkchat-server".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: PROTOCOL_VERSION,
        instance_id: state.instance_id.to_string(),
    })
}

async fn not_found() -> Error {
    Error::api(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route")
}

async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let mut timing = Timing { state, method, route, started: std::time::Instant::now(), status: None };
    let response = next.run(request).await;
    timing.status = Some(response.status().as_u16());
    response
}

/// Counts one request and its time when dropped: also when the timeout (or a client that went
/// away) cancels it, as a 408 — so the slowest requests are not missing from the histogram.
struct Timing {
    state: AppState,
    method: String,
    route: String,
    started: std::time::Instant,
    status: Option<u16>,
}

impl Drop for Timing {
    fn drop(&mut self) {
        let (method, route) = (std::mem::take(&mut self.method), std::mem::take(&mut self.route));
        let took = self.started.elapsed().as_secs_f64();
        let metrics = &self.state.metrics;
        metrics.http_seconds.get_or_create(&RouteLabels { method: method.clone(), route: route.clone() }).observe(took);
        let status = self.status.unwrap_or(StatusCode::REQUEST_TIMEOUT.as_u16());
        metrics.http_requests.get_or_create(&HttpLabels { method, route, status }).inc();
    }
}
