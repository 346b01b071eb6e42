//! tus 1.0 uploads and ranged downloads over the client's HTTP connection pool.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use gkchat_proto::ErrorCode;
use gkchat_proto::media::{MediaInfo, TUS_VERSION};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::rest::{decode, endpoint};
use crate::{Client, Error, Result};

/// Bytes sent per `PATCH` (and asked per ranged `GET`): small enough that a dropped connection
/// loses little, large enough that the round trips do not show.
pub const CHUNK_BYTES: usize = 8 * 1024 * 1024;
/// One chunk may take this long before the request is given up (and resumed).
const CHUNK_TIMEOUT: Duration = Duration::from_secs(300);
const OFFSET_STREAM: &str = "application/offset+octet-stream";
/// How often an upload still busy on the server (a broken-off request being recorded) is tried
/// again, 200 ms apart.
const BUSY_TRIES: u32 = 25;

/// How far an upload or download got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    pub done: u64,
    pub total: u64,
}

fn header_u64(response: &reqwest::Response, name: &str) -> Result<u64> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Error::Protocol(format!("the server's answer lacks {name}")))
}

/// A refused request: the server's `{code, message}` (a `HEAD` has no body: its status says it).
async fn refusal(response: reqwest::Response) -> Error {
    let status = response.status();
    let bytes = response.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<gkchat_proto::ApiError>(&bytes) {
        Ok(error) => Error::Api { status: status.as_u16(), error },
        Err(_) => {
            let code = match status {
                StatusCode::NOT_FOUND => ErrorCode::NotFound,
                StatusCode::GONE => ErrorCode::UploadExpired,
                StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
                _ => return Error::Protocol(format!("HTTP {status} without an error body")),
            };
            Error::Api { status: status.as_u16(), error: gkchat_proto::ApiError::new(code, status.to_string()) }
        }
    }
}

impl Client {
    async fn tus(&self, method: Method, path: &str) -> Result<reqwest::RequestBuilder> {
        let token = self.access_token().await?;
        Ok(self
            .http()
            .request(method, endpoint(self.server_url(), path))
            .bearer_auth(token)
            .header("Tus-Resumable", TUS_VERSION))
    }

    /// Reserves an upload of `length` bytes (tus `POST`); answers its media id, which a message
    /// may name at once. `metadata` travels as tus `Upload-Metadata` (e.g. `filename`).
    pub async fn create_upload(&self, length: u64, metadata: &[(&str, &str)]) -> Result<String> {
        let metadata: Vec<String> = metadata
            .iter()
            .map(|(key, value)| format!("{key} {}", base64::engine::general_purpose::STANDARD.encode(value)))
            .collect();
        let mut request = self.tus(Method::POST, "api/v1/uploads").await?.header("Upload-Length", length);
        if !metadata.is_empty() {
            request = request.header("Upload-Metadata", metadata.join(","));
        }
        let response = request.send().await.map_err(|e| Error::Unreachable(e.to_string()))?;
        if response.status() != StatusCode::CREATED {
            return Err(refusal(response).await);
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Error::Protocol("an upload was made without a Location".into()))?;
        let id = location.rsplit('/').next().unwrap_or_default();
        if !gkchat_proto::media::valid_media_id(id) {
            return Err(Error::Protocol(format!("the upload's Location {location:?} names no media id")));
        }
        Ok(id.to_owned())
    }

