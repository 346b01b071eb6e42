//! Call signalling through a real server: ringing every device of the callee, answering on one
//! (the others stop), relaying SDP and ICE between the two devices in the call, hanging up, and
//! every other way a call ends — declined, busy, cancelled, missed, a device gone — each kept in
//! both people's call logs. Blocks refuse calls both ways. Media is tested in `e2e/calls.rs`.

use std::time::Duration;

use gkchat_client::{Event, Events};
use gkchat_proto::ErrorCode;
use gkchat_proto::call::{CallAction, CallDirection, CallEvent, CallKind, CallOutcome, CallSignal};
use gkchat_tests::{TEST_PASSWORD, TestServer, api_code, online, test_config, test_device, within};

const WAIT: Duration = Duration::from_secs(10);

/// The next call event on `events`.
async fn call_event(events: &mut Events, what: &str) -> CallEvent {
    within(WAIT, what, async {
        loop {
            match events.next().await {
                Some(Event::Call(event)) => return event,
                Some(_) => {}
                None => panic!("connection gone while waiting for {what}"),
            }
        }
    })
    .await
}

/// No call event arrives within a short while.
async fn quiet(events: &mut Events) {
    let waited = tokio::time::timeout(Duration::from_millis(300), async {
        loop {
            if let Some(Event::Call(event)) = events.next().await {
                return event;
            }
        }
    })
    .await;
    assert!(waited.is_err(), "unexpected call event {waited:?}");
}

fn new_call_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn start(callee: &str, kind: CallKind) -> CallAction {
    CallAction::Start { callee_id: callee.to_owned(), kind }
}

#[tokio::test]
async fn a_call_rings_every_device_one_answers_signals_flow_and_the_log_keeps_it() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let bob_phone = server.client();
    bob_phone.sign_in("bob", TEST_PASSWORD, test_device("phone")).await.unwrap();
    let (alice_live, mut alice_events) = online(&alice).await;
    let (bob_live, mut bob_events) = online(&bob).await;
    let (phone_live, mut phone_events) = online(&bob_phone).await;

    let call_id = new_call_id();
    let ice = alice_live.call(&call_id, start(&bob_me.id, CallKind::Audio)).await.unwrap();
    // The embedded relay: STUN, and TURN with credentials made for this call.
    assert!(ice.iter().any(|s| s.urls.iter().any(|u| u.starts_with("stun:127.0.0.1:"))), "{ice:?}");
    let turn = ice.iter().find(|s| s.urls.iter().any(|u| u.starts_with("turn:"))).expect("a TURN server");
    assert!(turn.username.as_deref().is_some_and(|u| u.contains(':')) && turn.credential.is_some(), "{turn:?}");

    for events in [&mut bob_events, &mut phone_events] {
        match call_event(events, "incoming call").await {
            CallEvent::Incoming { call } => {
                assert_eq!((call.call_id.as_str(), call.kind), (call_id.as_str(), CallKind::Audio));
            }
            other => panic!("expected incoming, got {other:?}"),
        }
    }

    // Bob answers on the laptop: Alice hears it, the phone stops ringing, and may not answer too.
    let bob_ice = bob_live.call(&call_id, CallAction::Accept).await.unwrap();
    assert!(!bob_ice.is_empty());
    assert!(matches!(call_event(&mut alice_events, "accepted").await, CallEvent::Accepted { .. }));
    let elsewhere = call_event(&mut phone_events, "answered elsewhere").await;
    assert!(matches!(elsewhere, CallEvent::AnsweredElsewhere { .. }), "{elsewhere:?}");
    assert_eq!(api_code(phone_live.call(&call_id, CallAction::Accept).await), ErrorCode::CallNotActive);

    // SDP and candidates go to the device in the call only.
    let offer = CallSignal::Offer { sdp: "v=0 offer".into() };
    alice_live.call(&call_id, CallAction::Signal { signal: offer.clone() }).await.unwrap();
    match call_event(&mut bob_events, "offer").await {
        CallEvent::Signal { signal, .. } => assert_eq!(signal, offer),
        other => panic!("expected the offer, got {other:?}"),
    }
    let candidate = CallSignal::Candidate {
        candidate: "candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_mline_index: Some(0),
    };
    bob_live.call(&call_id, CallAction::Signal { signal: candidate.clone() }).await.unwrap();
    match call_event(&mut alice_events, "candidate").await {
        CallEvent::Signal { signal, .. } => assert_eq!(signal, candidate),
        other => panic!("expected the candidate, got {other:?}"),
    }
    quiet(&mut phone_events).await;
    // The phone is not in the call: it can neither signal nor hang up for the laptop.
    let stray = phone_live.call(&call_id, CallAction::Signal { signal: offer.clone() }).await;
    assert_eq!(api_code(stray), ErrorCode::CallNotActive);
    assert_eq!(
        api_code(phone_live.call(&call_id, CallAction::HangUp { failed: false }).await),
        ErrorCode::CallNotActive
    );

    // Switching to video reaches the other side and marks the call as a video call.
    alice_live.call(&call_id, CallAction::Switch { kind: CallKind::Video }).await.unwrap();
    assert!(matches!(call_event(&mut bob_events, "switched").await, CallEvent::Switched { kind: CallKind::Video, .. }));

    tokio::time::sleep(Duration::from_millis(50)).await;
    bob_live.call(&call_id, CallAction::HangUp { failed: false }).await.unwrap();
    for events in [&mut alice_events, &mut bob_events, &mut phone_events] {
        match call_event(events, "ended").await {
            CallEvent::Ended { outcome, .. } => assert_eq!(outcome, CallOutcome::Answered),
            other => panic!("expected ended, got {other:?}"),
        }
    }
    assert_eq!(
        api_code(alice_live.call(&call_id, CallAction::HangUp { failed: false }).await),
        ErrorCode::CallNotActive
    );

    let log = alice.call_log(None, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    let entry = &log[0];
    assert_eq!(
        (entry.call_id.as_str(), entry.direction, entry.kind, entry.outcome),
        (call_id.as_str(), CallDirection::Outgoing, CallKind::Video, CallOutcome::Answered)
    );
    assert_eq!(entry.peer.username, "bob");
    let answered = entry.answered_at.expect("answered");
    assert!(entry.started_at <= answered && answered <= entry.ended_at);
    assert_eq!(entry.duration_ms, entry.ended_at - answered);
    assert!(entry.duration_ms >= 50, "{entry:?}");
    let bob_log = bob_phone.call_log(None, 10).await.unwrap();
    assert_eq!((bob_log[0].direction, bob_log[0].peer.username.as_str()), (CallDirection::Incoming, "alice"));
    server.stop().await;
}

