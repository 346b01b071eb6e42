//! Status from this device: the feed (as cached here, read again from the server off the push
//! loop on every `status` push and after a catch-up — never a post whose time is up), posting
//! words or a picture / video (prepared like an attachment, uploaded, then posted), viewing,
//! reacting, replying into our direct chat with a quote, the viewers of my posts, how I follow
//! someone, and who sees my next posts.

use std::sync::Arc;

use gkchat_proto::chat::{Content, NewMessage};
use gkchat_proto::status::{
    NewStatus, StatusAudience, StatusContent, StatusEvent, StatusFeed, StatusFont, StatusPost, StatusPrefs,
    StatusQuote, StatusViewers,
};
use tokio::sync::Notify;

use super::{Inner, MediaSource, Messenger, MessengerEvent};
use crate::media::compose;
use crate::store::LocalMessage;
use crate::{Error, Result};

/// Reads the server's feed into the cache (a failure leaves the cache as it was); true when it
/// differs from the last one read. One read at a time, so an older answer never overwrites a
/// newer one.
pub(super) async fn refresh(inner: &Inner) -> Result<bool> {
    let mut last = inner.status.last.lock().await;
    let feed = inner.client.status_feed().await?;
    inner.store.save_status_feed(&feed).await?;
    let changed = last.as_ref() != Some(&feed);
    *last = Some(feed);
    // Its expiries may be sooner than the timers' next.
    inner.reminders.notify_one();
    Ok(changed)
}

fn offline(err: &Error) -> bool {
    matches!(err, Error::Unreachable(_) | Error::Disconnected)
}

/// The status side of a messenger: pushes wait here for the feed to be read again.
#[derive(Default)]
pub(super) struct StatusState {
    /// Wakes [`keep_fresh`].
    wake: Notify,
    /// Pushes told to the app once the feed has been read again.
    pending: std::sync::Mutex<Vec<StatusEvent>>,
    /// The feed last read (and the one read at a time).
    last: tokio::sync::Mutex<Option<StatusFeed>>,
}

impl StatusState {
    /// Asks for the feed to be read again soon (by [`keep_fresh`], off the push loop).
    pub(super) fn stale(&self) {
        self.wake.notify_one();
    }
}

/// Reads the feed again whenever asked (a burst of asks reads it once more), then tells the app
/// the pushes that asked — or, when nothing did but the feed changed, that it should look again.
pub(super) async fn keep_fresh(inner: Arc<Inner>) {
    loop {
        inner.status.wake.notified().await;
        let changed = match refresh(&inner).await {
            Ok(changed) => changed,
            Err(err) => {
                tracing::debug!(%err, "status feed not refreshed");
                false
            }
        };
        let pending = std::mem::take(&mut *inner.status.pending.lock().expect("status pushes lock"));
        let told = !pending.is_empty();
        for event in pending {
            let _ = inner.events.send(MessengerEvent::Status { status: Box::new(event) });
        }
        if changed && !told {
            let _ = inner.events.send(MessengerEvent::Status { status: Box::new(StatusEvent::Refresh) });
        }
    }
}

impl Messenger {
    /// My live posts and those I may see, as this device has them (at once, also offline);
    /// the server is asked meanwhile, and a `status` event follows if it knew more. Expired
    /// posts are never in it (by this messenger's clock).
    pub async fn status_feed(&self) -> Result<StatusFeed> {
        self.inner.status.stale();
        self.inner.store.status_feed(self.inner.clock.now_ms()).await
    }

    /// The feed read from the server now (the cache when it cannot be reached).
    pub async fn refresh_status(&self) -> Result<StatusFeed> {
        match refresh(&self.inner).await {
            Ok(_) => {}
            Err(err) if offline(&err) => {}
            Err(err) => return Err(err),
        }
        self.inner.store.status_feed(self.inner.clock.now_ms()).await
    }

    /// Posts words on a background colour.
    pub async fn post_text_status(&self, text: &str, background: &str, font: StatusFont) -> Result<StatusPost> {
        let content = StatusContent::Text { text: text.to_owned(), background: background.to_owned(), font };
        self.post_status(content).await
    }

    /// Posts a picture or a video (prepared as an attachment is: metadata stripped, thumbnails,
    /// placeholder; uploaded whole first) with a caption.
    pub async fn post_media_status(&self, source: MediaSource, caption: &str) -> Result<StatusPost> {
        let media_dir = self.inner.store.media_dir().to_owned();
        let prepared =
            tokio::task::spawn_blocking(move || compose::prepare(&source.path, source.name.as_deref(), &media_dir))
                .await
                .map_err(|e| Error::Internal(format!("preparing the file stopped: {e}")))??;
        let attachment = prepared.attachment.clone();
        let content = StatusContent::Media { attachment: Box::new(attachment), caption: caption.to_owned() };
        // Checked before any byte goes (a document is no status).
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let attachment = self.upload_whole(prepared, "status").await?;
        self.post_status(StatusContent::Media { attachment: Box::new(attachment), caption: caption.to_owned() }).await
    }

