//! The client's messenger: local store, outbox and sync against a real server — ticks and
//! unread counts, messages composed offline (also across an app restart) arriving exactly once
//! and in order, a connection cut mid-send (also after the server committed a message whose
//! ack was lost) ending with every message exactly once and in order, two devices of one
//! account staying in step, and "delete chat" reaching both devices (a group left on the way).

use gkchat_client::{Messenger, SendStatus};
use gkchat_proto::chat::Content;
use gkchat_tests::proxy::CuttableRelay;
use gkchat_tests::{TEST_PASSWORD, TestServer, client_for, eventually, messenger, test_config, test_device};

async fn texts(messenger: &Messenger, chat_key: &str) -> Vec<String> {
    let messages = messenger.messages(chat_key, None, 1000).await.unwrap();
    messages
        .into_iter()
        .map(|m| match m.message.content {
            Some(Content::Text { text, .. }) => text,
            Some(Content::System { .. }) => "(system)".into(),
            Some(Content::Media { caption, .. }) => caption,
            Some(Content::Contact { card }) => card.display_name,
            Some(Content::Poll { poll }) => poll.question,
            Some(Content::Event { event }) => event.title,
            None => "(deleted)".into(),
        })
        .collect()
}

#[tokio::test]
async fn ticks_and_unread_counts_follow_delivery_and_reading() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    // Bob knows Alice: a stranger's chat would be a message request, which shows no read ticks.
    bob.add_contact("alice").await.unwrap();
    let alice_m = messenger(&alice, &alice.me().await.unwrap().id, None).await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;

    let pending = alice_m.send_text(&alice_m.open_direct(&bob_me.id).await.unwrap(), "hello bob", None).await.unwrap();
    assert_eq!(pending.status, SendStatus::Pending);
    eventually("bob has the message", || async {
        bob_m.chats().await.unwrap().first().is_some_and(|c| c.summary.unread == 1)
    })
    .await;
    let chat_id = bob_m.chats().await.unwrap()[0].summary.id.clone();
    assert_eq!(texts(&bob_m, &chat_id).await, ["hello bob"]);
    // Delivered (two grey ticks) without bob opening the chat; read (blue) once he does.
    eventually("delivered tick", || async {
        alice_m
            .chats()
            .await
            .unwrap()
            .first()
            .is_some_and(|c| c.summary.delivered_to_all_seq == 1 && c.summary.read_by_all_seq == 0)
    })
    .await;
    let mine = alice_m.messages(&chat_id, None, 10).await.unwrap();
    assert_eq!((mine[0].status.clone(), mine[0].message.seq), (SendStatus::Sent, 1));
    bob_m.mark_read(&chat_id).await.unwrap();
    assert_eq!(bob_m.chats().await.unwrap()[0].summary.unread, 0);
    eventually("read tick", || async { alice_m.chats().await.unwrap()[0].summary.read_by_all_seq == 1 }).await;
    let tile = alice_m.chats().await.unwrap().remove(0);
    assert_eq!(tile.summary.last_message.and_then(|m| m.content), Some(Content::text("hello bob")));

    // A refused message is marked failed, not retried forever.
    bob.block(&alice.me().await.unwrap().id).await.unwrap();
    alice_m.send_text(&chat_id, "still there?", None).await.unwrap();
    eventually("refusal recorded", || async {
        let messages = alice_m.messages(&chat_id, None, 10).await.unwrap();
        messages
            .iter()
            .any(|m| matches!(&m.status, SendStatus::Failed { code, .. } if *code == gkchat_proto::ErrorCode::Blocked))
    })
    .await;
    alice_m.flushed().await.unwrap();
}

