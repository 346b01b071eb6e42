//! The TURN relay embedded in the companion server (webrtc-rs `turn`), so calls connect even when
//! neither device can reach the other directly.
//!
//! Credentials are short-lived and made per call, TURN REST style: the username is
//! `<expiry unix seconds>:<user id>`, the password `base64(HMAC-SHA1(secret, username))`. The
//! relay recomputes the password from the username, so it keeps no list of users, and every
//! instance sharing the secret accepts every other's credentials.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use gkchat_proto::call::IceServer;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use tokio::net::UdpSocket;
use turn::auth::{AuthHandler, generate_auth_key};
use turn::relay::relay_static::RelayAddressGeneratorStatic;
use turn::server::Server;
use turn::server::config::{ConnConfig, ServerConfig};

use crate::config::Config;
use crate::error::{Error, Result};

/// The realm the relay names in its challenges.
const REALM: &str = "gkchat";

/// A running relay and what callers need to reach it.
pub struct Relay {
    server: Server,
    /// Where the relay's UDP socket is bound.
    pub local_addr: SocketAddr,
    /// The address peers use (in the `turn:` URL and in relayed candidates).
    pub public_ip: IpAddr,
}

impl Relay {
    /// Binds the relay's UDP port on the `listen` address's IP and starts serving.
    pub async fn start(config: &Config, secret: &str) -> Result<Self> {
        let bind = SocketAddr::new(config.listen.ip(), config.turn_port);
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|e| Error::Config(format!("the TURN relay cannot bind UDP {bind}: {e} (see turn_port)")))?;
        let local_addr = socket.local_addr()?;
        let public_ip = public_ip(config)?;
        let server = Server::new(ServerConfig {
            conn_configs: vec![ConnConfig {
                conn: Arc::new(socket),
                relay_addr_generator: Box::new(RelayAddressGeneratorStatic {
                    relay_address: public_ip,
                    address: config.listen.ip().to_string(),
                    net: Arc::new(webrtc_util::vnet::net::Net::new(None)),
                }),
            }],
            realm: REALM.into(),
            auth_handler: Arc::new(RestAuth { secret: secret.to_owned() }),
            channel_bind_timeout: Duration::from_secs(0),
            alloc_close_notify: None,
        })
        .await
        .map_err(|e| Error::Config(format!("the TURN relay did not start: {e}")))?;
        tracing::info!(%local_addr, %public_ip, "TURN relay listening");
        Ok(Self { server, local_addr, public_ip })
    }

    /// The relay's URLs, as STUN and as TURN over UDP.
    pub fn urls(&self) -> (String, String) {
        let host = match self.public_ip {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let port = self.local_addr.port();
        (format!("stun:{host}:{port}"), format!("turn:{host}:{port}?transport=udp"))
    }

    pub async fn close(&self) {
        if let Err(err) = self.server.close().await {
            tracing::warn!(error = %err, "closing the TURN relay failed");
        }
    }
}

fn public_ip(config: &Config) -> Result<IpAddr> {
    if !config.turn_public_ip.is_empty() {
        return config
            .turn_public_ip
            .parse()
            .map_err(|_| Error::Config(format!("turn_public_ip {:?} is not an IP address", config.turn_public_ip)));
    }
    let ip = config.listen.ip();
    if ip.is_unspecified() {
        tracing::warn!("listening on {ip} without turn_public_ip: the TURN relay advertises 127.0.0.1");
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    Ok(ip)
}

/// The ICE servers for one user's call: the embedded relay with fresh credentials (when it runs),
/// then the configured external ones.
pub fn ice_servers_for(
    relay: Option<&Relay>,
    config: &Config,
    secret: &str,
    user_id: &str,
    now: SystemTime,
) -> Vec<IceServer> {
    let mut servers = Vec::new();
    if let Some(relay) = relay {
        let (stun, turn) = relay.urls();
        let expires =
            now.duration_since(UNIX_EPOCH).unwrap_or_default() + Duration::from_secs(config.turn_credential_secs);
        let username = format!("{}:{user_id}", expires.as_secs());
        let credential = password(secret, &username);
        servers.push(IceServer { urls: vec![stun], username: None, credential: None });
        servers.push(IceServer { urls: vec![turn], username: Some(username), credential: Some(credential) });
    }
    servers.extend(config.ice_servers.iter().cloned());
    servers
}

fn password(secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks TURN REST credentials: not expired, and the password the secret gives the username.
struct RestAuth {
    secret: String,
}

impl AuthHandler for RestAuth {
    fn auth_handle(&self, username: &str, realm: &str, src_addr: SocketAddr) -> Result<Vec<u8>, turn::Error> {
        let expires = username.split_once(':').map_or(username, |(expiry, _)| expiry);
        let expires: u64 = expires.parse().map_err(|_| turn::Error::Other(format!("bad TURN username {username}")))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if expires < now {
            tracing::debug!(%src_addr, username, "expired TURN credentials");
            return Err(turn::Error::Other("expired TURN credentials".into()));
        }
        Ok(generate_auth_key(username, realm, &password(&self.secret, username)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_time_limited_and_tied_to_the_secret() {
        let auth = RestAuth { secret: "s3cret".into() };
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let soon = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 60;
        let username = format!("{soon}:user-1");
        let key = auth.auth_handle(&username, REALM, addr).unwrap();
        assert_eq!(key, generate_auth_key(&username, REALM, &password("s3cret", &username)));
        assert_ne!(key, generate_auth_key(&username, REALM, &password("other", &username)));
        assert!(auth.auth_handle("100:user-1", REALM, addr).is_err(), "expired");
        assert!(auth.auth_handle("user-1", REALM, addr).is_err(), "no expiry");
    }
}
