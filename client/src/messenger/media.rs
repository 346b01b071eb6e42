//! The messenger's media. Sending: the files are prepared off the async threads (kind from the
//! bytes, pictures cleaned of metadata, thumbnails, ThumbHash) into the account's media folder
//! and the message is queued at once naming them by placeholder ids; when its turn comes their
//! media ids are reserved on the server (the placeholders become real ids, in the queue and on
//! screen), the message goes — the receivers see placeholders — and the uploader sends the
//! files, each resuming from the server's offset, across dropped connections and restarts (the
//! transfers are in the store). Cancelling gives the uploads up and takes the message back (or
//! deletes it for everyone once sent). Receiving: thumbnails, and files up to the
//! automatic-download size, come by themselves; anything else when asked; all of it into the
//! media folder, the least recently used going beyond the cache's size.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex as StdMutex;
use std::time::Duration;

use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{Content, Message, MessageAction, NewMessage};
use gkchat_proto::media::{MediaInfo, MediaState as ServerState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Inner, Messenger, MessengerEvent, is_permanent};
use crate::media::compose;
use crate::store::{LocalMessage, TransferState};
use crate::{Error, Result};

/// Downloaded media kept at most (least recently used out first).
pub const CACHE_BYTES_DEFAULT: u64 = 2 * 1024 * 1024 * 1024;
/// Media up to this size download by themselves when they arrive.
pub const AUTO_DOWNLOAD_BYTES_DEFAULT: u64 = 16 * 1024 * 1024;

/// A file the user picked, dropped or pasted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MediaSource {
    pub path: PathBuf,
    /// The name to show, when the file's own is not it (a pasted picture).
    #[serde(default)]
    pub name: Option<String>,
}

/// Upload or download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

/// How far one file got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TransferUpdate {
    /// The message the file belongs to (uploads), if known.
    pub message_id: Option<String>,
    pub media_id: String,
    pub direction: Direction,
    pub done: u64,
    pub total: u64,
    pub state: TransferState,
}

/// A link's preview, ready to go with a text: what the page says, and its picture (already on
/// this device) if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PreviewDraft {
    pub url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    /// The picture, made small, in the media folder under a placeholder id.
    pub image: Option<gkchat_proto::media::Thumb>,
}

/// The messenger's media settings and the downloads under way.
pub(super) struct MediaState {
    limits: StdMutex<(u64, u64)>,
    preview_policy: StdMutex<crate::media::preview::PreviewPolicy>,
    /// One download per media at a time: a second asker waits for the first.
    fetching: tokio::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for MediaState {
    fn default() -> Self {
        Self {
            limits: StdMutex::new((CACHE_BYTES_DEFAULT, AUTO_DOWNLOAD_BYTES_DEFAULT)),
            preview_policy: StdMutex::default(),
            fetching: tokio::sync::Mutex::default(),
        }
    }
}

impl MediaState {
    fn cache_bytes(&self) -> u64 {
        self.limits.lock().expect("limits lock").0
    }

    fn auto_download_bytes(&self) -> u64 {
        self.limits.lock().expect("limits lock").1
    }
}

fn update(
    inner: &Inner,
    message_id: Option<&str>,
    media_id: &str,
    direction: Direction,
    done: u64,
    total: u64,
    state: TransferState,
) {
    let update = TransferUpdate {
        message_id: message_id.map(str::to_owned),
        media_id: media_id.to_owned(),
        direction,
        done,
        total,
        state,
    };
    let _ = inner.events.send(MessengerEvent::Transfer(update));
}

impl Messenger {
    /// Composes a message with these files (and a caption): prepared, shown at once as pending
    /// and queued; the files upload after the message went.
    pub async fn send_media(
        &self,
        chat_id: &str,
        sources: Vec<MediaSource>,
        caption: &str,
        reply_to: Option<String>,
    ) -> Result<LocalMessage> {
        let media_dir = self.inner.store.media_dir().to_owned();
        let prepared = tokio::task::spawn_blocking(move || {
            sources
                .iter()
                .map(|source| compose::prepare(&source.path, source.name.as_deref(), &media_dir))
                .collect::<Result<Vec<_>>>()
        })
        .await
        .map_err(|e| Error::Internal(format!("preparing the files stopped: {e}")))??;
        self.queue_prepared(chat_id, prepared, caption, reply_to).await
    }

