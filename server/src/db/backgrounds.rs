//! Service functions over `backgrounds`: a user's background for a chat, their default (chat
//! id empty), a group's for everyone (user id empty), each with the media a picture shows.

use std::collections::HashMap;

use gkchat_proto::appearance::Background;
use sea_orm::{ConnectionTrait, Value};

use super::{all, run};
use crate::error::{Error, Result};

/// Whose background: a user's (for a chat, or their default), or a group's for everyone.
pub enum Owner<'a> {
    Mine { user_id: &'a str, chat_id: Option<&'a str> },
    Group(&'a str),
}

impl Owner<'_> {
    fn key(&self) -> (String, String) {
        match self {
            Self::Mine { user_id, chat_id } => ((*user_id).to_owned(), chat_id.unwrap_or_default().to_owned()),
            Self::Group(chat_id) => (String::new(), (*chat_id).to_owned()),
        }
    }
}

/// Sets (or with `None` removes) a background, in one statement.
pub async fn set(db: &impl ConnectionTrait, owner: Owner<'_>, background: Option<&Background>) -> Result<()> {
    let (user_id, chat_id) = owner.key();
    let Some(background) = background else {
        run(db, "DELETE FROM backgrounds WHERE user_id = ? AND chat_id = ?", vec![user_id.into(), chat_id.into()])
            .await?;
        return Ok(());
    };
    let data = serde_json::to_string(background).map_err(|e| Error::Internal(e.to_string()))?;
    let media: Value = background.media_id().map(str::to_owned).into();
    run(
        db,
        "INSERT INTO backgrounds (user_id, chat_id, data, media_id) VALUES (?, ?, ?, ?) \
         ON CONFLICT (user_id, chat_id) DO UPDATE SET data = excluded.data, media_id = excluded.media_id",
        vec![user_id.into(), chat_id.into(), data.into(), media],
    )
    .await?;
    // A picture lives as long as a background shows it (see `db::media::unused`).
    if let Some(media_id) = background.media_id() {
        run(db, "UPDATE media SET used = ? WHERE id = ?", vec![true.into(), media_id.into()]).await?;
    }
    Ok(())
}

/// Per chat of `chat_ids`: `user_id`'s background and the group's for everyone.
pub async fn of_chats(
    db: &impl ConnectionTrait,
    user_id: &str,
    chat_ids: &[String],
) -> Result<HashMap<String, (Option<Background>, Option<Background>)>> {
    let mut found: HashMap<String, (Option<Background>, Option<Background>)> = HashMap::new();
    if chat_ids.is_empty() {
        return Ok(found);
    }
    let marks = vec!["?"; chat_ids.len()].join(", ");
    let mut values: Vec<Value> = vec![user_id.into()];
    values.extend(chat_ids.iter().map(|id| Value::from(id.clone())));
    let rows = all(
        db,
        &format!("SELECT user_id, chat_id, data FROM backgrounds WHERE user_id IN (?, '') AND chat_id IN ({marks})"),
        values,
    )
    .await?;
    for row in rows {
        let (owner, chat_id, data): (String, String, String) =
            (row.try_get("", "user_id")?, row.try_get("", "chat_id")?, row.try_get("", "data")?);
        let background: Background =
            serde_json::from_str(&data).map_err(|e| Error::Internal(format!("stored background unreadable: {e}")))?;
        let entry = found.entry(chat_id).or_default();
        if owner.is_empty() {
            entry.1 = Some(background);
        } else {
            entry.0 = Some(background);
        }
    }
    Ok(found)
}

/// Forgets every background of `user_id` (their account went).
pub async fn forget_user(db: &impl ConnectionTrait, user_id: &str) -> Result<()> {
    run(db, "DELETE FROM backgrounds WHERE user_id = ?", vec![user_id.into()]).await?;
    Ok(())
}

/// Whether a background shows `media_id` to `reader`: their own, or their group's for everyone
/// while they are in it.
pub async fn shows(db: &impl ConnectionTrait, media_id: &str, reader: &str) -> Result<bool> {
    let rows = all(
        db,
        "SELECT 1 FROM backgrounds b WHERE b.media_id = ? AND (b.user_id = ? OR (b.user_id = '' AND EXISTS \
         (SELECT 1 FROM chat_members cm WHERE cm.chat_id = b.chat_id AND cm.user_id = ? AND cm.left_seq IS NULL))) \
         LIMIT 1",
        vec![media_id.into(), reader.into(), reader.into()],
    )
    .await?;
    Ok(!rows.is_empty())
}
