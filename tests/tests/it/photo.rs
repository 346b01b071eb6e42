//! Profile photos: upload with a crop, a square JPEG and a thumbnail made by the server, served
//! to whoever the owner's privacy (and blocks) allow, stored once per content, gone with the
//! account.

use std::io::Cursor;
use std::path::Path;

use gkchat_proto::ErrorCode;
use gkchat_proto::account::{PHOTO_THUMB_SIDE, PhotoCrop, PhotoSize, Privacy, ProfileUpdate, Visibility};
use gkchat_tests::{TEST_PASSWORD, TestServer, api_code};
use image::{ImageFormat, RgbImage};

/// A `width`×`height` PNG, red on the left half and blue on the right.
fn two_colour_png(width: u32, height: u32) -> Vec<u8> {
    let image =
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { [255, 0, 0].into() } else { [0, 0, 255].into() });
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
    out
}

fn decode_jpeg(bytes: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).expect("a JPEG").to_rgb8()
}

/// Every blob file in the server's media store.
fn media_files(data_dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(data_dir.join("media")) {
        for dir in dirs.flatten() {
            for file in std::fs::read_dir(dir.path()).unwrap().flatten() {
                files.push(file.file_name().to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn upload_crop_and_serve_by_privacy() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    bob.add_contact("alice").await.unwrap();

    // The right (blue) half, as a square.
    let me = alice.set_photo(two_colour_png(400, 200), Some(PhotoCrop { x: 200, y: 0, size: 200 })).await.unwrap();
    let photo_id = me.photo.clone().expect("photo set");
    assert_eq!(alice.me().await.unwrap().photo.as_deref(), Some(photo_id.as_str()));
    let full = decode_jpeg(&alice.user_photo(&alice_me.id, PhotoSize::Full).await.unwrap().unwrap());
    assert_eq!(full.dimensions(), (200, 200));
    let centre = full.get_pixel(100, 100).0;
    assert!(centre[2] > 200 && centre[0] < 60, "the cropped half is blue: {centre:?}");
    let thumb = decode_jpeg(&bob.user_photo(&alice_me.id, PhotoSize::Thumb).await.unwrap().expect("everyone sees it"));
    assert_eq!(thumb.dimensions(), (PHOTO_THUMB_SIDE, PHOTO_THUMB_SIDE));
    assert_eq!(bob.contacts().await.unwrap()[0].photo.as_deref(), Some(photo_id.as_str()));

    // "My contacts": bob is not one of alice's contacts until she adds him.
    let contacts_only = Privacy { photo: Visibility::Contacts, ..Privacy::default() };
    alice.update_profile(&ProfileUpdate { privacy: Some(contacts_only), ..Default::default() }).await.unwrap();
    assert_eq!(bob.user_photo(&alice_me.id, PhotoSize::Thumb).await.unwrap(), None);
    assert_eq!(bob.contacts().await.unwrap()[0].photo, None);
    alice.add_contact("bob").await.unwrap();
    assert!(bob.user_photo(&alice_me.id, PhotoSize::Thumb).await.unwrap().is_some());

    // Blocked: hidden whatever the setting.
    alice.block(&bob_me.id).await.unwrap();
    assert_eq!(bob.user_photo(&alice_me.id, PhotoSize::Full).await.unwrap(), None);
    assert_eq!(bob.contacts().await.unwrap()[0].photo, None);
    alice.unblock(&bob_me.id).await.unwrap();

    // Nobody: only alice herself.
    let nobody = Privacy { photo: Visibility::Nobody, ..Privacy::default() };
    alice.update_profile(&ProfileUpdate { privacy: Some(nobody), ..Default::default() }).await.unwrap();
    assert_eq!(bob.user_photo(&alice_me.id, PhotoSize::Thumb).await.unwrap(), None);
    assert!(alice.user_photo(&alice_me.id, PhotoSize::Thumb).await.unwrap().is_some());

    // No photo at all; an unknown user.
    assert_eq!(alice.user_photo(&bob_me.id, PhotoSize::Thumb).await.unwrap(), None);
    assert_eq!(alice.user_photo("no-such-user", PhotoSize::Thumb).await.unwrap(), None);
}

#[tokio::test]
async fn bad_uploads_get_their_codes_and_keep_the_old_photo() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let photo = alice.set_photo(two_colour_png(120, 120), None).await.unwrap().photo;

    let cases = [
        (b"%PDF-1.7 not an image".to_vec(), None, ErrorCode::InvalidImage),
        (two_colour_png(32, 32), None, ErrorCode::InvalidImage),
        (two_colour_png(100, 100), Some(PhotoCrop { x: 60, y: 0, size: 80 }), ErrorCode::InvalidImage),
        (vec![0u8; gkchat_proto::account::PHOTO_MAX_BYTES + 1], None, ErrorCode::PayloadTooLarge),
    ];
    for (bytes, crop, code) in cases {
        assert_eq!(api_code(alice.set_photo(bytes, crop).await), code);
    }
    assert_eq!(alice.me().await.unwrap().photo, photo, "a refused upload changes nothing");
    // Without a token, and with half a crop square.
    let http = reqwest::Client::new();
    let url = format!("{}api/v1/me/photo", server.url());
    let response = http.put(&url).body(two_colour_png(100, 100)).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<gkchat_proto::ApiError>().await.unwrap().code, ErrorCode::Unauthorized);
    let token = alice.access_token().await.unwrap();
    let response =
        http.put(format!("{url}?x=1&size=90")).bearer_auth(token).body(two_colour_png(100, 100)).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<gkchat_proto::ApiError>().await.unwrap().code, ErrorCode::BadRequest);
}

#[tokio::test]
async fn photos_are_stored_once_and_removed_with_their_last_user() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, _) = server.signed_up("bob").await;
    assert!(media_files(&server.data_dir).is_empty());

    let first = alice.set_photo(two_colour_png(300, 300), None).await.unwrap().photo.unwrap();
    assert_eq!(media_files(&server.data_dir), vec![first.clone(), format!("{first}.thumb")]);
    // The same picture for bob: one copy.
    assert_eq!(bob.set_photo(two_colour_png(300, 300), None).await.unwrap().photo.as_deref(), Some(first.as_str()));
    assert_eq!(media_files(&server.data_dir).len(), 2);

    // Alice changes hers: the old one stays for bob.
    let second = alice.set_photo(two_colour_png(200, 300), None).await.unwrap().photo.unwrap();
    assert_ne!(first, second);
    assert_eq!(media_files(&server.data_dir).len(), 4);

    // Bob removes his: the first photo goes (once the sweeper passes after the grace period).
    // Alice deletes her account: so does the second.
    assert_eq!(bob.remove_photo().await.unwrap().photo, None);
    assert_eq!(media_files(&server.data_dir).len(), 4, "kept through the grace period");
    assert_eq!(server.sweep_media_after_grace().await.deleted_blobs, 2);
    assert_eq!(media_files(&server.data_dir), vec![second.clone(), format!("{second}.thumb")]);
    alice.delete_account(TEST_PASSWORD).await.unwrap();
    server.sweep_media_after_grace().await;
    assert!(media_files(&server.data_dir).is_empty(), "{:?}", media_files(&server.data_dir));
}

