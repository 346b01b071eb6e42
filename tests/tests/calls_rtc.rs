//! Calls with media, end to end: two headless clients (`gkchat-client`'s `Calls` with synthetic
//! devices) call each other through a real server — signalling over its WebSocket, ICE servers
//! from its embedded TURN relay — and each side checks what it decodes: the other side's tone at
//! the right frequency, the test pattern's colour bars. Also relay-only ICE through the embedded
//! relay, and a switch from voice to video mid-call. Prints the set-up time (offer → first
//! decoded audio) for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gkchat_client::calls::rtc::analysis::{rms, shows_test_pattern, tone_frequency};
use gkchat_client::calls::rtc::{AUDIO_SAMPLE_RATE, LatestFrame, MediaDevices, MediaEvent, SyntheticDevices};
use gkchat_client::{CallNotice, CallPhase, Calls, Client, Connection, ConnectionState};
use gkchat_proto::call::{CallKind, CallOutcome};
use gkchat_tests::{TestServer, within};
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(30);

struct Person {
    calls: Calls,
    notices: broadcast::Receiver<CallNotice>,
    devices: SyntheticDevices,
    user_id: String,
    _client: Client,
}

async fn person(server: &TestServer, name: &str, tone_hz: f32) -> Person {
    let (client, me) = server.signed_up(name).await;
    let connection: Arc<Connection> = Arc::new(client.connect());
    within(
        WAIT,
        "signed-in connection",
        connection.wait_for(|s| matches!(s, ConnectionState::Connected { user_id: Some(_), .. })),
    )
    .await;
    let devices = SyntheticDevices::new(tone_hz);
    let calls = Calls::start(connection, MediaDevices::Synthetic(devices.clone()));
    let notices = calls.subscribe();
    Person { calls, notices, devices, user_id: me.id, _client: client }
}

impl Person {
    /// Waits for a call change that `pick` accepts; panics when the call ends otherwise.
    async fn until(&mut self, what: &str, pick: impl Fn(&CallNotice) -> bool) -> CallNotice {
        within(WAIT, what, async {
            loop {
                let notice = self.notices.recv().await.expect("call notices");
                if pick(&notice) {
                    return notice;
                }
                if let CallNotice::Changed(view) = &notice
                    && view.phase == CallPhase::Ended
                {
                    panic!("the call ended ({:?}) while waiting for {what}", view.outcome);
                }
            }
        })
        .await
    }

    async fn until_phase(&mut self, phase: CallPhase) {
        self.until(&format!("{phase:?}"), |n| matches!(n, CallNotice::Changed(v) if v.phase == phase)).await;
    }

    async fn until_media(&mut self, event: MediaEvent) {
        self.until(&format!("{event:?}"), |n| matches!(n, CallNotice::Media { event: e, .. } if *e == event)).await;
    }