    /// Sends a recorded voice message (its file is moved into the media folder).
    pub async fn send_voice(&self, chat_id: &str, note: crate::media::voice::VoiceNote) -> Result<LocalMessage> {
        let local_id = compose::local_media_id();
        let path = self.inner.store.media_dir().join(&local_id);
        if std::fs::rename(&note.path, &path).is_err() {
            std::fs::copy(&note.path, &path).map_err(|e| Error::Internal(format!("{}: {e}", note.path.display())))?;
            let _ = std::fs::remove_file(&note.path);
        }
        let size = std::fs::metadata(&path).map_err(|e| Error::Internal(e.to_string()))?.len();
        let attachment = gkchat_proto::media::Attachment {
            media_id: local_id.clone(),
            kind: gkchat_proto::media::AttachmentKind::Voice,
            mime: "audio/ogg".into(),
            size,
            name: None,
            width: None,
            height: None,
            duration_ms: Some(note.duration_ms),
            thumbhash: None,
            thumbs: vec![],
            waveform: note.waveform,
        };
        let prepared = compose::Prepared { attachment, uploads: vec![(local_id, path)] };
        self.queue_prepared(chat_id, vec![prepared], "", None).await
    }

    async fn queue_prepared(
        &self,
        chat_id: &str,
        prepared: Vec<compose::Prepared>,
        caption: &str,
        reply_to: Option<String>,
    ) -> Result<LocalMessage> {
        let mut files = Vec::new();
        let mut attachments = Vec::new();
        for item in prepared {
            for (local_id, path) in &item.uploads {
                let size = std::fs::metadata(path).map_err(|e| Error::Internal(e.to_string()))?.len();
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                files.push((local_id.clone(), name, size));
            }
            attachments.push(item.attachment);
        }
        let content = Content::Media { attachments, caption: caption.trim().to_owned() };
        self.queue_with_files(chat_id, content, reply_to, &files).await
    }

    /// Queues a message whose `files` (placeholder id, file in the media folder, size) upload
    /// after it goes.
    async fn queue_with_files(
        &self,
        chat_id: &str,
        content: Content,
        reply_to: Option<String>,
        files: &[(String, String, u64)],
    ) -> Result<LocalMessage> {
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let new = NewMessage {
            id: uuid::Uuid::now_v7().to_string(),
            chat_id: chat_id.to_owned(),
            content,
            reply_to,
            forwarded: false,
        };
        self.inner.store.add_transfers(&new.id, files).await?;
        self.enqueue(new).await
    }

    /// Fetches the preview of `url` (under the guard of `media::preview`); `None` when the page
    /// says nothing about itself.
    pub async fn link_preview(&self, url: &str) -> Result<Option<PreviewDraft>> {
        let policy = self.inner.media.preview_policy.lock().expect("policy lock").clone();
        let Some(page) = crate::media::preview::fetch(url, &policy).await? else { return Ok(None) };
        let mut image = None;
        if let Some(image_url) = &page.image_url {
            match crate::media::preview::fetch_image(image_url, &policy).await {
                Ok(bytes) => {
                    let dir = self.inner.store.media_dir().to_owned();
                    let made = tokio::task::spawn_blocking(move || compose::preview_picture(&bytes, &dir))
                        .await
                        .map_err(|e| Error::Internal(e.to_string()))??;
                    image = made.map(|(thumb, _)| thumb);
                }
                Err(err) => tracing::debug!(%err, "a preview's picture could not be fetched"),
            }
        }
        Ok(Some(PreviewDraft {
            url: page.url,
            title: page.title,
            description: page.description,
            site_name: page.site_name,
            image,
        }))
    }

    /// Composes a text with a link preview (made by [`Self::link_preview`]); its picture
    /// uploads like an attachment.
    pub async fn send_text_with_preview(
        &self,
        chat_id: &str,
        text: &str,
        reply_to: Option<String>,
        preview: PreviewDraft,
    ) -> Result<LocalMessage> {
        let mut files = Vec::new();
        if let Some(image) = &preview.image {
            let path = self.inner.store.media_dir().join(&image.media_id);
            let size = std::fs::metadata(&path).map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?.len();
            files.push((image.media_id.clone(), image.media_id.clone(), size));
        }
        let link = gkchat_proto::media::LinkPreview {
            url: preview.url,
            title: preview.title,
            description: preview.description,
            site_name: preview.site_name,
            image: preview.image,
        };
        let content = Content::Text { text: text.to_owned(), preview: Some(Box::new(link)), status: None };
        self.queue_with_files(chat_id, content, reply_to, &files).await
    }

    /// How link previews are fetched (tests let their own loopback server through).
    pub fn set_preview_policy(&self, policy: crate::media::preview::PreviewPolicy) {
        *self.inner.media.preview_policy.lock().expect("policy lock") = policy;
    }

