//! The status feed as this device last had it: every live post (mine and others') with its
//! owner, so the Status tab shows offline — and never a post whose time is up (every read
//! filters on `expires_at`; [`Store::drop_expired_status`] deletes them and their cached media).

use std::collections::BTreeMap;

use gkchat_proto::status::{StatusFeed, StatusOwner, StatusPost};
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::{Store, get, json, parse, statement};
use crate::Result;

impl Store {
    /// Replaces the cached feed with the server's; the cached media of posts no longer in it go.
    pub async fn save_status_feed(&self, feed: &StatusFeed) -> Result<()> {
        let kept: std::collections::HashSet<&str> = feed
            .mine
            .iter()
            .chain(feed.others.iter().flat_map(|owner| &owner.posts))
            .flat_map(|post| post.content.media_ids())
            .collect();
        let before = self.db.query_all(statement("SELECT data FROM status_posts", [])).await?;
        for row in &before {
            let post: StatusPost = parse(&get::<String>(row, "data")?)?;
            for media_id in post.content.media_ids() {
                if !kept.contains(media_id) {
                    self.forget_media(media_id).await?;
                }
            }
        }
        let txn = self.db.begin().await?;
        txn.execute(statement("DELETE FROM status_posts", [])).await?;
        txn.execute(statement("DELETE FROM status_owners", [])).await?;
        let mut all: Vec<(&StatusPost, Option<&StatusOwner>)> = feed.mine.iter().map(|post| (post, None)).collect();
        for owner in &feed.others {
            all.extend(owner.posts.iter().map(|post| (post, Some(owner))));
        }
        for (post, owner) in all {
            txn.execute(statement(
                "INSERT OR REPLACE INTO status_posts (id, owner_id, posted_at, expires_at, data) VALUES (?, ?, ?, ?, ?)",
                [
                    post.id.clone().into(),
                    post.owner_id.clone().into(),
                    post.posted_at.into(),
                    post.expires_at.into(),
                    json(post)?.into(),
                ],
            ))
            .await?;
            if let Some(owner) = owner {
                let bare = StatusOwner { posts: Vec::new(), ..owner.clone() };
                txn.execute(statement(
                    "INSERT OR REPLACE INTO status_owners (owner_id, data) VALUES (?, ?)",
                    [owner.owner.user_id.clone().into(), json(&bare)?.into()],
                ))
                .await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// The cached feed as of `now`: live posts only, newest owner first.
    pub async fn status_feed(&self, now: i64) -> Result<StatusFeed> {
        let rows = self
            .db
            .query_all(statement(
                "SELECT owner_id, data FROM status_posts WHERE expires_at > ? ORDER BY posted_at, id",
                [now.into()],
            ))
            .await?;
        let mut feed = StatusFeed::default();
        let mut by_owner: BTreeMap<String, Vec<StatusPost>> = BTreeMap::new();
        for row in rows {
            let post: StatusPost = parse(&get::<String>(&row, "data")?)?;
            if post.owner_id == self.user_id {
                feed.mine.push(post);
            } else {
                by_owner.entry(post.owner_id.clone()).or_default().push(post);
            }
        }
        for (owner_id, posts) in by_owner {
            let row = self
                .db
                .query_one(statement("SELECT data FROM status_owners WHERE owner_id = ?", [owner_id.into()]))
                .await?;
            let Some(row) = row else { continue };
            let owner: StatusOwner = parse(&get::<String>(&row, "data")?)?;
            feed.others.push(StatusOwner { posts, ..owner });
        }
        feed.others.sort_by_key(|o| std::cmp::Reverse(o.posts.last().map_or(0, |p| p.posted_at)));
        Ok(feed)
    }

    /// A live post in the cache.
    pub async fn status_post(&self, post_id: &str, now: i64) -> Result<Option<StatusPost>> {
        let row = self
            .db
            .query_one(statement(
                "SELECT data FROM status_posts WHERE id = ? AND expires_at > ?",
                [post_id.into(), now.into()],
            ))
            .await?;
        row.map(|row| parse(&get::<String>(&row, "data")?)).transpose()
    }

    /// When the next cached post expires.
    pub async fn next_status_expiry(&self) -> Result<Option<i64>> {
        let row = self.db.query_one(statement("SELECT MIN(expires_at) AS at FROM status_posts", [])).await?;
        Ok(row.and_then(|row| get::<Option<i64>>(&row, "at").ok().flatten()))
    }

    /// Deletes the posts expired at `now` and the media files they used; true when any went.
    pub async fn drop_expired_status(&self, now: i64) -> Result<bool> {
        let rows =
            self.db.query_all(statement("SELECT data FROM status_posts WHERE expires_at <= ?", [now.into()])).await?;
        if rows.is_empty() {
            return Ok(false);
        }
        for row in &rows {
            let post: StatusPost = parse(&get::<String>(row, "data")?)?;
            for media_id in post.content.media_ids() {
                self.forget_media(media_id).await?;
            }
        }
        self.db.execute(statement("DELETE FROM status_posts WHERE expires_at <= ?", [now.into()])).await?;
        self.db
            .execute(statement(
                "DELETE FROM status_owners WHERE owner_id NOT IN (SELECT owner_id FROM status_posts)",
                [],
            ))
            .await?;
        Ok(true)
    }

    /// Takes a media out of the cache, its file with it.
    pub async fn forget_media(&self, media_id: &str) -> Result<()> {
        let row =
            self.db.query_one(statement("SELECT file FROM media_cache WHERE media_id = ?", [media_id.into()])).await?;
        if let Some(row) = row {
            let _ = std::fs::remove_file(self.media_dir.join(get::<String>(&row, "file")?));
        }
        self.db.execute(statement("DELETE FROM media_cache WHERE media_id = ?", [media_id.into()])).await?;
        Ok(())
    }

    /// A file of mine (`file` in the media folder) now uploaded as `media_id`: never downloaded.
    pub async fn cache_own(&self, media_id: &str, file: &str, size: u64) -> Result<()> {
        super::media::cache_own(&self.db, media_id, file, size).await
    }
}
