//! Uploads over tus 1.0 (<https://tus.io/protocols/resumable-upload>) under `/api/v1/uploads`:
//! core, creation, creation-with-upload, termination, expiration and checksum (sha1, sha256),
//! so any tus client works, the app's own included. `POST` reserves a media id (the upload's
//! URL ends in it) before a byte arrives; `PATCH` appends at the offset the server recorded;
//! `HEAD` says that offset, so a client resumes after a dropped connection or a restart;
//! `DELETE` cancels. An upload larger than `upload_max_bytes` is refused before any byte is
//! stored; bodies stream to the blob store, never whole into memory; one request writes to an
//! upload at a time (a lease in its row, so also across instances).

use std::time::{Duration, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::StreamExt;
use gkchat_proto::ErrorCode;
use gkchat_proto::media::TUS_VERSION;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::blobs::Staging;
use crate::db::entity::media as media_rows;
use crate::db::media as rows;
use crate::error::{Error, Result};
use crate::{AppState, media, now_ms};

const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const TUS_VERSION_HEADER: HeaderName = HeaderName::from_static("tus-version");
const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
const TUS_CHECKSUM_ALGORITHM: HeaderName = HeaderName::from_static("tus-checksum-algorithm");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");
const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
const UPLOAD_CHECKSUM: HeaderName = HeaderName::from_static("upload-checksum");
/// The content type of every body that carries upload bytes.
const OFFSET_STREAM: &str = "application/offset+octet-stream";
const EXTENSIONS: &str = "creation,creation-with-upload,termination,expiration,checksum";
/// Longest `Upload-Metadata`, in bytes.
const METADATA_MAX_BYTES: usize = 4 * 1024;
/// Unfinished uploads one account may have at once.
const UNFINISHED_MAX: u64 = 100;
/// tus's own status for a checksum mismatch.
const CHECKSUM_MISMATCH: u16 = 460;

/// Every answer of this API says which tus it speaks, also the errors (the extractor of the
/// signed-in user is taken as a `Result` so its refusal gets the header too).
fn tus(result: Result<Response>) -> Response {
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    response.headers_mut().insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    response
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).expect("a valid status")
}

fn bad(message: impl Into<String>) -> Error {
    Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
}

fn expired() -> Error {
    Error::api(StatusCode::GONE, ErrorCode::UploadExpired, "the upload expired or was cancelled; start again")
}

fn check_version(headers: &HeaderMap) -> Result<()> {
    match headers.get(TUS_RESUMABLE).and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        Some(other) => Err(Error::api(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::UnsupportedProtocol,
            format!("tus {other} is not spoken here; use {TUS_VERSION}"),
        )),
        None => Err(Error::api(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::UnsupportedProtocol,
            format!("say Tus-Resumable: {TUS_VERSION}"),
        )),
    }
}

fn number(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>> {
    headers
        .get(name)
        .map(|value| {
            value
                .to_str()
                .ok()
                .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|text| text.parse::<u64>().ok())
                .ok_or_else(|| bad(format!("{name} must be a non-negative integer")))
        })
        .transpose()
}

fn carries_bytes(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with(OFFSET_STREAM))
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent).
fn check_metadata(headers: &HeaderMap) -> Result<String> {
    let Some(value) = headers.get(UPLOAD_METADATA) else { return Ok(String::new()) };
    let text = value.to_str().map_err(|_| bad("Upload-Metadata must be ASCII"))?;
    if text.len() > METADATA_MAX_BYTES {
        return Err(bad(format!("Upload-Metadata may be at most {METADATA_MAX_BYTES} bytes")));
    }
    for pair in text.split(',').map(str::trim).filter(|pair| !pair.is_empty()) {
        let mut parts = pair.split(' ');
        let key = parts.next().unwrap_or_default();
        let value = parts.next();
        if key.is_empty() || parts.next().is_some() {
            return Err(bad("Upload-Metadata pairs are `key base64value`"));
        }
        if let Some(value) = value
            && base64::engine::general_purpose::STANDARD.decode(value).is_err()
        {
            return Err(bad(format!("Upload-Metadata's {key} is not base64")));
        }
    }
    Ok(text.to_owned())
}

