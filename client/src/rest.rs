//! REST calls to the companion server.

use gkchat_proto::{ApiError, ServerInfo};
use serde::de::DeserializeOwned;
use url::Url;

use crate::{Client, Error, Result};

/// Checks a user-typed server address: `http(s)://host[:port][/path]`, nothing else.
pub fn parse_server_url(text: &str) -> Result<Url> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| Error::InvalidUrl(format!("{text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidUrl(format!("{text:?} must start with http:// or https://")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidUrl(format!("{text:?} has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::InvalidUrl(format!("{text:?} must not carry a query, fragment or user name")));
    }
    Ok(url)
}

/// `base` + `path`, keeping any path prefix the server lives under (`https://host/gk/`).
pub(crate) fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", url.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

impl Client {
    /// `GET /api/v1/info`.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        self.get_json("api/v1/info").await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = endpoint(self.server_url(), path);
        let response = self.http.get(url).send().await.map_err(|e| Error::Unreachable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return response.json::<T>().await.map_err(|e| Error::Protocol(e.to_string()));
        }
        match response.json::<ApiError>().await {
            Ok(error) => Err(Error::Api { status: status.as_u16(), error }),
            Err(_) => Err(Error::Protocol(format!("HTTP {status} without an error body"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_only() {
        assert!(parse_server_url("http://127.0.0.1:8787").is_ok());
        assert!(parse_server_url(" https://chat.example.org/gk/ ").is_ok());
        for bad in ["", "127.0.0.1:8787", "ftp://x", "http://", "http://h/?a=1", "http://u@h", "ws://h"] {
            let err = parse_server_url(bad).unwrap_err();
            assert_eq!(err.code(), gkchat_proto::ErrorCode::InvalidUrl, "{bad}");
        }
    }

    #[test]
    fn endpoint_keeps_path_prefix() {
        let base = Url::parse("https://h/gk/").unwrap();
        assert_eq!(endpoint(&base, "api/v1/info").as_str(), "https://h/gk/api/v1/info");
        let root = Url::parse("http://h:1").unwrap();
        assert_eq!(endpoint(&root, "/ws").as_str(), "http://h:1/ws");
    }
}
