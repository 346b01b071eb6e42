//! HTTP routes: health, readiness, metrics, server info, and the WebSocket upgrade.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gkchat_proto::{ErrorCode, PROTOCOL_VERSION, ServerInfo};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::error::{Error, Result};
use crate::metrics::HttpLabels;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/info", get(info))
        .route("/ws", get(crate::ws::upgrade))
        .nest("/api/v1", crate::api::routes())
        .merge(crate::quick_page::routes())
        .fallback(not_found)
        .route_layer(middleware::from_fn_with_state(state.clone(), count_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
    let response = next.run(request).await;
    state.metrics.http_requests.get_or_create(&HttpLabels { method, route, status: response.status().as_u16() }).inc();
    response
}
