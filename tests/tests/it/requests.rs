//! Message requests through a real server: a stranger's first message is held as a request (not
//! from a contact, nor from someone I share a group with); until I accept it its sender sees
//! neither my read receipts nor my presence nor my typing; accepting — or writing back — makes it
//! an ordinary chat, as do a reaction of mine and adding them to my contacts; a chat becomes a request by its first message, not by being opened; "my
//! contacts only" refuses strangers with `not_accepting`; delete and block-and-report do what
//! they say.

use gkchat_client::{Event, Events};
use gkchat_proto::ErrorCode;
use gkchat_proto::account::{ProfileUpdate, WhoCanMessage};
use gkchat_proto::chat::{ChatSummary, MessageAction, ReceiptKind};
use gkchat_tests::{TestServer, api_code, direct_chat, eventually, messenger, online, text_message, within};

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// `client`'s tile of `chat_id` as the server has it.
async fn tile(client: &gkchat_client::Client, chat_id: &str) -> Option<ChatSummary> {
    client.chats().await.unwrap().into_iter().find(|c| c.id == chat_id)
}

/// The next event on `events` that `pick` takes; what came before it is handed to `before`.
async fn next_of<T>(
    events: &mut Events,
    mut pick: impl FnMut(&Event) -> Option<T>,
    mut before: impl FnMut(&Event),
) -> T {
    within(WAIT, "an event", async {
        loop {
            let event = events.next().await.expect("connection open");
            if let Some(found) = pick(&event) {
                return found;
            }
            before(&event);
        }
    })
    .await
}