#[tokio::test]
async fn declined_busy_cancelled_and_failed_calls_end_as_such_in_both_logs() {
    let server = TestServer::start().await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (carol, carol_me) = server.signed_up("carol").await;
    let (alice_live, mut alice_events) = online(&alice).await;
    let (bob_live, mut bob_events) = online(&bob).await;
    let (carol_live, mut carol_events) = online(&carol).await;

    // Declined by the callee.
    let declined = new_call_id();
    alice_live.call(&declined, start(&bob_me.id, CallKind::Video)).await.unwrap();
    assert!(matches!(call_event(&mut bob_events, "incoming").await, CallEvent::Incoming { .. }));
    // Only the callee may decline.
    assert_eq!(api_code(carol_live.call(&declined, CallAction::Decline).await), ErrorCode::CallNotActive);
    bob_live.call(&declined, CallAction::Decline).await.unwrap();
    for events in [&mut alice_events, &mut bob_events] {
        assert!(matches!(
            call_event(events, "declined").await,
            CallEvent::Ended { outcome: CallOutcome::Declined, .. }
        ));
    }

    // Busy: Bob is in a call with Carol when Alice rings.
    let with_carol = new_call_id();
    carol_live.call(&with_carol, start(&bob_me.id, CallKind::Audio)).await.unwrap();
    assert!(matches!(call_event(&mut bob_events, "carol rings").await, CallEvent::Incoming { .. }));
    bob_live.call(&with_carol, CallAction::Accept).await.unwrap();
    assert!(matches!(call_event(&mut carol_events, "accepted").await, CallEvent::Accepted { .. }));
    let busy = new_call_id();
    alice_live.call(&busy, start(&bob_me.id, CallKind::Audio)).await.unwrap();
    assert!(matches!(call_event(&mut alice_events, "busy").await, CallEvent::Ended { outcome: CallOutcome::Busy, .. }));
    // Carol is in a call already: she cannot start another.
    let second = carol_live.call(&new_call_id(), start(&bob_me.id, CallKind::Audio)).await;
    assert_eq!(api_code(second), ErrorCode::AlreadyInCall);

    // Failed: Carol's device goes away mid-call; Bob is told the call is over.
    carol_live.close().await;
    match call_event(&mut bob_events, "busy reaches bob's log, then carol's call ends").await {
        CallEvent::Ended { outcome: CallOutcome::Busy, call_id, .. } => {
            assert_eq!(call_id, busy);
            assert!(matches!(
                call_event(&mut bob_events, "carol gone").await,
                CallEvent::Ended { outcome: CallOutcome::Answered, .. }
            ));
        }
        CallEvent::Ended { outcome: CallOutcome::Answered, .. } => {}
        other => panic!("expected the call with carol to end, got {other:?}"),
    }
    drop(carol_events);

    // Cancelled by the caller while it rings.
    let cancelled = new_call_id();
    alice_live.call(&cancelled, start(&carol_me.id, CallKind::Audio)).await.unwrap();
    alice_live.call(&cancelled, CallAction::HangUp { failed: false }).await.unwrap();
    assert!(matches!(
        call_event(&mut alice_events, "cancelled").await,
        CallEvent::Ended { outcome: CallOutcome::Cancelled, .. }
    ));

    // Failed set-up, said by the caller.
    let failed = new_call_id();
    alice_live.call(&failed, start(&bob_me.id, CallKind::Audio)).await.unwrap();
    bob_live.call(&failed, CallAction::Accept).await.unwrap();
    alice_live.call(&failed, CallAction::HangUp { failed: true }).await.unwrap();
    assert!(matches!(call_event(&mut alice_events, "accepted").await, CallEvent::Accepted { .. }));
    assert!(matches!(
        call_event(&mut alice_events, "failed").await,
        CallEvent::Ended { outcome: CallOutcome::Failed, .. }
    ));

    let outcomes = |log: Vec<gkchat_proto::call::CallLogEntry>| {
        log.into_iter().map(|e| (e.call_id, e.outcome)).collect::<Vec<_>>()
    };
    // Newest first.
    assert_eq!(
        outcomes(alice.call_log(None, 10).await.unwrap()),
        vec![
            (failed.clone(), CallOutcome::Failed),
            (cancelled.clone(), CallOutcome::Cancelled),
            (busy.clone(), CallOutcome::Busy),
            (declined.clone(), CallOutcome::Declined),
        ]
    );
    let bob_log = bob.call_log(None, 10).await.unwrap();
    assert_eq!(bob_log.len(), 4, "{bob_log:?}");
    assert_eq!(bob_log.iter().find(|e| e.call_id == declined).unwrap().kind, CallKind::Video);
    // Paging: the next page after the newest two.
    let first = alice.call_log(None, 2).await.unwrap();
    let rest = alice.call_log(Some(first[1].started_at), 10).await.unwrap();
    assert_eq!(outcomes(rest), vec![(busy, CallOutcome::Busy), (declined, CallOutcome::Declined)]);
    server.stop().await;
}

