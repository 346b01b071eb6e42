//! Appearance and chat backgrounds through a real server: my theme, accent, text size and
//! default background follow me to my other devices at once (a `me` push) and to a device signed
//! in later; a background of mine for a chat is mine alone; a group's admin sets one for
//! everyone (announced), a member overrides it for themselves; a picture background is readable
//! by whoever sees it, nobody else, and lives as long as a background shows it.

use gkchat_client::{Event, MediaSource};
use gkchat_proto::ErrorCode;
use gkchat_proto::account::ProfileUpdate;
use gkchat_proto::appearance::{Appearance, Background, Pattern, TextSize, Theme};
use gkchat_proto::chat::Content;
use gkchat_proto::group::SystemEvent;
use gkchat_tests::{TestServer, api_code, eventually, messenger, online, within};

fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_appearance_follows_me_to_every_device_at_once() {
    let server = TestServer::start().await;
    let (laptop, _) = server.signed_up("ann").await;
    let phone = server.client();
    phone.sign_in("ann", gkchat_tests::TEST_PASSWORD, gkchat_tests::test_device("phone")).await.unwrap();
    let (_phone_live, mut phone_events) = online(&phone).await;

    let bad = Appearance { accent: Some("teal".into()), ..Appearance::default() };
    let refused = laptop.update_profile(&ProfileUpdate { appearance: Some(bad), ..Default::default() }).await;
    assert_eq!(api_code(refused), ErrorCode::BadRequest);
    let dark = Appearance {
        theme: Theme::Dark,
        accent: Some("#d35400".into()),
        text_size: TextSize::Large,
        background: Some(Background::Pattern { pattern: Pattern::Leaves }),
    };
    let me = laptop.update_profile(&ProfileUpdate { appearance: Some(dark.clone()), ..Default::default() }).await;
    assert_eq!(me.unwrap().appearance, dark);
    // The phone is told at once.
    let pushed = within(std::time::Duration::from_secs(15), "the phone's me push", async {
        loop {
            if let Some(Event::Me(me)) = phone_events.next().await {
                break me;
            }
        }
    })
    .await;
    assert_eq!(pushed.appearance, dark);
    // A device signed in later reads it with the account.
    let tablet = server.client();
    let me = tablet.sign_in("ann", gkchat_tests::TEST_PASSWORD, gkchat_tests::test_device("tablet")).await.unwrap();
    assert_eq!(me.appearance, dark);
    // Someone else's picture is no background of mine.
    let (bob, _) = server.signed_up("bob").await;
    let bob_m = messenger(&bob, &bob.me().await.unwrap().id, None).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.png"), png()).unwrap();
    let bobs = bob_m.upload_background(MediaSource { path: dir.path().join("b.png"), name: None }).await.unwrap();
    let theirs = Appearance { background: Some(Background::Image { media_id: bobs }), ..Appearance::default() };
    let refused = laptop.update_profile(&ProfileUpdate { appearance: Some(theirs), ..Default::default() }).await;
    assert_eq!(api_code(refused), ErrorCode::UnknownMedia);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_backgrounds_mine_and_a_groups_for_everyone() {
    let server = TestServer::start().await;
    let (people, group) = server.group_of("Club", &["owner", "member", "gone"]).await;
    let ((owner, owner_me), (member, _), (gone, gone_me)) = (&people[0], &people[1], &people[2]);
    let (stranger, _) = server.signed_up("stranger").await;
    let owner_m = messenger(owner, &owner_me.id, None).await;
    let tile = |client: gkchat_client::Client, chat: String| async move {
        client.chats().await.unwrap().into_iter().find(|c| c.id == chat).unwrap()
    };
    let waves = Background::Pattern { pattern: Pattern::Waves };
    let everyone =
        |background: Option<Background>| gkchat_proto::appearance::ChatBackground { background, for_everyone: true };

    // Mine alone.
    let mine = gkchat_proto::appearance::ChatBackground {
        background: Some(Background::Colour { colour: "#223344".into() }),
        for_everyone: false,
    };
    let summary = member.set_chat_background(&group, &mine).await.unwrap();
    assert_eq!(summary.background, mine.background);
    assert_eq!(tile(owner.clone(), group.clone()).await.background, None, "nobody else's");

    // For everyone: admins only, announced; a member's own wins for them.
    assert_eq!(
        api_code(member.set_chat_background(&group, &everyone(Some(waves.clone()))).await),
        ErrorCode::AdminsOnly
    );
    assert_eq!(api_code(stranger.set_chat_background(&group, &everyone(None)).await), ErrorCode::NotAMember);
    owner.remove_member(&group, &gone_me.id).await.unwrap();
    assert_eq!(api_code(gone.set_chat_background(&group, &mine).await), ErrorCode::NotAMember);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.png"), png()).unwrap();
    let picture = owner_m.upload_background(MediaSource { path: dir.path().join("p.png"), name: None }).await.unwrap();
    let image = Background::Image { media_id: picture.clone() };
    owner_m.set_chat_background(&group, Some(image.clone()), true).await.unwrap();
    let seen = tile(member.clone(), group.clone()).await;
    assert_eq!((seen.shared_background, seen.background), (Some(image.clone()), mine.background.clone()));
    eventually("the timeline says so", || async {
        owner_m.messages(&group, None, 50).await.unwrap().iter().any(|m| {
            matches!(
                m.message.content,
                Some(Content::System { event: SystemEvent::BackgroundChanged { removed: false } })
            )
        })
    })
    .await;
    // The picture: its members read it, nobody else; it outlives the sweeps while shown.
    member.media_info(&picture).await.expect("a member reads the group's background");
    assert_eq!(api_code(stranger.media_info(&picture).await), ErrorCode::NotFound);
    assert_eq!(api_code(gone.media_info(&picture).await), ErrorCode::NotFound);
    let sha = owner.media_info(&picture).await.unwrap().sha256.expect("stored");
    server.sweep_media_after_grace().await;
    server.sweep_media_after_grace().await;
    assert!(server.has_blob(&sha).await, "kept while a background shows it");
    member.media_info(&picture).await.expect("still there");

    // Taken away: the picture goes with the sweeps.
    owner_m.set_chat_background(&group, None, true).await.unwrap();
    assert_eq!(tile(member.clone(), group.clone()).await.shared_background, None);
    let grace = gkchat_tests::test_config(&server.data_dir).blob_grace_secs as i64 * 1000;
    server.sweep_media_at(gkchat_proto::now_ms() + 1000).await;
    server.sweep_media_at(gkchat_proto::now_ms() + 2 * grace + 2000).await;
    assert!(!server.has_blob(&sha).await, "the blob went");

    // A direct chat has no background for everyone.
    let direct = owner.open_direct(&stranger.me().await.unwrap().id).await.unwrap().id;
    assert_eq!(api_code(owner.set_chat_background(&direct, &everyone(Some(waves))).await), ErrorCode::BadRequest);
}
