//! Call media end to end: two `CallMedia` in one process, their signals crossed over channels,
//! real ICE/DTLS/SRTP on loopback, synthetic devices on both sides. Each test fails unless the
//! far side really decodes what the near side sent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gkchat_client::calls::rtc::analysis::{rms, shows_test_pattern, tone_frequency};
use gkchat_client::calls::rtc::{
    AUDIO_SAMPLE_RATE, CallMedia, CapturedAudio, LatestFrame, MediaConfig, MediaDevices, MediaEvent, SyntheticDevices,
    VIDEO_HEIGHT, VIDEO_WIDTH, list_devices,
};
use gkchat_proto::call::{CallKind, CallSignal, IceServer};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const WAIT: Duration = Duration::from_secs(20);

/// One side of the call as a test sees it.
struct Side {
    media: Arc<CallMedia>,
    events: UnboundedReceiver<MediaEvent>,
    /// Every event seen so far, in order.
    seen: Vec<MediaEvent>,
    devices: SyntheticDevices,
}

impl Side {
    /// Waits (bounded) for `want`, unless it was seen already; panics on a failure or a timeout.
    async fn wait_for(&mut self, want: MediaEvent) {
        if self.seen.contains(&want) {
            return;
        }
        self.wait_for_next(want).await;
    }

    /// Waits (bounded) for a new `want`; panics on a failure or a timeout.
    async fn wait_for_next(&mut self, want: MediaEvent) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no {want:?} within {WAIT:?}; saw {:?}", self.seen))
                .expect("event channel closed");
            if let MediaEvent::Failed(why) = &event {
                panic!("media failed: {why}");
            }
            self.seen.push(event.clone());
            if event == want {
                return;
            }
        }
    }

    /// Takes the events that arrived so far without waiting.
    fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.seen.push(event);
        }
    }
}

/// Relays one side's signals to the other, in order.
fn relay(mut signals: UnboundedReceiver<CallSignal>, to: Arc<CallMedia>) {
    tokio::spawn(async move {
        while let Some(signal) = signals.recv().await {
            to.on_signal(signal).await.expect("the far side refused a signal");
        }
    });
}

async fn call(kind: CallKind, caller_tone: f32, callee_tone: f32, bind: Option<SocketAddr>) -> (Side, Side) {
    let side = |tone: f32| async move {
        let devices = SyntheticDevices::new(tone);
        let mut config = MediaConfig::new(Vec::new(), MediaDevices::Synthetic(devices.clone()));
        config.bind_addrs.extend(bind);
        let (signals_tx, signals_rx) = unbounded_channel();
        let (events_tx, events) = unbounded_channel();
        let media = Arc::new(CallMedia::new(config, kind, signals_tx, events_tx).await.expect("call media starts"));
        (Side { media, events, seen: Vec::new(), devices }, signals_rx)
    };
    let (caller, caller_signals) = side(caller_tone).await;
    let (callee, callee_signals) = side(callee_tone).await;
    relay(caller_signals, callee.media.clone());
    relay(callee_signals, caller.media.clone());
    (caller, callee)
}

fn loopback() -> Option<SocketAddr> {
    Some("127.0.0.1:0".parse().unwrap())
}

