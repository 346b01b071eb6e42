//! Photos: my profile photo (set, remove), someone's as their privacy allows, and a group's
//! image (set and removed by those who may edit its info, seen by its members and by anyone
//! holding its invite link).

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{Me, PHOTO_MAX_BYTES, PhotoCrop, PhotoSize};
use gkchat_proto::group::GroupInfo;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::blobs::content_name;
use crate::db::{accounts, contacts};
use crate::error::{Error, Result};
use crate::photo::{forget_if_unused, thumb_id};
use crate::{AppState, groups, photo};

/// The crop square in the query: all three of `x`, `y`, `size`, or none.
#[derive(Debug, Deserialize)]
pub struct CropQuery {
    x: Option<u32>,
    y: Option<u32>,
    size: Option<u32>,
}

impl CropQuery {
    fn crop(&self) -> Result<Option<PhotoCrop>> {
        match (self.x, self.y, self.size) {
            (Some(x), Some(y), Some(size)) => Ok(Some(PhotoCrop { x, y, size })),
            (None, None, None) => Ok(None),
            _ => Err(Error::api(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "give all of x, y and size, or none")),
        }
    }
}

/// How long an upload waits for a free decoder before the server says it is busy.
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Checks, crops and scales an uploaded image and stores its two renditions: the photo id.
async fn store(state: &AppState, auth: &AuthUser, query: &CropQuery, body: Body) -> Result<String> {
    let crop = query.crop()?;
    state.auth.limiter.check_upload(&auth.user_id).await?;
    let bytes: Bytes = axum::body::to_bytes(body, PHOTO_MAX_BYTES).await.map_err(|_| {
        let message = format!("a photo may be at most {} MiB", PHOTO_MAX_BYTES / (1024 * 1024));
        Error::api(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, message)
    })?;
    let decoding = tokio::time::timeout(DECODE_WAIT, state.decodes.clone().acquire_owned())
        .await
        .map_err(|_| {
            Error::api(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::ServerBusy, "too many photos at once; retry")
        })?
        .map_err(|_| Error::Internal("the decode permits were closed".into()))?;
    let renditions = photo::process(bytes.to_vec(), crop, Some(decoding)).await?;
    let photo_id = content_name(&renditions.full);
    let now = crate::now_ms();
    for (name, bytes) in [(thumb_id(&photo_id), renditions.thumb), (photo_id.clone(), renditions.full)] {
        crate::db::blobs::claim_waiting(&state.db, &name, now).await?;
        state.blobs.put(&name, bytes.into()).await?;
    }
    Ok(photo_id)
}

/// `PUT /me/photo`: the body is the image; the answer is my updated account.
pub async fn set(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(query): Query<CropQuery>,
    body: Body,
) -> Result<Json<Me>> {
    let photo_id = store(&state, &auth, &query, body).await?;
    let user = accounts::get(&state.db, &auth.user_id).await?.ok_or_else(|| Error::not_found("no such account"))?;
    let previous = accounts::set_photo(&state.db, user, Some(photo_id)).await?;
    forget_if_unused(&state, previous).await?;
    me(&state, &auth).await
}

/// `DELETE /me/photo`.
pub async fn remove(State(state): State<AppState>, auth: AuthUser) -> Result<Json<Me>> {
    let user = accounts::get(&state.db, &auth.user_id).await?.ok_or_else(|| Error::not_found("no such account"))?;
    let previous = accounts::set_photo(&state.db, user, None).await?;
    forget_if_unused(&state, previous).await?;
    me(&state, &auth).await
}

async fn me(state: &AppState, auth: &AuthUser) -> Result<Json<Me>> {
    let user = accounts::get(&state.db, &auth.user_id).await?.ok_or_else(|| Error::not_found("no such account"))?;
    Ok(Json(accounts::to_me(&user)))
}

#[derive(Debug, Deserialize)]
pub struct SizeQuery {
    #[serde(default)]
    size: PhotoSize,
}

/// `GET /users/{id}/photo?size=thumb|full`: the JPEG, or `not_found` when there is none or its
/// owner's privacy (or a block) hides it from me — the two look the same on purpose.
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<String>,
    Query(query): Query<SizeQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let hidden = || Error::not_found("no photo to show");
    let user = accounts::get(&state.db, &user_id).await?.ok_or_else(hidden)?;
    if user.id != auth.user_id {
        let relation = contacts::Relation::between(&state.db, &user.id, &auth.user_id).await?;
        if !relation.sees(accounts::privacy(&user).photo) {
            return Err(hidden());
        }
    }
    let photo_id = user.photo_id.ok_or_else(hidden)?;
    serve(&state, &photo_id, query.size, &headers).await
}

/// A photo's rendition as JPEG, answering `If-None-Match` (a photo id names its content).
async fn serve(state: &AppState, photo_id: &str, size: PhotoSize, headers: &HeaderMap) -> Result<Response> {
    let blob_id = match size {
        PhotoSize::Thumb => thumb_id(photo_id),
        PhotoSize::Full => photo_id.to_owned(),
    };
    let etag = HeaderValue::from_str(&format!("\"{blob_id}\"")).expect("hex ids are valid header values");
    let cache = HeaderValue::from_static("private, no-cache");
    if headers.get(header::IF_NONE_MATCH) == Some(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)]).into_response());
    }
    let bytes =
        state.blobs.get(&blob_id).await?.ok_or_else(|| Error::Internal(format!("photo blob {blob_id} is missing")))?;
    let content_type = HeaderValue::from_static("image/jpeg");
    Ok(([(header::CONTENT_TYPE, content_type), (header::ETAG, etag), (header::CACHE_CONTROL, cache)], bytes)
        .into_response())
}

/// `PUT /chats/{id}/photo`: the group's new image (the body); the answer is the group's info.
pub async fn set_group(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    Query(query): Query<CropQuery>,
    body: Body,
) -> Result<Json<GroupInfo>> {
    groups::may_change_photo(&state, &auth.user_id, &chat_id).await?;
    let photo_id = store(&state, &auth, &query, body).await?;
    match groups::set_photo(&state, &auth.user_id, &chat_id, Some(photo_id.clone())).await {
        Ok((info, previous)) => {
            forget_if_unused(&state, previous).await?;
            Ok(Json(info))
        }
        Err(refused) => {
            forget_if_unused(&state, Some(photo_id)).await?;
            Err(refused)
        }
    }
}

/// `DELETE /chats/{id}/photo`.
pub async fn remove_group(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
) -> Result<Json<GroupInfo>> {
    let (info, previous) = groups::set_photo(&state, &auth.user_id, &chat_id, None).await?;
    forget_if_unused(&state, previous).await?;
    Ok(Json(info))
}

/// `GET /chats/{id}/photo?size=thumb|full`: a group's image, for its members; `not_found` when
/// it has none.
pub async fn get_group(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(chat_id): Path<String>,
    Query(query): Query<SizeQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let photo_id = groups::photo_of(&state, &auth.user_id, &chat_id).await?;
    let photo_id = photo_id.ok_or_else(|| Error::not_found("the group has no image"))?;
    serve(&state, &photo_id, query.size, &headers).await
}

/// `GET /invites/{code}/photo?size=thumb|full`: the image an invite's preview shows.
pub async fn get_invite(
    State(state): State<AppState>,
    _auth: AuthUser,
    Path(code): Path<String>,
    Query(query): Query<SizeQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let photo_id = groups::invite_photo(&state, &code).await?;
    let photo_id = photo_id.ok_or_else(|| Error::not_found("the group has no image"))?;
    serve(&state, &photo_id, query.size, &headers).await
}
