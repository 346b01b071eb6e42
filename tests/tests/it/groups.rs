//! Groups through real clients and a real server: making one (privacy and blocks decide who can
//! be added), roles and what each may do, settings, system messages in the timeline, a removed
//! member who keeps what they had and gets nothing new, a new member who sees from joining on,
//! the owner leaving, deleting; invite links with their preview, joining (twice), reset, revoke
//! and approval; and a read receipt in a group of 1,024 that costs a handful of pushes.

use gkchat_tests::text_message as text;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use gkchat_client::{Client, Event, Events};
use gkchat_proto::account::{GroupAdd, Privacy, ProfileUpdate};
use gkchat_proto::chat::{ChatKind, Content, MemberRole, Message, ReceiptKind, SyncRequest};
use gkchat_proto::group::{GroupInfoUpdate, JoinOutcome, NewGroup, SystemEvent};
use gkchat_proto::{ClientFrame, ErrorCode, Hello, PROTOCOL_VERSION, ServerFrame};
use gkchat_tests::{TestServer, api_code, online, within};
use tokio_tungstenite::tungstenite::Message as WsMessage;

const WAIT: Duration = Duration::from_secs(15);

fn event_of(message: &Message) -> Option<&SystemEvent> {
    match &message.content {
        Some(Content::System { event }) => Some(event),
        _ => None,
    }
}

/// The next message pushed to `events`.
async fn next_message(events: &mut Events) -> Message {
    within(WAIT, "a message push", async {
        loop {
            match events.next().await {
                Some(Event::Message(message)) => return *message,
                Some(_) => {}
                None => panic!("connection gone"),
            }
        }
    })
    .await
}

/// What a chat's history holds, oldest first: texts, and system events by name.
async fn timeline(client: &Client, chat_id: &str) -> Vec<String> {
    let page = client.history(chat_id, None, 100).await.unwrap();
    page.messages
        .iter()
        .rev()
        .map(|m| match &m.content {
            Some(Content::Text { text, .. }) => text.clone(),
            Some(Content::System { event }) => {
                serde_json::to_value(event).unwrap()["event"].as_str().unwrap().to_owned()
            }
            Some(Content::Media { caption, .. }) => caption.clone(),
            Some(Content::Contact { card }) => card.display_name.clone(),
            Some(Content::Poll { poll }) => poll.question.clone(),
            Some(Content::Event { event }) => event.title.clone(),
            None => "(deleted)".into(),
        })
        .collect()
}

async fn set_group_privacy(client: &Client, groups: GroupAdd) {
    let privacy = Privacy { groups: Some(groups), ..Privacy::default() };
    client.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await.unwrap();
}