/// An `Upload-Checksum` to check a request's bytes against.
enum Checksum {
    Sha1(Sha1, Vec<u8>),
    Sha256(Sha256, Vec<u8>),
}

impl Checksum {
    fn parse(headers: &HeaderMap) -> Result<Option<Self>> {
        let Some(value) = headers.get(UPLOAD_CHECKSUM) else { return Ok(None) };
        let text = value.to_str().map_err(|_| bad("Upload-Checksum must be ASCII"))?;
        let (algorithm, digest) = text.split_once(' ').ok_or_else(|| bad("Upload-Checksum is `algorithm base64`"))?;
        let digest = base64::engine::general_purpose::STANDARD
            .decode(digest.trim())
            .map_err(|_| bad("Upload-Checksum's digest is not base64"))?;
        match algorithm {
            "sha1" => Ok(Some(Self::Sha1(Sha1::new(), digest))),
            "sha256" => Ok(Some(Self::Sha256(Sha256::new(), digest))),
            other => Err(bad(format!("checksum algorithm {other:?} is not supported (sha1, sha256)"))),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha1(hasher, _) => hasher.update(bytes),
            Self::Sha256(hasher, _) => hasher.update(bytes),
        }
    }

    fn matches(self) -> bool {
        match self {
            Self::Sha1(hasher, expected) => hasher.finalize().as_slice() == expected.as_slice(),
            Self::Sha256(hasher, expected) => hasher.finalize().as_slice() == expected.as_slice(),
        }
    }
}

fn http_date(ms: i64) -> HeaderValue {
    let at = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    HeaderValue::from_str(&httpdate::fmt_http_date(at)).expect("an HTTP date is a valid header")
}

/// The upload `id` of the signed-in user; anyone else's is "not found". One that ran out of
/// time is ended now (the sweeper would soon).
async fn own_upload(state: &AppState, auth: &AuthUser, id: &str) -> Result<media_rows::Model> {
    let row = if gkchat_proto::media::valid_media_id(id) { rows::get(&state.db, id).await? } else { None };
    let row = row.filter(|row| row.owner_id == auth.user_id).ok_or_else(|| Error::not_found("no such upload"))?;
    if row.state == rows::FAILED {
        return Err(expired());
    }
    if row.state == rows::UPLOADING && row.expires_at < now_ms() {
        media::cancel(state, id, now_ms()).await?;
        return Err(expired());
    }
    Ok(row)
}

/// `OPTIONS /uploads`: what this server's tus does (no sign-in needed).
pub async fn options(State(state): State<AppState>) -> Response {
    let max = HeaderValue::from(state.config.upload_max_bytes);
    tus(Ok((
        StatusCode::NO_CONTENT,
        [
            (TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION)),
            (TUS_EXTENSION, HeaderValue::from_static(EXTENSIONS)),
            (TUS_MAX_SIZE, max),
            (TUS_CHECKSUM_ALGORITHM, HeaderValue::from_static("sha1,sha256")),
        ],
    )
        .into_response()))
}

/// `POST /uploads`: reserves a media id for `Upload-Length` bytes; with a body
/// (`creation-with-upload`) takes its bytes at once.
pub async fn create(State(state): State<AppState>, auth: Result<AuthUser>, headers: HeaderMap, body: Body) -> Response {
    tus(create_upload(&state, auth, &headers, body).await)
}