    /// Gives up sending a message's files: unfinished uploads are cancelled; the message is taken
    /// back if it had not gone yet, else deleted for everyone.
    pub async fn cancel_media(&self, message_id: &str) -> Result<()> {
        let unfinished = self.inner.store.fail_transfers(message_id).await?;
        for transfer in &unfinished {
            if let Some(media_id) = &transfer.media_id
                && let Err(err) = self.inner.client.cancel_upload(media_id).await
            {
                tracing::debug!(%err, media_id, "cancelling an upload on the server failed");
            }
            let id = transfer.media_id.as_deref().unwrap_or(&transfer.local_id);
            update(
                &self.inner,
                Some(message_id),
                id,
                Direction::Up,
                transfer.done,
                transfer.size,
                TransferState::Failed,
            );
        }
        let Some(local) = self.inner.store.message(message_id).await? else { return Ok(()) };
        if self.inner.store.unqueue(message_id).await? {
            let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
            return Ok(());
        }
        if local.message.seq > 0 && local.message.deleted_at.is_none() && !unfinished.is_empty() {
            self.queue_change(&local.message.chat_id, message_id, &MessageAction::DeleteForEveryone).await?;
        }
        Ok(())
    }

    /// Takes a message back before it is sent (its uploads cancelled); false when it is on its
    /// way already.
    pub(super) async fn take_back(&self, message_id: &str) -> Result<bool> {
        if self.inner.store.transfers_of(message_id).await?.is_empty() {
            let taken = self.inner.store.unqueue(message_id).await?;
            if taken {
                let _ = self.inner.events.send(MessengerEvent::ChatsChanged);
            }
            return Ok(taken);
        }
        self.cancel_media(message_id).await?;
        Ok(self.inner.store.message(message_id).await?.is_none())
    }

    /// The file of a media on this device: from the cache, else downloaded now (resuming what a
    /// broken download left).
    pub async fn media_file(&self, media_id: &str) -> Result<PathBuf> {
        fetch(&self.inner, media_id).await
    }

    /// Deletes every downloaded media file (what I sent stays); answers the bytes freed.
    pub async fn clear_media_cache(&self) -> Result<u64> {
        self.inner.store.trim_cache(0).await
    }

    /// How much downloaded media is kept, and up to which size media download by themselves.
    pub fn set_media_limits(&self, cache_bytes: u64, auto_download_bytes: u64) {
        *self.inner.media.limits.lock().expect("limits lock") = (cache_bytes, auto_download_bytes);
    }