#[tokio::test]
async fn messages_written_offline_arrive_once_in_order_also_after_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let addr = server.addr;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    let store_path = temp.path().join("alice-store.db");
    let alice_m = messenger(&alice, &alice_me.id, Some(&store_path)).await;
    alice_m.send_text(&alice_m.open_direct(&bob_me.id).await.unwrap(), "one", None).await.unwrap();
    alice_m.flushed().await.unwrap();

    // The server goes away; alice keeps writing, then closes the app.
    server.stop().await;
    let chat = alice_m.chats().await.unwrap().remove(0).summary.id;
    for text in ["two", "three", "four"] {
        alice_m.send_text(&chat, text, None).await.unwrap();
    }
    assert_eq!(alice_m.store().outbox().await.unwrap().len(), 3);
    drop(alice_m);

    // The server returns; the app starts again on the same store and sends what was pending.
    let server = TestServer::start_with(test_config(temp.path()), addr).await;
    let alice_m = messenger(&alice, &alice_me.id, Some(&store_path)).await;
    alice_m.flushed().await.unwrap();
    eventually("bob has all four", || async { texts(&bob_m, &chat).await.len() == 4 }).await;
    assert_eq!(texts(&bob_m, &chat).await, ["one", "two", "three", "four"]);
    let history = bob.history(&chat, None, 50).await.unwrap();
    assert_eq!(history.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 3, 2, 1], "each exactly once");
    assert_eq!(texts(&alice_m, &chat).await, ["one", "two", "three", "four"]);
    drop(server);
}

#[tokio::test]
async fn a_connection_cut_mid_send_ends_with_every_message_once_in_order() {
    let server = TestServer::start().await;
    let (_, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    // Alice's device reaches the server through a relay the test can hold and cut.
    let relay = CuttableRelay::start(server.addr).await;
    let alice = client_for(relay.url());
    alice.sign_in("alice", TEST_PASSWORD, test_device("laptop")).await.unwrap();
    let alice_m = messenger(&alice, &alice_me.id, None).await;
    alice_m.send_text(&alice_m.open_direct(&bob_me.id).await.unwrap(), "m00", None).await.unwrap();
    alice_m.flushed().await.unwrap();
    let chat = alice_m.chats().await.unwrap().remove(0).summary.id;
    let all: Vec<String> = (0..30).map(|n| format!("m{n:02}")).collect();
    // Alice's messenger answers m00's push with a delivered receipt and waits for its reply:
    // let that finish first, or the hold below would stall it (and every send behind it).
    eventually("alice's receipt for m00 went through", || async {
        alice_m.chats().await.unwrap().first().is_some_and(|c| c.summary.my_delivered_seq >= 1)
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // The server commits a message but its ack is lost with the connection: the resend after
    // the reconnect must be recognised (same id, same ack), not stored twice.
    relay.hold_replies();
    for text in &all[1..10] {
        alice_m.send_text(&chat, text, None).await.unwrap();
    }
    eventually("the server stored m01 (its ack swallowed)", || async { texts(&bob_m, &chat).await.len() >= 2 }).await;
    assert_eq!(alice_m.store().outbox().await.unwrap().len(), 9, "no ack reached alice");
    relay.cut();

    // And a plain cut in the middle of a burst.
    for text in &all[10..30] {
        alice_m.send_text(&chat, text, None).await.unwrap();
    }
    eventually("some of the burst went out", || async { alice_m.store().outbox().await.unwrap().len() < 25 }).await;
    relay.cut();

    alice_m.flushed().await.unwrap();
    eventually("bob has all 30", || async { texts(&bob_m, &chat).await.len() >= 30 }).await;
    assert_eq!(texts(&bob_m, &chat).await, all, "bob: each once, in order");
    assert_eq!(texts(&alice_m, &chat).await, all, "alice: each once, in order");
    let history = bob.history(&chat, None, 100).await.unwrap();
    let seqs: Vec<i64> = history.messages.iter().rev().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>(), "the server stored each exactly once");
    let statuses = alice_m.messages(&chat, None, 100).await.unwrap();
    assert!(statuses.iter().all(|m| m.status == SendStatus::Sent), "every message of alice's is sent");
}

#[tokio::test]
async fn two_devices_of_one_account_stay_in_step() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_phone = server.client();
    bob_phone.sign_in("bob", TEST_PASSWORD, test_device("phone")).await.unwrap();
    let alice_m = messenger(&alice, &alice.me().await.unwrap().id, None).await;
    let laptop = messenger(&bob, &bob_me.id, None).await;
    let phone = messenger(&bob_phone, &bob_me.id, None).await;

    alice_m.send_text(&alice_m.open_direct(&bob_me.id).await.unwrap(), "are you there?", None).await.unwrap();
    for device in [&laptop, &phone] {
        eventually("both devices have it", || async {
            device.chats().await.unwrap().first().is_some_and(|c| c.summary.unread == 1)
        })
        .await;
    }
    let chat = laptop.chats().await.unwrap()[0].summary.id.clone();
    // Reading on the laptop clears the phone's unread count; the phone's reply shows on the laptop.
    laptop.mark_read(&chat).await.unwrap();
    eventually("phone unread cleared", || async { phone.chats().await.unwrap()[0].summary.unread == 0 }).await;
    phone.send_text(&chat, "yes, on my phone", None).await.unwrap();
    eventually("laptop shows the reply", || async { texts(&laptop, &chat).await.len() == 2 }).await;
    assert_eq!(texts(&laptop, &chat).await, ["are you there?", "yes, on my phone"]);
    assert_eq!(laptop.chats().await.unwrap()[0].summary.unread, 0, "my own messages are never unread");
}

#[tokio::test]
async fn a_message_can_be_forwarded_to_someone_else() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (carol, carol_me) = server.signed_up("carol").await;
    let alice_m = messenger(&alice, &alice_me.id, None).await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    let carol_m = messenger(&carol, &carol_me.id, None).await;
    alice_m.send_text(&alice_m.open_direct(&bob_me.id).await.unwrap(), "party at eight", None).await.unwrap();
    // (The tile comes before the message: wait for the message.)
    eventually("bob has it", || async {
        bob_m.chats().await.unwrap().first().is_some_and(|c| c.summary.last_message.is_some())
    })
    .await;
    let chat = bob_m.chats().await.unwrap().remove(0).summary.id;
    let original = bob_m.messages(&chat, None, 10).await.unwrap().remove(0);
    bob_m.forward(&original.message.id, &bob_m.open_direct(&carol_me.id).await.unwrap()).await.unwrap();
    eventually("carol has the forward", || async {
        carol_m.chats().await.unwrap().first().is_some_and(|c| c.summary.last_message.is_some())
    })
    .await;
    let carol_chat = carol_m.chats().await.unwrap().remove(0);
    assert_eq!(carol_chat.other_member.map(|p| p.username), Some("bob".into()));
    let forwarded = carol_m.messages(&carol_chat.summary.id, None, 10).await.unwrap().remove(0).message;
    assert!(forwarded.forwarded);
    assert_eq!(forwarded.content, Some(Content::text("party at eight")));
    let missing = bob_m.forward("no-such-message", &bob_m.open_direct(&carol_me.id).await.unwrap()).await;
    assert!(matches!(missing, Err(gkchat_client::Error::Invalid { .. })));
}

