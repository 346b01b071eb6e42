//! Prometheus metrics, served as text at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    /// The route pattern (`/api/v1/info`), never the raw path, to bound cardinality.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabels {
    pub code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FrameLabels {
    /// The request frame's type: `send`, `act`, `receipt`, `typing`, `call`.
    pub frame: &'static str,
}

/// Seconds, from 100 µs to about 6.5 s (doubling).
fn latency_buckets() -> impl Iterator<Item = f64> {
    prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 17)
}

fn latency_histogram() -> Histogram {
    Histogram::new(latency_buckets())
}

type Latencies<L> = Family<L, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    /// Time from a request's arrival to its answer, by route.
    pub http_seconds: Latencies<RouteLabels>,
    /// Error answers over HTTP, by stable code.
    pub http_errors: Family<CodeLabels, Counter>,
    /// Time to handle a WebSocket request (from its frame to its answer queued), by frame type.
    pub ws_request_seconds: Latencies<FrameLabels>,
    /// Messages stored (fresh ones; retries of a stored id are not counted again).
    pub messages_stored: Counter,
    pub ws_connections: Gauge,
    pub ws_connections_opened: Counter,
    pub ws_frames_received: Counter,
    pub ws_errors: Family<CodeLabels, Counter>,
    pub ws_pushes: Counter,
    pub ws_pushes_dropped: Counter,
    /// Notes this instance published on the bus between instances.
    pub bus_published: Counter,
    /// Notes this instance received from the bus.
    pub bus_received: Counter,
    /// Writes to or reads from Redis that failed (the bus recovers and has clients resync).
    pub bus_errors: Counter,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gkchat");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", http_requests.clone());
        let http_seconds: Latencies<RouteLabels> = Family::new_with_constructor(latency_histogram);
        registry.register("http_request_seconds", "Time to answer an HTTP request, by route", http_seconds.clone());
        let http_errors = Family::<CodeLabels, Counter>::default();
        registry.register("http_errors", "Error answers over HTTP, by code", http_errors.clone());
        let ws_request_seconds: Latencies<FrameLabels> = Family::new_with_constructor(latency_histogram);
        registry.register(
            "ws_request_seconds",
            "Time to handle a WebSocket request, by frame type",
            ws_request_seconds.clone(),
        );
        let messages_stored = Counter::default();
        registry.register("messages_stored", "Messages stored", messages_stored.clone());
        let ws_connections = Gauge::default();
        registry.register("ws_connections", "WebSocket connections open now", ws_connections.clone());
        let ws_connections_opened = Counter::default();
        registry.register("ws_connections_opened", "WebSocket connections accepted", ws_connections_opened.clone());
        let ws_frames_received = Counter::default();
        registry.register("ws_frames_received", "WebSocket frames received", ws_frames_received.clone());
        let ws_errors = Family::<CodeLabels, Counter>::default();
        registry.register("ws_errors", "Error frames sent, by code", ws_errors.clone());
        let ws_pushes = Counter::default();
        registry.register("ws_pushes", "Frames pushed to connections (one per connection reached)", ws_pushes.clone());
        let ws_pushes_dropped = Counter::default();
        registry.register(
            "ws_pushes_dropped",
            "Pushes that did not fit in a connection's queue (it is told to resync)",
            ws_pushes_dropped.clone(),
        );
        let bus_published = Counter::default();
        registry.register("bus_published", "Notes published to the other instances over Redis", bus_published.clone());
        let bus_received = Counter::default();
        registry.register("bus_received", "Notes received from the other instances over Redis", bus_received.clone());
        let bus_errors = Counter::default();
        registry.register("bus_errors", "Bus operations on Redis that failed", bus_errors.clone());
        Self {
            registry,
            bus_published,
            bus_received,
            bus_errors,
            http_requests,
            http_seconds,
            http_errors,
            ws_request_seconds,
            messages_stored,
            ws_connections,
            ws_connections_opened,
            ws_frames_received,
            ws_errors,
            ws_pushes,
            ws_pushes_dropped,
        }
    }

    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
