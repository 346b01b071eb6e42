//! Test fixtures shared by the desktop crate's unit tests.

use gkchat_proto::chat::{ChatKind, ChatSummary, MemberRole};

/// A direct chat tile `c1` with `unread` messages, muted until `muted_until` (if set).
pub fn tile(unread: u32, muted_until: Option<i64>) -> ChatSummary {
    ChatSummary {
        id: "c1".into(),
        kind: ChatKind::Direct,
        title: "Pat".into(),
        photo: None,
        member_count: 2,
        my_role: Some(MemberRole::Member),
        only_admins_send: false,
        only_admins_keep: false,
        disappear_after_ms: None,
        members_seq: 0,
        last_seq: i64::from(unread),
        cleared_seq: 0,
        clear_listed: false,
        clear_keeps_starred: false,
        request: false,
        background: None,
        shared_background: None,
        last_message: None,
        unread,
        last_activity_at: 1,
        my_delivered_seq: 0,
        my_read_seq: 0,
        delivered_to_all_seq: 0,
        read_by_all_seq: 0,
        pinned_at: None,
        archived: false,
        muted_until,
    }
}
