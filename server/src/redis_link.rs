//! The one way the server talks to Redis: a single node (`redis_url = "redis://host:6379/0"`)
//! or a Redis Cluster (`redis_cluster = true`, `redis_url` then naming one or more of its
//! nodes, comma-separated).
//!
//! Commands go through a [`Link`]: a connection manager to the node, or a cluster connection
//! that routes each command by its key and follows the cluster's moves. Subscriptions are
//! classic pub/sub on one node — in a cluster a `PUBLISH` on any node reaches the subscribers
//! on every node — opened on the named nodes in turn, so one that is down is passed over.
//!
//! Every key and channel of ours starts with `{gk}:`, whose hash tag puts them all in one
//! slot: the scripts and transactions that touch several keys at once (a node's sessions and
//! its alive key, a call and both people's "in a call" keys, a quick chat's room, messages and
//! index) run on a cluster exactly as on one node. A cluster then brings failover (a replica
//! takes over its primary's slots), not a spread of our keys over its primaries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig, PubSub};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::error::{Error, Result};

/// How long one command may wait for its answer before it counts as failed.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// A command connection to a single node or to a cluster; cheap to clone (clones share it).
#[derive(Clone)]
pub enum Link {
    Node(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Link {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Link::Node(node) => node.req_packed_command(cmd),
            Link::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Link::Node(node) => node.req_packed_commands(pipeline, offset, count),
            Link::Cluster(cluster) => cluster.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Link::Node(node) => node.get_db(),
            Link::Cluster(cluster) => cluster.get_db(),
        }
    }
}

/// Redis as configured: the command link, and the nodes subscriptions may be opened on.
pub struct Redis {
    link: Link,
    nodes: Vec<redis::Client>,
    next: AtomicUsize,
}

impl Redis {
    /// Connects, failing at once when Redis cannot be reached or is not what `cluster` says.
    /// Commands that get no answer within `answer_within` fail (and the connection is remade).
    pub async fn connect(url: &str, cluster: bool, answer_within: Option<Duration>) -> Result<Self> {
        // Only a cluster's URL is a list: one node's may hold a comma in its password.
        let urls: Vec<&str> =
            if cluster { url.split(',').map(str::trim).filter(|url| !url.is_empty()).collect() } else { vec![url] };
        if urls.is_empty() {
            return Err(Error::Config("redis_url names no Redis".into()));
        }
        if !cluster && (url.contains(",redis://") || url.contains(",rediss://")) {
            return Err(Error::Config(
                "redis_url names several Redis nodes: set redis_cluster = true for a Redis Cluster".into(),
            ));
        }
        let nodes = urls.iter().map(|url| redis::Client::open(*url)).collect::<redis::RedisResult<Vec<_>>>()?;
        let link = if cluster {
            let mut builder = redis::cluster::ClusterClientBuilder::new(urls.clone())
                .connection_timeout(Duration::from_secs(5))
                // Retries wait longer each time: a failover (a replica promoted after the
                // cluster's node timeout) is ridden out, a node that stays away is not waited on.
                .retries(6);
            if let Some(within) = answer_within {
                builder = builder.response_timeout(within);
            }
            let mut connection = builder.build()?.get_async_connection().await?;
            let _: String = redis::cmd("PING").query_async(&mut connection).await?;
            Link::Cluster(connection)
        } else {
            // A plain connection first: an unreachable Redis fails the start at once (the
            // manager would retry for seconds).
            let mut first = nodes[0].get_multiplexed_async_connection().await?;
            let _: String = redis::cmd("PING").query_async(&mut first).await?;
            let enabled: redis::RedisResult<redis::InfoDict> =
                redis::cmd("INFO").arg("cluster").query_async(&mut first).await;
            if enabled.is_ok_and(|info| info.get::<i64>("cluster_enabled") == Some(1)) {
                return Err(Error::Config(
                    "redis_url names a node of a Redis Cluster: set redis_cluster = true".into(),
                ));
            }
            let mut config = ConnectionManagerConfig::new();
            if let Some(within) = answer_within {
                config = config.set_response_timeout(Some(within));
            }
            Link::Node(nodes[0].get_connection_manager_with_config(config).await?)
        };
        // Instances start at different nodes, so their subscriptions spread over the cluster.
        let start = usize::from(uuid::Uuid::new_v4().as_bytes()[0]);
        Ok(Self { link, nodes, next: AtomicUsize::new(start) })
    }

    /// The command link (a clone shares the connection).
    pub fn link(&self) -> Link {
        self.link.clone()
    }

    /// A new subscription connection, on the named nodes in turn.
    pub async fn pubsub(&self) -> Result<PubSub> {
        let mut last = None;
        for _ in 0..self.nodes.len() {
            let node = &self.nodes[self.next.fetch_add(1, Ordering::Relaxed) % self.nodes.len()];
            match node.get_async_pubsub().await {
                Ok(pubsub) => return Ok(pubsub),
                Err(err) => last = Some(err),
            }
        }
        Err(last.expect("at least one node").into())
    }
}