    /// Checks that the far side's tone arrives here at `tone_hz` (within 5 Hz).
    async fn hears(&self, tone_hz: f64) {
        let speaker = &self.devices.speaker;
        let target = speaker.total_samples() + u64::from(AUDIO_SAMPLE_RATE) / 2;
        within(WAIT, "half a second of sound", async {
            while speaker.total_samples() < target {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        let recent = speaker.recent(AUDIO_SAMPLE_RATE as usize / 2);
        let level = rms(&recent);
        assert!(level > 1000.0, "nearly silent (rms {level:.0})");
        let heard = tone_frequency(&recent).expect("a tone");
        assert!((heard - tone_hz).abs() < 5.0, "heard {heard:.1} Hz, expected {tone_hz} Hz");
    }
}

/// Waits for `count` more decoded pictures, then checks the newest shows the colour bars.
async fn sees_colour_bars(sink: &LatestFrame, count: u64) {
    let target = sink.count() + count;
    within(WAIT, "decoded video", async {
        while sink.count() < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let frame = sink.latest().expect("a frame");
    if let Err(why) = shows_test_pattern(&frame) {
        panic!("the picture is not the test pattern: {why}");
    }
}

/// Rings `callee` from `caller` and answers; returns when both have media up.
async fn connect(caller: &mut Person, callee: &mut Person, kind: CallKind) -> Duration {
    caller.calls.start_call(&callee.user_id, kind).await.unwrap();
    caller.until_phase(CallPhase::Calling).await;
    callee.until_phase(CallPhase::Ringing).await;
    let answered = Instant::now();
    callee.calls.accept().await.unwrap();
    caller.until_media(MediaEvent::FirstAudio).await;
    let setup = answered.elapsed();
    callee.until_media(MediaEvent::FirstAudio).await;
    // Sound flows, so ICE and DTLS are up: both show the call connected.
    for person in [caller, callee] {
        let view = person.calls.current().await.expect("in a call");
        assert_eq!(view.phase, CallPhase::Connected, "{view:?}");
    }
    setup
}

async fn hang_up(caller: &mut Person, callee: &mut Person) {
    caller.calls.hang_up().await.unwrap();
    for person in [caller, callee] {
        let ended = person.until("ended", |n| matches!(n, CallNotice::Changed(v) if v.phase == CallPhase::Ended)).await;
        let CallNotice::Changed(view) = ended else { unreachable!() };
        assert_eq!(view.outcome, Some(CallOutcome::Answered));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audio_call_carries_each_side_tone() {
    let server = TestServer::start().await;
    let mut alice = person(&server, "alice", 440.0).await;
    let mut bob = person(&server, "bob", 660.0).await;
    let setup = connect(&mut alice, &mut bob, CallKind::Audio).await;
    println!("call set-up, answer to first decoded audio at the caller: {} ms", setup.as_millis());
    bob.hears(440.0).await;
    alice.hears(660.0).await;
    // Muting silences my side for the other.
    alice.calls.set_muted(true).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let quiet = rms(&bob.devices.speaker.recent(AUDIO_SAMPLE_RATE as usize / 4));
    assert!(quiet < 300.0, "muted, yet rms {quiet:.0}");
    alice.calls.set_muted(false).await.unwrap();
    bob.hears(440.0).await;
    hang_up(&mut alice, &mut bob).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_call_shows_the_test_pattern_on_both_sides() {
    let server = TestServer::start().await;
    let mut alice = person(&server, "alice", 440.0).await;
    let mut bob = person(&server, "bob", 660.0).await;
    connect(&mut alice, &mut bob, CallKind::Video).await;
    sees_colour_bars(&bob.devices.remote_video, 5).await;
    sees_colour_bars(&alice.devices.remote_video, 5).await;
    bob.hears(440.0).await;
    hang_up(&mut alice, &mut bob).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_calls_go_through_the_embedded_turn_relay() {
    let server = TestServer::start().await;
    let mut alice = person(&server, "alice", 440.0).await;
    let mut bob = person(&server, "bob", 660.0).await;
    alice.calls.set_relay_only(true);
    bob.calls.set_relay_only(true);
    let setup = connect(&mut alice, &mut bob, CallKind::Video).await;
    println!("relay-only call set-up, answer to first decoded audio: {} ms", setup.as_millis());
    bob.hears(440.0).await;
    alice.hears(660.0).await;
    sees_colour_bars(&bob.devices.remote_video, 5).await;
    hang_up(&mut alice, &mut bob).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voice_call_switches_to_video_without_dropping() {
    let server = TestServer::start().await;
    let mut alice = person(&server, "alice", 440.0).await;
    let mut bob = person(&server, "bob", 660.0).await;
    connect(&mut alice, &mut bob, CallKind::Audio).await;
    assert_eq!(bob.devices.remote_video.count(), 0, "no video in a voice call");
    alice.calls.switch(CallKind::Video).await.unwrap();
    bob.until("the other side's video", |n| matches!(n, CallNotice::Changed(v) if v.remote_video)).await;
    sees_colour_bars(&bob.devices.remote_video, 5).await;
    // The same call, sound still flowing both ways.
    bob.hears(440.0).await;
    alice.hears(660.0).await;
    let view = bob.calls.current().await.expect("still in the call");
    assert_eq!((view.phase, view.kind), (CallPhase::Connected, CallKind::Video));
    hang_up(&mut alice, &mut bob).await;
    server.stop().await;
}