    /// Uploads a prepared file whole (and its thumbnails) now; the attachment naming the
    /// uploaded media.
    async fn upload_whole(
        &self,
        prepared: compose::Prepared,
        purpose: &str,
    ) -> Result<gkchat_proto::media::Attachment> {
        let mut attachment = prepared.attachment;
        for (local_id, path) in &prepared.uploads {
            let size = std::fs::metadata(path).map_err(|e| Error::Internal(format!("{}: {e}", path.display())))?.len();
            let media_id = self.inner.client.create_upload(size, &[("filename", purpose)]).await?;
            self.inner.client.upload_file(&media_id, path, |_| {}).await?;
            self.inner.store.cache_own(&media_id, local_id, size).await?;
            if attachment.media_id == *local_id {
                attachment.media_id.clone_from(&media_id);
            }
            for thumb in &mut attachment.thumbs {
                if thumb.media_id == *local_id {
                    thumb.media_id.clone_from(&media_id);
                }
            }
        }
        Ok(attachment)
    }

    /// Uploads a picture to use as a background (prepared as an attachment is: upright, its
    /// metadata stripped); its media id.
    pub async fn upload_background(&self, source: MediaSource) -> Result<String> {
        let media_dir = self.inner.store.media_dir().to_owned();
        let prepared =
            tokio::task::spawn_blocking(move || compose::prepare(&source.path, source.name.as_deref(), &media_dir))
                .await
                .map_err(|e| Error::Internal(format!("preparing the file stopped: {e}")))??;
        if prepared.attachment.kind != gkchat_proto::media::AttachmentKind::Image {
            return Err(Error::Invalid {
                code: gkchat_proto::ErrorCode::BadRequest,
                message: "a background is a picture".into(),
            });
        }
        Ok(self.upload_whole(prepared, "background").await?.media_id)
    }

    async fn post_status(&self, content: StatusContent) -> Result<StatusPost> {
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let new = NewStatus { id: uuid::Uuid::now_v7().to_string(), content };
        let post = self.inner.client.post_status(&new).await?;
        let _ = refresh(&self.inner).await;
        Ok(post)
    }

    /// Takes my post down before its time (on every device that sees it).
    pub async fn delete_status(&self, post_id: &str) -> Result<()> {
        self.inner.client.delete_status(post_id).await?;
        let _ = refresh(&self.inner).await;
        Ok(())
    }

    /// I looked at someone's post: seen on all my devices, and its owner learns it (by name if I
    /// share read receipts).
    pub async fn view_status(&self, post_id: &str) -> Result<()> {
        self.inner.client.view_status(post_id).await
    }

    /// A quick reaction to someone's post, for its owner only (`None` takes it back).
    pub async fn react_to_status(&self, post_id: &str, emoji: Option<String>) -> Result<()> {
        self.inner.client.react_to_status(post_id, emoji).await
    }

    /// Who viewed my post, and when.
    pub async fn status_viewers(&self, post_id: &str) -> Result<StatusViewers> {
        self.inner.client.status_viewers(post_id).await
    }

    /// Mutes someone's status or asks for a notification of each new post.
    pub async fn set_status_prefs(&self, owner_id: &str, prefs: StatusPrefs) -> Result<()> {
        self.inner.client.set_status_prefs(owner_id, prefs).await?;
        let _ = refresh(&self.inner).await;
        Ok(())
    }

    pub async fn status_audience(&self) -> Result<StatusAudience> {
        self.inner.client.status_audience().await
    }

    /// Who sees my next posts (earlier posts keep theirs).
    pub async fn set_status_audience(&self, audience: &StatusAudience) -> Result<StatusAudience> {
        self.inner.client.set_status_audience(audience).await
    }

    /// Answers someone's post in our direct chat, quoting it (the quote stays after the post is
    /// gone).
    pub async fn reply_to_status(&self, post_id: &str, text: &str) -> Result<LocalMessage> {
        let now = self.inner.clock.now_ms();
        let post = self.inner.store.status_post(post_id, now).await?.ok_or_else(|| Error::Invalid {
            code: gkchat_proto::ErrorCode::NotFound,
            message: "that post is gone".into(),
        })?;
        let content =
            Content::Text { text: text.to_owned(), preview: None, status: Some(Box::new(StatusQuote::of(&post))) };
        content.check().map_err(|(code, message)| Error::Invalid { code, message })?;
        let chat_id = self.open_direct(&post.owner_id).await?;
        self.enqueue(NewMessage {
            id: uuid::Uuid::now_v7().to_string(),
            chat_id,
            content,
            reply_to: None,
            forwarded: false,
        })
        .await
    }
}

/// A status push: the feed is read again (off the push loop), then the app told.
pub(super) fn on_push(inner: &Inner, event: StatusEvent) {
    inner.status.pending.lock().expect("status pushes lock").push(event);
    inner.status.stale();
}
