//! 1:1 messaging through real clients and a real server: send and ack (idempotent), fan-out to
//! every device, receipts, typing, changes (edit, delete, react), the changes feed, history,
//! chat settings, and every refusal with its code while the connection stays up.

use gkchat_tests::text_message as text;
use std::collections::BTreeMap;
use std::time::Duration;

use gkchat_client::{ConnectionState, Event, Events};
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{Privacy, ProfileUpdate};
use gkchat_proto::chat::{
    ChatSettingsUpdate, Content, MUTED_FOREVER, Message, MessageAction, ReceiptKind, SyncRequest, TEXT_MAX_BYTES,
};
use gkchat_tests::{TEST_PASSWORD, TestServer, api_code, direct_chat, online, test_device, within};

const WAIT: Duration = Duration::from_secs(10);

fn body(message: &Message) -> &str {
    match &message.content {
        Some(Content::Text { text, .. }) => text,
        Some(Content::Media { caption, .. }) => caption,
        Some(Content::System { .. } | Content::Contact { .. } | Content::Poll { .. } | Content::Event { .. })
        | None => "",
    }
}

/// The next event `pick` accepts.
pub(crate) async fn next<T>(events: &mut Events, what: &str, pick: impl Fn(Event) -> Option<T>) -> T {
    within(WAIT, what, async {
        loop {
            match events.next().await {
                Some(event) => {
                    if let Some(found) = pick(event) {
                        return found;
                    }
                }
                None => panic!("connection gone while waiting for {what}"),
            }
        }
    })
    .await
}

async fn next_message(events: &mut Events) -> Message {
    next(events, "a message push", |e| if let Event::Message(m) = e { Some(*m) } else { None }).await
}

#[tokio::test]
async fn two_people_chat_both_ways_with_receipts() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_phone = server.client();
    bob_phone.sign_in("bob", TEST_PASSWORD, test_device("phone")).await.unwrap();
    let (alice_live, mut alice_events) = online(&alice).await;
    let (bob_live, mut bob_events) = online(&bob).await;
    let (_phone_live, mut phone_events) = online(&bob_phone).await;

    // Alice opens the chat (bob sees nothing of it yet); the first message starts it for him.
    let chat_id = direct_chat(&alice, &bob_me.id).await;
    assert_eq!(direct_chat(&alice, &bob_me.id).await, chat_id, "opening again finds it");
    assert!(bob.chats().await.unwrap().is_empty(), "an empty chat is listed for its opener only");
    let first = text(&chat_id, "hi bob");
    let acked = alice_live.send_message(first.clone()).await.unwrap();
    assert_eq!((acked.seq, acked.updated_seq, acked.sender_id.as_str()), (1, 1, alice_me.id.as_str()));
    assert_eq!(acked.chat_id, chat_id);
    for events in [&mut bob_events, &mut phone_events] {
        let chat = next(events, "the new chat", |e| if let Event::Chat(c) = e { Some(*c) } else { None }).await;
        assert_eq!((chat.id.as_str(), chat.title.as_str(), chat.member_count), (chat_id.as_str(), "alice", 2));
        assert_eq!(chat.kind, gkchat_proto::chat::ChatKind::Direct);
        let pushed = next_message(events).await;
        assert_eq!((pushed.id.as_str(), body(&pushed)), (first.id.as_str(), "hi bob"));
    }

    // Sending the same id again is answered with the same message, stored once.
    assert_eq!(alice_live.send_message(first.clone()).await.unwrap(), acked);
    let reply = bob_live.send_message(text(&chat_id, "hi alice")).await.unwrap();
    assert_eq!(reply.seq, 2);
    // Alice's devices get her own message too (for her other devices); then bob's.
    assert_eq!(body(&next_message(&mut alice_events).await), "hi bob");
    assert_eq!(body(&next_message(&mut alice_events).await), "hi alice");
    let history = bob.history(&chat_id, None, 10).await.unwrap();
    assert_eq!(history.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [2, 1]);
    assert!(!history.more);

    // Tiles: unread counts and the last message.
    let bob_tile = bob.chats().await.unwrap().remove(0);
    assert_eq!((bob_tile.unread, bob_tile.last_seq), (1, 2));
    assert_eq!(bob_tile.last_message.map(|m| m.seq), Some(2));
    assert_eq!(alice.chats().await.unwrap()[0].unread, 1);

    // Bob's phone reads: alice sees delivered and read ticks; bob's laptop sees his own cursor.
    _phone_live.receipt(&chat_id, ReceiptKind::Read, 1).await.unwrap();
    let seen =
        next(&mut alice_events, "bob's receipt", |e| if let Event::Receipt(r) = e { Some(r) } else { None }).await;
    assert_eq!((seen.chat_id.as_str(), seen.delivered_to_all_seq, seen.read_by_all_seq), (chat_id.as_str(), 1, 1));
    let mine =
        next(&mut bob_events, "my own receipt", |e| if let Event::Receipt(r) = e { Some(r) } else { None }).await;
    assert_eq!((mine.my_delivered_seq, mine.my_read_seq), (1, 1));
    assert_eq!(bob.chats().await.unwrap()[0].unread, 0);
    assert_eq!(alice.chats().await.unwrap()[0].read_by_all_seq, 1);

    // Message info: when bob's devices received and read it; only for its sender.
    let info = alice.message_info(&chat_id, &first.id).await.unwrap();
    assert_eq!(info.receipts.len(), 1);
    let receipt = &info.receipts[0];
    assert_eq!(receipt.user_id, bob_me.id);
    let (delivered, read) = (receipt.delivered_at.expect("delivered"), receipt.read_at.expect("read"));
    assert!(delivered <= read && read <= gkchat_server::now_ms());
    assert_eq!(api_code(bob.message_info(&chat_id, &first.id).await), ErrorCode::Forbidden);

    // Read receipts off (on either side): alice sees delivered, not read.
    let off = Privacy { read_receipts: false, ..Privacy::default() };
    bob.update_profile(&ProfileUpdate { privacy: Some(off), ..Default::default() }).await.unwrap();
    alice_live.send_message(text(&chat_id, "did you see?")).await.unwrap();
    bob_live.receipt(&chat_id, ReceiptKind::Read, 3).await.unwrap();
    let seen =
        next(&mut alice_events, "bob's receipt", |e| if let Event::Receipt(r) = e { Some(r) } else { None }).await;
    assert_eq!((seen.delivered_to_all_seq, seen.read_by_all_seq), (3, 0));
    let tile = alice.chats().await.unwrap().remove(0);
    assert_eq!((tile.delivered_to_all_seq, tile.read_by_all_seq), (3, 0));
    let third = alice.history(&chat_id, None, 1).await.unwrap().messages.remove(0);
    let info = alice.message_info(&chat_id, &third.id).await.unwrap();
    assert!(info.receipts[0].delivered_at.is_some() && info.receipts[0].read_at.is_none(), "{info:?}");

    // A receipt past the end is refused; the connection stays.
    assert_eq!(api_code(bob_live.receipt(&chat_id, ReceiptKind::Read, 99).await), ErrorCode::BadRequest);
    bob_live.ping().await.unwrap();
    drop(alice_live);
}

