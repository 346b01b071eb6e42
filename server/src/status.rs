//! Status posts: the rules (who may post what, who sees it, who viewed it, who is named) and
//! the pushes that keep every device's Status tab live. The tables are `db::status`'s; the
//! time is the configuration's clock (tests move it); expired posts go with [`sweep`].

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use gkchat_proto::status::{
    NewStatus, STATUS_LIFETIME_MS, STATUS_LIST_MAX, STATUS_LIVE_MAX, StatusAudience, StatusEvent, StatusFeed,
    StatusOwner, StatusPost, StatusPrefs, StatusViewer, StatusViewers,
};
use gkchat_proto::{ErrorCode, ServerFrame};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::db::status::{self as rows, PostRow};
use crate::db::{accounts, chats};
use crate::error::{Error, Result};
use crate::hub::encode;
use crate::{AppState, media};

fn now(state: &AppState) -> i64 {
    state.config.clock.now_ms()
}

fn bad(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::api(StatusCode::BAD_REQUEST, code, message)
}

fn no_such_post() -> Error {
    Error::not_found("no such status post")
}

fn push(state: &AppState, users: &[String], event: StatusEvent) {
    let frame = encode(&ServerFrame::Status(event));
    state.hub.push_to_users(users.iter().map(String::as_str), &frame);
}

/// A stored post as `viewer_id` sees it.
fn view_of(row: &PostRow, seen: bool, my_reaction: Option<String>, view_count: Option<u32>) -> Result<StatusPost> {
    let content = serde_json::from_str(&row.content)
        .map_err(|e| Error::Internal(format!("stored status {} unreadable: {e}", row.id)))?;
    Ok(StatusPost {
        id: row.id.clone(),
        owner_id: row.owner_id.clone(),
        content,
        posted_at: row.posted_at,
        expires_at: row.expires_at,
        seen,
        my_reaction,
        view_count,
    })
}

/// Posts a status for `owner_id` to the audience their setting gives now (fixed for this post).
/// Posting the same id again answers the post as it is.
pub async fn post(state: &AppState, owner_id: &str, new: NewStatus) -> Result<StatusPost> {
    let now = now(state);
    let id_ok =
        !new.id.is_empty() && new.id.len() <= 64 && new.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !id_ok {
        return Err(bad(ErrorCode::BadRequest, "a post's id is a UUID"));
    }
    if let Some(row) = rows::get(&state.db, &new.id).await? {
        if row.owner_id != owner_id || row.expires_at <= now {
            return Err(bad(ErrorCode::BadRequest, "that id is taken"));
        }
        let count = rows::view_counts(&state.db, std::slice::from_ref(&row.id)).await?;
        return view_of(&row, true, None, Some(count.get(&row.id).copied().unwrap_or(0)));
    }
    new.content.check().map_err(Error::bad_request)?;
    let media_ids = new.content.media_ids();
    media::check_attachable(&state.db, owner_id, &media_ids).await?;
    if rows::live_count(&state.db, owner_id, now).await? >= STATUS_LIVE_MAX {
        return Err(Error::api(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("at most {STATUS_LIVE_MAX} posts at a time"),
        ));
    }
    let row = PostRow {
        id: new.id.clone(),
        owner_id: owner_id.to_owned(),
        content: serde_json::to_string(&new.content).map_err(|e| Error::Internal(e.to_string()))?,
        posted_at: now,
        expires_at: now + STATUS_LIFETIME_MS,
    };
    // Read before the transaction: on SQLite, one that reads first and then writes cannot wait
    // for another writer (it fails busy at once).
    let audience = rows::audience_now(&state.db, owner_id).await?;
    let txn = state.db.begin().await?;
    if !rows::insert(&txn, &row, &audience, &media_ids).await? {
        // The same post sent twice at once: the first one stands.
        txn.rollback().await?;
        return match rows::get(&state.db, &new.id).await? {
            Some(row) if row.owner_id == owner_id => view_of(&row, true, None, Some(0)),
            _ => Err(bad(ErrorCode::BadRequest, "that id is taken")),
        };
    }
    txn.commit().await?;
    let theirs = view_of(&row, false, None, None)?;
    push(state, &audience, StatusEvent::Posted { post: theirs });
    let mine = view_of(&row, true, None, Some(0))?;
    push(state, &[owner_id.to_owned()], StatusEvent::Posted { post: mine.clone() });
    Ok(mine)
}