#[tokio::test]
async fn unanswered_calls_turn_missed_and_ring_a_device_that_comes_online() {
    let temp = tempfile::tempdir().unwrap();
    let config = gkchat_server::Config { call_ring_secs: 2, ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (alice_live, mut alice_events) = online(&alice).await;

    let call_id = new_call_id();
    alice_live.call(&call_id, start(&bob_me.id, CallKind::Audio)).await.unwrap();
    // Bob was offline when it started ringing; his device rings as it connects.
    let (_bob_live, mut bob_events) = online(&bob).await;
    assert!(matches!(call_event(&mut bob_events, "late ring").await, CallEvent::Incoming { .. }));
    for events in [&mut alice_events, &mut bob_events] {
        assert!(matches!(call_event(events, "missed").await, CallEvent::Ended { outcome: CallOutcome::Missed, .. }));
    }
    let log = bob.call_log(None, 10).await.unwrap();
    assert_eq!(
        (log[0].direction, log[0].outcome, log[0].duration_ms),
        (CallDirection::Incoming, CallOutcome::Missed, 0)
    );
    server.stop().await;
}

#[tokio::test]
async fn blocks_and_bad_calls_are_refused_with_codes() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (alice_live, _alice_events) = online(&alice).await;
    let (bob_live, mut bob_events) = online(&bob).await;

    bob.block(&alice_me.id).await.unwrap();
    let refused = alice_live.call(&new_call_id(), start(&bob_me.id, CallKind::Audio)).await;
    assert_eq!(api_code(refused), ErrorCode::Blocked);
    // Nor can the one who blocked call.
    let refused = bob_live.call(&new_call_id(), start(&alice_me.id, CallKind::Audio)).await;
    assert_eq!(api_code(refused), ErrorCode::Blocked);
    quiet(&mut bob_events).await;
    bob.unblock(&alice_me.id).await.unwrap();

    let yourself = alice_live.call(&new_call_id(), start(&alice_me.id, CallKind::Audio)).await;
    assert_eq!(api_code(yourself), ErrorCode::BadRequest);
    let nobody = alice_live.call(&new_call_id(), start("no-such-user", CallKind::Audio)).await;
    assert_eq!(api_code(nobody), ErrorCode::NotFound);
    let long_id = "x".repeat(65);
    assert_eq!(api_code(alice_live.call(&long_id, start(&bob_me.id, CallKind::Audio)).await), ErrorCode::BadRequest);
    assert_eq!(api_code(alice_live.call("nope", CallAction::Accept).await), ErrorCode::CallNotActive);
    // The connection stays up after every refusal.
    alice_live.ping().await.unwrap();
    assert!(alice.call_log(None, 10).await.unwrap().is_empty());
    server.stop().await;
}