    /// How many bytes of the upload the server has (tus `HEAD`).
    pub async fn upload_offset(&self, media_id: &str) -> Result<u64> {
        let response = self
            .tus(Method::HEAD, &format!("api/v1/uploads/{media_id}"))
            .await?
            .send()
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(refusal(response).await);
        }
        header_u64(&response, "upload-offset")
    }

    /// Sends `bytes` as the upload's bytes from `offset` (tus `PATCH`); answers the server's
    /// offset after them.
    pub async fn upload_chunk(&self, media_id: &str, offset: u64, bytes: Vec<u8>) -> Result<u64> {
        let response = self
            .tus(Method::PATCH, &format!("api/v1/uploads/{media_id}"))
            .await?
            .header("Upload-Offset", offset)
            .header(reqwest::header::CONTENT_TYPE, OFFSET_STREAM)
            .timeout(CHUNK_TIMEOUT)
            .body(bytes)
            .send()
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        if response.status() != StatusCode::NO_CONTENT {
            return Err(refusal(response).await);
        }
        header_u64(&response, "upload-offset")
    }

    /// Cancels an unfinished upload, or takes back a finished one no message uses (tus `DELETE`).
    pub async fn cancel_upload(&self, media_id: &str) -> Result<()> {
        let response = self
            .tus(Method::DELETE, &format!("api/v1/uploads/{media_id}"))
            .await?
            .send()
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        if response.status() != StatusCode::NO_CONTENT {
            return Err(refusal(response).await);
        }
        Ok(())
    }

    /// Uploads the file at `path` as media `media_id`, from wherever the server's copy ends
    /// (so after a dropped connection or a restart it goes on, never starts over), chunk by
    /// chunk, reporting progress after each.
    pub async fn upload_file(&self, media_id: &str, path: &Path, progress: impl Fn(UploadProgress)) -> Result<()> {
        let mut file =
            tokio::fs::File::open(path).await.map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
        let total = file.metadata().await.map_err(|e| Error::Internal(e.to_string()))?.len();
        let mut offset = self.upload_offset(media_id).await?;
        let mut busy = 0;
        progress(UploadProgress { done: offset, total });
        while offset < total {
            file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| Error::Internal(e.to_string()))?;
            let want = usize::try_from((total - offset).min(CHUNK_BYTES as u64)).expect("a chunk fits in memory");
            let mut chunk = vec![0u8; want];
            file.read_exact(&mut chunk).await.map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
            offset = match self.upload_chunk(media_id, offset, chunk).await {
                Ok(offset) => offset,
                // Our idea of the offset was wrong (another device of ours, a lost answer): ask.
                Err(Error::Api { error, .. }) if error.code == ErrorCode::OffsetMismatch => {
                    self.upload_offset(media_id).await?
                }
                // The server is still recording a request of ours that broke off: a moment.
                Err(Error::Api { error, .. }) if error.code == ErrorCode::UploadBusy && busy < BUSY_TRIES => {
                    busy += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    self.upload_offset(media_id).await?
                }
                Err(err) => return Err(err),
            };
            progress(UploadProgress { done: offset, total });
        }
        Ok(())
    }

    /// Where a media stands (`GET /media/{id}/info`).
    pub async fn media_info(&self, media_id: &str) -> Result<MediaInfo> {
        let response = self
            .http()
            .get(endpoint(self.server_url(), &format!("api/v1/media/{media_id}/info")))
            .bearer_auth(self.access_token().await?)
            .send()
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(refusal(response).await);
        }
        decode(&response.bytes().await.map_err(|e| Error::Unreachable(e.to_string()))?)
    }

    /// Bytes `from..to` of a media (ranged `GET`).
    pub async fn download_range(&self, media_id: &str, from: u64, to: u64) -> Result<Vec<u8>> {
        let response = self
            .http()
            .get(endpoint(self.server_url(), &format!("api/v1/media/{media_id}")))
            .bearer_auth(self.access_token().await?)
            .header(reqwest::header::RANGE, format!("bytes={from}-{}", to.saturating_sub(1)))
            .timeout(CHUNK_TIMEOUT)
            .send()
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(refusal(response).await);
        }
        Ok(response.bytes().await.map_err(|e| Error::Unreachable(e.to_string()))?.to_vec())
    }

    /// Downloads a media into the file at `path`, resuming after what a partial file there holds;
    /// reports progress after each chunk; answers its length.
    pub async fn download_to(&self, media_id: &str, path: &Path, progress: impl Fn(UploadProgress)) -> Result<u64> {
        let info = self.media_info(media_id).await?;
        if info.state != gkchat_proto::media::MediaState::Ready {
            return Err(Error::Api {
                status: 409,
                error: gkchat_proto::ApiError::new(ErrorCode::MediaNotReady, "the upload has not finished yet"),
            });
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await
            .map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
        let mut have = file.metadata().await.map_err(|e| Error::Internal(e.to_string()))?.len();
        if have > info.length {
            file.set_len(0).await.map_err(|e| Error::Internal(e.to_string()))?;
            have = 0;
        }
        progress(UploadProgress { done: have, total: info.length });
        while have < info.length {
            let to = (have + CHUNK_BYTES as u64).min(info.length);
            let bytes = self.download_range(media_id, have, to).await?;
            if bytes.is_empty() {
                return Err(Error::Protocol("the server sent an empty range".into()));
            }
            file.write_all(&bytes).await.map_err(|e| Error::Internal(e.to_string()))?;
            have += bytes.len() as u64;
            progress(UploadProgress { done: have, total: info.length });
        }
        file.flush().await.map_err(|e| Error::Internal(e.to_string()))?;
        Ok(info.length)
    }
}
