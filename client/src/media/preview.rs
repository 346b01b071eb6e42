//! Link previews, fetched by the sender's client (the server never fetches for anyone). The
//! guard against being used to reach what the network behind this device hides: HTTPS only
//! (HTTP where allowed), at most five redirects, every hop's host resolved here and refused when
//! any address it names is loopback, private, link-local (the cloud metadata address among
//! them), shared, multicast or unspecified — checked also when a proxy carries the request, and
//! the connection then pinned to those checked addresses (no second lookup to rebind); five
//! seconds and 2 MiB at most, reading stops after `</head>`. What comes back: title,
//! description, site name, and the page's image fetched under the same guard.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use url::Url;

use crate::{Error, Result};

/// What a link's page says of itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagePreview {
    /// The page's URL after redirects.
    pub url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    /// The picture's address, absolute.
    pub image_url: Option<String>,
}

/// How far a preview fetch may go.
#[derive(Debug, Clone)]
pub struct PreviewPolicy {
    pub allow_http: bool,
    pub timeout: Duration,
    pub max_bytes: usize,
    pub max_redirects: usize,
    /// Tests only: these exact addresses pass although they are loopback (the test's own
    /// server); nothing else on loopback or a private network does.
    pub allowed_for_tests: Vec<SocketAddr>,
}

impl Default for PreviewPolicy {
    fn default() -> Self {
        Self {
            allow_http: false,
            timeout: Duration::from_secs(5),
            max_bytes: 2 * 1024 * 1024,
            max_redirects: 5,
            allowed_for_tests: Vec::new(),
        }
    }
}

fn refused(message: impl Into<String>) -> Error {
    Error::Invalid { code: gkchat_proto::ErrorCode::Forbidden, message: message.into() }
}

/// Whether an address is one a link preview may reach: a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                || (first == 0x0064 && v6.segments()[1] == 0xff9b))
        }
    }
}

/// The addresses `url`'s host names, all checked; refused when any is not public.
async fn checked_addresses(url: &Url, policy: &PreviewPolicy) -> Result<Vec<SocketAddr>> {
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        other => return Err(refused(format!("a preview is fetched over HTTPS only, not {other}"))),
    }
    let host = url.host_str().ok_or_else(|| refused("the link has no host"))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| Error::Unreachable(format!("{host}: {e}")))?
            .collect(),
    };
    if addresses.is_empty() {
        return Err(Error::Unreachable(format!("{host} has no address")));
    }
    for address in &addresses {
        if !is_public(address.ip()) && !policy.allowed_for_tests.contains(address) {
            return Err(refused(format!("{host} is on a private or local network")));
        }
    }
    Ok(addresses)
}

/// One request to `url`, pinned to its checked addresses, without following redirects.
async fn get(url: &Url, policy: &PreviewPolicy) -> Result<reqwest::Response> {
    let addresses = checked_addresses(url, policy).await?;
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addresses)
        .user_agent("GKChat-LinkPreview/1 (like facebookexternalhit)")
        .build()
        .map_err(|e| Error::Internal(e.to_string()))?;
    client.get(url.clone()).send().await.map_err(|e| Error::Unreachable(e.to_string()))
}

/// Follows at most `max_redirects` redirects, each hop checked: the final answer and its URL.
async fn follow(start: &str, policy: &PreviewPolicy) -> Result<(Url, reqwest::Response)> {
    let mut url = Url::parse(start.trim()).map_err(|e| Error::InvalidUrl(format!("{start:?}: {e}")))?;
    for _ in 0..=policy.max_redirects {
        let response = get(&url, policy).await?;
        if !response.status().is_redirection() {
            return Ok((url, response));
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Error::Protocol("a redirect without a Location".into()))?;
        url = url.join(location).map_err(|e| Error::InvalidUrl(e.to_string()))?;
    }
    Err(refused("too many redirects"))
}

/// Reads at most `max` bytes of a body, stopping early once `done` says so.
async fn read_capped(mut response: reqwest::Response, max: usize, done: impl Fn(&[u8]) -> bool) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| Error::Unreachable(e.to_string()))? {
        let room = max.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= max || done(&body) {
            break;
        }
    }
    Ok(body)
}

fn ends_head(bytes: &[u8]) -> bool {
    bytes.windows(7).any(|w| w.eq_ignore_ascii_case(b"</head>"))
}

/// The preview of the page at `url`; `Ok(None)` when it is not an HTML page or says nothing.
pub async fn fetch(url: &str, policy: &PreviewPolicy) -> Result<Option<PagePreview>> {
    let work = async {
        let (url, response) = follow(url, policy).await?;
        if !response.status().is_success() {
            return Ok(None);
        }
        let html = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/html"));
        if !html {
            return Ok(None);
        }
        let head = read_capped(response, policy.max_bytes, ends_head).await?;
        let preview = parse_head(&String::from_utf8_lossy(&head), &url);
        Ok((preview.title.is_some() || preview.description.is_some()).then_some(preview))
    };
    tokio::time::timeout(policy.timeout, work).await.map_err(|_| Error::Unreachable("the page took too long".into()))?
}

