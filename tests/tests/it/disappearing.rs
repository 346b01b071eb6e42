//! Disappearing messages through real messengers and a real server, with controlled time (the
//! server's clock and the messengers' manual clocks move together; nothing sleeps): a timer set
//! by either person is a system message; messages sent under it — with their media — expire on
//! the server and in both stores, search indexes and media caches, also in a store whose device
//! was off when they expired (never listed again, not even before it syncs); a kept message
//! stays until let go; who may set a group's timer and keep its messages; the default timer of
//! my new chats.

use gkchat_proto::ErrorCode;
use gkchat_proto::account::ProfileUpdate;
use gkchat_proto::chat::{Content, DISAPPEAR_TIMERS_MS, MessageAction};
use gkchat_proto::group::{GroupInfoUpdate, NewGroup, SystemEvent};
use gkchat_tests::{TestServer, api_code, eventually, messenger, messenger_at, online, uploaded};

const DAY: i64 = DISAPPEAR_TIMERS_MS[0];

fn keep(kept: bool) -> MessageAction {
    MessageAction::Keep { kept }
}

/// The texts a messenger lists in a chat (system messages as their event's name).
async fn texts(messenger: &gkchat_client::Messenger, chat: &str) -> Vec<String> {
    let listed = messenger.messages(chat, None, 100).await.unwrap();
    listed
        .into_iter()
        .map(|m| match m.message.content {
            Some(Content::Text { text, .. }) => text,
            Some(Content::Media { caption, .. }) => format!("media: {caption}"),
            Some(Content::System { event: SystemEvent::TimerChanged { after_ms } }) => format!("timer {after_ms:?}"),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_disappear_everywhere_and_kept_ones_stay() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let start = server.clock.now_ms();
    let (ann_clock, bob_clock) = (gkchat_client::Clock::manual(start), gkchat_client::Clock::manual(start));
    let ann_m = messenger_at(&ann, &ann_me.id, Some(&dir.path().join("ann.db")), ann_clock.clone()).await;
    let bob_store = dir.path().join("bob.db");
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&bob_store), bob_clock.clone()).await;
    let chat = ann_m.open_direct(&bob_me.id).await.unwrap();
    ann_m.send_text(&chat, "before the timer", None).await.unwrap();
    ann_m.flushed().await.unwrap();

    // Bob sets it (either person may): a system message in both timelines, the timer on both tiles.
    assert_eq!(api_code(bob.set_chat_timer(&chat, Some(60_000)).await), ErrorCode::BadRequest);
    assert!(matches!(bob_m.set_timer(&chat, Some(60_000)).await, Err(gkchat_client::Error::Invalid { .. })));
    bob_m.set_timer(&chat, Some(DAY)).await.unwrap();
    eventually("both see the timer", || async {
        timer_of(&ann_m, &chat).await == Some(DAY)
            && timer_of(&bob_m, &chat).await == Some(DAY)
            && texts(&ann_m, &chat).await.last().map(String::as_str) == Some("timer Some(86400000)")
    })
    .await;

    // Sent under the timer: a text, a document, and one bob keeps.
    let secret = ann_m.send_text(&chat, "the secret plans", None).await.unwrap().message.id;
    let file = dir.path().join("plans.txt");
    std::fs::write(&file, "launch at dawn").unwrap();
    let sources = vec![gkchat_client::MediaSource { path: file, name: Some("plans.txt".into()) }];
    let document = ann_m.send_media(&chat, sources, "the plans", None).await.unwrap().message.id;
    let kept = ann_m.send_text(&chat, "the address to keep", None).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    uploaded(&ann_m, &document).await;
    let media_id = eventually_media(&bob_m, &document).await;
    bob_m.media_file(&media_id).await.expect("bob downloads the document while it lasts");
    let expires = bob_m.store().message(&secret).await.unwrap().unwrap().message.expires_at;
    let sent = bob_m.store().message(&secret).await.unwrap().unwrap().message.sent_at;
    assert_eq!(expires, Some(sent + DAY), "fixed when sent");
    bob_m.act(&chat, &kept, keep(true)).await.unwrap();
    bob_m.flushed().await.unwrap();
    eventually("ann sees it kept", || async {
        ann_m.store().message(&kept).await.unwrap().is_some_and(|m| m.message.kept)
    })
    .await;
    assert_eq!(bob_m.search("secret", None).await.unwrap().len(), 1);

    // Bob's device goes off; a day passes (past the last one's expiry, however long this took).
    let last = ann_m.store().message(&kept).await.unwrap().unwrap().message.expires_at.unwrap();
    drop(bob_m);
    let later = last + 1;
    server.clock.advance(later - server.clock.now_ms());
    ann_clock.set(later);

    // The server expired them: a tombstone without content, its media refused.
    eventually("the server expired the secret", || async {
        let page = ann.history(&chat, None, 50).await.unwrap();
        page.messages.iter().any(|m| m.id == secret && m.expired && m.content.is_none())
    })
    .await;
    assert_eq!(api_code(bob.media_info(&media_id).await), ErrorCode::NotFound);
    // Ann's store: gone from the timeline and search; the kept one and the earlier one stay.
    eventually("ann's timeline drops them, her cached file with them", || async {
        texts(&ann_m, &chat).await
            == ["before the timer", "timer Some(86400000)", "the address to keep"].map(String::from)
            && ann_m.store().message(&document).await.unwrap().unwrap().message.expired
            && ann_m.store().cached(&media_id).await.unwrap().is_none()
    })
    .await;
    assert!(ann_m.search("secret", None).await.unwrap().is_empty());
    let (ann_live, _events) = online(&ann).await;
    assert_eq!(
        api_code(ann_live.act(&chat, &secret, MessageAction::React { emoji: Some("👍".into()) }).await),
        ErrorCode::MessageExpired
    );

    // Bob comes back: not even before his sync do they show.
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&bob_store), gkchat_client::Clock::manual(later)).await;
    let shown = texts(&bob_m, &chat).await;
    assert!(!shown.iter().any(|t| t.contains("secret") || t.contains("plans")), "{shown:?}");
    assert!(bob_m.search("secret", None).await.unwrap().is_empty());
    eventually("bob's store holds the tombstones, his cached file gone", || async {
        bob_m.store().message(&secret).await.unwrap().is_some_and(|m| m.message.expired && m.message.content.is_none())
            && bob_m.store().message(&document).await.unwrap().is_some_and(|m| m.message.expired)
            && bob_m.store().cached(&media_id).await.unwrap().is_none()
    })
    .await;
    assert_eq!(texts(&bob_m, &chat).await, ["before the timer", "timer Some(86400000)", "the address to keep"]);

    // Let go of, the kept one goes at the next sweep.
    bob_m.act(&chat, &kept, keep(false)).await.unwrap();
    bob_m.flushed().await.unwrap();
    server.clock.advance(1);
    eventually("the kept one went once let go", || async {
        ann_m.store().message(&kept).await.unwrap().is_some_and(|m| m.message.expired)
            && bob_m.store().message(&kept).await.unwrap().is_some_and(|m| m.message.expired)
    })
    .await;

    // Off again: new messages stay.
    ann_m.set_timer(&chat, None).await.unwrap();
    let stays = ann_m.send_text(&chat, "this one stays", None).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    let message = ann_m.store().message(&stays).await.unwrap().unwrap().message;
    assert_eq!(message.expires_at, None);
}

