//! Service functions over `contacts`, and how another user looks to me under their privacy
//! settings.

use std::collections::HashSet;

use gkchat_proto::account::{Contact, Presence, Visibility};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::accounts;
use super::entity::{contacts, users};
use crate::error::Result;

/// Adds `contact` to `owner_id`'s contacts (again is fine) and returns when it was added.
pub async fn add(db: &impl ConnectionTrait, owner_id: &str, contact: &users::Model, now_ms: i64) -> Result<i64> {
    let row = contacts::ActiveModel {
        owner_id: Set(owner_id.to_owned()),
        contact_id: Set(contact.id.clone()),
        created_at: Set(now_ms),
    };
    contacts::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([contacts::Column::OwnerId, contacts::Column::ContactId]).do_nothing().to_owned(),
        )
        .do_nothing()
        .exec(db)
        .await?;
    let stored = contacts::Entity::find_by_id((owner_id.to_owned(), contact.id.clone()))
        .one(db)
        .await?
        .expect("the contact row exists after insert-if-absent");
    Ok(stored.created_at)
}

/// False when there was no such contact.
pub async fn remove(db: &impl ConnectionTrait, owner_id: &str, contact_id: &str) -> Result<bool> {
    let result = contacts::Entity::delete_by_id((owner_id.to_owned(), contact_id.to_owned())).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// `owner_id`'s contacts as `owner_id` may see them, by display name; `is_online` tells who is
/// connected now.
pub async fn list(db: &impl ConnectionTrait, owner_id: &str, is_online: impl Fn(&str) -> bool) -> Result<Vec<Contact>> {
    let rows = contacts::Entity::find()
        .filter(contacts::Column::OwnerId.eq(owner_id))
        .find_also_related(users::Entity)
        .all(db)
        .await?;
    let ids: Vec<String> = rows.iter().map(|(row, _)| row.contact_id.clone()).collect();
    let have_me = owners_having(db, &ids, owner_id).await?;
    let blocked_me = super::blocks::blockers_of(db, &ids, owner_id).await?;
    let holding = crate::requests::unaccepted(db, owner_id, &ids, false).await?;
    let mut list: Vec<Contact> = rows
        .into_iter()
        .filter_map(|(row, user)| {
            let user = user.filter(|u| u.deleted_at.is_none())?;
            let relation = Relation {
                in_their_contacts: have_me.contains(&user.id),
                blocked_by_them: blocked_me.contains(&user.id),
                holds_their_request: holding.contains(&user.id),
            };
            let online = is_online(&user.id);
            Some(as_seen_by(&user, relation, online, row.created_at))
        })
        .collect();
    list.sort_by_key(|c| c.display_name.to_lowercase());
    Ok(list)
}

/// Everyone who has `contact_id` in their contacts.
pub async fn owners_of(db: &impl ConnectionTrait, contact_id: &str) -> Result<Vec<String>> {
    let rows = contacts::Entity::find().filter(contacts::Column::ContactId.eq(contact_id)).all(db).await?;
    Ok(rows.into_iter().map(|row| row.owner_id).collect())
}

/// Which of `others` are in `owner_id`'s contacts.
pub async fn owned_among(db: &impl ConnectionTrait, owner_id: &str, others: &[String]) -> Result<HashSet<String>> {
    if others.is_empty() {
        return Ok(HashSet::new());
    }
    let rows = contacts::Entity::find()
        .filter(contacts::Column::OwnerId.eq(owner_id))
        .filter(contacts::Column::ContactId.is_in(others.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.contact_id).collect())
}

/// Which of `owners` have `contact_id` in their contacts.
pub async fn owners_having(db: &impl ConnectionTrait, owners: &[String], contact_id: &str) -> Result<HashSet<String>> {
    if owners.is_empty() {
        return Ok(HashSet::new());
    }
    let rows = contacts::Entity::find()
        .filter(contacts::Column::ContactId.eq(contact_id))
        .filter(contacts::Column::OwnerId.is_in(owners.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.owner_id).collect())
}

/// How a viewed user stands towards the viewer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relation {
    /// The viewed user has the viewer as a contact (what "my contacts" visibility means).
    pub in_their_contacts: bool,
    /// The viewed user blocked the viewer: they see nothing personal.
    pub blocked_by_them: bool,
    /// The viewed user has not accepted the viewer's message request: the viewer sees no
    /// presence of them.
    pub holds_their_request: bool,
}

impl Relation {
    pub async fn between(db: &impl ConnectionTrait, viewed_id: &str, viewer_id: &str) -> Result<Self> {
        let viewed = [viewed_id.to_owned()];
        Ok(Self {
            in_their_contacts: !owners_having(db, &viewed, viewer_id).await?.is_empty(),
            blocked_by_them: super::blocks::has_blocked(db, viewed_id, viewer_id).await?,
            holds_their_request: !crate::requests::unaccepted(db, viewed_id, &[viewer_id.to_owned()], true)
                .await?
                .is_empty(),
        })
    }
}

impl Relation {
    /// Whether something the viewed user shows to `visibility` reaches the viewer.
    pub fn sees(self, visibility: Visibility) -> bool {
        !self.blocked_by_them
            && match visibility {
                Visibility::Everyone => true,
                Visibility::Contacts => self.in_their_contacts,
                Visibility::Nobody => false,
            }
    }
}

/// `user` as someone standing in `relation` to them sees them; `online` is whether `user` is
/// connected now.
pub fn as_seen_by(user: &users::Model, relation: Relation, online: bool, added_at: i64) -> Contact {
    let privacy = accounts::privacy(user);
    let about = relation.sees(privacy.about);
    let presence = presence_as_seen_by(user, relation, online);
    Contact {
        user_id: user.id.clone(),
        username: user.username.clone().unwrap_or_default(),
        display_name: user.display_name.clone(),
        about: if about { user.about.clone() } else { String::new() },
        status_text: if about { user.status_text.clone() } else { String::new() },
        photo: if relation.sees(privacy.photo) { user.photo_id.clone() } else { None },
        online: presence.online,
        last_seen: presence.last_seen,
        added_at,
    }
}

/// `user`'s presence as someone standing in `relation` to them may know it: online and last
/// seen follow the last-seen privacy setting, as in WhatsApp, and nothing shows to the sender
/// of a message request not accepted yet.
pub fn presence_as_seen_by(user: &users::Model, relation: Relation, online: bool) -> Presence {
    let visible = relation.sees(accounts::privacy(user).last_seen) && !relation.holds_their_request;
    Presence {
        user_id: user.id.clone(),
        online: visible && online,
        last_seen: if visible { user.last_seen_at } else { None },
    }
}

/// Removes every contact row that names `user_id`, either way (account deletion).
pub async fn forget_user(db: &impl ConnectionTrait, user_id: &str) -> Result<()> {
    contacts::Entity::delete_many()
        .filter(contacts::Column::OwnerId.eq(user_id).or(contacts::Column::ContactId.eq(user_id)))
        .exec(db)
        .await?;
    Ok(())
}
