//! Status posts through real messengers and a real server: who sees a post under each audience
//! choice (by default my contacts I have chatted with; "my contacts", "… except", "only with"),
//! blocks made before and after posting, a setting changed after posting; a picture's post
//! and its blob refused to anyone outside its audience; views with their times (named only for
//! those who share read receipts), a reaction for the owner only, a reply in our direct chat
//! with its quote; expiry under a clock the test moves — the server stops serving the post at
//! once, its sweeper deletes it with its views and its blob, and a device (also one that was
//! off at the time) drops it and its cached picture.

use std::time::Duration;

use gkchat_client::{Clock, MediaSource, Messenger, MessengerEvent};
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{Privacy, ProfileUpdate};
use gkchat_proto::chat::Content;
use gkchat_proto::status::{
    STATUS_LIFETIME_MS, StatusAudience, StatusAudienceMode, StatusEvent, StatusFont, StatusPrefs,
};
use gkchat_tests::{TestServer, api_code, eventually, messenger, messenger_at, online, within};

/// The ids of the posts `device` sees from `owner_id`.
async fn sees(device: &Messenger, owner_id: &str) -> Vec<String> {
    let feed = device.refresh_status().await.unwrap();
    feed.others.into_iter().filter(|o| o.owner.user_id == owner_id).flat_map(|o| o.posts).map(|p| p.id).collect()
}

fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