/// Waits until `speaker` received `samples` more samples.
async fn more_sound(speaker: &CapturedAudio, samples: u64) {
    let target = speaker.total_samples() + samples;
    let deadline = Instant::now() + WAIT;
    while speaker.total_samples() < target {
        assert!(Instant::now() < deadline, "sound stopped: {} of {target} samples", speaker.total_samples());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks the far side heard `tone_hz` in the last half second.
async fn hears_tone(side: &Side, tone_hz: f64) {
    more_sound(&side.devices.speaker, u64::from(AUDIO_SAMPLE_RATE) / 2).await;
    let recent = side.devices.speaker.recent(AUDIO_SAMPLE_RATE as usize / 2);
    let level = rms(&recent);
    assert!(level > 1000.0, "the sound is nearly silent (rms {level:.0})");
    let heard = tone_frequency(&recent).expect("a tone");
    println!("heard {heard:.1} Hz (sent {tone_hz} Hz), rms {level:.0}");
    assert!((heard - tone_hz).abs() < 5.0, "heard {heard:.1} Hz, expected {tone_hz} Hz");
}

/// Waits until `sink` got `count` more frames, then checks the newest.
async fn sees_colour_bars(sink: &LatestFrame, count: u64) {
    let target = sink.count() + count;
    let started = Instant::now();
    while sink.count() < target {
        assert!(started.elapsed() < WAIT, "video stopped: {} of {target} frames", sink.count());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fps = count as f64 / started.elapsed().as_secs_f64();
    println!("{count} frames at {fps:.1} fps");
    if let Err(why) = shows_test_pattern(&sink.latest().expect("a frame")) {
        panic!("not the test pattern: {why}");
    }
}

fn connections(side: &Side) -> usize {
    side.seen.iter().filter(|e| **e == MediaEvent::Connected).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_call_carries_each_sides_tone() {
    // Every interface (the default), not just loopback.
    let (mut caller, mut callee) = call(CallKind::Audio, 440.0, 660.0, None).await;
    caller.media.make_offer().await.unwrap();
    callee.wait_for(MediaEvent::FirstAudio).await;
    caller.wait_for(MediaEvent::FirstAudio).await;
    hears_tone(&callee, 440.0).await;
    hears_tone(&caller, 660.0).await;

    // Muted: silence reaches the far side, then the tone again.
    caller.media.set_muted(true);
    tokio::time::sleep(Duration::from_millis(300)).await;
    more_sound(&callee.devices.speaker, u64::from(AUDIO_SAMPLE_RATE) / 4).await;
    let muted = rms(&callee.devices.speaker.recent(AUDIO_SAMPLE_RATE as usize / 5));
    assert!(muted < 200.0, "still audible while muted (rms {muted:.0})");
    caller.media.set_muted(false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    hears_tone(&callee, 440.0).await;

    caller.media.close().await;
    callee.media.close().await;
    caller.wait_for(MediaEvent::Closed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_call_shows_each_sides_colour_bars() {
    let (mut caller, mut callee) = call(CallKind::Video, 440.0, 660.0, loopback()).await;
    let started = Instant::now();
    caller.media.make_offer().await.unwrap();
    callee.wait_for(MediaEvent::FirstVideo).await;
    let callee_sees = started.elapsed();
    caller.wait_for(MediaEvent::FirstVideo).await;
    println!("make_offer → callee's first picture {callee_sees:?}, caller's {:?}", started.elapsed());
    sees_colour_bars(&callee.devices.remote_video, 60).await;
    sees_colour_bars(&caller.devices.remote_video, 20).await;
    hears_tone(&callee, 440.0).await;

    // Camera off: black pictures instead of the bars, without renegotiating.
    caller.media.set_camera(false);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let frame = callee.devices.remote_video.latest().unwrap();
    let (y, _, _) = frame.yuv_at(VIDEO_WIDTH / 16, VIDEO_HEIGHT / 4);
    assert!(y < 40, "camera off should send black, got luma {y}");

    caller.media.close().await;
    callee.media.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_video_mid_call_keeps_the_connection_and_the_sound() {
    let (mut caller, mut callee) = call(CallKind::Audio, 440.0, 660.0, loopback()).await;
    caller.media.make_offer().await.unwrap();
    callee.wait_for(MediaEvent::FirstAudio).await;
    caller.wait_for(MediaEvent::Connected).await;
    hears_tone(&callee, 440.0).await;
    assert_eq!(callee.devices.remote_video.count(), 0, "no video before the switch");

    // The caller turns video on: a renegotiation over the same connection.
    caller.media.set_video(true).await.unwrap();
    callee.wait_for(MediaEvent::RemoteVideo(true)).await;
    callee.wait_for(MediaEvent::FirstVideo).await;
    sees_colour_bars(&callee.devices.remote_video, 10).await;
    hears_tone(&callee, 440.0).await;
    hears_tone(&caller, 660.0).await;

    // Then the callee (the side that did not make the first offer) turns its video on too.
    callee.media.set_video(true).await.unwrap();
    caller.wait_for(MediaEvent::FirstVideo).await;
    sees_colour_bars(&caller.devices.remote_video, 10).await;
    hears_tone(&caller, 660.0).await;

    // The caller turns video off again (the track goes), then back on (a new track).
    caller.media.set_video(false).await.unwrap();
    callee.wait_for(MediaEvent::RemoteVideo(false)).await;
    hears_tone(&callee, 440.0).await;
    caller.media.set_video(true).await.unwrap();
    callee.wait_for_next(MediaEvent::FirstVideo).await;
    sees_colour_bars(&callee.devices.remote_video, 10).await;

    caller.drain();
    callee.drain();
    assert_eq!(connections(&caller), 1, "the caller reconnected: {:?}", caller.seen);
    assert_eq!(connections(&callee), 1, "the callee reconnected: {:?}", callee.seen);

    caller.media.close().await;
    callee.media.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_sides_switching_to_video_at_once_settles() {
    let (mut caller, mut callee) = call(CallKind::Audio, 440.0, 660.0, loopback()).await;
    caller.media.make_offer().await.unwrap();
    callee.wait_for(MediaEvent::FirstAudio).await;
    caller.wait_for(MediaEvent::FirstAudio).await;

    // Both offers cross on the wire: the callee yields, answers, then offers again.
    let (a, b) = tokio::join!(caller.media.set_video(true), callee.media.set_video(true));
    a.unwrap();
    b.unwrap();
    callee.wait_for(MediaEvent::FirstVideo).await;
    caller.wait_for(MediaEvent::FirstVideo).await;
    sees_colour_bars(&callee.devices.remote_video, 10).await;
    sees_colour_bars(&caller.devices.remote_video, 10).await;
    hears_tone(&callee, 440.0).await;
    hears_tone(&caller, 660.0).await;

    caller.media.close().await;
    callee.media.close().await;
}

/// Long-term TURN credentials: one user, one password.
struct StaticAuth;

impl turn::auth::AuthHandler for StaticAuth {
    fn auth_handle(&self, username: &str, realm: &str, _src: SocketAddr) -> Result<Vec<u8>, turn::Error> {
        Ok(turn::auth::generate_auth_key(username, realm, "secret"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_call_goes_through_turn() {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let turn_server = turn::server::Server::new(turn::server::config::ServerConfig {
        conn_configs: vec![turn::server::config::ConnConfig {
            conn: Arc::new(socket),
            relay_addr_generator: Box::new(turn::relay::relay_static::RelayAddressGeneratorStatic {
                relay_address: "127.0.0.1".parse().unwrap(),
                address: "127.0.0.1".into(),
                net: Arc::new(webrtc_util::vnet::net::Net::new(None)),
            }),
        }],
        realm: "gkchat".into(),
        auth_handler: Arc::new(StaticAuth),
        channel_bind_timeout: Duration::from_secs(0),
        alloc_close_notify: None,
    })
    .await
    .unwrap();
    let turn = IceServer {
        urls: vec![format!("turn:127.0.0.1:{port}?transport=udp")],
        username: Some("user".into()),
        credential: Some("secret".into()),
    };

    let side = |tone: f32| {
        let turn = turn.clone();
        async move {
            let devices = SyntheticDevices::new(tone);
            let mut config = MediaConfig::new(vec![turn], MediaDevices::Synthetic(devices.clone()));
            config.relay_only = true;
            config.bind_addrs.extend(loopback());
            let (signals_tx, mut signals_rx) = unbounded_channel();
            let (events_tx, events) = unbounded_channel();
            let media = Arc::new(CallMedia::new(config, CallKind::Audio, signals_tx, events_tx).await.unwrap());
            // Relay-only: every candidate offered must be a relayed one.
            let (checked_tx, checked_rx) = unbounded_channel();
            tokio::spawn(async move {
                while let Some(signal) = signals_rx.recv().await {
                    if let CallSignal::Candidate { candidate, .. } = &signal {
                        assert!(candidate.contains(" typ relay"), "a non-relay candidate: {candidate}");
                    }
                    if checked_tx.send(signal).is_err() {
                        break;
                    }
                }
            });
            (Side { media, events, seen: Vec::new(), devices }, checked_rx)
        }
    };
    let (mut caller, caller_signals) = side(440.0).await;
    let (mut callee, callee_signals) = side(660.0).await;
    relay(caller_signals, callee.media.clone());
    relay(callee_signals, caller.media.clone());

    let started = Instant::now();
    caller.media.make_offer().await.unwrap();
    callee.wait_for(MediaEvent::FirstAudio).await;
    caller.wait_for(MediaEvent::FirstAudio).await;
    println!("relayed: make_offer → first sound both ways {:?}", started.elapsed());
    hears_tone(&callee, 440.0).await;
    hears_tone(&caller, 660.0).await;

    caller.media.close().await;
    callee.media.close().await;
    turn_server.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_up_time_to_first_sound() {
    let (mut caller, mut callee) = call(CallKind::Audio, 440.0, 660.0, loopback()).await;
    let started = Instant::now();
    caller.media.make_offer().await.unwrap();
    caller.wait_for(MediaEvent::Connected).await;
    let connected = started.elapsed();
    callee.wait_for(MediaEvent::FirstAudio).await;
    let callee_hears = started.elapsed();
    caller.wait_for(MediaEvent::FirstAudio).await;
    let caller_hears = started.elapsed();
    println!(
        "make_offer → connected {connected:?}, callee's first sound {callee_hears:?}, caller's first sound {caller_hears:?}"
    );
    caller.media.close().await;
    callee.media.close().await;
}

/// Runs a PulseAudio client tool with `args`.
fn pactl(args: &[&str]) -> String {
    let out = std::process::Command::new("pactl").args(args).output().expect("pactl runs (install pulseaudio-utils)");
    assert!(out.status.success(), "pactl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The system devices (cpal → ALSA → PulseAudio) on the caller's side: a tone played into a null
/// sink is captured from its monitor as the microphone, and what the caller's speaker plays is
/// recorded from a second null sink's monitor.
///
/// Needs a PulseAudio daemon the ALSA `pulse` plugin reaches (Debian `pulseaudio
/// pulseaudio-utils libasound2-plugins`), e.g.:
/// `pulseaudio -n --daemonize=no --exit-idle-time=-1 -L "module-native-protocol-unix
/// socket=$DIR/native auth-anonymous=1" &` and `PULSE_SERVER=unix:$DIR/native cargo test -p
/// gkchat-client --test media -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a PulseAudio daemon (see the doc comment)"]
async fn system_devices_capture_and_play_through_pulseaudio() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};

    /// Unloads the test's null sinks and stops pacat/parec, also when the test fails.
    struct Pulse {
        modules: Vec<String>,
        children: Vec<std::process::Child>,
    }
    impl Drop for Pulse {
        fn drop(&mut self) {
            for child in &mut self.children {
                let _ = child.kill();
                let _ = child.wait();
            }
            for module in &self.modules {
                let _ = Command::new("pactl").args(["unload-module", module]).status();
            }
        }
    }
    let (mic, speaker) =
        (format!("gkchat_test_mic_{}", std::process::id()), format!("gkchat_test_speaker_{}", std::process::id()));
    let mut pulse = Pulse { modules: Vec::new(), children: Vec::new() };
    for sink in [&mic, &speaker] {
        let args = ["load-module", "module-null-sink", &format!("sink_name={sink}"), "rate=48000", "channels=1"];
        pulse.modules.push(pactl(&args));
    }
    pactl(&["set-default-source", &format!("{mic}.monitor")]);
    pactl(&["set-default-sink", &speaker]);

    let raw = ["--format=s16le", "--rate=48000", "--channels=1", "--raw", "--latency-msec=100"];
    let mut tone = Command::new("pacat")
        .args(["--playback", &format!("--device={mic}")])
        .args(raw)
        .stdin(Stdio::piped())
        .spawn()
        .expect("pacat runs");
    let mut tone_in = tone.stdin.take().unwrap();
    pulse.children.push(tone);
    std::thread::spawn(move || {
        // pacat blocks once its buffer is full, which paces this loop in real time.
        let mut phase = 0f64;
        let step = std::f64::consts::TAU * 440.0 / 48_000.0;
        loop {
            let chunk: Vec<u8> = (0..960)
                .flat_map(|_| {
                    phase = (phase + step) % std::f64::consts::TAU;
                    ((phase.sin() * 8192.0) as i16).to_le_bytes()
                })
                .collect();
            if tone_in.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let mut recorder = Command::new("parec")
        .args(["--record", &format!("--device={speaker}.monitor")])
        .args(raw)
        .stdout(Stdio::piped())
        .spawn()
        .expect("parec runs");
    let mut recorder_out = recorder.stdout.take().unwrap();
    pulse.children.push(recorder);
    let recorded = CapturedAudio::default();
    let mut recorded_sink = recorded.clone();
    std::thread::spawn(move || {
        use gkchat_client::calls::rtc::AudioSink;
        let mut bytes = [0u8; 1920];
        while recorder_out.read_exact(&mut bytes).is_ok() {
            let samples: Vec<i16> = bytes.chunks(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
            recorded_sink.write_frame(&samples);
        }
    });

    let system = MediaDevices::System { input: None, output: None, camera: None };
    let (caller_signals_tx, caller_signals) = unbounded_channel();
    let (caller_events_tx, caller_events) = unbounded_channel();
    let mut config = MediaConfig::new(Vec::new(), system);
    config.bind_addrs.extend(loopback());
    let caller_media = Arc::new(
        CallMedia::new(config, CallKind::Audio, caller_signals_tx, caller_events_tx)
            .await
            .expect("system devices open"),
    );
    let devices = SyntheticDevices::new(660.0);
    let mut config = MediaConfig::new(Vec::new(), MediaDevices::Synthetic(devices.clone()));
    config.bind_addrs.extend(loopback());
    let (callee_signals_tx, callee_signals) = unbounded_channel();
    let (callee_events_tx, callee_events) = unbounded_channel();
    let callee_media =
        Arc::new(CallMedia::new(config, CallKind::Audio, callee_signals_tx, callee_events_tx).await.unwrap());
    relay(caller_signals, callee_media.clone());
    relay(callee_signals, caller_media.clone());
    let mut caller =
        Side { media: caller_media, events: caller_events, seen: Vec::new(), devices: SyntheticDevices::new(0.0) };
    let mut callee = Side { media: callee_media, events: callee_events, seen: Vec::new(), devices };

    caller.media.make_offer().await.unwrap();
    callee.wait_for(MediaEvent::FirstAudio).await;
    caller.wait_for(MediaEvent::FirstAudio).await;
    // Through the real microphone path, past the devices' start-up (PulseAudio streams take up to
    // ~1.5 s to settle).
    tokio::time::sleep(Duration::from_secs(3)).await;
    hears_tone(&callee, 440.0).await;
    // Out of the real speaker path.
    let speaker = Side { devices: SyntheticDevices { speaker: recorded, ..SyntheticDevices::new(0.0) }, ..caller };
    hears_tone(&speaker, 660.0).await;

    speaker.media.close().await;
    callee.media.close().await;
    drop(pulse);
}

#[test]
fn listing_devices_never_panics() {
    let devices = list_devices();
    println!("{devices:?}");
    assert!(devices.cameras.is_empty(), "this build has no camera support");
}