/// The next presence news about `user_id` on `events`.
async fn presence_of(events: &mut Events, user_id: &str) -> gkchat_proto::account::Presence {
    let pick = |e: &Event| match e {
        Event::Presence(p) if p.user_id == user_id => Some(p.clone()),
        _ => None,
    };
    next_of(events, pick, |_| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_message_waits_as_a_request_until_i_accept() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (sam, _) = server.signed_up("sam").await;
    // Sam knows Ann's name and adds her: he would see her presence if she were anyone to him.
    sam.add_contact("ann").await.unwrap();
    let (sam_live, mut sam_events) = online(&sam).await;

    let chat = direct_chat(&sam, &ann_me.id).await;
    let hello = sam_live.send_message(text_message(&chat, "hi, we met at the fair")).await.unwrap();
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    assert!(!tile(&sam, &chat).await.unwrap().request, "not a request for its sender");
    assert!(tile(&ann, &chat).await.unwrap().request, "a request for ann");
    eventually("ann's device holds the request", || async {
        ann_m.chat(&chat).await.unwrap().is_some_and(|c| c.summary.request && c.summary.last_seq == hello.seq)
    })
    .await;

    // His message made it a request (he is told her presence anew: nothing), then she came
    // online: he is told she is not, nor when she was last seen.
    for _ in ["the request", "her connection"] {
        let shown = presence_of(&mut sam_events, &ann_me.id).await;
        assert!(!shown.online && shown.last_seen.is_none(), "{shown:?}");
    }
    let listed = sam.contacts().await.unwrap().into_iter().find(|c| c.user_id == ann_me.id).unwrap();
    assert!(!listed.online && listed.last_seen.is_none(), "{listed:?}");

    // Ann reads it and starts typing: sam learns neither.
    let (ann_live, _ann_events) = online(&ann).await;
    ann_live.receipt(&chat, ReceiptKind::Read, hello.seq).await.unwrap();
    ann_live.typing(&chat, true).await.unwrap();
    let info = sam.message_info(&chat, &hello.id).await.unwrap();
    assert!(info.receipts[0].delivered_at.is_some(), "delivered still shows");
    assert_eq!(info.receipts[0].read_at, None, "no read receipt from a request");
    assert_eq!(tile(&sam, &chat).await.unwrap().read_by_all_seq, 0);

    // She accepts: her devices move it to her chats; sam gets the tile with her read receipt,
    // and her presence — and never saw her typing.
    ann_m.accept_request(&chat).await.unwrap();
    assert!(!ann_m.chat(&chat).await.unwrap().unwrap().summary.request, "at once on this device");
    assert!(!tile(&ann, &chat).await.unwrap().request);
    let mut typed = false;
    let told = next_of(
        &mut sam_events,
        |e| match e {
            Event::Chat(summary) if summary.id == chat => Some(summary.clone()),
            _ => None,
        },
        |e| typed |= matches!(e, Event::Typing(t) if t.user_id == ann_me.id),
    )
    .await;
    assert!(!typed, "typing in a request reaches nobody");
    assert_eq!(told.read_by_all_seq, hello.seq, "her read shows once she accepted");
    let online_now = presence_of(&mut sam_events, &ann_me.id).await;
    assert!(online_now.online, "her presence shows once she accepted");
    assert!(sam.message_info(&chat, &hello.id).await.unwrap().receipts[0].read_at.is_some());
    // Accepting again changes nothing; sam's own chat was never a request to accept.
    ann_m.accept_request(&chat).await.unwrap();
    assert!(!sam.accept_request(&chat).await.unwrap().request);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_strangers_make_requests_and_contacts_only_refuses_them() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (carl, _) = server.signed_up("carl").await;
    let (dan, _) = server.signed_up("dan").await;
    let (sam, _) = server.signed_up("sam").await;
    let (people, group) = server.group_of("Choir", &["eve"]).await;
    let (eve, _) = &people[0];
    eve.add_members(&group, std::slice::from_ref(&ann_me.id)).await.unwrap();
    ann.add_contact("carl").await.unwrap();

    // A contact of mine, and someone in a group with me, land in my chats.
    for (who, name) in [(&carl, "carl"), (eve, "eve")] {
        let chat = direct_chat(who, &ann_me.id).await;
        let (live, _events) = online(who).await;
        live.send_message(text_message(&chat, "hello")).await.unwrap();
        assert!(!tile(&ann, &chat).await.unwrap().request, "{name} is no stranger");
    }
    // A stranger's is a request; once I write back it is not.
    let dan_chat = direct_chat(&dan, &ann_me.id).await;
    let (dan_live, _dan_events) = online(&dan).await;
    let dan_hello = text_message(&dan_chat, "hello");
    dan_live.send_message(dan_hello.clone()).await.unwrap();
    assert!(tile(&ann, &dan_chat).await.unwrap().request);
    // Opening a chat is no request: Ann opens one with Fay and says nothing; Fay's first message
    // makes it a request to Ann (who wrote nothing), never to Fay.
    let (fay, _) = server.signed_up("fay").await;
    let fay_chat = direct_chat(&ann, &fay.me().await.unwrap().id).await;
    assert!(!tile(&ann, &fay_chat).await.unwrap().request, "nothing was written");
    assert_eq!(direct_chat(&fay, &ann_me.id).await, fay_chat);
    let (fay_live, _fay_events) = online(&fay).await;
    fay_live.send_message(text_message(&fay_chat, "you opened our chat?")).await.unwrap();
    assert!(!tile(&fay, &fay_chat).await.unwrap().request, "not for its writer");
    assert!(tile(&ann, &fay_chat).await.unwrap().request);

    // "My contacts only": a new stranger is refused with its code, a request waiting from
    // before may not be written into any more; my contacts still may.
    let mut privacy = ann.me().await.unwrap().privacy;
    assert_eq!(privacy.who_can_message, Some(WhoCanMessage::Everyone), "the default");
    privacy.who_can_message = Some(WhoCanMessage::Contacts);
    let me = ann.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await.unwrap();
    assert_eq!(me.privacy.who_can_message, Some(WhoCanMessage::Contacts));
    assert_eq!(api_code(sam.open_direct(&ann_me.id).await), ErrorCode::NotAccepting);
    let refused = dan_live.send_message(text_message(&dan_chat, "still there?")).await;
    assert_eq!(api_code(refused), ErrorCode::NotAccepting);
    let again = dan_live.send_message(dan_hello).await.unwrap();
    assert_eq!(again.seq, 1, "a retry of what was stored before is answered with it");
    let carl_chat = direct_chat(&carl, &ann_me.id).await;
    let (carl_live, _carl_events) = online(&carl).await;
    carl_live.send_message(text_message(&carl_chat, "still fine")).await.unwrap();
    // An update without the setting keeps it.
    privacy.who_can_message = None;
    let me = ann.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await.unwrap();
    assert_eq!(me.privacy.who_can_message, Some(WhoCanMessage::Contacts));

    // Writing back accepts dan's request: he may write again.
    let (ann_live, _ann_events) = online(&ann).await;
    ann_live.send_message(text_message(&dan_chat, "who is this?")).await.unwrap();
    assert!(!tile(&ann, &dan_chat).await.unwrap().request, "my message accepted it");
    dan_live.send_message(text_message(&dan_chat, "dan, from the fair")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_deleted_or_blocked_and_reported() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (sam, _) = server.signed_up("sam").await;
    let (spam, spam_me) = server.signed_up("spammer").await;
    let ann_m = messenger(&ann, &ann_me.id, None).await;

    // Deleted: gone from my list and my device; sam's next message brings it back, a request
    // still. Sam's copy keeps everything.
    let chat = direct_chat(&sam, &ann_me.id).await;
    let (sam_live, _sam_events) = online(&sam).await;
    sam_live.send_message(text_message(&chat, "hello?")).await.unwrap();
    eventually("ann has it", || async { ann_m.chat(&chat).await.unwrap().is_some() }).await;
    ann_m.delete_chat(&chat).await.unwrap();
    assert!(tile(&ann, &chat).await.is_none_or(|t| t.last_message.is_none()), "gone from her list");
    assert_eq!(sam.history(&chat, None, 10).await.unwrap().messages.len(), 1, "his copy stays");
    let again = sam_live.send_message(text_message(&chat, "hello again")).await.unwrap();
    let back = tile(&ann, &chat).await.unwrap();
    assert!(back.request && back.last_message.is_some_and(|m| m.id == again.id), "back, a request still");

    // A reaction of mine shows him I read it: it accepts, once made.
    let (kim, _) = server.signed_up("kim").await;
    let kim_chat = direct_chat(&kim, &ann_me.id).await;
    let (kim_live, _kim_events) = online(&kim).await;
    let note = kim_live.send_message(text_message(&kim_chat, "lost your scarf?")).await.unwrap();
    eventually("ann has kim's message", || async { ann_m.store().message(&note.id).await.unwrap().is_some() }).await;
    assert!(ann_m.chat(&kim_chat).await.unwrap().unwrap().summary.request);
    ann_m.act(&kim_chat, &note.id, MessageAction::React { emoji: Some("🙏".into()) }).await.unwrap();
    ann_m.flushed().await.unwrap();
    assert!(!tile(&ann, &kim_chat).await.unwrap().request, "the reaction accepted it");

    // Added to my contacts: accepted.
    let (pat, _) = server.signed_up("pat").await;
    let pat_chat = direct_chat(&pat, &ann_me.id).await;
    let (pat_live, _pat_events) = online(&pat).await;
    pat_live.send_message(text_message(&pat_chat, "it's pat, new number")).await.unwrap();
    assert!(tile(&ann, &pat_chat).await.unwrap().request);
    ann.add_contact("pat").await.unwrap();
    assert!(!tile(&ann, &pat_chat).await.unwrap().request, "adding him accepted it");

    // Blocked and reported: the report keeps the message, he can write no more, and the chat
    // leaves my list.
    let spam_chat = direct_chat(&spam, &ann_me.id).await;
    let (spam_live, _spam_events) = online(&spam).await;
    let spam_hello = spam_live.send_message(text_message(&spam_chat, "cheap watches here")).await.unwrap();
    eventually("ann has the spam", || async { ann_m.store().message(&spam_hello.id).await.unwrap().is_some() }).await;
    let report = ann_m.block_and_report(&spam_chat, "spam").await.unwrap();
    let blocked: Vec<String> = ann.blocked_users().await.unwrap().into_iter().map(|b| b.user_id).collect();
    assert_eq!(blocked, std::slice::from_ref(&spam_me.id), "the spammer alone is blocked");
    let refused = spam_live.send_message(text_message(&spam_chat, "hello?")).await;
    assert_eq!(api_code(refused), ErrorCode::Blocked);
    assert!(tile(&ann, &spam_chat).await.is_none_or(|t| t.last_message.is_none()), "gone from her list");
    server.stop().await;
    let listing = crate::safety::admin_reports(temp.path());
    assert!(listing.contains(&report) && listing.contains("@ann reported @spammer"), "{listing}");
    assert!(listing.contains("cheap watches here"), "the message is kept with the report: {listing}");
}