#[tokio::test]
async fn two_people_opening_their_chat_at_once_get_the_same_one() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    for n in 0..5 {
        let (carol, carol_me) = server.signed_up(&format!("carol{n}")).await;
        let (from_alice, from_carol) = tokio::join!(alice.open_direct(&carol_me.id), carol.open_direct(&alice_me.id));
        let (from_alice, from_carol) = (from_alice.unwrap(), from_carol.unwrap());
        assert_eq!(from_alice.id, from_carol.id);
        assert_eq!((from_alice.title.as_str(), from_carol.title.as_str()), (format!("carol{n}").as_str(), "alice"));
    }
}

#[tokio::test]
async fn typing_reaches_the_others_only() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    // Bob knows Alice: a stranger's chat would be a message request, where his typing stays his.
    bob.add_contact("alice").await.unwrap();
    let (alice_live, mut alice_events) = online(&alice).await;
    let (bob_live, mut bob_events) = online(&bob).await;
    let chat_id = alice_live.send_message(text(&direct_chat(&alice, &bob_me.id).await, "hey")).await.unwrap().chat_id;
    alice_live.typing(&chat_id, true).await.unwrap();
    let typing = next(&mut bob_events, "typing", |e| if let Event::Typing(t) = e { Some(t) } else { None }).await;
    assert!(typing.typing && typing.chat_id == chat_id);
    bob_live.typing(&chat_id, false).await.unwrap();
    let stopped = next(&mut alice_events, "typing", |e| if let Event::Typing(t) = e { Some(t) } else { None }).await;
    assert!(!stopped.typing);
    // A flood of "typing" reaches the others once per gap: the repeat is dropped, the stop is not.
    for _ in 0..5 {
        alice_live.typing(&chat_id, true).await.unwrap();
    }
    alice_live.typing(&chat_id, false).await.unwrap();
    let after = next(&mut bob_events, "typing", |e| if let Event::Typing(t) = e { Some(t) } else { None }).await;
    assert!(!after.typing, "the repeated \"typing\" frames were dropped");
}

