//! The server's configuration: defaults, then an optional TOML file, then `GKCHAT_*`
//! environment variables, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`GKCHAT_LISTEN`).
    pub listen: SocketAddr,
    /// Where the server keeps its database and files (`GKCHAT_DATA_DIR`); created if missing.
    pub data_dir: PathBuf,
    /// Database URL (`GKCHAT_DATABASE_URL`). Empty: a SQLite file `gkchat.db` in `data_dir`.
    /// `postgres://user:pass@host/db` selects PostgreSQL.
    pub database_url: String,
    /// Most WebSocket connections served at once; more are answered 503 `server_busy`.
    pub max_connections: usize,
    /// Seconds a new WebSocket may take to send its `hello`.
    pub handshake_timeout_secs: u64,
    /// Seconds between server pings; a peer silent for twice this long is dropped.
    pub heartbeat_secs: u32,
    /// Seconds an HTTP client has to send a request's headers, after connecting or after its
    /// previous answer (so idle keep-alive connections close after this long too).
    pub http_header_timeout_secs: u64,
    /// Seconds one HTTP request may take, its body included (answered 408 after that).
    pub http_request_timeout_secs: u64,
    /// Log filter in `tracing` syntax (`GKCHAT_LOG`), e.g. `info` or `gkchat_server=debug`.
    pub log: String,
    /// Secret for signing access tokens (`GKCHAT_JWT_SECRET`). Empty: one is generated and
    /// kept in the database, so every instance sharing the database agrees.
    pub jwt_secret: String,
    /// Lifetime of an access token, in seconds.
    pub access_token_secs: u64,
    /// A device stays signed in this many days after it was last used.
    pub refresh_token_days: u64,
    /// Sign-in, sign-up and refresh attempts allowed per minute from one IP address.
    pub auth_attempts_per_ip_minute: u32,
    /// Sign-in attempts allowed per minute for one account (or phone number); also password
    /// checks when deleting an account.
    pub auth_attempts_per_account_minute: u32,
    /// Uploads (profile photos) one account may make per minute.
    pub uploads_per_account_minute: u32,
    /// Quick chats one IP address may create per minute.
    pub quick_chats_per_ip_minute: u32,
    /// Where one-time codes are POSTed as JSON for an SMS gateway (`GKCHAT_SMS_GATEWAY_URL`).
    /// Empty: codes are written to the log (for development).
    pub sms_gateway_url: String,
    /// A one-time code is valid this many seconds.
    pub otp_ttl_secs: u64,
    /// No new code for the same number within this many seconds.
    pub otp_resend_secs: u64,
    /// A quick chat without activity for this many seconds is destroyed.
    pub quick_idle_secs: u64,
    /// Redis URL (`GKCHAT_REDIS_URL`, `redis://host:6379/0`). Empty: one instance, everything
    /// live in this process's memory. Set: every instance pointed at the same Redis (and the
    /// same database) serves the same users: live pushes, presence, calls, sign-outs, rate
    /// limits and quick chats go between them over Redis.
    pub redis_url: String,
    /// `redis_url` is a Redis Cluster (`GKCHAT_REDIS_CLUSTER=true`): it may then name several
    /// of its nodes, comma-separated, to find it by.
    pub redis_cluster: bool,
    /// With Redis: an instance's users count as online this many seconds after its last
    /// heartbeat (one every third of it), so those of a crashed instance turn offline by
    /// themselves within about this long.
    pub presence_ttl_secs: u64,
    /// An unanswered call rings this many seconds, then ends as missed.
    pub call_ring_secs: u64,
    /// Run the embedded TURN relay for calls (UDP, on the `listen` address's IP).
    pub turn_enabled: bool,
    /// The TURN relay's UDP port; 0 picks a free one.
    pub turn_port: u16,
    /// The address peers reach the relay at (`GKCHAT_TURN_PUBLIC_IP`). Empty: the `listen`
    /// address's IP (127.0.0.1 when that is unspecified, so set this when listening on 0.0.0.0).
    pub turn_public_ip: String,
    /// Secret behind the short-lived TURN credentials. Empty: generated once and kept in the
    /// database, so every instance sharing the database agrees.
    pub turn_secret: String,
    /// TURN credentials handed out for a call stay valid this many seconds.
    pub turn_credential_secs: u64,
    /// More ICE servers handed to callers (e.g. a public STUN server, or an external coturn):
    /// `[{ urls = ["stun:stun.example.org:3478"] }]`.
    pub ice_servers: Vec<gkchat_proto::call::IceServer>,
    /// Where blobs (attachments, photos) live: `fs` (files under `data_dir/media`) or `s3`
    /// (an S3-compatible bucket; every instance of a scaled-out server must use the same one).
    pub storage: String,
    /// With `storage = "s3"`: the endpoint URL (empty: AWS itself, by `s3_region`).
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    /// (`GKCHAT_S3_SECRET_ACCESS_KEY`.)
    pub s3_secret_access_key: String,
    /// Allow an `http://` endpoint (a bucket on the same host or network).
    pub s3_allow_http: bool,
    /// Largest upload, in bytes (announced as `Tus-Max-Size`; larger ones are refused before
    /// any byte is stored).
    pub upload_max_bytes: u64,
    /// An unfinished upload is removed this many seconds after it was started; a finished one
    /// that no message uses after this long goes too.
    pub upload_expiry_secs: u64,
    /// A blob no message or photo uses any more is deleted this many seconds later (a grace
    /// period for a send that reuses it at that moment).
    pub blob_grace_secs: u64,
    /// Seconds an upload or download may go without a byte before the server gives up on it.
    pub transfer_idle_secs: u64,
    /// The time status posts go by (not a setting: tests move it).
    #[serde(skip)]
    pub clock: crate::clock::Clock,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            data_dir: default_data_dir(),
            database_url: String::new(),
            max_connections: 10_000,
            handshake_timeout_secs: 10,
            heartbeat_secs: 25,
            http_header_timeout_secs: 15,
            http_request_timeout_secs: 120,
            log: "info".into(),
            jwt_secret: String::new(),
            access_token_secs: 15 * 60,
            refresh_token_days: 60,
            auth_attempts_per_ip_minute: 30,
            auth_attempts_per_account_minute: 10,
            uploads_per_account_minute: 10,
            quick_chats_per_ip_minute: 10,
            sms_gateway_url: String::new(),
            otp_ttl_secs: 300,
            otp_resend_secs: 60,
            quick_idle_secs: 30 * 60,
            redis_url: String::new(),
            redis_cluster: false,
            presence_ttl_secs: 30,
            call_ring_secs: 45,
            turn_enabled: true,
            turn_port: 3478,
            turn_public_ip: String::new(),
            turn_secret: String::new(),
            turn_credential_secs: 6 * 3600,
            ice_servers: Vec::new(),
            storage: "fs".into(),
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_allow_http: false,
            upload_max_bytes: gkchat_proto::media::UPLOAD_MAX_BYTES_DEFAULT,
            upload_expiry_secs: 24 * 3600,
            blob_grace_secs: 3600,
            transfer_idle_secs: 60,
            clock: crate::clock::Clock::default(),
        }
    }
}