async fn timer_of(messenger: &gkchat_client::Messenger, chat: &str) -> Option<i64> {
    messenger.chat(chat).await.unwrap().unwrap().summary.disappear_after_ms
}

/// The media id of a message once it reached `messenger`.
async fn eventually_media(messenger: &gkchat_client::Messenger, message_id: &str) -> String {
    eventually("the media message arrives", || async {
        messenger
            .store()
            .message(message_id)
            .await
            .unwrap()
            .is_some_and(|m| m.status == gkchat_client::SendStatus::Sent)
    })
    .await;
    match messenger.store().message(message_id).await.unwrap().unwrap().message.content {
        Some(Content::Media { attachments, .. }) => attachments[0].media_id.clone(),
        other => panic!("not media: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_set_a_timer_and_keep_messages() {
    let server = TestServer::start().await;
    let (people, group) = server.group_of("Club", &["owner", "member", "gone"]).await;
    let ((owner, _), (member, member_me), (gone, gone_me)) = (&people[0], &people[1], &people[2]);
    let (stranger, _) = server.signed_up("stranger").await;
    // Only admins edit the group's info (the default): only they set its timer.
    assert_eq!(api_code(member.set_chat_timer(&group, Some(DAY)).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(stranger.set_chat_timer(&group, Some(DAY)).await), ErrorCode::NotAMember);
    owner.remove_member(&group, &gone_me.id).await.unwrap();
    assert_eq!(api_code(gone.set_chat_timer(&group, Some(DAY)).await), ErrorCode::NotAMember);
    let tile = owner.set_chat_timer(&group, Some(7 * DAY)).await.unwrap();
    assert_eq!(tile.disappear_after_ms, Some(7 * DAY));
    // Every member may, once the group lets them edit its info.
    owner.update_group(&group, &GroupInfoUpdate { only_admins_edit: Some(false), ..Default::default() }).await.unwrap();
    member.set_chat_timer(&group, Some(DAY)).await.unwrap();

    // Keeping: any member, until the group keeps it to admins.
    let (member_live, _m) = online(member).await;
    let (owner_live, _o) = online(owner).await;
    let new = |text: &str| gkchat_proto::chat::NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: group.clone(),
        content: Content::text(text),
        reply_to: None,
        forwarded: false,
    };
    let first = owner_live.send_message(new("first")).await.unwrap();
    assert_eq!(first.expires_at, Some(first.sent_at + DAY));
    member_live.act(&group, &first.id, keep(true)).await.unwrap();
    owner.update_group(&group, &GroupInfoUpdate { only_admins_keep: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(api_code(member_live.act(&group, &first.id, keep(false)).await), ErrorCode::AdminsOnly);
    owner_live.act(&group, &first.id, keep(false)).await.unwrap();
    let (stranger_live, _s) = online(&stranger).await;
    assert_eq!(api_code(stranger_live.act(&group, &first.id, keep(true)).await), ErrorCode::NotAMember);

    // A message without a timer cannot be kept; a block stops timers and keeping in a direct chat.
    let chat = owner.open_direct(&member_me.id).await.unwrap().id;
    let plain = owner_live
        .send_message(gkchat_proto::chat::NewMessage { chat_id: chat.clone(), ..new("plain") })
        .await
        .unwrap();
    assert_eq!(api_code(member_live.act(&chat, &plain.id, keep(true)).await), ErrorCode::BadRequest);
    owner.block(&member_me.id).await.unwrap();
    assert_eq!(api_code(member.set_chat_timer(&chat, Some(DAY)).await), ErrorCode::Blocked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_new_chats_start_with_my_default_timer() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (_cal, cal_me) = server.signed_up("cal").await;
    let mut privacy = ann_me.privacy;
    privacy.default_timer_ms = Some(12345);
    let refused = ann.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await;
    assert_eq!(api_code(refused), ErrorCode::BadRequest);
    privacy.default_timer_ms = Some(7 * DAY);
    let me = ann.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await.unwrap();
    assert_eq!(me.privacy.default_timer_ms, Some(7 * DAY));

    // A direct chat I start, and a group I make, have it; a chat someone else starts has theirs.
    assert_eq!(ann.open_direct(&bob_me.id).await.unwrap().disappear_after_ms, Some(7 * DAY));
    assert_eq!(bob.open_direct(&cal_me.id).await.unwrap().disappear_after_ms, None);
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    let made =
        ann_m.create_group(&NewGroup { name: "Trip".into(), description: String::new(), member_ids: vec![] }).await;
    let made = made.unwrap();
    assert_eq!(made.chat.disappear_after_ms, Some(7 * DAY));
    let timeline = texts(&ann_m, &made.chat.id).await;
    assert_eq!(timeline.last().map(String::as_str), Some("timer Some(604800000)"));
}