#[tokio::test]
async fn refusals_have_codes_and_the_connection_stays_up() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (carol, _) = server.signed_up("carol").await;
    let (alice_live, _) = online(&alice).await;
    let (bob_live, _) = online(&bob).await;
    let (carol_live, _) = online(&carol).await;
    let chat_id = alice_live.send_message(text(&direct_chat(&alice, &bob_me.id).await, "hello")).await.unwrap().chat_id;

    let huge = text(&chat_id, "x".repeat(TEXT_MAX_BYTES + 1));
    assert_eq!(api_code(alice_live.send_message(huge).await), ErrorCode::MessageTooLarge);
    let empty = text(&chat_id, "  ");
    assert_eq!(api_code(alice_live.send_message(empty).await), ErrorCode::BadRequest);
    let mut bad_id = text(&chat_id, "x");
    bad_id.id = "not-a-uuid".into();
    assert_eq!(api_code(alice_live.send_message(bad_id).await), ErrorCode::BadRequest);
    let unknown = text(&uuid::Uuid::now_v7().to_string(), "anyone?");
    assert_eq!(api_code(alice_live.send_message(unknown).await), ErrorCode::NotFound);
    assert_eq!(api_code(alice.open_direct("no-such-user").await), ErrorCode::NotFound);
    assert_eq!(api_code(alice.open_direct(&alice_me.id).await), ErrorCode::BadRequest);
    let intruder = text(&chat_id, "let me in");
    assert_eq!(api_code(carol_live.send_message(intruder).await), ErrorCode::NotAMember);
    assert_eq!(api_code(carol.history(&chat_id, None, 10).await), ErrorCode::NotAMember);
    assert_eq!(api_code(carol_live.receipt(&chat_id, ReceiptKind::Read, 1).await), ErrorCode::NotAMember);

    // Blocks, both ways, for messages and reactions.
    bob.block(&alice_me.id).await.unwrap();
    let blocked = text(&chat_id, "are you there?");
    assert_eq!(api_code(alice_live.send_message(blocked).await), ErrorCode::Blocked);
    assert_eq!(api_code(alice.open_direct(&bob_me.id).await), ErrorCode::Blocked);
    assert_eq!(api_code(bob.open_direct(&alice_me.id).await), ErrorCode::Blocked);
    assert_eq!(api_code(bob_live.send_message(text(&chat_id, "bye")).await), ErrorCode::Blocked);
    let first = alice.history(&chat_id, None, 1).await.unwrap().messages.remove(0);
    let react = MessageAction::React { emoji: Some("👍".into()) };
    assert_eq!(api_code(bob_live.act(&chat_id, &first.id, react).await), ErrorCode::Blocked);
    bob.unblock(&alice_me.id).await.unwrap();
    alice_live.send_message(text(&chat_id, "you're back")).await.unwrap();

    // An anonymous connection may not send.
    let anonymous = server.client().connect();
    within(WAIT, "anonymous connection", anonymous.wait_for(ConnectionState::is_connected)).await;
    let denied = anonymous.send_message(text(&chat_id, "hi")).await;
    assert_eq!(api_code(denied), ErrorCode::Unauthorized);

    for live in [&alice_live, &bob_live, &carol_live, &anonymous] {
        live.ping().await.expect("still connected after refusals");
    }
}

