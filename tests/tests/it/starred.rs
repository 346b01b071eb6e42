//! Starred messages through real messengers and a real server: a star made on one device shows
//! on my other device (also one that catches up later) and in my list across chats and per
//! chat, never to the other members; a star taken off goes everywhere; it waits offline like any
//! change; a deleted message takes no star; nobody outside the chat stars its messages. Clearing a
//! chat may keep my starred messages; neither clearing nor deleting touches the other's copy.

use gkchat_proto::ErrorCode;
use gkchat_proto::chat::MessageAction;
use gkchat_tests::{TestServer, api_code, eventually, messenger, online};

fn star(starred: bool) -> MessageAction {
    MessageAction::Star { starred }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_star_follows_me_to_my_other_devices_and_nobody_else_sees_it() {
    let server = TestServer::start().await;
    let Cast { ann, ann_me, bob, stranger, laptop, phone, bob_m, chat } = cast(&server).await;
    let first = laptop.send_text(&chat, "the address is 12 Elm St", None).await.unwrap().message.id;
    let second = laptop.send_text(&chat, "see you", None).await.unwrap().message.id;
    laptop.flushed().await.unwrap();
    let (people, group) = server.group_of("Club", &["cal", "dee"]).await;
    let (cal, _) = &people[0];
    cal.add_members(&group, std::slice::from_ref(&ann_me.id)).await.unwrap();
    let (cal_live, _cal_events) = online(cal).await;
    let note = gkchat_proto::chat::NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: group.clone(),
        content: gkchat_proto::chat::Content::text("meeting at 6"),
        reply_to: None,
        forwarded: false,
    };
    let note = cal_live.send_message(note).await.unwrap().id;
    eventually("ann has everything", || async {
        laptop.store().message(&note).await.unwrap().is_some()
            && bob_m.store().message(&second).await.unwrap().is_some()
    })
    .await;

    // Starred on the laptop: shown at once, then on the phone; listed across chats and per chat.
    let activity = |client: gkchat_client::Client, chat: String| async move {
        client.chats().await.unwrap().into_iter().find(|c| c.id == chat).unwrap().last_activity_at
    };
    let bob_saw = activity(bob.clone(), chat.clone()).await;
    laptop.act(&chat, &first, star(true)).await.unwrap();
    assert!(laptop.store().message(&first).await.unwrap().unwrap().message.starred, "at once");
    laptop.act(&group, &note, star(true)).await.unwrap();
    laptop.flushed().await.unwrap();
    eventually("the phone has both stars", || async { phone.starred(None).await.unwrap().len() == 2 }).await;
    let all: Vec<String> = phone.starred(None).await.unwrap().into_iter().map(|m| m.message.id).collect();
    assert_eq!(all, [note.clone(), first.clone()], "newest first");
    let here: Vec<String> = phone.starred(Some(&chat)).await.unwrap().into_iter().map(|m| m.message.id).collect();
    assert_eq!(here, std::slice::from_ref(&first));
    // Bob never sees ann's star (his copy changed nothing for him).
    eventually("bob's copy is the same", || async {
        bob_m.store().message(&first).await.unwrap().is_some_and(|m| !m.message.starred)
    })
    .await;
    assert!(bob_m.starred(None).await.unwrap().is_empty());
    assert_eq!(activity(bob.clone(), chat.clone()).await, bob_saw, "the chat did not move up bob's list");
    let history = bob.history(&chat, None, 10).await.unwrap();
    assert!(history.messages.iter().all(|m| !m.starred));
    // A device signed in later catches up with the stars.
    let tablet = another_device(&server, &ann_me.id, "tablet").await;
    eventually("the tablet has the stars", || async { tablet.starred(None).await.unwrap().len() == 2 }).await;

    // Taken off on the phone: gone everywhere.
    phone.act(&group, &note, star(false)).await.unwrap();
    phone.flushed().await.unwrap();
    eventually("the laptop loses it", || async { laptop.starred(None).await.unwrap().len() == 1 }).await;

    // Who may star what.
    let (stranger_live, _s) = online(&stranger).await;
    assert_eq!(api_code(stranger_live.act(&chat, &first, star(true)).await), ErrorCode::NotAMember);
    laptop.act(&chat, &second, star(true)).await.unwrap();
    laptop.act(&chat, &second, MessageAction::DeleteForEveryone).await.unwrap();
    laptop.flushed().await.unwrap();
    eventually("a deleted message leaves the lists", || async {
        !phone.starred(None).await.unwrap().iter().any(|m| m.message.id == second)
            && !laptop.starred(None).await.unwrap().iter().any(|m| m.message.id == second)
    })
    .await;
    let (ann_live, _a) = online(&ann).await;
    assert_eq!(api_code(ann_live.act(&chat, &second, star(true)).await), ErrorCode::BadRequest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_a_chat_keeps_my_starred_messages_and_nobody_elses_copy_changes() {
    let server = TestServer::start().await;
    let Cast { ann, ann_me, bob, stranger, laptop, phone, bob_m, chat } = cast(&server).await;
    let mut sent = Vec::new();
    for text in ["first words", "the starred address", "last words"] {
        sent.push(laptop.send_text(&chat, text, None).await.unwrap().message.id);
    }
    laptop.flushed().await.unwrap();
    laptop.act(&chat, &sent[1], star(true)).await.unwrap();
    laptop.flushed().await.unwrap();
    eventually("the phone and bob have all three", || async {
        listed(&phone, &chat).await.len() == 3
            && listed(&bob_m, &chat).await.len() == 3
            && phone.starred(None).await.unwrap().len() == 1
    })
    .await;

    // Cleared on the laptop, keeping starred: on both devices only the starred one is left, the
    // chat stays listed; bob keeps everything.
    assert_eq!(api_code(stranger.clear_chat(&chat, true).await), ErrorCode::NotAMember);
    laptop.clear_chat(&chat, true).await.unwrap();
    eventually("only the starred one is left on both", || async {
        listed(&laptop, &chat).await == [sent[1].clone()] && listed(&phone, &chat).await == [sent[1].clone()]
    })
    .await;
    assert!(phone.search("words", None).await.unwrap().is_empty());
    let tile = phone.chat(&chat).await.unwrap().unwrap().summary;
    assert!(tile.clear_listed && tile.clear_keeps_starred);
    let on_server = ann.chats().await.unwrap().into_iter().find(|c| c.id == chat).unwrap();
    assert_eq!(on_server.last_message.map(|m| m.id), Some(sent[1].clone()), "the tile shows what is left");
    assert_eq!(bob.history(&chat, None, 10).await.unwrap().messages.len(), 3, "bob's copy is whole");
    assert_eq!(listed(&bob_m, &chat).await.len(), 3);
    // A device signed in later gets only what is left.
    let tablet = another_device(&server, &ann_me.id, "tablet").await;
    eventually("the tablet has the starred one only", || async { listed(&tablet, &chat).await == [sent[1].clone()] })
        .await;
    let page = ann.history(&chat, None, 50).await.unwrap();
    let history: Vec<String> = page.messages.into_iter().map(|m| m.id).collect();
    assert_eq!(history, [sent[1].clone()], "the history holds what is left, nothing cleared");
    let (ann_live, _a) = online(&ann).await;
    let react = gkchat_proto::chat::MessageAction::React { emoji: Some("👍".into()) };
    assert_eq!(api_code(ann_live.act(&chat, &sent[0], react).await), ErrorCode::NotFound, "a cleared one is gone");

    // Unstarred, it goes too; what comes next is listed.
    phone.act(&chat, &sent[1], star(false)).await.unwrap();
    phone.flushed().await.unwrap();
    let (bob_live, _b) = online(&bob).await;
    let next = gkchat_proto::chat::NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat.clone(),
        content: gkchat_proto::chat::Content::text("still there?"),
        reply_to: None,
        forwarded: false,
    };
    let next = bob_live.send_message(next).await.unwrap().id;
    eventually("the laptop lists only the new one", || async {
        listed(&laptop, &chat).await == [next.clone()] && listed(&phone, &chat).await == [next.clone()]
    })
    .await;

    // Cleared without keeping: empty but listed; deleted: not listed.
    laptop.clear_chat(&chat, false).await.unwrap();
    eventually("empty on the phone", || async { listed(&phone, &chat).await.is_empty() }).await;
    assert!(phone.chat(&chat).await.unwrap().unwrap().summary.clear_listed);
    laptop.delete_chat(&chat).await.unwrap();
    eventually("deleted on the phone", || async { !phone.chat(&chat).await.unwrap().unwrap().summary.clear_listed })
        .await;
    assert_eq!(bob.history(&chat, None, 10).await.unwrap().messages.len(), 4, "bob's copy is whole");
}

/// The ids a messenger lists in a chat, oldest first.
async fn listed(messenger: &gkchat_client::Messenger, chat: &str) -> Vec<String> {
    messenger.messages(chat, None, 50).await.unwrap().into_iter().map(|m| m.message.id).collect()
}

/// Ann on her laptop and phone, Bob, a stranger, and Ann and Bob's direct chat.
struct Cast {
    ann: gkchat_client::Client,
    ann_me: gkchat_proto::account::Me,
    bob: gkchat_client::Client,
    stranger: gkchat_client::Client,
    laptop: gkchat_client::Messenger,
    phone: gkchat_client::Messenger,
    bob_m: gkchat_client::Messenger,
    chat: String,
}

async fn cast(server: &TestServer) -> Cast {
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (stranger, _) = server.signed_up("stranger").await;
    let laptop = messenger(&ann, &ann_me.id, None).await;
    let phone = another_device(server, &ann_me.id, "phone").await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    let chat = laptop.open_direct(&bob_me.id).await.unwrap();
    Cast { ann, ann_me, bob, stranger, laptop, phone, bob_m, chat }
}

/// Ann signed in on another device, `name`.
async fn another_device(server: &TestServer, ann_id: &str, name: &str) -> gkchat_client::Messenger {
    let client = server.client();
    client.sign_in("ann", gkchat_tests::TEST_PASSWORD, gkchat_tests::test_device(name)).await.unwrap();
    messenger(&client, ann_id, None).await
}
