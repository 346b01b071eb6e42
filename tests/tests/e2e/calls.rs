//! Calls in the real app: the desktop binary (synthetic devices: a 440 Hz tone and colour bars,
//! `GKCHAT_SYNTHETIC_MEDIA=1`) and a headless client (660 Hz) call each other through a real
//! server. The incoming call rings as a notification with Accept / Decline on a real daemon
//! (dunst), and Accept there answers it; the headless side then hears the app's tone, the app
//! draws the headless side's video after a switch mid-call, and the app's own switch sends its
//! colour bars. The app calls back from the chat header and is declined; the Calls tab lists both.

use std::sync::Arc;
use std::time::Duration;

use gkchat_client::calls::rtc::analysis::{shows_test_pattern, tone_frequency};
use gkchat_client::calls::rtc::{AUDIO_SAMPLE_RATE, MediaDevices, SyntheticDevices};
use gkchat_client::{CallNotice, CallPhase, Calls, ConnectionState};
use gkchat_proto::call::{CallKind, CallOutcome};
use gkchat_proto::chat::{Content, NewMessage};
use gkchat_tests::desktop::{DesktopHarness, desktop_binary, shots_dir};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_device, within};
use tokio::sync::broadcast;

use super::{PASSWORD, WAIT, click, sign_up_in_app};

async fn until_phase(notices: &mut broadcast::Receiver<CallNotice>, phase: CallPhase) -> gkchat_client::CallView {
    within(WAIT, &format!("{phase:?}"), async {
        loop {
            if let CallNotice::Changed(view) = notices.recv().await.expect("call notices")
                && view.phase == phase
            {
                return view;
            }
        }
    })
    .await
}

/// Waits until the app's `testid` element's `data-<attribute>` satisfies `ok`.
async fn wait_for_data(session: &Session, testid: &str, attribute: &str, ok: impl Fn(&str) -> bool) -> String {
    let script = format!(
        "const e = document.querySelector('[data-testid={testid}]'); return e ? (e.dataset.{attribute} || '') : '';"
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let value = session.execute(&script, serde_json::json!([])).await;
        let value = value.as_str().unwrap_or_default().to_owned();
        if ok(&value) {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            session.save_failure_evidence().await;
            panic!("{testid} data-{attribute} never matched; last {value:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the call screen (which shows how a call ended for a moment) has gone.
async fn call_screen_gone(session: &Session) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while session.find("[data-testid=call-screen]").await.is_some() {
        assert!(tokio::time::Instant::now() < deadline, "the call screen stayed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_ring_connect_switch_to_video_and_fill_the_call_log() {
    let _turn = super::one_at_a_time().await;
    let server = TestServer::start().await;
    let app = desktop_binary();
    let env = [("GKCHAT_SERVER_URL", server.url().to_string()), ("GKCHAT_SYNTHETIC_MEDIA", "1".to_owned())];
    let harness = DesktopHarness::start(&env).await;
    let session = Session::start(&harness.driver_url, app.to_str().unwrap()).await;
    sign_up_in_app(&session, "Grace", "grace").await;

    // Hopper, headless, writes first (so the app has the chat), then calls.
    let (hopper, _) = server.signed_up("hopper").await;
    let grace = hopper.add_contact("grace").await.unwrap();
    // They know each other (a stranger's chat would wait under Requests).
    let grace_seed = client_for(server.url());
    grace_seed.sign_in("grace", PASSWORD, test_device("seed")).await.unwrap();
    grace_seed.add_contact("hopper").await.unwrap();
    let connection = Arc::new(hopper.connect());
    connection.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })).await;
    let hello = NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: gkchat_tests::direct_chat(&hopper, &grace.user_id).await,
        content: Content::text("can I call you?"),
        reply_to: None,
        forwarded: false,
    };
    connection.send_message(hello).await.unwrap();
    let devices = SyntheticDevices::new(660.0);
    let calls = Calls::start(connection.clone(), MediaDevices::Synthetic(devices.clone()));
    let mut notices = calls.subscribe();
    session.wait_for("[data-testid=chat-tile]", WAIT).await;
    // The message's notification goes first, so the one on screen next is the ring.
    harness.wait_for_displayed().await;
    harness.dunstctl(&["close-all"]);

    calls.start_call(&grace.user_id, CallKind::Audio).await.unwrap();
    wait_for_data(&session, "call-screen", "phase", |p| p == "ringing").await;
    session.wait_for_text("[data-testid=call-peer-name]", WAIT, |t| t == "hopper").await;
    // The ring is a notification too; its Accept answers the call.
    harness.wait_for_displayed().await;
    std::fs::write(shots_dir().join("call-ringing.png"), session.screenshot().await).unwrap();
    let offered = harness.invoke_notification_action();
    assert!(offered.contains("Accept") && offered.contains("Decline"), "the ring offers Accept and Decline: {offered}");
    until_phase(&mut notices, CallPhase::Connected).await;
    wait_for_data(&session, "call-screen", "phase", |p| p == "connected").await;
    session.wait_for("[data-testid=call-timer]", WAIT).await;

    // Hopper hears the app's tone.
    let speaker = &devices.speaker;
    let target = speaker.total_samples() + u64::from(AUDIO_SAMPLE_RATE);
    within(WAIT, "the app's sound", async {
        while speaker.total_samples() < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let heard = tone_frequency(&speaker.recent(AUDIO_SAMPLE_RATE as usize / 2)).expect("a tone from the app");
    assert!((heard - 440.0).abs() < 5.0, "heard {heard:.1} Hz from the app");

    // Hopper turns video on: the app draws it.
    calls.switch(CallKind::Video).await.unwrap();
    wait_for_data(&session, "call-remote-video", "frames", |n| n.parse::<u64>().is_ok_and(|n| n >= 10)).await;
    std::fs::write(shots_dir().join("call-video.png"), session.screenshot().await).unwrap();
    // The app turns its camera on too (the switch button): Hopper sees the app's colour bars.
    let before = devices.remote_video.count();
    click(&session, "call-switch").await;
    within(WAIT, "the app's video", async {
        while devices.remote_video.count() < before + 10 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    shows_test_pattern(&devices.remote_video.latest().unwrap()).expect("the app's colour bars");

    click(&session, "call-hangup").await;
    let ended = until_phase(&mut notices, CallPhase::Ended).await;
    assert_eq!(ended.outcome, Some(CallOutcome::Answered));

    // "Call ended" shows for a moment, then the call screen goes.
    session.wait_for_text("[data-testid=call-status]", WAIT, |t| t.contains("Call ended")).await;
    call_screen_gone(&session).await;

    // The app calls back from the chat header; Hopper declines.
    click(&session, "chat-tile-name").await;
    click(&session, "chat-call-video").await;
    until_phase(&mut notices, CallPhase::Ringing).await;
    wait_for_data(&session, "call-screen", "phase", |p| p == "calling").await;
    calls.decline().await.unwrap();
    session.wait_for_text("[data-testid=call-status]", WAIT, |t| t.contains("Declined")).await;
    call_screen_gone(&session).await;

    // Both calls in the log, newest first.
    click(&session, "tab-calls").await;
    let log = session.wait_for_text("[data-testid=call-log]", WAIT, |t| t.contains("Declined")).await;
    assert!(log.contains("hopper"), "{log}");
    let rows = session
        .execute("return document.querySelectorAll('[data-testid=call-log-row]').length;", serde_json::json!([]))
        .await;
    assert_eq!(rows, 2, "{log}");
    std::fs::write(shots_dir().join("call-log.png"), session.screenshot().await).unwrap();
    session.end().await;
}