#[tokio::test]
async fn edits_deletes_and_reactions_follow_their_rules() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (alice_live, _) = online(&alice).await;
    let (bob_live, mut bob_events) = online(&bob).await;
    let sent = alice_live.send_message(text(&direct_chat(&alice, &bob_me.id).await, "helo")).await.unwrap();
    let chat_id = sent.chat_id.clone();
    next_message(&mut bob_events).await;

    let edit = |t: &str| MessageAction::Edit { content: Content::text(t) };
    assert_eq!(api_code(bob_live.act(&chat_id, &sent.id, edit("hacked")).await), ErrorCode::Forbidden);
    alice_live.act(&chat_id, &sent.id, edit("hello")).await.unwrap();
    let edited = next_message(&mut bob_events).await;
    assert_eq!((body(&edited), edited.seq, edited.updated_seq), ("hello", 1, 2));
    assert!(edited.edited_at.is_some());

    bob_live.act(&chat_id, &sent.id, MessageAction::React { emoji: Some("👍".into()) }).await.unwrap();
    bob_live.act(&chat_id, &sent.id, MessageAction::React { emoji: Some("❤️".into()) }).await.unwrap();
    next_message(&mut bob_events).await;
    let reacted = next_message(&mut bob_events).await;
    assert_eq!(reacted.reactions.iter().map(|r| r.emoji.as_str()).collect::<Vec<_>>(), ["❤️"], "one per person");
    let word = MessageAction::React { emoji: Some("ok".into()) };
    assert_eq!(api_code(bob_live.act(&chat_id, &sent.id, word).await), ErrorCode::BadRequest);

    // Delete for me hides it on my side only.
    bob_live.act(&chat_id, &sent.id, MessageAction::DeleteForMe).await.unwrap();
    assert!(next_message(&mut bob_events).await.hidden);
    assert!(bob.history(&chat_id, None, 5).await.unwrap().messages[0].hidden);
    assert!(!alice.history(&chat_id, None, 5).await.unwrap().messages[0].hidden);

    // Delete for everyone leaves a tombstone without content or reactions.
    assert_eq!(
        api_code(bob_live.act(&chat_id, &sent.id, MessageAction::DeleteForEveryone).await),
        ErrorCode::Forbidden
    );
    alice_live.act(&chat_id, &sent.id, MessageAction::DeleteForEveryone).await.unwrap();
    let tomb = alice.history(&chat_id, None, 5).await.unwrap().messages.remove(0);
    assert!(tomb.deleted_at.is_some() && tomb.content.is_none() && tomb.reactions.is_empty());
    assert_eq!(api_code(alice_live.act(&chat_id, &sent.id, edit("undo")).await), ErrorCode::BadRequest);
    assert_eq!(api_code(alice_live.act(&chat_id, "nope", edit("x")).await), ErrorCode::NotFound);

    // Quoting: the quoted message must be in the same chat.
    let mut quoting = text(&chat_id, "re");
    quoting.reply_to = Some(sent.id.clone());
    assert_eq!(alice_live.send_message(quoting).await.unwrap().reply_to.as_deref(), Some(sent.id.as_str()));
    let mut stray = text(&chat_id, "re");
    stray.reply_to = Some(uuid::Uuid::now_v7().to_string());
    assert_eq!(api_code(alice_live.send_message(stray).await), ErrorCode::BadRequest);
}

#[tokio::test]
async fn an_offline_device_catches_up_from_its_cursor_exactly_once() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (carol, carol_me) = server.signed_up("carol").await;
    let (alice_live, _) = online(&alice).await;
    let mut sent: Vec<Message> = Vec::new();
    let chat_id = direct_chat(&alice, &carol_me.id).await;
    for n in 1..=5 {
        sent.push(alice_live.send_message(text(&chat_id, format!("message {n}"))).await.unwrap());
    }

    // Carol was offline: pages of two, in order, until complete.
    let mut cursors = BTreeMap::new();
    let mut seen = Vec::new();
    loop {
        let known = BTreeMap::from([(chat_id.clone(), 0)]);
        let page = carol.sync(&SyncRequest { cursors: cursors.clone(), members: known, limit: Some(2) }).await.unwrap();
        assert_eq!(page.chats.len(), 1);
        assert!(page.members.is_empty(), "the member list she holds is current");
        for message in &page.messages {
            cursors.insert(message.chat_id.clone(), message.updated_seq);
            seen.push(body(message).to_owned());
        }
        if page.complete {
            break;
        }
    }
    assert_eq!(seen, (1..=5).map(|n| format!("message {n}")).collect::<Vec<_>>());

    // Later changes come as the changed messages only, in change order.
    let edit = MessageAction::Edit { content: Content::text("message 2 (fixed)") };
    alice_live.act(&chat_id, &sent[1].id, edit).await.unwrap();
    alice_live.act(&chat_id, &sent[3].id, MessageAction::DeleteForEveryone).await.unwrap();
    let later = carol.sync(&SyncRequest { cursors: cursors.clone(), ..Default::default() }).await.unwrap();
    // A device without the member list gets it.
    let members = &later.members[0];
    assert_eq!((members.chat_id.as_str(), members.members.len()), (chat_id.as_str(), 2));
    assert!(
        members.members.iter().any(|m| m.user_id == carol_me.id && m.role == gkchat_proto::chat::MemberRole::Member)
    );
    assert!(later.complete);
    let changed: Vec<(i64, i64)> = later.messages.iter().map(|m| (m.seq, m.updated_seq)).collect();
    assert_eq!(changed, [(2, 6), (4, 7)]);
    assert_eq!(body(&later.messages[0]), "message 2 (fixed)");
    assert!(later.messages[1].deleted_at.is_some());
    for message in &later.messages {
        cursors.insert(message.chat_id.clone(), message.updated_seq);
    }
    let nothing = carol.sync(&SyncRequest { cursors, ..Default::default() }).await.unwrap();
    assert!(nothing.messages.is_empty() && nothing.complete);
    assert_eq!(nothing.chats[0].unread, 4, "five sent, one deleted for everyone");

    // History pages backwards.
    let page = carol.history(&chat_id, None, 2).await.unwrap();
    assert_eq!(page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [5, 4]);
    assert!(page.more);
    let older = carol.history(&chat_id, Some(4), 10).await.unwrap();
    assert_eq!(older.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 2, 1]);
    assert!(!older.more);
}

