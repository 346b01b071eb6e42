//! Events through real messengers and a real server: answers (going / maybe / not going, each
//! member's latest) reach every member's device and the creator is told; only the creator changes
//! or cancels an event, each announced in every timeline; who may answer (not a non-member, a
//! removed member, someone blocked) and what (not a cancelled event) each get their code; and a
//! device reminds me of an event I go to once, at its time under a clock set by the test, not
//! again after a restart, and again only when the event moves.

use std::time::Duration;

use gkchat_client::{Clock, Messenger, MessengerEvent};
use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{Content, Message, MessageAction, NewMessage};
use gkchat_proto::event::{Event, EventField, Rsvp};
use gkchat_proto::group::SystemEvent;
use gkchat_tests::{TestServer, api_code, eventually, from_server, messenger, messenger_at, on_device, online, within};

const MINUTE: i64 = 60_000;

fn event(title: &str, starts_at: i64) -> Event {
    Event {
        title: title.into(),
        description: "Bring a blanket".into(),
        starts_at,
        ends_at: Some(starts_at + 120 * MINUTE),
        time_zone: "Europe/Paris".into(),
        place: "The park".into(),
        call_link: None,
        cancelled_at: None,
    }
}

fn rsvp(rsvp: Rsvp) -> MessageAction {
    MessageAction::Rsvp { rsvp: Some(rsvp) }
}

/// The message as `client` gets it from the server's history.
fn answers(message: &Message) -> Vec<(String, Rsvp)> {
    let mut all: Vec<_> = message.rsvps.iter().map(|a| (a.user_id.clone(), a.rsvp)).collect();
    all.sort();
    all
}

