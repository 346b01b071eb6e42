//! `gkchat-server`: parse flags, load config, bind, run until SIGINT/SIGTERM.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use gkchat_server::Config;
use tracing_subscriber::EnvFilter;

/// GK Chat companion server. With no arguments it listens on 127.0.0.1:8787 and keeps its
/// SQLite database in ~/.local/share/gkchat-server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file (see config.example.toml).
    #[arg(long, short, env = "GKCHAT_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on; overrides the file and GKCHAT_LISTEN.
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Data directory; overrides the file and GKCHAT_DATA_DIR.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// What to do; without one, serve.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Administration tasks on the server's database.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
}

#[derive(Debug, Subcommand)]
enum AdminTask {
    /// List the newest reports users filed, newest first.
    Reports {
        /// How many to show.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
}

/// Libraries capped at `info` in the log (hyper at `error`: it warns of every idle keep-alive
/// connection the header timeout closes).
const QUIET_LIBRARIES: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "h2",
    "axum",
    "sqlx",
    "sea_orm",
    "reqwest",
    "redis",
    "turn",
    "stun",
    "webrtc_util",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut config = Config::load(args.config.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(data_dir) = args.data_dir {
        config.data_dir = data_dir;
    }

    if let Some(Command::Admin { task: AdminTask::Reports { limit } }) = args.command {
        // Quiet: the output is the report list.
        tracing_subscriber::fmt().with_env_filter(EnvFilter::new("warn")).with_writer(std::io::stderr).init();
        gkchat_server::admin::print_reports(&config, limit, &mut std::io::stdout().lock()).await?;
        return Ok(());
    }

    let mut filter = EnvFilter::try_new(&config.log).context("invalid log filter")?;
    // Libraries log what crosses them (frame payloads, headers) at debug and trace: whatever
    // the filter asks, they say no more than info, so no token or message text reaches a log.
    for quiet in QUIET_LIBRARIES {
        filter = filter.add_directive(format!("{quiet}=info").parse().expect("a valid directive"));
    }
    for quiet in ["hyper", "hyper_util"] {
        filter = filter.add_directive(format!("{quiet}=error").parse().expect("a valid directive"));
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only on a terminal, so log files stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    tracing::info!("configuration:\n{}", config.to_masked_toml());
    raise_open_files_limit(config.max_connections);

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    gkchat_server::run(listener, config, shutdown_signal()).await?;
    Ok(())
}

/// Every connection holds a socket: the soft limit on open files (1,024 by default on Linux)
/// goes up to the hard one, and a `max_connections` beyond it is named in the log.
fn raise_open_files_limit(max_connections: usize) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            // Besides connections: the database, Redis, the TURN relay, HTTP requests, files.
            let spare = 256;
            if (max_connections as u64).saturating_add(spare) > limit {
                tracing::warn!(
                    limit,
                    max_connections,
                    "the open-files limit allows fewer connections than max_connections; raise it \
                     (systemd: LimitNOFILE=, a shell: ulimit -Hn / ulimit -n)"
                );
            } else {
                tracing::info!(limit, "open files allowed");
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not raise the open-files limit"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received");
}