    /// Bytes of downloaded media kept now.
    pub async fn media_cache_bytes(&self) -> Result<u64> {
        self.inner.store.cache_bytes().await
    }
}

/// Reserves the media ids of a queued message's files (once): the message as it goes then.
/// On failure, the message as it was, with the error.
pub(super) async fn reserve(inner: &Inner, new: NewMessage) -> std::result::Result<NewMessage, (NewMessage, Error)> {
    let transfers = match inner.store.transfers_of(&new.id).await {
        Ok(transfers) => transfers,
        Err(err) => return Err((new, err)),
    };
    let unreserved: Vec<_> = transfers.into_iter().filter(|t| t.media_id.is_none()).collect();
    if unreserved.is_empty() {
        return Ok(new);
    }
    for transfer in &unreserved {
        let name = transfer.name.clone();
        let reserved = inner.client.create_upload(transfer.size, &[("filename", name.as_str())]).await;
        let media_id = match reserved {
            Ok(media_id) => media_id,
            Err(err) => return Err((new, err)),
        };
        if let Err(err) = inner.store.reserved(&transfer.local_id, &media_id).await {
            return Err((new, err));
        }
    }
    // The message on screen now names the real ids.
    if let Ok(Some(local)) = inner.store.message(&new.id).await {
        let _ = inner.events.send(MessengerEvent::Message { chat_id: new.chat_id.clone(), message: Box::new(local) });
    }
    match inner.store.queued(&new.id).await {
        Ok(Some(queued)) => Ok(queued),
        Ok(None) => {
            Err((new, Error::Invalid { code: ErrorCode::NotFound, message: "the message was cancelled".into() }))
        }
        Err(err) => Err((new, err)),
    }
}

/// The uploader: the reserved files of sent messages, one after the other, each from the
/// server's offset; on a failure that retrying may cure, it waits and tries again.
pub(super) async fn upload_files(inner: Arc<Inner>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let next = match inner.store.next_transfer().await {
            Ok(next) => next,
            Err(err) => {
                tracing::warn!(%err, "reading the transfers failed");
                None
            }
        };
        let Some(transfer) = next else {
            inner.uploads.notified().await;
            continue;
        };
        let media_id = transfer.media_id.clone().expect("only reserved transfers are next");
        let path = inner.store.media_dir().join(&transfer.name);
        let message_id = transfer.message_id.clone();
        let result = inner
            .client
            .upload_file(&media_id, &path, |progress| {
                update(
                    &inner,
                    Some(&message_id),
                    &media_id,
                    Direction::Up,
                    progress.done,
                    progress.total,
                    TransferState::Waiting,
                );
            })
            .await;
        let state = match result {
            Ok(()) => TransferState::Done,
            Err(err) if is_permanent(&err) => {
                tracing::info!(%err, media_id, "an upload was given up");
                TransferState::Failed
            }
            Err(err) => {
                tracing::debug!(%err, media_id, "an upload paused; trying again");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = inner.uploads.notified() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        let done = if state == TransferState::Done { transfer.size } else { transfer.done };
        if let Err(err) = inner.store.transfer_progress(&transfer.local_id, done, state).await {
            tracing::warn!(%err, "recording an upload failed");
        }
        update(&inner, Some(&message_id), &media_id, Direction::Up, done, transfer.size, state);
    }
}

/// Downloads `media_id` into the media folder unless it is there: its file. One download per
/// media at a time: a second asker waits for the first, then finds the file.
async fn fetch(inner: &Inner, media_id: &str) -> Result<PathBuf> {
    if !gkchat_proto::media::valid_media_id(media_id) {
        return Err(Error::Invalid {
            code: ErrorCode::UnknownMedia,
            message: format!("{media_id:?} is not a media id"),
        });
    }
    let lock = inner.media.fetching.lock().await.entry(media_id.to_owned()).or_default().clone();
    let fetched = {
        let _one_at_a_time = lock.lock().await;
        fetch_locked(inner, media_id).await
    };
    inner.media.fetching.lock().await.remove(media_id);
    fetched
}

async fn fetch_locked(inner: &Inner, media_id: &str) -> Result<PathBuf> {
    if let Some(path) = inner.store.cached(media_id).await? {
        return Ok(path);
    }
    let part = inner.store.media_dir().join(format!("{media_id}.part"));
    let length = inner
        .client
        .download_to(media_id, &part, |p| {
            update(inner, None, media_id, Direction::Down, p.done, p.total, TransferState::Waiting);
        })
        .await?;
    let path = inner.store.media_dir().join(media_id);
    std::fs::rename(&part, &path).map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?;
    inner.store.downloaded(media_id, media_id, length).await?;
    update(inner, None, media_id, Direction::Down, length, length, TransferState::Done);
    let freed = inner.store.trim_cache(inner.media.cache_bytes()).await?;
    if freed > 0 {
        tracing::debug!(freed, "the media cache let old files go");
    }
    Ok(path)
}

/// Starts downloading, in the background, what of a message's media comes by itself:
/// thumbnails, posters and link-preview images always, files up to the automatic size.
pub(super) fn fetch_automatically(inner: &Arc<Inner>, message: &Message) {
    if message.gone_at(inner.clock.now_ms()) {
        return;
    }
    let limit = inner.media.auto_download_bytes();
    let wanted: Vec<String> = match &message.content {
        Some(Content::Media { attachments, .. }) => attachments
            .iter()
            .flat_map(|a| {
                let whole = (a.size <= limit).then(|| a.media_id.clone());
                a.thumbs.iter().map(|t| t.media_id.clone()).chain(whole)
            })
            .collect(),
        Some(Content::Text { preview: Some(preview), .. }) => {
            preview.image.iter().map(|image| image.media_id.clone()).collect()
        }
        _ => Vec::new(),
    };
    for media_id in wanted {
        spawn_fetch(inner, media_id);
    }
}

/// A media became ready: fetch it if it is small enough to come by itself.
pub(super) fn on_ready(inner: &Arc<Inner>, info: &MediaInfo) {
    if info.state == ServerState::Ready && info.length <= inner.media.auto_download_bytes() {
        spawn_fetch(inner, info.media_id.clone());
    }
}

fn spawn_fetch(inner: &Arc<Inner>, media_id: String) {
    let inner = inner.clone();
    tokio::spawn(async move {
        match fetch(&inner, &media_id).await {
            Ok(_) => {}
            // Not uploaded yet: its `media` push brings it later.
            Err(Error::Api { error, .. }) if error.code == ErrorCode::MediaNotReady => {}
            Err(err) => tracing::debug!(%err, media_id, "an automatic download failed"),
        }
    });
}