/// The bytes of a preview's picture (same guard, same caps).
pub async fn fetch_image(url: &str, policy: &PreviewPolicy) -> Result<Vec<u8>> {
    let work = async {
        let (_, response) = follow(url, policy).await?;
        if !response.status().is_success() {
            return Err(Error::Unreachable(format!("the picture answered {}", response.status())));
        }
        read_capped(response, policy.max_bytes, |_| false).await
    };
    tokio::time::timeout(policy.timeout, work)
        .await
        .map_err(|_| Error::Unreachable("the picture took too long".into()))?
}

/// The first `http(s)://` link in a text.
pub fn first_link(text: &str) -> Option<String> {
    gkchat_proto::chat::first_link(text).filter(|word| Url::parse(word).is_ok()).map(str::to_owned)
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(end) = tail.find(';').filter(|&end| end <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let name = &tail[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32)
            }
            _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The attributes of one tag's text (`meta property="og:title" content="…"`), names lowercased.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find('=') {
        let name =
            rest[..eq].trim().rsplit(|c: char| c.is_whitespace()).next().unwrap_or_default().to_ascii_lowercase();
        let after = rest[eq + 1..].trim_start();
        let (value, next) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => match after[1..].find(quote) {
                Some(end) => (&after[1..1 + end], &after[2 + end..]),
                None => (&after[1..], ""),
            },
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        found.push((name, decode_entities(value)));
        rest = next;
    }
    found
}

fn clean(text: &str) -> Option<String> {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = text.trim().to_owned();
    if text.is_empty() {
        return None;
    }
    while text.len() > gkchat_proto::media::PREVIEW_TEXT_MAX_BYTES {
        text.pop();
    }
    Some(text)
}

/// Title, description, site name and picture from a page's `<head>`: Open Graph first, then
/// Twitter cards, then `<title>` and `<meta name="description">`.
pub fn parse_head(html: &str, url: &Url) -> PagePreview {
    let mut meta = std::collections::HashMap::new();
    let mut title = None;
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find('<').map(|i| at + i) {
        let Some(end) = lower[start..].find('>').map(|i| start + i) else { break };
        let tag = &html[start + 1..end];
        let tag_lower = &lower[start + 1..end];
        if tag_lower.starts_with("meta") {
            let attrs = attributes(tag);
            let key = attrs.iter().find(|(n, _)| n == "property" || n == "name").map(|(_, v)| v.to_ascii_lowercase());
            let content = attrs.iter().find(|(n, _)| n == "content").map(|(_, v)| v.clone());
            if let (Some(key), Some(content)) = (key, content) {
                meta.entry(key).or_insert(content);
            }
        } else if tag_lower.starts_with("title") && title.is_none() {
            if let Some(close) = lower[end..].find("</title") {
                title = clean(&decode_entities(&html[end + 1..end + close]));
            }
        } else if tag_lower.starts_with("/head") {
            break;
        }
        at = end + 1;
    }
    let pick = |keys: &[&str]| keys.iter().find_map(|k| meta.get(*k)).and_then(|v| clean(v));
    let image = pick(&["og:image", "og:image:url", "twitter:image"])
        .and_then(|src| url.join(&src).ok())
        .filter(|image| matches!(image.scheme(), "https" | "http"))
        .map(|image| image.to_string());
    PagePreview {
        url: url.to_string(),
        title: pick(&["og:title", "twitter:title"]).or(title),
        description: pick(&["og:description", "twitter:description", "description"]),
        site_name: pick(&["og:site_name"]).or_else(|| url.host_str().map(str::to_owned)),
        image_url: image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "224.0.0.1",
        ] {
            assert!(!is_public(refused.parse().unwrap()), "{refused}");
        }
        for allowed in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(allowed.parse().unwrap()), "{allowed}");
        }
    }

    #[test]
    fn the_head_says_what_the_page_is() {
        let html = r#"<!doctype html><html><head><meta charset="utf-8"><title>Plain title</title>
            <meta property="og:title" content="Open &amp; Graph">
            <meta name=description content='A page &quot;about&quot; things'>
            <meta property="og:site_name" content="Example">
            <meta property="og:image" content="/pics/cover.png"></head><body><meta property="og:title" content="late"></body>"#;
        let url = Url::parse("https://example.org/a/b").unwrap();
        let preview = parse_head(html, &url);
        assert_eq!(preview.title.as_deref(), Some("Open & Graph"));
        assert_eq!(preview.description.as_deref(), Some("A page \"about\" things"));
        assert_eq!(preview.site_name.as_deref(), Some("Example"));
        assert_eq!(preview.image_url.as_deref(), Some("https://example.org/pics/cover.png"));
        let bare = parse_head("<head><title> Just  a title </title></head>", &url);
        assert_eq!((bare.title.as_deref(), bare.site_name.as_deref()), (Some("Just a title"), Some("example.org")));
    }

    #[test]
    fn the_first_link_of_a_text() {
        assert_eq!(first_link("see (https://example.org/x?y=1), ok").as_deref(), Some("https://example.org/x?y=1"));
        assert_eq!(first_link("no links here, ftp://x"), None);
    }
}