#[tokio::test]
async fn chat_settings_are_mine_and_reach_my_other_devices() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (alice_live, mut alice_events) = online(&alice).await;
    let chat_id = alice_live.send_message(text(&direct_chat(&alice, &bob_me.id).await, "hi")).await.unwrap().chat_id;
    next(&mut alice_events, "the new chat", |e| if let Event::Chat(c) = e { Some(*c) } else { None }).await;

    let update = ChatSettingsUpdate { pinned: Some(true), archived: Some(true), muted_until: Some(MUTED_FOREVER) };
    let tile = alice.update_chat(&chat_id, &update).await.unwrap();
    assert!(tile.pinned_at.is_some() && tile.archived && tile.muted_until == Some(MUTED_FOREVER));
    let pushed = next(&mut alice_events, "my tile", |e| if let Event::Chat(c) = e { Some(*c) } else { None }).await;
    assert_eq!(pushed, tile);
    let bob_tile = bob.chats().await.unwrap().remove(0);
    assert!(bob_tile.pinned_at.is_none() && !bob_tile.archived && bob_tile.muted_until.is_none(), "alice's only");
    let unmute = ChatSettingsUpdate { muted_until: Some(0), pinned: Some(false), ..Default::default() };
    let tile = alice.update_chat(&chat_id, &unmute).await.unwrap();
    assert!(tile.muted_until.is_none() && tile.pinned_at.is_none() && tile.archived);
    let (carol, _) = server.signed_up("carol").await;
    assert_eq!(api_code(carol.update_chat(&chat_id, &unmute).await), ErrorCode::NotAMember);
}

#[tokio::test]
async fn a_connection_that_falls_behind_is_told_to_resync() {
    use futures_util::{SinkExt, StreamExt};
    use gkchat_proto::{ClientFrame, Hello, PROTOCOL_VERSION, ServerFrame};
    use tokio_tungstenite::tungstenite::Message as WsMessage;

    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, _) = server.signed_up("bob").await;
    let (bob_live, _) = online(&bob).await;

    // Alice's socket says hello, then stops reading.
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let hello = ClientFrame::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        client: "stalled".into(),
        token: Some(alice.access_token().await.unwrap()),
    });
    socket.send(WsMessage::text(hello.encode())).await.unwrap();
    let welcome = socket.next().await.unwrap().unwrap();
    assert!(matches!(ServerFrame::decode(welcome.to_text().unwrap()), Ok(ServerFrame::Welcome(_))));

    // Bob sends more than the socket, the server's writer queue and the hub queue can hold.
    let big = "x".repeat(60 * 1024);
    let first = bob_live.send_message(text(&direct_chat(&bob, &alice_me.id).await, &big)).await.unwrap();
    let count = 800;
    let sends = (1..count).map(|_| bob_live.send_message(text(&first.chat_id, &big)));
    let mut sends = futures_util::stream::iter(sends).buffer_unordered(64);
    while let Some(sent) = sends.next().await {
        sent.unwrap();
    }

    // Reading again, alice finds `resync` among the pushes: nothing was dropped silently.
    let mut pushed = 0;
    let resync = within(Duration::from_secs(30), "a resync frame", async {
        loop {
            let frame = socket.next().await.expect("socket open").expect("frame");
            match ServerFrame::decode(frame.to_text().unwrap_or_default()) {
                Ok(ServerFrame::Resync) => return true,
                Ok(ServerFrame::Message(_)) => pushed += 1,
                _ => {}
            }
        }
    })
    .await;
    assert!(resync && pushed < count, "{pushed} of {count} pushed before the resync");
    // And the sync it asks for has everything.
    let page = alice.sync(&SyncRequest::default()).await.unwrap();
    assert_eq!(page.chats[0].last_seq, count as i64);
}