/// Deleted for me, as the chat list tells: cleared, and no message left to list it by.
async fn deleted(device: &Messenger, chat_id: &str) -> bool {
    let tile = device.chat(chat_id).await.unwrap().unwrap();
    tile.summary.cleared_seq > 0 && tile.summary.last_message.is_none()
}

#[tokio::test]
async fn a_chat_deleted_for_me_goes_from_both_my_devices_and_a_new_message_brings_it_back() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_phone = server.client();
    bob_phone.sign_in("bob", TEST_PASSWORD, test_device("phone")).await.unwrap();
    let alice_m = messenger(&alice, &alice_me.id, None).await;
    let laptop = messenger(&bob, &bob_me.id, None).await;
    let phone = messenger(&bob_phone, &bob_me.id, None).await;

    let chat = alice_m.open_direct(&bob_me.id).await.unwrap();
    alice_m.send_text(&chat, "old news", None).await.unwrap();
    alice_m.send_text(&chat, "secret plans", None).await.unwrap();
    for device in [&laptop, &phone] {
        eventually("both devices have them", || async { texts(device, &chat).await.len() == 2 }).await;
    }
    let group = laptop
        .create_group(&gkchat_proto::group::NewGroup {
            name: "Band".into(),
            description: String::new(),
            member_ids: vec![alice_me.id.clone()],
        })
        .await
        .unwrap()
        .chat
        .id;
    eventually("the phone has the group", || async { phone.chat(&group).await.unwrap().is_some() }).await;

    // Deleted on the laptop: gone from both devices (no message left to list it by), with its
    // search entries; alice keeps hers.
    laptop.delete_chat(&chat).await.unwrap();
    for device in [&laptop, &phone] {
        eventually("gone from the list", || deleted(device, &chat)).await;
        assert!(texts(device, &chat).await.is_empty());
        assert!(device.search("secret", None).await.unwrap().is_empty());
    }
    assert_eq!(texts(&alice_m, &chat).await, ["old news", "secret plans"]);
    assert!(bob.history(&chat, None, 50).await.unwrap().messages.is_empty(), "the server keeps none for bob");
    // A reaction to an old message does not bring it back: bob never gets it.
    let old = alice_m.messages(&chat, None, 10).await.unwrap()[0].message.id.clone();
    alice_m.act(&chat, &old, gkchat_proto::chat::MessageAction::React { emoji: Some("👍".into()) }).await.unwrap();
    alice_m.flushed().await.unwrap();
    // Alice writes again: the chat is back with only the new message.
    alice_m.send_text(&chat, "still there?", None).await.unwrap();
    for device in [&laptop, &phone] {
        eventually("only the new one", || async { texts(device, &chat).await == ["still there?"] }).await;
        assert!(!deleted(device, &chat).await, "listed again");
    }

    // Exit and delete a group: bob leaves (alice sees it) and it is gone from both devices.
    phone.delete_chat(&group).await.unwrap();
    let members: Vec<String> = alice.members(&group).await.unwrap().into_iter().map(|m| m.username).collect();
    assert_eq!(members, ["alice"]);
    for device in [&laptop, &phone] {
        eventually("the group is gone", || deleted(device, &group)).await;
    }
    // Nobody else's chat can be deleted.
    let (carol, _) = server.signed_up("carol").await;
    assert_eq!(gkchat_tests::api_code(carol.delete_chat(&chat).await), gkchat_proto::ErrorCode::NotAMember);
}

