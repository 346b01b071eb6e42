//! Media: an upload's life after its bytes are in, who may read it, what a message may attach,
//! and the sweeper that removes what nothing uses. (Receiving the bytes is `api/uploads.rs`,
//! tus 1.0; storing them is `blobs/`.)
//!
//! A media id is reserved when an upload starts, so a message can name it at once; receivers
//! see a placeholder until it is `ready` (a `media` push tells them). When the last byte is in,
//! the upload is made one object, hashed (SHA-256, as it streamed when one instance took every
//! request; else read back) and sniffed for its type (never trusting the name or the client),
//! and stored under its hash — once, however many uploads bring the same bytes. A media lives as
//! long as a message uses it; a blob as long as a media or a photo does.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::StreamExt;
use gkchat_proto::media::{MediaInfo, MediaState};
use gkchat_proto::{ErrorCode, ServerFrame};
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use crate::blobs::{Blobs, Staging, hex};
use crate::db::entity::media as media_rows;
use crate::db::{blobs as blob_rows, media as rows};
use crate::error::{Error, Result};
use crate::{AppState, Config};

/// How many first bytes are read to sniff a media's type.
const SNIFF_BYTES: u64 = 8 * 1024;
/// A failed upload's URL answers "expired" this long before its row goes.
const FAILED_KEPT_MS: i64 = 24 * 3600 * 1000;
/// Rows looked at per sweep step.
const SWEEP_BATCH: u64 = 200;

/// Running SHA-256s of uploads whose bytes all passed through this instance, by media id, with
/// how many bytes each has taken; an upload whose requests went elsewhere is read back instead.
#[derive(Default)]
pub struct Hashers {
    running: Mutex<HashMap<String, (u64, Sha256)>>,
}

impl Hashers {
    /// The running hash of `media_id` if it covers exactly its first `offset` bytes.
    pub fn take(&self, media_id: &str, offset: u64) -> Option<Sha256> {
        if offset == 0 {
            return Some(Sha256::new());
        }
        let taken = self.running.lock().expect("hashers lock").remove(media_id)?;
        (taken.0 == offset).then_some(taken.1)
    }

    pub fn put(&self, media_id: &str, offset: u64, hasher: Sha256) {
        self.running.lock().expect("hashers lock").insert(media_id.to_owned(), (offset, hasher));
    }

    pub fn forget(&self, media_id: &str) {
        self.running.lock().expect("hashers lock").remove(media_id);
    }
}

/// What the server says of a media.
pub fn info(row: &media_rows::Model) -> MediaInfo {
    let state = match row.state.as_str() {
        rows::READY => MediaState::Ready,
        rows::UPLOADING => MediaState::Uploading,
        _ => MediaState::Failed,
    };
    MediaInfo {
        media_id: row.id.clone(),
        state,
        length: row.length as u64,
        offset: row.offset as u64,
        mime: row.mime.clone(),
        sha256: row.sha256.clone(),
    }
}

/// The type of a file from its first bytes; `application/octet-stream` when nothing matches.
pub fn sniff(head: &[u8]) -> String {
    infer::get(head).map_or_else(|| "application/octet-stream".to_owned(), |kind| kind.mime_type().to_owned())
}

async fn read_all(stream: crate::blobs::ByteStream, mut each: impl FnMut(&[u8])) -> Result<()> {
    let mut stream = stream;
    while let Some(chunk) = stream.next().await {
        each(&chunk?);
    }
    Ok(())
}

/// Turns a fully uploaded media into a ready one: one object, hashed, sniffed, stored under its
/// hash (or dropped for the copy already there), the row updated, and whoever sees a message
/// using it told. `hasher` is the running hash of all its bytes, when there is one.
pub async fn finish(
    state: &AppState,
    row: &media_rows::Model,
    staging: &Staging,
    hasher: Option<Sha256>,
) -> Result<()> {
    let length = row.length as u64;
    state.blobs.assemble(&row.id, staging).await?;
    let sha256 = match hasher {
        Some(hasher) => hex(&hasher.finalize()),
        None => {
            let mut hasher = Sha256::new();
            read_all(state.blobs.read_upload(&row.id, 0..length).await?, |bytes| hasher.update(bytes)).await?;
            hex(&hasher.finalize())
        }
    };
    let mut head = Vec::new();
    read_all(state.blobs.read_upload(&row.id, 0..length.min(SNIFF_BYTES)).await?, |bytes| {
        head.extend_from_slice(bytes)
    })
    .await?;
    let mime = sniff(&head);
    let now = crate::now_ms();
    blob_rows::claim_waiting(&state.db, &sha256, now).await?;
    state.blobs.commit(&row.id, &sha256).await?;
    let keep = now + secs_ms(state.config.upload_expiry_secs);
    match rows::complete(&state.db, &row.id, &sha256, &mime, keep).await? {
        Some(done) => {
            tracing::debug!(media_id = %done.id, bytes = length, %mime, "upload complete");
            announce(state, &done).await
        }
        None => {
            // Cancelled meanwhile: the blob may be unused.
            blob_rows::orphan_if_unused(&state.db, &[sha256], now).await
        }
    }
}