async fn create_upload(state: &AppState, auth: Result<AuthUser>, headers: &HeaderMap, body: Body) -> Result<Response> {
    let auth = auth?;
    check_version(headers)?;
    if headers.contains_key(UPLOAD_DEFER_LENGTH) {
        return Err(bad("say Upload-Length: deferring it is not supported"));
    }
    let length = number(headers, &UPLOAD_LENGTH)?.ok_or_else(|| bad("Upload-Length is required"))?;
    let max = state.config.upload_max_bytes;
    if length > max {
        return Err(Error::api(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("an upload may be at most {max} bytes"),
        ));
    }
    let metadata = check_metadata(headers)?;
    let checksum = Checksum::parse(headers)?;
    let unfinished = media_rows::Entity::find()
        .filter(media_rows::Column::OwnerId.eq(auth.user_id.as_str()))
        .filter(media_rows::Column::State.eq(rows::UPLOADING))
        .count(&state.db)
        .await?;
    if unfinished >= UNFINISHED_MAX {
        return Err(Error::api(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("at most {UNFINISHED_MAX} unfinished uploads at once: finish or cancel some"),
        ));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    let expires_at = now + media::secs_ms(state.config.upload_expiry_secs);
    let row = rows::reserve(&state.db, &id, &auth.user_id, length, &metadata, now, expires_at).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/uploads/{id}")).expect("an id is a valid header");
    let mut response =
        (StatusCode::CREATED, [(header::LOCATION, location), (UPLOAD_EXPIRES, http_date(expires_at))]).into_response();
    if carries_bytes(headers) {
        // What arrived is kept even when the body broke off: the client asks HEAD and resumes.
        let offset = match receive(state, row, body, checksum).await {
            Ok(offset) => offset,
            Err(err) => {
                tracing::debug!(error = %err, media_id = %id, "the body of a creation-with-upload stopped early");
                rows::get(&state.db, &id).await?.map_or(0, |row| row.offset as u64)
            }
        };
        response.headers_mut().insert(UPLOAD_OFFSET, HeaderValue::from(offset));
    }
    Ok(response)
}

/// `HEAD /uploads/{id}`: how far the upload got.
pub async fn head(
    State(state): State<AppState>,
    auth: Result<AuthUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    tus(async {
        let auth = auth?;
        check_version(&headers)?;
        let row = own_upload(&state, &auth, &id).await?;
        let mut response = (
            StatusCode::OK,
            [
                (UPLOAD_OFFSET, HeaderValue::from(row.offset)),
                (UPLOAD_LENGTH, HeaderValue::from(row.length)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response();
        if !row.metadata.is_empty()
            && let Ok(metadata) = HeaderValue::from_str(&row.metadata)
        {
            response.headers_mut().insert(UPLOAD_METADATA, metadata);
        }
        if row.state == rows::UPLOADING {
            response.headers_mut().insert(UPLOAD_EXPIRES, http_date(row.expires_at));
        }
        Ok(response)
    }
    .await)
}

/// `PATCH /uploads/{id}`: the next bytes, at `Upload-Offset`.
pub async fn patch(
    State(state): State<AppState>,
    auth: Result<AuthUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    tus(async {
        let auth = auth?;
        check_version(&headers)?;
        if !carries_bytes(&headers) {
            return Err(Error::api(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                format!("upload bytes travel as Content-Type: {OFFSET_STREAM}"),
            ));
        }
        let offset = number(&headers, &UPLOAD_OFFSET)?.ok_or_else(|| bad("Upload-Offset is required"))?;
        let checksum = Checksum::parse(&headers)?;
        let row = own_upload(&state, &auth, &id).await?;
        if offset != row.offset as u64 {
            return Err(Error::api(
                StatusCode::CONFLICT,
                ErrorCode::OffsetMismatch,
                format!("the upload is at {} bytes, not {offset}; ask HEAD and resume from there", row.offset),
            ));
        }
        let length = row.length as u64;
        if row.state == rows::READY {
            return Ok((StatusCode::NO_CONTENT, [(UPLOAD_OFFSET, HeaderValue::from(length))]).into_response());
        }
        if number(&headers, &header::CONTENT_LENGTH)?.is_some_and(|more| offset + more > length) {
            return Err(Error::api(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("the upload is {length} bytes long; this would go past its end"),
            ));
        }
        let expires_at = row.expires_at;
        let offset = receive(&state, row, body, checksum).await?;
        let mut response = (StatusCode::NO_CONTENT, [(UPLOAD_OFFSET, HeaderValue::from(offset))]).into_response();
        if offset < length {
            response.headers_mut().insert(UPLOAD_EXPIRES, http_date(expires_at));
        }
        Ok(response)
    }
    .await)
}

/// `DELETE /uploads/{id}`: cancels an unfinished upload, or takes back a finished one no message
/// uses yet.
pub async fn delete(
    State(state): State<AppState>,
    auth: Result<AuthUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    tus(async {
        let auth = auth?;
        check_version(&headers)?;
        let row = own_upload(&state, &auth, &id).await?;
        if row.state == rows::READY {
            if row.used {
                return Err(Error::api(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "a sent message uses this media; delete the message instead",
                ));
            }
            rows::remove(&state.db, std::slice::from_ref(&row.id)).await?;
            if let Some(sha256) = row.sha256 {
                crate::db::blobs::orphan_if_unused(&state.db, &[sha256], now_ms()).await?;
            }
        } else {
            media::cancel(&state, &id, now_ms()).await?;
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    }
    .await)
}

/// Takes a request's bytes into the upload under its write lease; answers the offset recorded.
/// The work runs in a task of its own, so a client that goes away mid-request (which cancels
/// its handler) still gets what arrived recorded, and the lease given back.
async fn receive(state: &AppState, row: media_rows::Model, body: Body, checksum: Option<Checksum>) -> Result<u64> {
    let mut token = [0u8; 16];
    getrandom::fill(&mut token).expect("the OS random source works");
    let token = crate::blobs::hex(&token);
    let now = now_ms();
    if !rows::lease(&state.db, &row.id, &token, now, now + lease_ms(state)).await? {
        return Err(Error::api(StatusCode::LOCKED, ErrorCode::UploadBusy, "another request is writing to this upload"));
    }
    let state = state.clone();
    tokio::spawn(async move {
        let id = row.id.clone();
        let received = receive_leased(&state, row, body, checksum, &token).await;
        if let Err(err) = rows::release(&state.db, &id, &token).await {
            tracing::warn!(error = %err, media_id = %id, "giving an upload's lease back failed");
        }
        received
    })
    .await
    .map_err(|err| Error::Internal(format!("an upload's writer stopped: {err}")))?
}

/// Long enough to see the next checkpoint (a part, or the idle timeout's end of the request).
fn lease_ms(state: &AppState) -> i64 {
    media::secs_ms(state.config.transfer_idle_secs.saturating_add(60))
}

async fn receive_leased(
    state: &AppState,
    row: media_rows::Model,
    body: Body,
    mut checksum: Option<Checksum>,
    token: &str,
) -> Result<u64> {
    let (offset, length) = (row.offset as u64, row.length as u64);
    let staging = Staging::from_json(row.staging.as_deref())?;
    let mut writer = state.blobs.writer(&row.id, staging.clone(), offset).await?;
    let mut hasher = state.hashers.take(&row.id, offset);
    let idle = Duration::from_secs(state.config.transfer_idle_secs.max(1));
    let mut stream = body.into_data_stream();
    let (mut taken, mut superseded) = (0u64, Vec::new());
    let mut stopped: Option<Error> = None;
    loop {
        let bytes = match tokio::time::timeout(idle, stream.next()).await {
            Ok(None) => break,
            Ok(Some(Ok(bytes))) => bytes,
            Ok(Some(Err(_))) => {
                stopped = Some(bad("the request's body broke off; ask HEAD and resume"));
                break;
            }
            Err(_) => {
                stopped = Some(Error::api(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::BadRequest,
                    "no bytes arrived for too long; ask HEAD and resume",
                ));
                break;
            }
        };
        if offset + taken + bytes.len() as u64 > length {
            stopped = Some(Error::api(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("the upload is {length} bytes long; the body went past its end"),
            ));
            break;
        }
        taken += bytes.len() as u64;
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&bytes);
        }
        if let Some(checksum) = checksum.as_mut() {
            checksum.update(&bytes);
        }
        if let Some(checkpoint) = writer.write(bytes).await? {
            if checksum.is_some() {
                // All or nothing: recorded only once the whole body matched.
                superseded.extend(checkpoint.superseded);
            } else {
                let until = now_ms() + lease_ms(state);
                let json = checkpoint.staging.to_json();
                if !rows::record(&state.db, &row.id, token, checkpoint.offset, &json, until).await? {
                    return lost(state, &row.id, &checkpoint.staging).await;
                }
                state.blobs.drop_superseded(&checkpoint.superseded).await;
            }
        }
    }
    let checkpoint = writer.finish().await?;
    if let Some(checksum) = checksum {
        let refusal = match &stopped {
            Some(_) => Some(bad("the body broke off before its checksum could be checked; nothing was kept")),
            None if !checksum.matches() => Some(Error::api(
                status(CHECKSUM_MISMATCH),
                ErrorCode::ChecksumMismatch,
                "the bytes do not match Upload-Checksum; nothing was kept",
            )),
            None => None,
        };
        if let Some(refusal) = refusal {
            // The recorded staging stands: a new tail object goes, a file is cut back by the next writer.
            if checkpoint.staging.tail != staging.tail
                && let Some(tail) = &checkpoint.staging.tail
            {
                state.blobs.drop_superseded(std::slice::from_ref(tail)).await;
            }
            state.hashers.forget(&row.id);
            return Err(refusal);
        }
    }
    let until = now_ms() + lease_ms(state);
    if !rows::record(&state.db, &row.id, token, checkpoint.offset, &checkpoint.staging.to_json(), until).await? {
        return lost(state, &row.id, &checkpoint.staging).await;
    }
    superseded.extend(checkpoint.superseded.iter().cloned());
    state.blobs.drop_superseded(&superseded).await;
    if checkpoint.offset == length {
        let hasher = hasher.filter(|_| offset + taken == length);
        let done = media_rows::Model { offset: length as i64, ..row };
        media::finish(state, &done, &checkpoint.staging, hasher).await?;
    } else if let Some(hasher) = hasher {
        state.hashers.put(&row.id, checkpoint.offset, hasher);
    }
    match stopped {
        Some(err) => Err(err),
        None => Ok(checkpoint.offset),
    }
}

/// The upload was cancelled (or expired) while this request wrote: what it wrote goes too.
async fn lost(state: &AppState, media_id: &str, staging: &Staging) -> Result<u64> {
    state.hashers.forget(media_id);
    state.blobs.discard(media_id, staging).await?;
    Err(expired())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_key_base64_pairs() {
        let mut headers = HeaderMap::new();
        headers.insert(
            UPLOAD_METADATA,
            HeaderValue::from_static("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential"),
        );
        assert!(check_metadata(&headers).is_ok());
        headers.insert(UPLOAD_METADATA, HeaderValue::from_static("filename not*base64"));
        assert!(check_metadata(&headers).is_err());
        headers.insert(UPLOAD_METADATA, HeaderValue::from_static("a b c"));
        assert!(check_metadata(&headers).is_err());
    }

    #[test]
    fn checksums_check_the_bytes() {
        let mut headers = HeaderMap::new();
        // sha1("hello") in base64
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00="));
        let mut checksum = Checksum::parse(&headers).unwrap().unwrap();
        checksum.update(b"hel");
        checksum.update(b"lo");
        assert!(checksum.matches());
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("md5 abc="));
        assert!(Checksum::parse(&headers).is_err());
    }
}