/// `~/.local/share/gkchat-server` on Linux (the platform's data directory elsewhere).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("gkchat-server")
}

/// Names of the config keys, for picking our variables out of the environment: other
/// `GKCHAT_*` variables (the desktop app's, say) must not break the server.
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "max_connections",
    "handshake_timeout_secs",
    "heartbeat_secs",
    "http_header_timeout_secs",
    "http_request_timeout_secs",
    "log",
    "jwt_secret",
    "access_token_secs",
    "refresh_token_days",
    "auth_attempts_per_ip_minute",
    "auth_attempts_per_account_minute",
    "uploads_per_account_minute",
    "quick_chats_per_ip_minute",
    "sms_gateway_url",
    "otp_ttl_secs",
    "otp_resend_secs",
    "quick_idle_secs",
    "redis_url",
    "redis_cluster",
    "presence_ttl_secs",
    "call_ring_secs",
    "turn_enabled",
    "turn_port",
    "turn_public_ip",
    "turn_secret",
    "turn_credential_secs",
    "ice_servers",
    "storage",
    "s3_endpoint",
    "s3_bucket",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_allow_http",
    "upload_max_bytes",
    "upload_expiry_secs",
    "blob_grace_secs",
    "transfer_idle_secs",
];

impl Config {
    /// Loads defaults ← `file` (if given; it must exist) ← `GKCHAT_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(Box::new(figment::Error::from(format!("config file {} does not exist", file.display()))));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("GKCHAT_").only(KEYS));
        figment.extract().map_err(Box::new)
    }

    /// The database URL actually used.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("gkchat.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The configuration as TOML, with secrets (a database password) masked, for the start-up log.
    pub fn to_masked_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = mask_url_password(&shown.database_url);
        shown.redis_url =
            shown.redis_url.split(',').map(|url| mask_url_password(url.trim())).collect::<Vec<_>>().join(",");
        shown.sms_gateway_url = mask_url_secrets(&shown.sms_gateway_url);
        if !shown.jwt_secret.is_empty() {
            shown.jwt_secret = "***".into();
        }
        if !shown.turn_secret.is_empty() {
            shown.turn_secret = "***".into();
        }
        if !shown.s3_secret_access_key.is_empty() {
            shown.s3_secret_access_key = "***".into();
        }
        for server in &mut shown.ice_servers {
            if server.credential.is_some() {
                server.credential = Some("***".into());
            }
        }
        toml::to_string(&shown).unwrap_or_default()
    }
}