#[tokio::test]
async fn a_group_is_made_run_and_left_by_its_roles() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (cal, cal_me) = server.signed_up("cal").await;
    let (dee, dee_me) = server.signed_up("dee").await;
    let (eve, eve_me) = server.signed_up("eve").await;
    let (fay, fay_me) = server.signed_up("fay").await;
    // Eve lets only her contacts add her (Ann is not one); Dee blocked Ann.
    set_group_privacy(&eve, GroupAdd::Contacts).await;
    dee.block(&ann_me.id).await.unwrap();

    let new = NewGroup {
        name: "  Hikers ".into(),
        description: "Saturday walks".into(),
        member_ids: vec![bob_me.id.clone(), cal_me.id.clone(), dee_me.id.clone(), eve_me.id.clone(), "nobody".into()],
    };
    let made = ann.create_group(&new).await.unwrap();
    let chat_id = made.chat.id.clone();
    assert_eq!(made.added, {
        let mut ids = vec![bob_me.id.clone(), cal_me.id.clone()];
        ids.sort();
        ids
    });
    let refused: Vec<(&str, ErrorCode)> = made.refused.iter().map(|r| (r.user_id.as_str(), r.code)).collect();
    assert!(refused.contains(&(dee_me.id.as_str(), ErrorCode::AddNotAllowed)), "{refused:?}");
    assert!(refused.contains(&(eve_me.id.as_str(), ErrorCode::AddNotAllowed)), "{refused:?}");
    assert!(refused.contains(&("nobody", ErrorCode::NotFound)), "{refused:?}");
    let tile = &made.chat;
    assert_eq!((tile.kind, tile.title.as_str(), tile.member_count), (ChatKind::Group, "Hikers", 3));
    assert_eq!(tile.my_role, Some(MemberRole::Owner));
    // Eve's contacts may: once she has Ann, she can be added — unless Ann is one of the
    // contacts she excepted.
    eve.add_contact("ann").await.unwrap();
    set_group_privacy(&eve, GroupAdd::ContactsExcept).await;
    // An update that does not name it (an older client) leaves it as it was.
    let other = Privacy { read_receipts: false, ..Privacy::default() };
    let me = eve.update_profile(&ProfileUpdate { privacy: Some(other), ..Default::default() }).await.unwrap();
    assert_eq!(me.privacy.groups, Some(GroupAdd::ContactsExcept));
    let excepted = eve.set_group_add_exceptions(std::slice::from_ref(&ann_me.id)).await.unwrap();
    assert_eq!(excepted, std::slice::from_ref(&ann_me.id));
    let refused = ann.add_members(&chat_id, std::slice::from_ref(&eve_me.id)).await.unwrap().refused;
    assert_eq!(refused.iter().map(|r| r.code).collect::<Vec<_>>(), [ErrorCode::AddNotAllowed]);
    eve.set_group_add_exceptions(&[]).await.unwrap();
    assert!(eve.group_add_exceptions().await.unwrap().is_empty());
    let added = ann.add_members(&chat_id, std::slice::from_ref(&eve_me.id)).await.unwrap().added;
    assert_eq!(added, std::slice::from_ref(&eve_me.id));
    // Bad names are refused with a code.
    let bad = NewGroup { name: " ".into(), description: String::new(), member_ids: vec![] };
    assert_eq!(api_code(ann.create_group(&bad).await), ErrorCode::InvalidProfile);

    // Members see it with their roles, and the timeline says what happened, in order.
    let bob_tile = bob.chats().await.unwrap().into_iter().find(|c| c.id == chat_id).expect("bob has the group");
    assert_eq!(bob_tile.my_role, Some(MemberRole::Member));
    let roles: Vec<(String, MemberRole)> =
        bob.members(&chat_id).await.unwrap().into_iter().map(|m| (m.username, m.role)).collect();
    assert_eq!(roles[0], ("ann".to_owned(), MemberRole::Owner));
    assert_eq!(roles.len(), 4);
    assert_eq!(timeline(&bob, &chat_id).await, ["created", "added", "added"]);
    let info = bob.group_info(&chat_id).await.unwrap();
    assert_eq!((info.name.as_str(), info.description.as_str()), ("Hikers", "Saturday walks"));
    assert!(info.settings.only_admins_edit && !info.settings.only_admins_send);
    let synced = bob.sync(&SyncRequest::default()).await.unwrap();
    let list = synced.members.iter().find(|m| m.chat_id == chat_id).expect("the member list syncs");
    assert_eq!(list.members.len(), 4);

    // Messages reach every member.
    let (ann_live, mut ann_events) = online(&ann).await;
    let (bob_live, mut bob_events) = online(&bob).await;
    let (cal_live, mut cal_events) = online(&cal).await;
    let hello = ann_live.send_message(text(&chat_id, "hello group")).await.unwrap();
    for events in [&mut ann_events, &mut bob_events, &mut cal_events] {
        assert_eq!(next_message(events).await.content, Some(Content::text("hello group")));
    }

    // A member may not administer.
    let rename = GroupInfoUpdate { name: Some("Bob's club".into()), ..Default::default() };
    assert_eq!(api_code(bob.update_group(&chat_id, &rename).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(bob.add_members(&chat_id, std::slice::from_ref(&fay_me.id)).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(bob.remove_member(&chat_id, &cal_me.id).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(bob.set_role(&chat_id, &bob_me.id, MemberRole::Admin).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(bob.invite_link(&chat_id).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(bob.delete_group(&chat_id).await), ErrorCode::Forbidden);
    // ...nor may a stranger even look.
    assert_eq!(api_code(fay.group_info(&chat_id).await), ErrorCode::NotAMember);
    assert_eq!(api_code(fay.members(&chat_id).await), ErrorCode::NotAMember);
    assert_eq!(api_code(fay.history(&chat_id, None, 10).await), ErrorCode::NotAMember);

    // Ann makes Bob an admin: now he renames it; everyone gets the change as a message.
    ann.set_role(&chat_id, &bob_me.id, MemberRole::Admin).await.unwrap();
    let made_admin = next_message(&mut cal_events).await;
    assert_eq!(event_of(&made_admin), Some(&SystemEvent::MadeAdmin { user_id: bob_me.id.clone() }));
    assert_eq!(made_admin.sender_id, ann_me.id, "the actor is the sender");
    bob.update_group(&chat_id, &rename).await.unwrap();
    let renamed = next_message(&mut cal_events).await;
    assert_eq!(event_of(&renamed), Some(&SystemEvent::NameChanged { name: "Bob's club".into() }));
    assert_eq!(cal.chats().await.unwrap().into_iter().find(|c| c.id == chat_id).unwrap().title, "Bob's club");
    // Only admins may send, for a while.
    let quiet = GroupInfoUpdate { only_admins_send: Some(true), ..Default::default() };
    assert_eq!(api_code(cal.update_group(&chat_id, &quiet).await), ErrorCode::AdminsOnly);
    bob.update_group(&chat_id, &quiet).await.unwrap();
    assert_eq!(api_code(cal_live.send_message(text(&chat_id, "may I?")).await), ErrorCode::AdminsOnly);
    bob_live.send_message(text(&chat_id, "admins speaking")).await.unwrap();
    let open = GroupInfoUpdate { only_admins_send: Some(false), ..Default::default() };
    ann.update_group(&chat_id, &open).await.unwrap();
    cal_live.send_message(text(&chat_id, "thanks")).await.unwrap();
    ann.set_role(&chat_id, &bob_me.id, MemberRole::Member).await.unwrap();
    assert_eq!(api_code(bob.update_group(&chat_id, &rename).await), ErrorCode::AdminsOnly, "dismissed");
    ann.set_role(&chat_id, &bob_me.id, MemberRole::Admin).await.unwrap();

    // Cal is removed: the removal reaches him, then nothing more does; his sends are refused.
    while next_message(&mut cal_events).await.content != Some(Content::text("thanks")) {}
    ann.remove_member(&chat_id, &cal_me.id).await.unwrap();
    let removed = loop {
        let message = next_message(&mut cal_events).await;
        if matches!(event_of(&message), Some(SystemEvent::Removed { .. })) {
            break message;
        }
    };
    assert_eq!(event_of(&removed), Some(&SystemEvent::Removed { user_id: cal_me.id.clone() }));
    ann_live.send_message(text(&chat_id, "cal is gone")).await.unwrap();
    assert_eq!(api_code(cal_live.send_message(text(&chat_id, "let me back")).await), ErrorCode::NotAMember);
    assert_eq!(api_code(cal_live.receipt(&chat_id, ReceiptKind::Read, 1).await), ErrorCode::NotAMember);
    let react = gkchat_proto::chat::MessageAction::React { emoji: Some("👍".into()) };
    assert_eq!(api_code(cal_live.act(&chat_id, &removed.id, react).await), ErrorCode::NotAMember);
    cal_live.typing(&chat_id, true).await.unwrap();
    // A push to Cal would have been queued before Ann's ack; his ping's answer comes after
    // anything queued for him, so once it is back, every push he was sent is in his events.
    cal_live.ping().await.unwrap();
    while let Some(Some(event)) = cal_events.next().now_or_never() {
        assert!(!matches!(event, Event::Message(_)), "a removed member received {event:?}");
    }
    assert_eq!(api_code(cal.history(&chat_id, None, 10).await), ErrorCode::NotAMember);
    assert_eq!(api_code(cal.members(&chat_id).await), ErrorCode::NotAMember);
    // He keeps his tile, as it was when he left: no role, nothing after his removal.
    let kept = cal.sync(&SyncRequest::default()).await.unwrap();
    let tile = kept.chats.iter().find(|c| c.id == chat_id).expect("cal keeps the chat");
    assert_eq!((tile.my_role, tile.last_seq), (None, removed.seq));
    assert!(kept.messages.iter().all(|m| m.seq <= removed.seq), "nothing after the removal");
    assert!(kept.members.iter().all(|m| m.chat_id != chat_id), "no member list for a former member");

    // Fay joins later: she sees from her joining on.
    ann.add_members(&chat_id, std::slice::from_ref(&fay_me.id)).await.unwrap();
    let seen = timeline(&fay, &chat_id).await;
    assert_eq!(seen, ["added"], "nothing from before she joined");
    // Nor can she reach an older message by its id, and its changes do not reach her.
    let (fay_live, mut fay_events) = online(&fay).await;
    let react = gkchat_proto::chat::MessageAction::React { emoji: Some("🎉".into()) };
    assert_eq!(api_code(fay_live.act(&chat_id, &hello.id, react.clone()).await), ErrorCode::NotFound);
    bob_live.act(&chat_id, &hello.id, react).await.unwrap();
    fay_live.ping().await.unwrap();
    while let Some(Some(event)) = fay_events.next().now_or_never() {
        assert!(!matches!(event, Event::Message(_)), "an older message reached a new member: {event:?}");
    }
    // The group's record cannot be rewritten.
    let edit = gkchat_proto::chat::MessageAction::Edit { content: Content::text("nothing") };
    assert_eq!(api_code(ann_live.act(&chat_id, &removed.id, edit).await), ErrorCode::Forbidden);
    let fay_sync = fay.sync(&SyncRequest::default()).await.unwrap();
    assert!(fay_sync.messages.iter().all(|m| m.chat_id != chat_id || event_of(m).is_some()), "{fay_sync:?}");
    // Her member list names Cal among the former members (for what he did), not the members.
    let list = fay_sync.members.iter().find(|m| m.chat_id == chat_id).expect("fay's member list");
    assert_eq!(list.former.iter().map(|m| m.username.as_str()).collect::<Vec<_>>(), ["cal"]);
    assert!(list.members.iter().all(|m| m.username != "cal"));

    // Ann, the owner, leaves: Bob, the oldest admin, owns it now.
    ann.leave_group(&chat_id).await.unwrap();
    let roles: Vec<(String, MemberRole)> =
        bob.members(&chat_id).await.unwrap().into_iter().map(|m| (m.username, m.role)).collect();
    assert!(roles.contains(&("bob".to_owned(), MemberRole::Owner)), "{roles:?}");
    assert!(!roles.iter().any(|(name, _)| name == "ann"));
    let history = timeline(&bob, &chat_id).await;
    assert_eq!(&history[history.len() - 2..], ["left", "owner_changed"]);
    assert_eq!(api_code(ann_live.send_message(text(&chat_id, "bye")).await), ErrorCode::NotAMember);

    // Only the owner deletes it; then nobody is in.
    assert_eq!(api_code(fay.delete_group(&chat_id).await), ErrorCode::Forbidden);
    bob.delete_group(&chat_id).await.unwrap();
    assert_eq!(api_code(bob_live.send_message(text(&chat_id, "anyone?")).await), ErrorCode::NotAMember);
    assert_eq!(api_code(fay.members(&chat_id).await), ErrorCode::NotAMember);
    let after = fay.chats().await.unwrap().into_iter().find(|c| c.id == chat_id).expect("fay keeps it");
    assert_eq!(after.my_role, None);
    drop((ann_live, dee, eve));
}

#[tokio::test]
async fn invite_links_preview_join_twice_reset_revoke_and_approval() {
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (gus, gus_me) = server.signed_up("gus").await;
    let (hal, hal_me) = server.signed_up("hal").await;
    let (ivy, ivy_me) = server.signed_up("ivy").await;
    let new = NewGroup { name: "Book club".into(), description: String::new(), member_ids: vec![bob_me.id.clone()] };
    let chat_id = ann.create_group(&new).await.unwrap().chat.id;

    assert_eq!(api_code(bob.invite_link(&chat_id).await), ErrorCode::AdminsOnly);
    let link = ann.invite_link(&chat_id).await.unwrap();
    assert!(link.link.starts_with("gkchat://join/"));
    assert_eq!(ann.invite_link(&chat_id).await.unwrap(), link, "the same link until reset");
    // Without the link, nothing; with it, a preview that joins nobody.
    assert_eq!(api_code(gus.invite_preview("gkchat://join/0123456789abcdef").await), ErrorCode::InviteInvalid);
    let preview = gus.invite_preview(&link.link).await.unwrap();
    assert_eq!((preview.name.as_str(), preview.member_count), ("Book club", 2));
    assert!(!preview.approval_needed && !preview.member && !preview.requested);
    assert_eq!(api_code(gus.history(&chat_id, None, 10).await), ErrorCode::NotAMember);

    // Joining, twice: one member, one system message.
    let joined = gus.join_group(&link.link).await.unwrap();
    assert!(matches!(&joined, JoinOutcome::Joined { chat } if chat.id == chat_id && chat.member_count == 3));
    gus.join_group(&link.code).await.unwrap();
    assert_eq!(gus.members(&chat_id).await.unwrap().len(), 3);
    assert_eq!(timeline(&ann, &chat_id).await, ["created", "added", "joined_by_link"]);
    assert!(gus.invite_preview(&link.link).await.unwrap().member);

    // A reset link: the old one no longer joins; a revoked one neither.
    let fresh = ann.reset_invite_link(&chat_id).await.unwrap();
    assert_ne!(fresh.code, link.code);
    assert_eq!(api_code(hal.join_group(&link.link).await), ErrorCode::InviteInvalid);
    assert_eq!(api_code(hal.invite_preview(&link.link).await), ErrorCode::InviteInvalid);
    ann.revoke_invite_link(&chat_id).await.unwrap();
    assert_eq!(api_code(hal.join_group(&fresh.link).await), ErrorCode::InviteInvalid);

    // With approval: a request waits; admins see it and decide.
    let approve = GroupInfoUpdate { approve_joins: Some(true), ..Default::default() };
    ann.update_group(&chat_id, &approve).await.unwrap();
    let link = ann.invite_link(&chat_id).await.unwrap();
    assert!(hal.invite_preview(&link.link).await.unwrap().approval_needed);
    assert_eq!(hal.join_group(&link.link).await.unwrap(), JoinOutcome::Requested);
    assert_eq!(ivy.join_group(&link.link).await.unwrap(), JoinOutcome::Requested);
    assert!(hal.invite_preview(&link.link).await.unwrap().requested);
    assert_eq!(api_code(hal.members(&chat_id).await), ErrorCode::NotAMember, "not in yet");
    assert_eq!(api_code(bob.join_requests(&chat_id).await), ErrorCode::AdminsOnly);
    assert_eq!(api_code(bob.decide_join(&chat_id, &hal_me.id, true).await), ErrorCode::AdminsOnly);
    let waiting: Vec<String> = ann.join_requests(&chat_id).await.unwrap().into_iter().map(|r| r.username).collect();
    assert_eq!(waiting, ["hal", "ivy"]);
    ann.decide_join(&chat_id, &hal_me.id, true).await.unwrap();
    ann.decide_join(&chat_id, &ivy_me.id, false).await.unwrap();
    assert_eq!(hal.members(&chat_id).await.unwrap().len(), 4);
    assert_eq!(api_code(ivy.members(&chat_id).await), ErrorCode::NotAMember);
    assert!(ann.join_requests(&chat_id).await.unwrap().is_empty());
    assert_eq!(api_code(ann.decide_join(&chat_id, &ivy_me.id, true).await), ErrorCode::NotFound, "decided already");

    // Someone the owner blocked cannot join by the link.
    let open = GroupInfoUpdate { approve_joins: Some(false), ..Default::default() };
    ann.update_group(&chat_id, &open).await.unwrap();
    ann.block(&ivy_me.id).await.unwrap();
    assert_eq!(api_code(ivy.join_group(&link.link).await), ErrorCode::Blocked);

    // Groups in common, for a profile.
    let common = bob.groups_in_common(&gus_me.id).await.unwrap();
    assert_eq!(common.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), ["Book club"]);
    assert!(hal.groups_in_common(&ivy_me.id).await.unwrap().is_empty());
    drop(ann_me);
}

#[tokio::test]
async fn a_deleted_account_leaves_its_groups_and_an_owner_hands_over() {
    let server = TestServer::start().await;
    let (ann, _) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (cal, cal_me) = server.signed_up("cal").await;
    let (dan, dan_me) = server.signed_up("dan").await;
    let new = NewGroup {
        name: "Choir".into(),
        description: String::new(),
        member_ids: vec![bob_me.id.clone(), cal_me.id.clone(), dan_me.id.clone()],
    };
    let chat_id = ann.create_group(&new).await.unwrap().chat.id;
    ann.set_role(&chat_id, &cal_me.id, MemberRole::Admin).await.unwrap();
    // Bob goes: the others see him leave, and read receipts no longer wait for him.
    bob.delete_account(gkchat_tests::TEST_PASSWORD).await.unwrap();
    let names = |client: &Client| {
        let client = client.clone();
        let chat_id = chat_id.clone();
        async move {
            let mut list: Vec<(String, MemberRole)> =
                client.members(&chat_id).await.unwrap().into_iter().map(|m| (m.username, m.role)).collect();
            list.sort();
            list
        }
    };
    assert_eq!(
        names(&dan).await,
        [("ann".into(), MemberRole::Owner), ("cal".into(), MemberRole::Admin), ("dan".into(), MemberRole::Member)]
    );
    // The owner goes: the admin owns the group now.
    ann.delete_account(gkchat_tests::TEST_PASSWORD).await.unwrap();
    assert_eq!(names(&dan).await, [("cal".into(), MemberRole::Owner), ("dan".into(), MemberRole::Member)]);
    assert_eq!(timeline(&cal, &chat_id).await, ["created", "added", "made_admin", "left", "left", "owner_changed"]);
    drop(dan_me);
}

#[tokio::test]
async fn simultaneous_joins_and_adds_let_a_person_in_once() {
    let server = TestServer::start().await;
    let (ann, _) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (gus, _) = server.signed_up("gus").await;
    let new = NewGroup { name: "Race".into(), description: String::new(), member_ids: vec![bob_me.id.clone()] };
    let chat_id = ann.create_group(&new).await.unwrap().chat.id;
    ann.set_role(&chat_id, &bob_me.id, MemberRole::Admin).await.unwrap();
    let link = ann.invite_link(&chat_id).await.unwrap();
    let (first, second, third) =
        tokio::join!(gus.join_group(&link.link), gus.join_group(&link.link), gus.join_group(&link.code));
    for outcome in [first, second, third] {
        assert!(matches!(outcome.unwrap(), JoinOutcome::Joined { .. }));
    }
    let (hal, hal_me) = server.signed_up("hal").await;
    hal.add_contact("ann").await.unwrap();
    let one = std::slice::from_ref(&hal_me.id);
    let (by_ann, by_bob) = tokio::join!(ann.add_members(&chat_id, one), bob.add_members(&chat_id, one));
    // Both succeed (the later one may find hal in already).
    assert!(by_ann.unwrap().refused.is_empty() && by_bob.unwrap().refused.is_empty());
    assert_eq!(ann.members(&chat_id).await.unwrap().len(), 4);
    assert_eq!(
        timeline(&ann, &chat_id).await,
        ["created", "added", "made_admin", "joined_by_link", "added"],
        "one system message each"
    );
}

/// Pushes counted by the server.
async fn pushes(server: &TestServer) -> f64 {
    let text = reqwest::get(format!("{}metrics", server.url())).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("gkchat_ws_pushes_total "))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

#[tokio::test]
async fn a_read_receipt_in_a_group_of_1024_costs_a_handful_of_pushes() {
    let server = TestServer::start().await;
    let (ann, _) = server.signed_up("ann").await;
    let members = server.bulk_accounts("member", 1023).await;
    let ids: Vec<String> = members.iter().map(|(id, _)| id.clone()).collect();
    let new = NewGroup { name: "Everyone".into(), description: String::new(), member_ids: ids };
    let made = ann.create_group(&new).await.unwrap();
    assert_eq!((made.added.len(), made.chat.member_count), (1023, 1024));
    let chat_id = made.chat.id;

    // Every member online, each counting the messages pushed to it.
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut sockets = Vec::new();
    for (_, token) in &members {
        let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
        let hello = Hello { protocol: PROTOCOL_VERSION, client: "member".into(), token: Some(token.clone()) };
        socket.send(WsMessage::text(ClientFrame::Hello(hello).encode())).await.unwrap();
        let (writer, mut reader) = socket.split();
        let counter = received.clone();
        let (answers, answered) = tokio::sync::mpsc::unbounded_channel::<ServerFrame>();
        tokio::spawn(async move {
            while let Some(Ok(WsMessage::Text(text))) = reader.next().await {
                match ServerFrame::decode(text.as_str()) {
                    Ok(ServerFrame::Message(_)) => {
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Ok(frame @ (ServerFrame::Done { .. } | ServerFrame::Error(_))) => {
                        let _ = answers.send(frame);
                    }
                    _ => {}
                }
            }
        });
        sockets.push((writer, answered));
    }
    let (ann_live, mut ann_events) = online(&ann).await;
    let sent = ann_live.send_message(text(&chat_id, "hello, all 1,024")).await.unwrap();
    within(Duration::from_secs(60), "every member got the message", async {
        while received.load(std::sync::atomic::Ordering::Relaxed) < 1023 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    // One member reads: their own devices learn it, nobody else (read-by-all did not move).
    let before = pushes(&server).await;
    let (writer, answered) = &mut sockets[5];
    let receipt = ClientFrame::Receipt { id: 7, chat_id: chat_id.clone(), kind: ReceiptKind::Read, seq: sent.seq };
    writer.send(WsMessage::text(receipt.encode())).await.unwrap();
    let answer = within(WAIT, "the receipt's answer", answered.recv()).await;
    assert!(matches!(answer, Some(ServerFrame::Done { id: 7 })), "{answer:?}");
    let after = pushes(&server).await;
    assert!(after - before <= 3.0, "one receipt caused {} pushes in a group of 1,024", after - before);

    // Everyone else reads at once: the receipts meet in the writer's batches, one of them with
    // a seq past the end, refused alone; Ann learns "read by all" once the last one is in.
    let bad = ClientFrame::Receipt { id: 9, chat_id: chat_id.clone(), kind: ReceiptKind::Read, seq: sent.seq + 99 };
    sockets[6].0.send(WsMessage::text(bad.encode())).await.unwrap();
    for (n, (writer, _)) in sockets.iter_mut().enumerate().filter(|(n, _)| *n != 5) {
        let read = ClientFrame::Receipt { id: 8, chat_id: chat_id.clone(), kind: ReceiptKind::Read, seq: sent.seq };
        writer.send(WsMessage::text(read.encode())).await.unwrap_or_else(|err| panic!("member {n}: {err}"));
    }
    for (n, (_, answered)) in sockets.iter_mut().enumerate().filter(|(n, _)| *n != 5) {
        let mut answers = vec![within(WAIT, "a receipt's answer", answered.recv()).await];
        if n == 6 {
            answers.push(within(WAIT, "a receipt's answer", answered.recv()).await);
        }
        for answer in answers {
            match answer {
                Some(ServerFrame::Done { id: 8 }) => {}
                Some(ServerFrame::Error(error)) if n == 6 && error.id == Some(9) => {
                    assert_eq!(error.code, ErrorCode::BadRequest);
                }
                other => panic!("member {n}: {other:?}"),
            }
        }
    }
    within(WAIT, "read by all reaching Ann", async {
        loop {
            if let Some(Event::Receipt(receipt)) = ann_events.next().await
                && receipt.chat_id == chat_id
                && receipt.read_by_all_seq >= sent.seq
            {
                return;
            }
        }
    })
    .await;
}