/// The system messages about events in a device's timeline of `chat_id`, oldest first.
async fn announcements(device: &Messenger, chat_id: &str) -> Vec<SystemEvent> {
    let mut page = device.messages(chat_id, None, 100).await.unwrap();
    page.sort_by_key(|m| m.message.seq);
    page.into_iter()
        .filter_map(|m| match m.message.content {
            Some(Content::System {
                event: e @ (SystemEvent::EventChanged { .. } | SystemEvent::EventCancelled { .. }),
            }) => Some(e),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_is_answered_changed_and_cancelled_in_every_timeline() {
    let server = TestServer::start().await;
    let (people, chat_id) = server.group_of("Trip", &["ann", "bob", "cal", "dee"]).await;
    let [(ann, ann_me), (bob, bob_me), (cal, cal_me), (dee, dee_me)] = people.try_into().unwrap();
    let (stranger, _) = server.signed_up("stranger").await;
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    let mut ann_events = ann_m.subscribe();
    let start = gkchat_proto::now_ms() + 48 * 60 * MINUTE;

    // Bad events are refused here; a time zone the server does not know, there.
    let nameless = Event { title: " ".into(), ..event("x", start) };
    assert_eq!(ann_m.send_event(&chat_id, nameless).await.unwrap_err().code(), ErrorCode::BadRequest);
    let (ann_live, _a) = online(&ann).await;
    let elsewhere = NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.clone(),
        content: Content::Event {
            event: Box::new(Event { time_zone: "Mars/Olympus".into(), ..event("Picnic", start) }),
        },
        reply_to: None,
        forwarded: false,
    };
    assert_eq!(api_code(ann_live.send_message(elsewhere).await), ErrorCode::BadRequest);

    let sent = ann_m.send_event(&chat_id, event("Picnic", start)).await.unwrap();
    ann_m.flushed().await.unwrap();
    let id = sent.message.id;
    eventually("bob has the event", || async { on_device(&bob_m, &id).await.is_some() }).await;
    let tile = bob_m.chat(&chat_id).await.unwrap().unwrap().summary.last_message.unwrap();
    assert_eq!(tile.content.unwrap().preview(), "📅 Event: Picnic");

    // Answers: shown at once on the answering device, then everywhere; the latest one wins.
    bob_m.act(&chat_id, &id, rsvp(Rsvp::Going)).await.unwrap();
    assert_eq!(answers(&on_device(&bob_m, &id).await.unwrap()), [(bob_me.id.clone(), Rsvp::Going)]);
    let (cal_live, _c) = online(&cal).await;
    let (dee_live, _d) = online(&dee).await;
    cal_live.act(&chat_id, &id, rsvp(Rsvp::Maybe)).await.unwrap();
    dee_live.act(&chat_id, &id, rsvp(Rsvp::NotGoing)).await.unwrap();
    bob_m.flushed().await.unwrap();
    bob_m.act(&chat_id, &id, rsvp(Rsvp::Maybe)).await.unwrap();
    bob_m.flushed().await.unwrap();
    let expected =
        vec![(bob_me.id.clone(), Rsvp::Maybe), (cal_me.id.clone(), Rsvp::Maybe), (dee_me.id.clone(), Rsvp::NotGoing)];
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    for device in [&ann_m, &bob_m] {
        eventually("every answer arrives", || async {
            on_device(device, &id).await.is_some_and(|m| answers(&m) == expected_sorted)
        })
        .await;
    }
    assert_eq!(Event::counts(&on_device(&ann_m, &id).await.unwrap().rsvps), [0, 2, 1]);
    // The creator was told of each answer as it came (bob twice: going, then maybe).
    let mut told = Vec::new();
    while told.len() < 4 {
        let event = within(Duration::from_secs(10), "answers told", ann_events.recv()).await.unwrap();
        if let MessengerEvent::Answered { message_id, user_id, rsvp, .. } = event {
            assert_eq!(message_id, id);
            told.push((user_id.unwrap(), rsvp.unwrap()));
        }
    }
    told.sort();
    let mut heard = expected.clone();
    heard.push((bob_me.id.clone(), Rsvp::Going));
    heard.sort();
    assert_eq!(told, heard);

    // Who may answer and change it.
    let (stranger_live, _s) = online(&stranger).await;
    assert_eq!(api_code(stranger_live.act(&chat_id, &id, rsvp(Rsvp::Going)).await), ErrorCode::NotAMember);
    ann.remove_member(&chat_id, &dee_me.id).await.unwrap();
    assert_eq!(api_code(dee_live.act(&chat_id, &id, rsvp(Rsvp::Going)).await), ErrorCode::NotAMember);
    let (bob_live, _b) = online(&bob).await;
    let update = MessageAction::UpdateEvent { event: Box::new(event("Bob's picnic", start)) };
    assert_eq!(api_code(bob_live.act(&chat_id, &id, update).await), ErrorCode::Forbidden);
    assert_eq!(api_code(bob_live.act(&chat_id, &id, MessageAction::CancelEvent).await), ErrorCode::Forbidden);
    let edit = MessageAction::Edit { content: Content::Event { event: Box::new(event("Picnic!", start)) } };
    assert_eq!(api_code(ann_live.act(&chat_id, &id, edit).await), ErrorCode::BadRequest);
    let bad_update = MessageAction::UpdateEvent {
        event: Box::new(Event { time_zone: "Nowhere/Land".into(), ..event("Picnic", start) }),
    };
    assert_eq!(api_code(ann_live.act(&chat_id, &id, bad_update).await), ErrorCode::BadRequest);

    // The creator moves it: the event changes and the timeline says what changed, on every
    // device, also one that catches up later.
    let moved =
        Event { starts_at: start + 60 * MINUTE, ends_at: None, place: "The beach".into(), ..event("Picnic", start) };
    ann_m.act(&chat_id, &id, MessageAction::UpdateEvent { event: Box::new(moved.clone()) }).await.unwrap();
    ann_m.flushed().await.unwrap();
    let changed = SystemEvent::EventChanged {
        message_id: id.clone(),
        title: "Picnic".into(),
        changes: vec![EventField::Time, EventField::Place],
    };
    eventually("bob sees the change", || async {
        on_device(&bob_m, &id)
            .await
            .is_some_and(|m| m.content == Some(Content::Event { event: Box::new(moved.clone()) }))
            && announcements(&bob_m, &chat_id).await == [changed.clone()]
    })
    .await;
    assert_eq!(answers(&on_device(&bob_m, &id).await.unwrap()), expected_sorted, "answers stay");

    // Cancelled: announced, and then no answers or changes.
    ann_m.act(&chat_id, &id, MessageAction::CancelEvent).await.unwrap();
    ann_m.flushed().await.unwrap();
    let cancelled = SystemEvent::EventCancelled { message_id: id.clone(), title: "Picnic".into() };
    let cal_m = messenger(&cal, &cal_me.id, None).await;
    for device in [&bob_m, &cal_m] {
        eventually("the cancellation is in every timeline", || async {
            announcements(device, &chat_id).await == [changed.clone(), cancelled.clone()]
                && on_device(device, &id).await.is_some_and(
                    |m| matches!(m.content, Some(Content::Event { event }) if event.cancelled_at.is_some()),
                )
        })
        .await;
    }
    assert_eq!(api_code(bob_live.act(&chat_id, &id, rsvp(Rsvp::Going)).await), ErrorCode::EventCancelled);
    let again = MessageAction::UpdateEvent { event: Box::new(event("Picnic", start)) };
    assert_eq!(api_code(ann_live.act(&chat_id, &id, again).await), ErrorCode::EventCancelled);

    // A second answer the same as the first changes nothing; taking an answer back does.
    let lunch = ann_m.send_event(&chat_id, event("Lunch", start)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    bob_live.act(&chat_id, &lunch, rsvp(Rsvp::Going)).await.unwrap();
    let once = from_server(&ann, &chat_id, &lunch).await;
    bob_live.act(&chat_id, &lunch, rsvp(Rsvp::Going)).await.unwrap();
    assert_eq!(from_server(&ann, &chat_id, &lunch).await.updated_seq, once.updated_seq, "no change");
    bob_live.act(&chat_id, &lunch, MessageAction::Rsvp { rsvp: None }).await.unwrap();
    assert!(from_server(&ann, &chat_id, &lunch).await.rsvps.is_empty(), "taken back");
    // An update that changes nothing is not announced.
    let same = MessageAction::UpdateEvent { event: Box::new(event("Lunch", start)) };
    ann_live.act(&chat_id, &lunch, same).await.unwrap();
    assert_eq!(from_server(&ann, &chat_id, &lunch).await.updated_seq, once.updated_seq + 1, "only the take-back");
    // Deleted for everyone: its answers go with it.
    cal_live.act(&chat_id, &lunch, rsvp(Rsvp::Maybe)).await.unwrap();
    ann_live.act(&chat_id, &lunch, MessageAction::DeleteForEveryone).await.unwrap();
    let gone = from_server(&ann, &chat_id, &lunch).await;
    assert!(gone.content.is_none() && gone.rsvps.is_empty());
    let bad_start = Event { starts_at: i64::MAX - 1, ..event("Forever", start) };
    assert_eq!(ann_m.send_event(&chat_id, bad_start).await.unwrap_err().code(), ErrorCode::BadRequest);
    // A cancelled event is not forwarded as a new one.
    assert_eq!(ann_m.forward(&id, &chat_id).await.unwrap_err().code(), ErrorCode::BadRequest);

    // In a direct chat, a block stops answers as it stops messages.
    let direct = ann_m.open_direct(&bob_me.id).await.unwrap();
    let dinner = ann_m.send_event(&direct, event("Dinner", start)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    ann.block(&bob_me.id).await.unwrap();
    assert_eq!(api_code(bob_live.act(&direct, &dinner, rsvp(Rsvp::Going)).await), ErrorCode::Blocked);
    ann.unblock(&bob_me.id).await.unwrap();
    bob_live.act(&direct, &dinner, rsvp(Rsvp::Going)).await.unwrap();
}

/// No reminder went off among the events seen so far.
fn no_reminder(events: &mut tokio::sync::broadcast::Receiver<MessengerEvent>) {
    while let Ok(event) = events.try_recv() {
        assert!(!matches!(event, MessengerEvent::EventReminder(_)), "no reminder yet: {event:?}");
    }
}

async fn reminded(events: &mut tokio::sync::broadcast::Receiver<MessengerEvent>) -> gkchat_client::Reminder {
    within(Duration::from_secs(10), "the reminder", async {
        loop {
            if let Ok(MessengerEvent::EventReminder(reminder)) = events.recv().await {
                return reminder;
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_reminder_fires_once_at_its_time_and_not_again_after_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start().await;
    let (ann, ann_me) = server.signed_up("ann").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    let t0 = gkchat_proto::now_ms();
    let clock = Clock::manual(t0);
    let store = temp.path().join("bob.db");
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&store), clock.clone()).await;
    let chat = ann_m.open_direct(&bob_me.id).await.unwrap();
    let id = ann_m.send_event(&chat, event("Standup", t0 + 60 * MINUTE)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    eventually("bob has the event", || async { on_device(&bob_m, &id).await.is_some() }).await;
    assert_eq!(bob_m.store().next_reminder().await.unwrap(), None, "not going (yet): no reminder");

    // Bob goes: reminded 15 minutes before, not a minute earlier, and once.
    let mut events = bob_m.subscribe();
    bob_m.act(&chat, &id, rsvp(Rsvp::Going)).await.unwrap();
    bob_m.flushed().await.unwrap();
    assert_eq!(bob_m.reminder_lead(&id).await.unwrap(), Some(15 * MINUTE));
    eventually("the reminder waits", || async {
        bob_m.store().next_reminder().await.unwrap() == Some(t0 + 45 * MINUTE)
    })
    .await;
    clock.set(t0 + 44 * MINUTE);
    bob_m.reminders_checked(t0 + 44 * MINUTE).await;
    no_reminder(&mut events);
    clock.set(t0 + 45 * MINUTE);
    let reminder = reminded(&mut events).await;
    assert_eq!((reminder.message_id.as_str(), reminder.title.as_str()), (id.as_str(), "Standup"));
    assert_eq!((reminder.chat_id.as_str(), reminder.starts_at), (chat.as_str(), t0 + 60 * MINUTE));
    clock.set(t0 + 46 * MINUTE);
    bob_m.reminders_checked(t0 + 46 * MINUTE).await;
    no_reminder(&mut events);
    assert_eq!(ann_m.store().next_reminder().await.unwrap(), None, "the creator did not answer");

    // The app starts again: nothing fires twice.
    drop(bob_m);
    let bob_m = messenger_at(&bob, &bob_me.id, Some(&store), clock.clone()).await;
    let mut events = bob_m.subscribe();
    clock.set(t0 + 47 * MINUTE);
    bob_m.reminders_checked(t0 + 47 * MINUTE).await;
    no_reminder(&mut events);

    // The event moves two hours on; bob wants 5 minutes' notice this time: one more reminder.
    let later = event("Standup", t0 + 180 * MINUTE);
    ann_m.act(&chat, &id, MessageAction::UpdateEvent { event: Box::new(later) }).await.unwrap();
    ann_m.flushed().await.unwrap();
    eventually("the moved event arrives", || async {
        bob_m.store().next_reminder().await.unwrap() == Some(t0 + 165 * MINUTE)
    })
    .await;
    bob_m.set_reminder_lead(&id, Some(5 * MINUTE)).await.unwrap();
    assert_eq!(bob_m.store().next_reminder().await.unwrap(), Some(t0 + 175 * MINUTE));
    clock.set(t0 + 170 * MINUTE);
    bob_m.reminders_checked(t0 + 170 * MINUTE).await;
    no_reminder(&mut events);
    clock.set(t0 + 175 * MINUTE);
    assert_eq!(reminded(&mut events).await.starts_at, t0 + 180 * MINUTE);

    // No reminder for an event I turned it off for, or am not going to any more.
    let other = ann_m.send_event(&chat, event("Retro", t0 + 240 * MINUTE)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    eventually("bob has the retro", || async { on_device(&bob_m, &other).await.is_some() }).await;
    bob_m.act(&chat, &other, rsvp(Rsvp::Going)).await.unwrap();
    bob_m.set_reminder_lead(&other, None).await.unwrap();
    assert_eq!(bob_m.store().next_reminder().await.unwrap(), None);
    assert_eq!(bob_m.set_reminder_lead("nope", Some(MINUTE)).await.unwrap_err().code(), ErrorCode::NotFound);
    clock.set(t0 + 239 * MINUTE);
    bob_m.reminders_checked(t0 + 239 * MINUTE).await;
    no_reminder(&mut events);
}

#[tokio::test]
async fn no_reminder_for_an_event_cancelled_deleted_or_in_a_group_i_left() {
    let server = TestServer::start().await;
    let (people, group) = server.group_of("Club", &["ann", "bob"]).await;
    let [(ann, ann_me), (bob, bob_me)] = people.try_into().unwrap();
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    let t0 = gkchat_proto::now_ms();
    let clock = Clock::manual(t0);
    let bob_m = messenger_at(&bob, &bob_me.id, None, clock.clone()).await;
    let mut ids = Vec::new();
    for (n, title) in ["Cancelled", "Deleted", "Left"].iter().enumerate() {
        let id = ann_m.send_event(&group, event(title, t0 + (60 + n as i64) * MINUTE)).await.unwrap().message.id;
        ann_m.flushed().await.unwrap();
        eventually("bob has it", || async { on_device(&bob_m, &id).await.is_some() }).await;
        bob_m.act(&group, &id, rsvp(Rsvp::Going)).await.unwrap();
        ids.push(id);
    }
    bob_m.flushed().await.unwrap();
    assert_eq!(bob_m.upcoming_events(&group).await.unwrap().len(), 3);
    let mut events = bob_m.subscribe();
    ann_m.act(&group, &ids[0], MessageAction::CancelEvent).await.unwrap();
    ann_m.act(&group, &ids[1], MessageAction::DeleteForEveryone).await.unwrap();
    ann_m.flushed().await.unwrap();
    eventually("two reminders went", || async {
        bob_m.store().next_reminder().await.unwrap() == Some(t0 + (62 - 15) * MINUTE)
    })
    .await;
    assert_eq!(bob_m.upcoming_events(&group).await.unwrap().len(), 1, "the cancelled and the deleted are not upcoming");
    bob.leave_group(&group).await.unwrap();
    eventually("bob is out", || async {
        bob_m.chat(&group).await.unwrap().is_some_and(|c| c.summary.my_role.is_none())
    })
    .await;
    assert_eq!(bob_m.store().next_reminder().await.unwrap(), None, "none in a group I left");
    clock.set(t0 + 61 * MINUTE);
    bob_m.reminders_checked(t0 + 61 * MINUTE).await;
    no_reminder(&mut events);
}