/// The newest version of one message on a device.
async fn shown(device: &Messenger, message_id: &str) -> gkchat_proto::chat::Message {
    device.store().message(message_id).await.unwrap().expect("the message is on the device").message
}

fn my_reaction(message: &gkchat_proto::chat::Message, user_id: &str) -> Option<String> {
    message.reactions.iter().find(|r| r.user_id == user_id).map(|r| r.emoji.clone())
}

#[tokio::test]
async fn edits_reactions_and_deletions_made_offline_show_at_once_and_reach_the_others() {
    use gkchat_proto::chat::MessageAction;
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start().await;
    let (_, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    let relay = CuttableRelay::start(server.addr).await;
    let alice = client_for(relay.url());
    alice.sign_in("alice", TEST_PASSWORD, test_device("laptop")).await.unwrap();
    let store_path = temp.path().join("alice.db");
    let alice_m = messenger(&alice, &alice_me.id, Some(&store_path)).await;
    let chat = alice_m.open_direct(&bob_me.id).await.unwrap();
    let one = alice_m.send_text(&chat, "one", None).await.unwrap().message.id;
    let two = alice_m.send_text(&chat, "two", None).await.unwrap().message.id;
    alice_m.flushed().await.unwrap();
    let hey = bob_m.send_text(&chat, "hey", None).await.unwrap().message.id;
    let gone = bob_m.send_text(&chat, "soon gone", None).await.unwrap().message.id;
    bob_m.flushed().await.unwrap();
    eventually("alice has bob's messages", || async { texts(&alice_m, &chat).await.len() == 4 }).await;

    // The network goes. Alice edits, reacts and deletes; each shows at once.
    relay.down();
    alice_m.act(&chat, &one, MessageAction::Edit { content: Content::text("one, edited") }).await.unwrap();
    alice_m.act(&chat, &hey, MessageAction::React { emoji: Some("🎉".into()) }).await.unwrap();
    alice_m.act(&chat, &two, MessageAction::DeleteForEveryone).await.unwrap();
    alice_m.act(&chat, &gone, MessageAction::React { emoji: Some("👍".into()) }).await.unwrap();
    // A message written offline, reacted to and edited before it went; another taken back.
    let three = alice_m.send_text(&chat, "three", None).await.unwrap().message.id;
    alice_m.act(&chat, &three, MessageAction::React { emoji: Some("❤️".into()) }).await.unwrap();
    alice_m.act(&chat, &three, MessageAction::Edit { content: Content::text("three!") }).await.unwrap();
    let oops = alice_m.send_text(&chat, "oops", None).await.unwrap().message.id;
    alice_m.act(&chat, &oops, MessageAction::React { emoji: Some("🙈".into()) }).await.unwrap();
    alice_m.act(&chat, &oops, MessageAction::DeleteForEveryone).await.unwrap();
    assert_eq!(texts(&alice_m, &chat).await, ["one, edited", "(deleted)", "hey", "soon gone", "three!"]);
    assert_eq!(my_reaction(&shown(&alice_m, &hey).await, &alice_me.id).as_deref(), Some("🎉"));
    assert_eq!(alice_m.store().queued_actions().await.unwrap().len(), 6);
    // Refusals come back: a bad edit is refused here and now.
    let err = alice_m.act(&chat, &hey, MessageAction::Edit { content: Content::text("") }).await.unwrap_err();
    assert_eq!(err.code(), gkchat_proto::ErrorCode::BadRequest);

    // Meanwhile bob deletes the message alice reacted to; alice closes the app.
    bob_m.act(&chat, &gone, MessageAction::DeleteForEveryone).await.unwrap();
    bob_m.flushed().await.unwrap();
    drop(alice_m);

    // The app starts again with the network back: what waited goes out, in order.
    relay.up();
    let alice_m = messenger(&alice, &alice_me.id, Some(&store_path)).await;
    let mut events = alice_m.subscribe();
    alice_m.flushed().await.unwrap();
    eventually("bob sees alice's changes", || async {
        texts(&bob_m, &chat).await == ["one, edited", "(deleted)", "hey", "(deleted)", "three!"]
    })
    .await;
    eventually("bob sees the reactions", || async {
        let three = bob_m.messages(&chat, None, 10).await.unwrap().into_iter().find(|m| m.message.id == three);
        my_reaction(&shown(&bob_m, &hey).await, &alice_me.id).as_deref() == Some("🎉")
            && three.is_some_and(|m| my_reaction(&m.message, &alice_me.id).as_deref() == Some("❤️"))
    })
    .await;
    let history = bob.history(&chat, None, 50).await.unwrap();
    assert!(history.messages.iter().all(|m| m.id != oops), "the message taken back never reached the server");
    // The reaction to the message bob deleted was refused: alice is told, and it is taken back.
    let refused = gkchat_tests::within(std::time::Duration::from_secs(15), "the refusal", async {
        loop {
            if let Ok(gkchat_client::MessengerEvent::ActionRefused { message_id, code, .. }) = events.recv().await {
                return (message_id, code);
            }
        }
    })
    .await;
    assert_eq!(refused, (gone.clone(), gkchat_proto::ErrorCode::BadRequest));
    // (The refusal may come before the catch-up has applied bob's deletion on a busy machine.)
    eventually("alice's device shows bob's deletion", || async {
        let gone_now = shown(&alice_m, &gone).await;
        gone_now.deleted_at.is_some() && gone_now.reactions.is_empty()
    })
    .await;
    eventually("alice's timeline as bob's", || async {
        texts(&alice_m, &chat).await == ["one, edited", "(deleted)", "hey", "(deleted)", "three!"]
    })
    .await;
    assert!(alice_m.store().queued_actions().await.unwrap().is_empty(), "nothing left of the message taken back");
    while let Ok(event) = events.try_recv() {
        let refused = matches!(event, gkchat_client::MessengerEvent::ActionRefused { .. });
        assert!(!refused, "one refusal only (none for the change to the message taken back)");
    }

    // A change refused on a message as it stands is taken back: alice may not edit bob's words.
    // (Offline while it is looked at: online, the refusal may come back before the first look.)
    relay.down();
    alice_m.act(&chat, &hey, MessageAction::Edit { content: Content::text("hey, edited by alice") }).await.unwrap();
    assert_eq!(texts(&alice_m, &chat).await[2], "hey, edited by alice", "shown at once");
    relay.up();
    alice_m.flushed().await.unwrap();
    assert_eq!(texts(&alice_m, &chat).await[2], "hey", "taken back");
    assert_eq!(texts(&bob_m, &chat).await[2], "hey");
}
