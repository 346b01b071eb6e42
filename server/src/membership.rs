//! Who is in each chat: the one membership check every REST route and WebSocket frame about a
//! chat goes through. A chat's roster is read once from the database and remembered until its
//! membership changes (`forget`, called by whatever changes it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{ChatKind, MemberRole};
use sea_orm::ConnectionTrait;

use crate::db::chats;
use crate::db::entity::chat_members;
use crate::error::{Error, Result};

/// Rosters remembered at most; past it the memory starts over (a cache, not the truth).
const REMEMBERED_MAX: usize = 100_000;

/// A chat's kind, its current members and who of them may administer it (sorted, for lookups
/// in chats of any size), and its group settings.
#[derive(Debug)]
pub struct Roster {
    pub kind: ChatKind,
    members: Box<[String]>,
    /// Admins and the owner.
    admins: Box<[String]>,
    pub owner: Option<String>,
    /// Members holding a message request here they have not accepted.
    requests: Box<[String]>,
    /// A direct chat nothing was written in yet: its first message decides whether it is a
    /// message request (see `requests::first_message`, which forgets this roster).
    pub fresh: bool,
    pub only_admins_send: bool,
    pub only_admins_edit: bool,
    pub only_admins_keep: bool,
}

impl Roster {
    pub fn contains(&self, user_id: &str) -> bool {
        self.members.binary_search_by(|m| m.as_str().cmp(user_id)).is_ok()
    }

    /// An admin or the owner.
    pub fn is_admin(&self, user_id: &str) -> bool {
        self.admins.binary_search_by(|m| m.as_str().cmp(user_id)).is_ok()
    }

    /// A message request to `user_id` that they have not accepted.
    pub fn is_request(&self, user_id: &str) -> bool {
        self.requests.iter().any(|m| m == user_id)
    }

    pub fn members(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// In a direct chat, the other person.
    pub fn other_than(&self, user_id: &str) -> Option<&str> {
        self.members().find(|m| *m != user_id)
    }
}

pub fn not_a_member() -> Error {
    Error::api(StatusCode::FORBIDDEN, ErrorCode::NotAMember, "you are not in that chat")
}

#[derive(Default)]
pub struct Membership {
    /// The other instances, told when a roster changes.
    bus: Option<Arc<crate::hub::bus::Bus>>,
    chats: Mutex<HashMap<String, Arc<Roster>>>,
    /// Moves on every `forget`: a roster read from the database while a change committed is not
    /// remembered (it may be the old one).
    generation: std::sync::atomic::AtomicU64,
}

impl Membership {
    /// A cache whose `forget` reaches the other instances over `bus` too.
    pub fn new(bus: Option<Arc<crate::hub::bus::Bus>>) -> Self {
        Self { bus, ..Self::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Roster>>> {
        self.chats.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The roster of `chat_id`, or `None` when there is no such chat.
    pub async fn roster(&self, db: &impl ConnectionTrait, chat_id: &str) -> Result<Option<Arc<Roster>>> {
        if let Some(found) = self.lock().get(chat_id) {
            return Ok(Some(found.clone()));
        }
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        let Some(chat) = chats::get(db, chat_id).await? else { return Ok(None) };
        let kind = ChatKind::parse(&chat.kind).ok_or_else(|| Error::Internal(format!("chat kind {:?}", chat.kind)))?;
        let rows = chats::members(db, chat_id).await?;
        let role = |m: &chat_members::Model| MemberRole::parse(&m.role).unwrap_or(MemberRole::Member);
        let owner = rows.iter().find(|m| role(m) == MemberRole::Owner).map(|m| m.user_id.clone());
        let mut admins: Vec<String> =
            rows.iter().filter(|m| role(m) >= MemberRole::Admin).map(|m| m.user_id.clone()).collect();
        admins.sort();
        let requests: Vec<String> = rows.iter().filter(|m| m.request).map(|m| m.user_id.clone()).collect();
        let mut members: Vec<String> = rows.into_iter().map(|m| m.user_id).collect();
        members.sort();
        let roster = Arc::new(Roster {
            kind,
            members: members.into_boxed_slice(),
            admins: admins.into_boxed_slice(),
            owner,
            requests: requests.into_boxed_slice(),
            fresh: kind == ChatKind::Direct && chat.last_seq == 0,
            only_admins_send: chat.only_admins_send,
            only_admins_edit: chat.only_admins_edit,
            only_admins_keep: chat.only_admins_keep,
        });
        let mut remembered = self.lock();
        if self.generation.load(std::sync::atomic::Ordering::Acquire) != generation {
            // Something changed while we read: use this once, remember nothing.
            return Ok(Some(roster));
        }
        if remembered.len() >= REMEMBERED_MAX {
            remembered.clear();
        }
        remembered.insert(chat_id.to_owned(), roster.clone());
        Ok(Some(roster))
    }

    /// The roster of `chat_id` when `user_id` is in it; otherwise why not (`not_found` for no
    /// such chat, `not_a_member`).
    pub async fn check(&self, db: &impl ConnectionTrait, chat_id: &str, user_id: &str) -> Result<Arc<Roster>> {
        let roster = self.roster(db, chat_id).await?.ok_or_else(|| Error::not_found("no such chat"))?;
        if roster.contains(user_id) { Ok(roster) } else { Err(not_a_member()) }
    }

    /// Drops what is remembered of `chat_id` (its members, roles or settings changed), here and
    /// on the other instances.
    pub fn forget(&self, chat_id: &str) {
        self.forget_here(chat_id);
        if let Some(bus) = &self.bus {
            bus.forget_chat(chat_id);
        }
    }

    /// Drops every roster this instance remembers (changes may have been missed).
    pub fn forget_all_here(&self) {
        let mut remembered = self.lock();
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        remembered.clear();
    }

    /// Drops what this instance remembers of `chat_id`.
    pub fn forget_here(&self, chat_id: &str) {
        let mut remembered = self.lock();
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        remembered.remove(chat_id);
    }
}