/// My live posts, and those of everyone whose audience I am in (unseen owners first is the
/// client's call), with how I follow each.
pub async fn feed(state: &AppState, user_id: &str) -> Result<StatusFeed> {
    let now = now(state);
    let mine_rows = rows::mine(&state.db, user_id, now).await?;
    let ids: Vec<String> = mine_rows.iter().map(|r| r.id.clone()).collect();
    let counts = rows::view_counts(&state.db, &ids).await?;
    let mine = mine_rows
        .iter()
        .map(|row| view_of(row, true, None, Some(counts.get(&row.id).copied().unwrap_or(0))))
        .collect::<Result<Vec<_>>>()?;
    let theirs = rows::seen_by(&state.db, user_id, now).await?;
    let owner_ids: Vec<String> =
        theirs.iter().map(|(r, ..)| r.owner_id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut people = chats::people_seen_by(&state.db, &owner_ids, user_id).await?;
    let prefs = rows::prefs(&state.db, user_id).await?;
    let mut by_owner: HashMap<String, Vec<StatusPost>> = HashMap::new();
    for (row, seen, reaction) in theirs {
        let post = view_of(&row, seen, reaction, None)?;
        by_owner.entry(row.owner_id).or_default().push(post);
    }
    let mut others: Vec<StatusOwner> = by_owner
        .into_iter()
        .filter_map(|(owner_id, posts)| {
            let owner = people.remove(&owner_id)?;
            Some(StatusOwner { owner, posts, prefs: prefs.get(&owner_id).copied().unwrap_or_default() })
        })
        .collect();
    others.sort_by_key(|o| std::cmp::Reverse(o.posts.last().map_or(0, |p| p.posted_at)));
    Ok(StatusFeed { mine, others })
}

/// Takes my post down before its time.
pub async fn delete(state: &AppState, user_id: &str, post_id: &str) -> Result<()> {
    let row = rows::visible(&state.db, post_id, user_id, now(state)).await?.filter(|r| r.owner_id == user_id);
    let row = row.ok_or_else(no_such_post)?;
    let audience = rows::audience_of(&state.db, &row.id).await?;
    let txn = state.db.begin().await?;
    rows::delete(&txn, std::slice::from_ref(&row.id)).await?;
    txn.commit().await?;
    let mut told = audience;
    told.push(user_id.to_owned());
    push(state, &told, StatusEvent::Removed { owner_id: row.owner_id, post_id: row.id });
    Ok(())
}

/// Whether `user_id` shares read receipts (a viewer who does not is counted, not named).
async fn shares_receipts(db: &impl ConnectionTrait, user_id: &str) -> Result<bool> {
    Ok(accounts::get(db, user_id).await?.is_some_and(|user| accounts::privacy(&user).read_receipts))
}

/// I viewed someone's post (the first time counts): its owner learns it, named if I share read
/// receipts; my other devices mark it seen.
pub async fn view(state: &AppState, user_id: &str, post_id: &str) -> Result<()> {
    let now = now(state);
    let row = rows::visible(&state.db, post_id, user_id, now).await?.ok_or_else(no_such_post)?;
    if row.owner_id == user_id || !rows::view(&state.db, post_id, user_id, now).await? {
        return Ok(());
    }
    // Named only when both share read receipts (an owner who hides theirs sees counts only).
    let both = shares_receipts(&state.db, user_id).await? && shares_receipts(&state.db, &row.owner_id).await?;
    let named = both.then(|| user_id.to_owned());
    let (owner_id, post_id) = (row.owner_id.clone(), row.id.clone());
    let to_owner =
        StatusEvent::Viewed { post_id: post_id.clone(), owner_id: owner_id.clone(), viewer_id: named, viewed_at: now };
    push(state, std::slice::from_ref(&owner_id), to_owner);
    let to_me = StatusEvent::Viewed { post_id, owner_id, viewer_id: Some(user_id.to_owned()), viewed_at: now };
    push(state, &[user_id.to_owned()], to_me);
    Ok(())
}

/// A quick reaction to someone's post (viewing it too): only its owner learns it.
pub async fn react(state: &AppState, user_id: &str, post_id: &str, emoji: Option<String>) -> Result<()> {
    let now = now(state);
    let row = rows::visible(&state.db, post_id, user_id, now).await?.ok_or_else(no_such_post)?;
    if row.owner_id == user_id {
        return Err(bad(ErrorCode::BadRequest, "a reaction is to someone else's post"));
    }
    if let Some(emoji) = &emoji {
        crate::messaging::check_emoji(emoji)?;
    }
    rows::react(&state.db, post_id, user_id, emoji.as_deref(), now).await?;
    let event = StatusEvent::Reacted {
        post_id: row.id,
        owner_id: row.owner_id.clone(),
        viewer_id: user_id.to_owned(),
        reaction: emoji,
    };
    push(state, &[row.owner_id, user_id.to_owned()], event);
    Ok(())
}

/// Who viewed my post: all counted; named those who share read receipts or reacted — and none
/// while I do not share mine.
pub async fn viewers(state: &AppState, user_id: &str, post_id: &str) -> Result<StatusViewers> {
    let row = rows::visible(&state.db, post_id, user_id, now(state)).await?.filter(|r| r.owner_id == user_id);
    let row = row.ok_or_else(no_such_post)?;
    let views = rows::views(&state.db, &row.id).await?;
    let count = views.len() as u32;
    if !shares_receipts(&state.db, user_id).await? {
        return Ok(StatusViewers { post_id: row.id, count, viewers: Vec::new(), hidden: true });
    }
    let viewers = views
        .into_iter()
        .filter(|view| view.shares_receipts || view.reaction.is_some())
        .map(|view| StatusViewer { user_id: view.viewer_id, viewed_at: view.viewed_at, reaction: view.reaction })
        .collect();
    Ok(StatusViewers { post_id: row.id, count, viewers, hidden: false })
}

/// How I follow `owner_id`'s status, on all my devices.
pub async fn set_prefs(state: &AppState, user_id: &str, owner_id: &str, prefs: StatusPrefs) -> Result<()> {
    if owner_id == user_id || accounts::get(&state.db, owner_id).await?.is_none() {
        return Err(Error::not_found("no such person"));
    }
    rows::set_prefs(&state.db, user_id, owner_id, prefs).await?;
    push(state, &[user_id.to_owned()], StatusEvent::Prefs { owner_id: owner_id.to_owned(), prefs });
    Ok(())
}

pub async fn audience(state: &AppState, user_id: &str) -> Result<StatusAudience> {
    rows::audience_setting(&state.db, user_id).await
}

/// Who sees my next posts (earlier posts keep theirs).
pub async fn set_audience(state: &AppState, user_id: &str, audience: StatusAudience) -> Result<StatusAudience> {
    if audience.except.len() > STATUS_LIST_MAX || audience.only.len() > STATUS_LIST_MAX {
        return Err(bad(ErrorCode::BadRequest, format!("a list holds at most {STATUS_LIST_MAX} people")));
    }
    let well_formed = |id: &String| !id.is_empty() && id.len() <= 64 && id != user_id;
    if !audience.except.iter().chain(&audience.only).all(well_formed) {
        return Err(bad(ErrorCode::BadRequest, "a list names other people by id"));
    }
    let txn = state.db.begin().await?;
    rows::set_audience_setting(&txn, user_id, &audience).await?;
    txn.commit().await?;
    rows::audience_setting(&state.db, user_id).await
}

/// Someone blocked someone: both read their feeds again (a block hides posts at once).
pub fn blocks_changed(state: &AppState, a: &str, b: &str) {
    push(state, &[a.to_owned(), b.to_owned()], StatusEvent::Refresh);
}

/// Deletes expired posts (their views, reactions, audience and media links; their blobs go with
/// the media sweep once nothing else uses them), as of `now_ms`. Returns how many went.
pub async fn sweep(db: &(impl ConnectionTrait + TransactionTrait), now_ms: i64) -> Result<usize> {
    let mut swept = 0;
    loop {
        let expired = rows::expired(db, now_ms, 200).await?;
        if expired.is_empty() {
            return Ok(swept);
        }
        let txn = db.begin().await?;
        rows::delete(&txn, &expired).await?;
        txn.commit().await?;
        swept += expired.len();
    }
}