/// Seconds of configuration as milliseconds (saturating).
pub(crate) fn secs_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// Tells everyone who sees a message using `row` where it stands now.
pub async fn announce(state: &AppState, row: &media_rows::Model) -> Result<()> {
    if !row.used {
        return Ok(());
    }
    let viewers = rows::viewers(&state.db, &row.id, None).await?;
    let push = crate::hub::encode(&ServerFrame::Media(info(row)));
    state.hub.push_to_users(viewers.iter().map(String::as_str), &push);
    Ok(())
}

/// Ends an unfinished upload (cancelled, or expired): its staged bytes go; messages using it
/// show it failed.
pub async fn cancel(state: &AppState, media_id: &str, now_ms: i64) -> Result<()> {
    state.hashers.forget(media_id);
    if let Some(row) = rows::fail(&state.db, media_id, now_ms + FAILED_KEPT_MS).await? {
        let staging = Staging::from_json(row.staging.as_deref())?;
        state.blobs.discard(media_id, &staging).await?;
        if let Some(failed) = rows::get(&state.db, media_id).await? {
            announce(state, &failed).await?;
        }
    }
    Ok(())
}

/// Checks that `user_id` may attach each of `media_ids` to a message or a post: an upload of
/// their own that has not failed, or a media of a message they may see (forwarding). Anything
/// else is `unknown_media`, which does not tell whether it exists.
pub async fn check_attachable(db: &impl ConnectionTrait, user_id: &str, media_ids: &[&str]) -> Result<()> {
    for media_id in media_ids {
        let unknown =
            || Error::api(axum::http::StatusCode::NOT_FOUND, ErrorCode::UnknownMedia, format!("no media {media_id}"));
        let row = rows::get(db, media_id).await?.ok_or_else(unknown)?;
        if row.state == rows::FAILED {
            return Err(Error::api(
                axum::http::StatusCode::GONE,
                ErrorCode::UploadExpired,
                format!("the upload of {media_id} did not finish"),
            ));
        }
        // Forwarding reuses a blob seen in a chat; one seen only in someone's status stays theirs
        // (it would outlive the post and reach people outside its audience).
        if row.owner_id != user_id && rows::viewers(db, &row.id, Some(user_id)).await?.is_empty() {
            return Err(unknown());
        }
    }
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub expired_uploads: usize,
    pub removed_media: usize,
    pub deleted_blobs: usize,
}

/// Expires unfinished uploads past their time, removes media nothing uses, and deletes blobs
/// orphaned longer than the grace period — as of `now_ms` (tests pass a time of their choosing).
pub async fn sweep(db: &impl ConnectionTrait, blobs: &Blobs, config: &Config, now_ms: i64) -> Result<Swept> {
    let mut swept = Swept::default();
    loop {
        let expired = rows::expired_uploads(db, now_ms, SWEEP_BATCH).await?;
        if expired.is_empty() {
            break;
        }
        for row in expired {
            if let Some(row) = rows::fail(db, &row.id, now_ms + FAILED_KEPT_MS).await? {
                blobs.discard(&row.id, &Staging::from_json(row.staging.as_deref())?).await?;
                swept.expired_uploads += 1;
            }
        }
    }
    loop {
        let unused = rows::unused(db, now_ms, SWEEP_BATCH).await?;
        if unused.is_empty() {
            break;
        }
        let ids: Vec<String> = unused.iter().map(|row| row.id.clone()).collect();
        rows::remove(db, &ids).await?;
        let names: Vec<String> = unused.into_iter().filter_map(|row| row.sha256).collect();
        blob_rows::orphan_if_unused(db, &names, now_ms).await?;
        swept.removed_media += ids.len();
    }
    let orphaned_before = now_ms - secs_ms(config.blob_grace_secs);
    loop {
        let deleted = blob_rows::sweep(db, blobs, orphaned_before, SWEEP_BATCH).await?;
        swept.deleted_blobs += deleted;
        if deleted < SWEEP_BATCH as usize {
            break;
        }
    }
    Ok(swept)
}
