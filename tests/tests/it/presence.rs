//! Presence: online and last seen, pushed live to contacts as the user's privacy and blocks
//! allow, and shown in the contact list.

use std::time::Duration;

use gkchat_client::{Client, Connection, ConnectionState, Event, Events};
use gkchat_proto::account::{Presence, Privacy, ProfileUpdate, Visibility};
use gkchat_tests::{TestServer, within};

const WAIT: Duration = Duration::from_secs(10);

/// The next presence news about `user_id`.
async fn next_presence(events: &mut Events, user_id: &str) -> Presence {
    within(WAIT, "a presence frame", async {
        loop {
            match events.next().await {
                Some(Event::Presence(presence)) if presence.user_id == user_id => return presence,
                Some(_) => {}
                None => panic!("connection gone"),
            }
        }
    })
    .await
}

async fn connected(client: &Client) -> Connection {
    let connection = client.connect();
    within(
        WAIT,
        "signed-in connection",
        connection.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })),
    )
    .await;
    connection
}

async fn set_last_seen(client: &Client, last_seen: Visibility) {
    let privacy = Privacy { last_seen, ..Privacy::default() };
    client.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await.unwrap();
}

#[tokio::test]
async fn contacts_see_online_and_last_seen_live() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    alice.add_contact("bob").await.unwrap();
    let listed = &alice.contacts().await.unwrap()[0];
    assert!(!listed.online);
    assert_eq!(listed.last_seen, None, "never connected");

    let alice_live = connected(&alice).await;
    let mut events = alice_live.events();
    let before = gkchat_server::now_ms();
    let bob_live = connected(&bob).await;
    let online = next_presence(&mut events, &bob_me.id).await;
    assert!(online.online);
    assert!(alice.contacts().await.unwrap()[0].online);

    bob_live.close().await;
    let offline = next_presence(&mut events, &bob_me.id).await;
    assert!(!offline.online);
    let last_seen = offline.last_seen.expect("last seen is shown to everyone by default");
    assert!(last_seen >= before && last_seen <= gkchat_server::now_ms(), "{last_seen}");
    let listed = &alice.contacts().await.unwrap()[0];
    assert_eq!((listed.online, listed.last_seen), (false, Some(last_seen)));

    // Two devices: online until the last one leaves.
    let laptop = connected(&bob).await;
    assert!(next_presence(&mut events, &bob_me.id).await.online);
    let phone_client = server.client();
    phone_client.sign_in("bob", gkchat_tests::TEST_PASSWORD, gkchat_tests::test_device("phone")).await.unwrap();
    let phone = connected(&phone_client).await;
    assert!(next_presence(&mut events, &bob_me.id).await.online);
    laptop.close().await;
    assert!(alice.contacts().await.unwrap()[0].online, "the phone is still connected");
    phone.close().await;
    let gone = next_presence(&mut events, &bob_me.id).await;
    assert!(!gone.online && gone.last_seen.is_some());
    alice_live.close().await;
}

#[tokio::test]
async fn last_seen_privacy_and_blocks_hide_presence_at_once() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    alice.add_contact("bob").await.unwrap();
    let alice_live = connected(&alice).await;
    let mut events = alice_live.events();
    let _bob_live = connected(&bob).await;
    assert!(next_presence(&mut events, &bob_me.id).await.online);

    // Nobody: hidden, even while online.
    set_last_seen(&bob, Visibility::Nobody).await;
    let hidden = next_presence(&mut events, &bob_me.id).await;
    assert_eq!((hidden.online, hidden.last_seen), (false, None));
    let listed = &alice.contacts().await.unwrap()[0];
    assert_eq!((listed.online, listed.last_seen), (false, None));

    // My contacts: alice sees it once bob has her as a contact.
    set_last_seen(&bob, Visibility::Contacts).await;
    assert!(!next_presence(&mut events, &bob_me.id).await.online, "alice is not bob's contact yet");
    bob.add_contact("alice").await.unwrap();
    assert!(next_presence(&mut events, &bob_me.id).await.online);
    bob.remove_contact(&alice_me.id).await.unwrap();
    assert!(!next_presence(&mut events, &bob_me.id).await.online);

    // Blocked: hidden whatever the setting; unblocked: visible again.
    set_last_seen(&bob, Visibility::Everyone).await;
    assert!(next_presence(&mut events, &bob_me.id).await.online);
    bob.block(&alice_me.id).await.unwrap();
    let blocked = next_presence(&mut events, &bob_me.id).await;
    assert_eq!((blocked.online, blocked.last_seen), (false, None));
    assert!(!alice.contacts().await.unwrap()[0].online);
    bob.unblock(&alice_me.id).await.unwrap();
    assert!(next_presence(&mut events, &bob_me.id).await.online);
}
