//! Reading media: `GET /media/{id}` streams the bytes (HTTP `Range` for resuming and seeking,
//! `ETag` = the content's SHA-256, so a cache never fetches twice), `GET /media/{id}/info` says
//! where an upload stands. Both only for whoever may see a message using it (its uploader
//! until a message does); to anyone else a media does not exist.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gkchat_proto::ErrorCode;
use gkchat_proto::media::MediaInfo;

use crate::auth::AuthUser;
use crate::db::entity::media as media_rows;
use crate::db::media as rows;
use crate::error::{Error, Result};
use crate::{AppState, media};

async fn readable(state: &AppState, auth: &AuthUser, id: &str) -> Result<media_rows::Model> {
    let hidden = || Error::not_found("no such media");
    let row = if gkchat_proto::media::valid_media_id(id) { rows::get(&state.db, id).await? } else { None };
    let row = row.ok_or_else(hidden)?;
    if !rows::may_read(&state.db, &row, &auth.user_id, state.config.clock.now_ms()).await? {
        return Err(hidden());
    }
    Ok(row)
}

/// `GET /media/{id}/info`.
pub async fn info(State(state): State<AppState>, auth: AuthUser, Path(id): Path<String>) -> Result<Json<MediaInfo>> {
    let row = readable(&state, &auth, &id).await?;
    Ok(Json(media::info(&row)))
}

/// A `Range: bytes=…` header against a length: `Ok(None)` for the whole (no header, or several
/// ranges, which this server answers whole), `Err` when it cannot be satisfied.
fn range(headers: &HeaderMap, length: u64) -> std::result::Result<Option<std::ops::Range<u64>>, ()> {
    let Some(value) = headers.get(header::RANGE) else { return Ok(None) };
    let text = value.to_str().map_err(|_| ())?;
    let spec = text.strip_prefix("bytes=").ok_or(())?.trim();
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let parse = |s: &str| s.trim().parse::<u64>().map_err(|_| ());
    let range = match (start.trim(), end.trim()) {
        ("", "") => return Err(()),
        ("", suffix) => {
            let suffix = parse(suffix)?;
            if suffix == 0 {
                return Err(());
            }
            length.saturating_sub(suffix)..length
        }
        (start, "") => parse(start)?..length,
        (start, end) => {
            let (start, end) = (parse(start)?, parse(end)?);
            if end < start {
                return Err(());
            }
            start..(end + 1).min(length)
        }
    };
    if range.start >= length {
        return Err(());
    }
    Ok(Some(range))
}

/// `GET /media/{id}`: the bytes, whole or a range of them.
pub async fn download(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let row = readable(&state, &auth, &id).await?;
    match row.state.as_str() {
        rows::READY => {}
        rows::UPLOADING => {
            return Err(Error::api(StatusCode::CONFLICT, ErrorCode::MediaNotReady, "the upload has not finished yet"));
        }
        _ => return Err(Error::api(StatusCode::GONE, ErrorCode::UploadExpired, "the upload never finished")),
    }
    let (Some(sha256), length) = (row.sha256.clone(), row.length as u64) else {
        return Err(Error::Internal(format!("media {id} is ready without a blob")));
    };
    let etag = HeaderValue::from_str(&format!("\"{sha256}\"")).expect("hex is a valid header");
    let mime = row.mime.as_deref().unwrap_or("application/octet-stream");
    let content_type = HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // An id names one content forever.
    let cache = HeaderValue::from_static("private, max-age=31536000, immutable");
    if headers.get(header::IF_NONE_MATCH) == Some(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)]).into_response());
    }
    let wanted = match range(&headers, length) {
        Ok(wanted) => wanted,
        Err(()) => {
            let unsatisfiable = HeaderValue::from_str(&format!("bytes */{length}")).expect("a valid header");
            let mut refused = Error::api(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::BadRequest,
                format!("the media is {length} bytes long"),
            )
            .into_response();
            refused.headers_mut().insert(header::CONTENT_RANGE, unsatisfiable);
            return Ok(refused);
        }
    };
    let (status, served) = match &wanted {
        Some(range) => (StatusCode::PARTIAL_CONTENT, range.clone()),
        None => (StatusCode::OK, 0..length),
    };
    let stream = state.blobs.read(&sha256, served.clone()).await?;
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    let answer = response.headers_mut();
    answer.insert(header::CONTENT_TYPE, content_type);
    answer.insert(header::CONTENT_LENGTH, HeaderValue::from(served.end - served.start));
    answer.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    answer.insert(header::ETAG, etag);
    answer.insert(header::CACHE_CONTROL, cache);
    if wanted.is_some() {
        let value = format!("bytes {}-{}/{length}", served.start, served.end - 1);
        answer.insert(header::CONTENT_RANGE, HeaderValue::from_str(&value).expect("a valid header"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(value: &str) -> std::result::Result<Option<std::ops::Range<u64>>, ()> {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(value).unwrap());
        range(&headers, 100)
    }

    #[test]
    fn ranges_are_read_as_http_says() {
        assert_eq!(range(&HeaderMap::new(), 100), Ok(None));
        assert_eq!(asked("bytes=0-9"), Ok(Some(0..10)));
        assert_eq!(asked("bytes=90-"), Ok(Some(90..100)));
        assert_eq!(asked("bytes=-5"), Ok(Some(95..100)));
        assert_eq!(asked("bytes=95-200"), Ok(Some(95..100)));
        assert_eq!(asked("bytes=0-1,5-6"), Ok(None));
        assert_eq!(asked("bytes=100-"), Err(()));
        assert_eq!(asked("bytes=9-3"), Err(()));
        assert_eq!(asked("items=0-1"), Err(()));
    }
}
