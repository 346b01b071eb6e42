//! Contacts: add by username, list, remove, and what privacy lets a contact see.

use gkchat_proto::ErrorCode;
use gkchat_proto::account::{Privacy, ProfileUpdate, Visibility};
use gkchat_tests::TestServer;
use gkchat_tests::api_code;

async fn set_about(client: &gkchat_client::Client, about_visibility: Visibility) {
    let privacy = Privacy { about: about_visibility, ..Privacy::default() };
    client
        .update_profile(&ProfileUpdate {
            about: Some("climbing".into()),
            status_text: Some("at the crag".into()),
            privacy: Some(privacy),
            ..Default::default()
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn add_list_remove() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (_, bob) = server.signed_up("bob").await;
    let (_, carol) = server.signed_up("carol").await;

    let added = alice.add_contact("@Bob".trim_start_matches('@')).await.unwrap();
    assert_eq!((added.user_id.as_str(), added.username.as_str()), (bob.id.as_str(), "bob"));
    let again = alice.add_contact("bob").await.unwrap();
    assert_eq!(again.added_at, added.added_at, "adding twice keeps the first");
    alice.add_contact("carol").await.unwrap();

    let names: Vec<_> = alice.contacts().await.unwrap().into_iter().map(|c| c.username).collect();
    assert_eq!(names, ["bob", "carol"]);

    assert_eq!(api_code(alice.add_contact("nobody.here").await), ErrorCode::NotFound);
    assert_eq!(api_code(alice.add_contact("alice").await), ErrorCode::BadRequest);
    assert_eq!(api_code(alice.add_contact("x").await), ErrorCode::InvalidUsername);

    alice.remove_contact(&carol.id).await.unwrap();
    assert_eq!(api_code(alice.remove_contact(&carol.id).await), ErrorCode::NotFound);
    assert_eq!(alice.contacts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn about_follows_privacy() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, _) = server.signed_up("bob").await;
    alice.add_contact("bob").await.unwrap();

    set_about(&bob, Visibility::Everyone).await;
    assert_eq!(alice.contacts().await.unwrap()[0].about, "climbing");

    // "My contacts": alice sees it only once bob has her as a contact.
    set_about(&bob, Visibility::Contacts).await;
    let hidden = &alice.contacts().await.unwrap()[0];
    assert_eq!((hidden.about.as_str(), hidden.status_text.as_str()), ("", ""));
    bob.add_contact("alice").await.unwrap();
    assert_eq!(alice.contacts().await.unwrap()[0].status_text, "at the crag");

    set_about(&bob, Visibility::Nobody).await;
    assert_eq!(alice.contacts().await.unwrap()[0].about, "");
}

#[tokio::test]
async fn deleted_accounts_leave_contact_lists() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, _) = server.signed_up("bob").await;
    alice.add_contact("bob").await.unwrap();
    bob.add_contact("alice").await.unwrap();
    bob.delete_account(gkchat_tests::TEST_PASSWORD).await.unwrap();
    assert!(alice.contacts().await.unwrap().is_empty());
    assert_eq!(api_code(alice.add_contact("bob").await), ErrorCode::NotFound);
}

#[tokio::test]
async fn add_by_contact_link_and_reset_it() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;

    let link = bob.contact_link().await.unwrap();
    assert!(link.starts_with("gkchat://add/"), "{link}");
    assert_eq!(bob.contact_link().await.unwrap(), link, "stable until reset");
    assert_eq!(alice.add_contact(&link).await.unwrap().user_id, bob_me.id);

    let fresh = bob.reset_contact_link().await.unwrap();
    assert_ne!(fresh, link);
    let (carol, _) = server.signed_up("carol").await;
    assert_eq!(api_code(carol.add_contact(&link).await), ErrorCode::NotFound, "old codes stop working");
    assert_eq!(carol.add_contact(&fresh).await.unwrap().user_id, bob_me.id);
}

#[tokio::test]
async fn add_by_verified_phone() {
    let gateway = gkchat_tests::sms::SmsGateway::start().await;
    let temp = tempfile::tempdir().unwrap();
    let config =
        gkchat_server::Config { sms_gateway_url: gateway.url.clone(), ..gkchat_tests::test_config(temp.path()) };
    let mut gateway = gateway;
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;

    assert_eq!(api_code(alice.add_contact("+44 7911 123456").await), ErrorCode::NotFound, "not verified yet");
    bob.request_phone_verification("+44 7911 123456").await.unwrap();
    let code = gateway.code_for("+447911123456").await;
    bob.verify_phone("+44 7911 123456", &code).await.unwrap();
    assert_eq!(alice.add_contact("+447911123456").await.unwrap().user_id, bob_me.id);
    assert_eq!(api_code(alice.add_contact("+44 12").await), ErrorCode::InvalidPhone);
}