fn audience(mode: StatusAudienceMode, except: &[&str], only: &[&str]) -> StatusAudience {
    StatusAudience {
        mode,
        except: except.iter().map(|s| s.to_string()).collect(),
        only: only.iter().map(|s| s.to_string()).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_audience_choice_and_block_decides_who_sees_a_post() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let mut people = Vec::new();
    for name in ["bob", "cal", "dee", "eve", "fay"] {
        people.push(server.signed_up(name).await);
    }
    let [(bob, bob_me), (cal, cal_me), (dee, dee_me), (eve, eve_me), (fay, fay_me)] = people.try_into().unwrap();
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    // Contacts: bob, dee, eve (chatted with), cal (never chatted); fay chatted but is no contact.
    for name in ["bob", "cal", "dee", "eve"] {
        ann.add_contact(name).await.unwrap();
    }
    for who in [&bob_me.id, &dee_me.id, &eve_me.id, &fay_me.id] {
        let chat = ann_m.open_direct(who).await.unwrap();
        ann_m.send_text(&chat, "hi", None).await.unwrap();
    }
    ann_m.flushed().await.unwrap();
    let devices: Vec<Messenger> = {
        let mut all = Vec::new();
        for (client, me) in [(&bob, &bob_me), (&cal, &cal_me), (&dee, &dee_me), (&eve, &eve_me), (&fay, &fay_me)] {
            all.push(messenger(client, &me.id, None).await);
        }
        all
    };
    let [bob_m, cal_m, dee_m, eve_m, fay_m] = &devices[..] else { unreachable!() };
    let who_sees = |post: String| {
        let devices = &devices;
        let owner = ann_me.id.clone();
        async move {
            let mut seen = Vec::new();
            for (name, device) in ["bob", "cal", "dee", "eve", "fay"].iter().zip(devices) {
                if sees(device, &owner).await.contains(&post) {
                    seen.push(*name);
                }
            }
            seen
        }
    };

    // By default: contacts I have chatted with (not cal, who never chatted; not fay, no contact).
    assert_eq!(ann_m.status_audience().await.unwrap().mode, StatusAudienceMode::ChattedContacts);
    let chatted = ann_m.post_text_status("Good morning", "#1f7a5c", StatusFont::Sans).await.unwrap();
    assert_eq!(who_sees(chatted.id.clone()).await, ["bob", "dee", "eve"]);
    // My contacts.
    ann_m.set_status_audience(&audience(StatusAudienceMode::Contacts, &[], &[])).await.unwrap();
    let contacts = ann_m.post_text_status("To all my contacts", "#333333", StatusFont::Serif).await.unwrap();
    assert_eq!(who_sees(contacts.id.clone()).await, ["bob", "cal", "dee", "eve"]);
    // My contacts except dee.
    let except = audience(StatusAudienceMode::ContactsExcept, &[&dee_me.id], &[]);
    assert_eq!(ann_m.set_status_audience(&except).await.unwrap(), except);
    let but_dee = ann_m.post_text_status("Not for dee", "#333333", StatusFont::Mono).await.unwrap();
    assert_eq!(who_sees(but_dee.id.clone()).await, ["bob", "cal", "eve"]);
    // Only cal (fay is no contact: listing her shares nothing with her).
    ann_m.set_status_audience(&audience(StatusAudienceMode::OnlyWith, &[], &[&cal_me.id, &fay_me.id])).await.unwrap();
    let only_cal = ann_m.post_text_status("Just for cal", "#333333", StatusFont::Bold).await.unwrap();
    assert_eq!(who_sees(only_cal.id.clone()).await, ["cal"]);
    // A setting changed after posting leaves earlier posts with their audience.
    assert_eq!(who_sees(contacts.id.clone()).await, ["bob", "cal", "dee", "eve"]);

    // Blocks: eve blocked ann before the next post (she is not in its audience); bob is blocked
    // by ann after it — and stops seeing every post at once, told by a push.
    ann_m.set_status_audience(&audience(StatusAudienceMode::Contacts, &[], &[])).await.unwrap();
    eve.block(&ann_me.id).await.unwrap();
    let after = ann_m.post_text_status("After the block", "#333333", StatusFont::Sans).await.unwrap();
    assert_eq!(who_sees(after.id.clone()).await, ["bob", "cal", "dee"]);
    let mut bob_events = bob_m.subscribe();
    ann.block(&bob_me.id).await.unwrap();
    within(Duration::from_secs(10), "bob told", async {
        loop {
            if let Ok(MessengerEvent::Status { status: event }) = bob_events.recv().await
                && *event == StatusEvent::Refresh
            {
                return;
            }
        }
    })
    .await;
    assert!(sees(bob_m, &ann_me.id).await.is_empty(), "a block hides existing posts at once");
    assert_eq!(bob_m.store().status_feed(gkchat_proto::now_ms()).await.unwrap().others.len(), 0, "and the cache");
    assert_eq!(api_code(bob.view_status(&contacts.id).await), ErrorCode::NotFound);
    ann.unblock(&bob_me.id).await.unwrap();
    assert!(sees(bob_m, &ann_me.id).await.contains(&contacts.id), "unblocked: the audience it had");

    // Someone outside a post's audience gets nothing by its id: not the post, not its picture.
    let picture = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(picture.path(), png()).unwrap();
    ann_m.set_status_audience(&audience(StatusAudienceMode::OnlyWith, &[], &[&cal_me.id])).await.unwrap();
    let source = MediaSource { path: picture.path().to_path_buf(), name: Some("sunrise.png".into()) };
    let photo = ann_m.post_media_status(source, "Sunrise").await.unwrap();
    let gkchat_proto::status::StatusContent::Media { attachment, .. } = &photo.content else { panic!("a picture") };
    let temp = tempfile::tempdir().unwrap();
    cal.download_to(&attachment.media_id, &temp.path().join("ok"), |_| {}).await.unwrap();
    for outsider in [&dee, &fay] {
        assert_eq!(api_code(outsider.view_status(&photo.id).await), ErrorCode::NotFound);
        let refused = outsider.download_to(&attachment.media_id, &temp.path().join("no"), |_| {}).await;
        assert_eq!(api_code(refused), ErrorCode::NotFound);
    }
    // A viewer list is its owner's only; a post is deleted by its owner only.
    assert_eq!(api_code(cal.status_viewers(&photo.id).await), ErrorCode::NotFound);
    assert_eq!(api_code(cal.delete_status(&photo.id).await), ErrorCode::NotFound);
    assert_eq!(api_code(cal.react_to_status(&photo.id, Some("nope".into())).await), ErrorCode::BadRequest);
    // Cal may not pass the picture on (it would outlive the post and reach others).
    let forward = gkchat_proto::chat::NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: cal.open_direct(&dee_me.id).await.unwrap().id,
        content: Content::Media { attachments: vec![(**attachment).clone()], caption: String::new() },
        reply_to: None,
        forwarded: true,
    };
    let (cal_live, _cal_events) = online(&cal).await;
    assert_eq!(api_code(cal_live.send_message(forward).await), ErrorCode::UnknownMedia);
    // A status quote names the chat's own people only.
    let fake = gkchat_proto::chat::NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: cal.open_direct(&dee_me.id).await.unwrap().id,
        content: Content::Text {
            text: "look".into(),
            preview: None,
            status: Some(Box::new(gkchat_proto::status::StatusQuote::of(&photo))),
        },
        reply_to: None,
        forwarded: false,
    };
    assert_eq!(api_code(cal_live.send_message(fake).await), ErrorCode::BadRequest);
    // A block made after posting: the picture is refused too.
    ann.block(&cal_me.id).await.unwrap();
    let refused = cal.download_to(&attachment.media_id, &temp.path().join("blocked"), |_| {}).await;
    assert_eq!(api_code(refused), ErrorCode::NotFound);
    ann.unblock(&cal_me.id).await.unwrap();
    // Mine to take down early: gone for cal at once.
    ann_m.delete_status(&only_cal.id).await.unwrap();
    assert!(!sees(cal_m, &ann_me.id).await.contains(&only_cal.id));
    // A deleted account's posts go with it (and a block it made cannot lapse into sight).
    assert!(!sees(cal_m, &ann_me.id).await.is_empty());
    ann.delete_account(gkchat_tests::TEST_PASSWORD).await.unwrap();
    assert!(sees(cal_m, &ann_me.id).await.is_empty());
    assert!(sees(bob_m, &ann_me.id).await.is_empty());
    let _ = (dee_m, fay_m, eve_m);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_reactions_replies_and_expiry_under_a_moved_clock() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (cal, cal_me) = server.signed_up("cal").await;
    ann.add_contact("bob").await.unwrap();
    ann.add_contact("cal").await.unwrap();
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    ann_m.set_status_audience(&audience(StatusAudienceMode::Contacts, &[], &[])).await.unwrap();
    let t0 = gkchat_proto::now_ms();
    let clock = Clock::manual(t0);
    let bob_store = temp.path().join("bob.db");
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&bob_store), clock.clone()).await;
    let cal_m = messenger(&cal, &cal_me.id, None).await;
    let off = Privacy { read_receipts: false, ..Privacy::default() };
    cal.update_profile(&ProfileUpdate { privacy: Some(off), ..Default::default() }).await.unwrap();

    // Bob asked to be told of ann's posts; a picture comes.
    bob_m.set_status_prefs(&ann_me.id, StatusPrefs { muted: false, notify: true }).await.unwrap();
    let mut bob_events = bob_m.subscribe();
    let picture = temp.path().join("sea.png");
    std::fs::write(&picture, png()).unwrap();
    let post = ann_m.post_media_status(MediaSource { path: picture, name: None }, "The sea").await.unwrap();
    let gkchat_proto::status::StatusContent::Media { attachment, .. } = &post.content else { panic!("a picture") };
    let media_id = attachment.media_id.clone();
    let sha = ann.media_info(&media_id).await.unwrap().sha256.expect("stored");
    within(Duration::from_secs(10), "the post pushed", async {
        loop {
            if let Ok(MessengerEvent::Status { status: event }) = bob_events.recv().await
                && matches!(&*event, StatusEvent::Posted { post: p } if p.id == post.id)
            {
                return;
            }
        }
    })
    .await;
    let feed = bob_m.refresh_status().await.unwrap();
    assert_eq!(feed.others[0].prefs, StatusPrefs { muted: false, notify: true });
    assert!(!feed.others[0].posts[0].seen);

    // Views: bob (named, with the time), cal (read receipts off: counted, not named); bob's
    // other device sees it seen; a reaction reaches the owner only.
    let (ann_live, mut ann_events) = online(&ann).await;
    bob_m.view_status(&post.id).await.unwrap();
    bob_m.view_status(&post.id).await.unwrap();
    cal_m.view_status(&post.id).await.unwrap();
    assert!(bob_m.refresh_status().await.unwrap().others[0].posts[0].seen, "seen on all bob's devices");
    let (_cal_live, mut cal_events) = online(&cal).await;
    bob_m.react_to_status(&post.id, Some("😍".into())).await.unwrap();
    let reacted = crate::messaging::next(&mut ann_events, "the reaction", |event| match event {
        gkchat_client::Event::Status(event) => match *event {
            StatusEvent::Reacted { viewer_id, reaction, .. } => Some((viewer_id, reaction)),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(reacted, (bob_me.id.clone(), Some("😍".to_owned())));
    let viewers = ann_m.status_viewers(&post.id).await.unwrap();
    assert_eq!((viewers.count, viewers.hidden), (2, false));
    assert_eq!(viewers.viewers.len(), 1, "cal is counted, not named");
    assert_eq!(
        (viewers.viewers[0].user_id.as_str(), viewers.viewers[0].reaction.as_deref()),
        (bob_me.id.as_str(), Some("😍"))
    );
    let viewed_at = viewers.viewers[0].viewed_at;
    assert!(viewed_at >= post.posted_at && viewed_at <= gkchat_proto::now_ms());
    assert_eq!(ann_m.refresh_status().await.unwrap().mine[0].view_count, Some(2));
    // Cal, another viewer, never hears of it: the next status news on her connection is a later
    // post (pushes keep their order).
    let marker = ann_m.post_text_status("Later", "#000000", StatusFont::Sans).await.unwrap();
    let first = crate::messaging::next(&mut cal_events, "status news", |event| match event {
        gkchat_client::Event::Status(event) => Some(*event),
        _ => None,
    })
    .await;
    assert!(matches!(first, StatusEvent::Posted { post } if post.id == marker.id), "not the reaction");
    ann_m.delete_status(&marker.id).await.unwrap();
    // With her own read receipts off, the owner sees the count only — on the wire too.
    ann.update_profile(&ProfileUpdate { privacy: Some(off), ..Default::default() }).await.unwrap();
    let hidden = ann_m.status_viewers(&post.id).await.unwrap();
    assert_eq!((hidden.count, hidden.hidden, hidden.viewers.len()), (2, true, 0));
    let second = ann_m.post_text_status("Who looks?", "#101010", StatusFont::Sans).await.unwrap();
    bob_m.view_status(&second.id).await.unwrap();
    let viewer = crate::messaging::next(&mut ann_events, "the view", |event| match event {
        gkchat_client::Event::Status(event) => match *event {
            StatusEvent::Viewed { post_id, viewer_id, .. } if post_id == second.id => Some(viewer_id),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(viewer, None, "no name for an owner who hides read receipts");
    ann_m.delete_status(&second.id).await.unwrap();
    drop(ann_live);

    // A reply lands in our direct chat, quoting the post.
    let reply = bob_m.reply_to_status(&post.id, "Lovely!").await.unwrap();
    bob_m.flushed().await.unwrap();
    eventually("ann has the reply", || async {
        ann_m.store().message(&reply.message.id).await.unwrap().is_some_and(|m| {
            matches!(&m.message.content, Some(Content::Text { text, status: Some(quote), .. })
                if text == "Lovely!" && quote.post_id == post.id && quote.text == "The sea" && quote.thumbhash.is_some())
        })
    })
    .await;

    // Bob's device caches the picture; then its day is over.
    let cached = bob_m.media_file(&media_id).await.unwrap();
    assert!(cached.exists());
    server.clock.advance(STATUS_LIFETIME_MS + 1000);
    assert!(ann.status_feed().await.unwrap().mine.is_empty(), "never served after its time");
    assert_eq!(api_code(cal.view_status(&post.id).await), ErrorCode::NotFound);
    let refused = cal.download_to(&media_id, &temp.path().join("late"), |_| {}).await;
    assert_eq!(api_code(refused), ErrorCode::NotFound);
    // Bob's device drops it at its time (its clock moved), with the picture.
    clock.set(post.expires_at);
    bob_m.reminders_checked(post.expires_at).await;
    assert!(bob_m.store().status_feed(post.expires_at).await.unwrap().others.is_empty());
    assert!(!cached.exists(), "the cached picture went with it");
    // The sweeper deletes the post, its views and (after the grace) its blob.
    assert_eq!(server.sweep_status().await, 1);
    let grace = gkchat_tests::test_config(&server.data_dir).blob_grace_secs as i64 * 1000;
    let swept = server.sweep_media_at(gkchat_proto::now_ms() + 1000).await;
    assert!(swept.removed_media >= 1, "the post's media rows go: {swept:?}");
    assert!(server.has_blob(&sha).await, "kept through the grace period");
    server.sweep_media_at(gkchat_proto::now_ms() + 2 * grace + 2000).await;
    assert!(!server.has_blob(&sha).await, "the blob went");
    // The reply keeps its quote after the post is gone.
    let kept = ann_m.store().message(&reply.message.id).await.unwrap().unwrap();
    assert!(matches!(kept.message.content, Some(Content::Text { status: Some(_), .. })));
}

#[tokio::test]
async fn a_device_that_was_off_never_shows_a_post_that_expired_meanwhile() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (_, bob_me) = server.signed_up("bob").await;
    let relay = gkchat_tests::proxy::CuttableRelay::start(server.addr).await;
    let bob = gkchat_tests::client_for(relay.url());
    bob.sign_in("bob", gkchat_tests::TEST_PASSWORD, gkchat_tests::test_device("laptop")).await.unwrap();
    ann.add_contact("bob").await.unwrap();
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    ann_m.set_status_audience(&audience(StatusAudienceMode::Contacts, &[], &[])).await.unwrap();
    let t0 = gkchat_proto::now_ms();
    let store = temp.path().join("bob.db");
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&store), Clock::manual(t0)).await;
    let post = ann_m.post_text_status("Here today", "#aa3355", StatusFont::Script).await.unwrap();
    eventually("bob has it", || async { sees(&bob_m, &ann_me.id).await == [post.id.clone()] }).await;
    drop(bob_m);
    // Bob's device comes back a day later, before it reaches the server: nothing shows.
    relay.down();
    let later = Clock::manual(post.expires_at + 1);
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&store), later.clone()).await;
    assert!(bob_m.status_feed().await.unwrap().others.is_empty(), "not even briefly");
    bob_m.reminders_checked(post.expires_at + 1).await;
    assert_eq!(bob_m.store().next_status_expiry().await.unwrap(), None, "dropped from the cache");
}
