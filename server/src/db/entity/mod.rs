//! sea-orm entities, one module per table. The schema itself is built by migrations only.

pub mod blobs;
pub mod blocks;
pub mod calls;
pub mod chat_members;
pub mod chats;
pub mod contacts;
pub mod device_sessions;
pub mod event_rsvps;
pub mod group_add_exceptions;
pub mod hidden_messages;
pub mod join_requests;
pub mod media;
pub mod message_media;
pub mod messages;
pub mod otp_codes;
pub mod poll_votes;
pub mod reactions;
pub mod receipt_marks;
pub mod reports;
pub mod server_meta;
pub mod starred_messages;
pub mod used_refresh_tokens;
pub mod users;