fn mask_url_password(url: &str) -> String {
    // scheme://user:password@host → scheme://user:***@host (the last `@` ends the userinfo, so a
    // password holding `@` is masked whole)
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// A URL that may carry a key anywhere (an SMS gateway's): the password, and the query, masked.
pub fn mask_url_secrets(url: &str) -> String {
    let masked = mask_url_password(url);
    match masked.split_once('?') {
        Some((base, _)) => format!("{base}?***"),
        None => masked,
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn secrets_in_urls_are_masked() {
        assert_eq!(mask_url_password("postgres://gk:p@ss@db/gk"), "postgres://gk:***@db/gk");
        assert_eq!(mask_url_secrets("https://u:k@sms.example/send?key=42"), "https://u:***@sms.example/send?***");
        let config = Config { sms_gateway_url: "https://sms.example/send?api_key=s3cret".into(), ..Config::default() };
        assert!(!config.to_masked_toml().contains("s3cret"));
    }

    #[test]
    fn example_file_parses_and_env_overrides_it() {
        Jail::expect_with(|jail| {
            let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
                .expect("config.example.toml");
            jail.create_file("gkchat.toml", &example)?;
            let from_file = Config::load(Some(Path::new("gkchat.toml"))).map_err(|e| *e)?;
            assert_eq!(from_file.listen, "127.0.0.1:8787".parse().unwrap());

            jail.set_env("GKCHAT_LISTEN", "0.0.0.0:9000");
            jail.set_env("GKCHAT_DATA_DIR", "/tmp/gk");
            jail.set_env("GKCHAT_SERVER_URL", "http://ignored-by-the-server");
            let config = Config::load(Some(Path::new("gkchat.toml"))).map_err(|e| *e)?;
            assert_eq!(config.listen, "0.0.0.0:9000".parse().unwrap());
            assert_eq!(config.data_dir, PathBuf::from("/tmp/gk"));
            assert_eq!(config.database_url(), "sqlite:///tmp/gk/gkchat.db?mode=rwc");
            Ok(())
        });
    }

    /// `config.example.toml` is the reference of every setting: each key is there (set, or
    /// commented out where its default depends on the machine), with its default value.
    #[test]
    fn the_example_file_names_every_key_with_its_default() {
        let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
            .expect("config.example.toml");
        for key in KEYS {
            let named = example.lines().any(|line| {
                let line = line.trim_start_matches('#').trim_start();
                line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
            });
            assert!(named, "config.example.toml does not describe `{key}`");
        }
        Jail::expect_with(|jail| {
            jail.create_file("gkchat.toml", &example)?;
            let from_file = Config::load(Some(Path::new("gkchat.toml"))).map_err(|e| *e)?;
            assert_eq!(from_file, Config::default(), "config.example.toml gives a value other than the default");
            Ok(())
        });
    }

    /// The sample systemd unit passes `systemd-analyze verify` (with a binary that exists here).
    #[test]
    fn the_sample_systemd_unit_verifies() {
        let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/gkchat-server.service"))
            .expect("deploy/gkchat-server.service");
        assert!(unit.contains("ExecStart=/usr/bin/gkchat-server --config /etc/gkchat/config.toml"));
        let Ok(analyze) = which("systemd-analyze") else {
            eprintln!("systemd-analyze is not installed: the unit's syntax is not checked");
            return;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let copy = dir.path().join("gkchat-server.service");
        std::fs::write(&copy, unit.replace("/usr/bin/gkchat-server", "/bin/true")).expect("write unit");
        let out = std::process::Command::new(analyze).arg("verify").arg(&copy).output().expect("systemd-analyze");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && said.trim().is_empty(), "systemd-analyze verify: {said}");
    }

    fn which(program: &str) -> Result<PathBuf, ()> {
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
            .ok_or(())
    }

    #[test]
    fn every_setting_can_come_from_the_environment() {
        let fields = serde_json::to_value(Config::default()).unwrap();
        let mut fields: Vec<&str> = fields.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        let mut keys = KEYS.to_vec();
        keys.sort_unstable();
        assert_eq!(fields, keys, "KEYS must name every Config field");
        Jail::expect_with(|jail| {
            jail.set_env("GKCHAT_SMS_GATEWAY_URL", "http://127.0.0.1:9/sms");
            jail.set_env("GKCHAT_OTP_TTL_SECS", "120");
            jail.set_env("GKCHAT_REDIS_URL", "redis://127.0.0.1:6379/0");
            let config = Config::load(None).map_err(|e| *e)?;
            assert_eq!((config.sms_gateway_url.as_str(), config.otp_ttl_secs), ("http://127.0.0.1:9/sms", 120));
            assert_eq!(config.redis_url, "redis://127.0.0.1:6379/0");
            Ok(())
        });
    }

    #[test]
    fn defaults_listen_on_loopback_8787_with_sqlite_in_the_data_dir() {
        let config = Config::default();
        assert_eq!(config.listen, "127.0.0.1:8787".parse().unwrap());
        assert!(config.data_dir.ends_with("gkchat-server"));
        assert!(config.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn unknown_key_in_file_is_an_error() {
        Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "listn = \"127.0.0.1:1\"")?;
            let err = Config::load(Some(Path::new("bad.toml"))).unwrap_err();
            assert!(err.to_string().contains("listn"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(Config::load(Some(Path::new("/nonexistent/gkchat.toml"))).is_err());
    }

    #[test]
    fn password_is_masked() {
        let config = Config {
            database_url: "postgres://gk:secret@db/gk".into(),
            jwt_secret: "hush-hush".into(),
            turn_secret: "turn-hush".into(),
            redis_url: "redis://gk:redis-hush@cache:6379/0".into(),
            ..Config::default()
        };
        let shown = config.to_masked_toml();
        assert!(shown.contains("postgres://gk:***@db/gk"), "{shown}");
        assert!(!shown.contains(":secret@") && !shown.contains("hush"), "{shown}");
        assert!(shown.contains("turn_secret = \"***\""), "{shown}");
        assert!(shown.contains("jwt_secret = \"***\""), "{shown}");
        assert!(shown.contains("redis://gk:***@cache:6379/0") && !shown.contains("redis-hush"), "{shown}");
    }
}