#[tokio::test]
async fn a_group_image_is_set_by_who_may_edit_seen_by_members_and_the_link_and_stored_once() {
    use gkchat_proto::group::{GroupInfoUpdate, NewGroup, SystemEvent};
    let server = TestServer::start().await;
    let (ann, _) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (gus, _) = server.signed_up("gus").await;
    let new = NewGroup { name: "Climbers".into(), description: String::new(), member_ids: vec![bob_me.id.clone()] };
    let chat_id = ann.create_group(&new).await.unwrap().chat.id;

    // Only admins edit info by default: bob's upload is refused before anything is stored.
    assert_eq!(api_code(bob.set_group_photo(&chat_id, two_colour_png(200, 200), None).await), ErrorCode::AdminsOnly);
    assert!(media_files(&server.data_dir).is_empty());
    // Ann's (the blue half): the info, the tile and a system message say so.
    let crop = Some(PhotoCrop { x: 200, y: 0, size: 200 });
    let info = ann.set_group_photo(&chat_id, two_colour_png(400, 200), crop).await.unwrap();
    let photo_id = info.photo.clone().expect("the group has an image");
    assert_eq!(media_files(&server.data_dir), vec![photo_id.clone(), format!("{photo_id}.thumb")]);
    let tile = bob.chats().await.unwrap().into_iter().find(|c| c.id == chat_id).unwrap();
    assert_eq!(tile.photo.as_deref(), Some(photo_id.as_str()));
    let history = bob.history(&chat_id, None, 10).await.unwrap();
    let last = history.messages.first().and_then(|m| m.content.clone());
    let expected = gkchat_proto::chat::Content::System { event: SystemEvent::PhotoChanged { removed: false } };
    assert_eq!(last, Some(expected));
    // Members see it; a stranger does not (not a member), unless they hold the invite link.
    let full = decode_jpeg(&bob.chat_photo(&chat_id, PhotoSize::Full).await.unwrap().unwrap());
    assert_eq!(full.dimensions(), (200, 200));
    assert!(full.get_pixel(100, 100).0[2] > 200, "the blue half");
    let thumb = decode_jpeg(&bob.chat_photo(&chat_id, PhotoSize::Thumb).await.unwrap().unwrap());
    assert_eq!(thumb.dimensions(), (PHOTO_THUMB_SIDE, PHOTO_THUMB_SIDE));
    assert_eq!(gus.chat_photo(&chat_id, PhotoSize::Thumb).await.unwrap(), None, "not a member");
    let link = ann.invite_link(&chat_id).await.unwrap();
    assert_eq!(gus.invite_preview(&link.link).await.unwrap().photo.as_deref(), Some(photo_id.as_str()));
    assert!(gus.invite_photo(&link.link, PhotoSize::Thumb).await.unwrap().is_some());
    // Not a code at all: refused by the client before it becomes a URL path.
    let bad = gus.invite_photo("gkchat://join/../../me", PhotoSize::Thumb).await.unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InviteInvalid);
    ann.revoke_invite_link(&chat_id).await.unwrap();
    assert_eq!(api_code(gus.invite_photo(&link.link, PhotoSize::Thumb).await), ErrorCode::InviteInvalid);

    // When everyone may edit info, bob may change it; the same picture as ann's profile photo is
    // one blob, kept while the profile shows it.
    let open = GroupInfoUpdate { only_admins_edit: Some(false), ..Default::default() };
    ann.update_group(&chat_id, &open).await.unwrap();
    let profile = ann.set_photo(two_colour_png(300, 300), None).await.unwrap().photo.unwrap();
    let changed = bob.set_group_photo(&chat_id, two_colour_png(300, 300), None).await.unwrap();
    assert_eq!(changed.photo.as_deref(), Some(profile.as_str()));
    server.sweep_media_after_grace().await;
    assert_eq!(media_files(&server.data_dir), {
        let mut files = vec![profile.clone(), format!("{profile}.thumb")];
        files.sort();
        files
    });
    // Removed from the group: the profile photo stays; gone from the profile too: no blob left.
    assert_eq!(bob.remove_group_photo(&chat_id).await.unwrap().photo, None);
    assert_eq!(bob.chat_photo(&chat_id, PhotoSize::Thumb).await.unwrap(), None);
    server.sweep_media_after_grace().await;
    assert_eq!(media_files(&server.data_dir).len(), 2);
    ann.remove_photo().await.unwrap();
    server.sweep_media_after_grace().await;
    assert!(media_files(&server.data_dir).is_empty());
    // A removed member can no longer see or change it.
    ann.set_group_photo(&chat_id, two_colour_png(120, 120), None).await.unwrap();
    ann.remove_member(&chat_id, &bob_me.id).await.unwrap();
    assert_eq!(bob.chat_photo(&chat_id, PhotoSize::Thumb).await.unwrap(), None);
    assert_eq!(api_code(bob.remove_group_photo(&chat_id).await), ErrorCode::NotAMember);
    let tile = bob.chats().await.unwrap().into_iter().find(|c| c.id == chat_id).unwrap();
    assert_eq!(tile.photo, None, "a former member's tile has no image to fetch");
    // The group deleted: its image goes with it.
    assert_eq!(media_files(&server.data_dir).len(), 2);
    ann.delete_group(&chat_id).await.unwrap();
    server.sweep_media_after_grace().await;
    assert!(media_files(&server.data_dir).is_empty(), "{:?}", media_files(&server.data_dir));
}
