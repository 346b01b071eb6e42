//! Several server instances over one database and one Redis serve as one: two in this process
//! and the real `gkchat-server` binary as a third (so it can crash for real). Clients on
//! different instances chat 1:1 and in a group, see receipts, typing and presence, ring and
//! answer each other (and hear "busy"); a membership change on one instance holds on the
//! others at once; a sign-out on one instance closes the device's socket on another; a crashed
//! instance's users turn offline for the others within the presence TTL; rate limits count
//! across instances; and when Redis goes away and comes back, clients are told to resync.
//! The same runs over a Redis Cluster of three primaries (`redis_cluster`), quick chats too.

use gkchat_tests::text_message as text;
use std::path::Path;

use gkchat_client::{Client, Event, Events};
use gkchat_proto::ErrorCode;
use gkchat_proto::call::{CallAction, CallEvent, CallKind, CallOutcome, CallSignal};
use gkchat_proto::chat::{Content, Message as ChatMessage, ReceiptKind};
use gkchat_proto::group::NewGroup;
use gkchat_tests::fault::server_binary;

use crate::messaging::next;
use gkchat_tests::{
    Redis, RedisCluster, ServerProcess, TEST_JWT_SECRET, TEST_PASSWORD, TestServer, api_code, client_for, direct_chat,
    online, sign_up_request, test_config, test_device,
};

/// The presence TTL of the instances in this process: short, so the survivors look for stopped
/// instances every two seconds, yet long enough that a busy test machine never takes a live
/// one for gone.
const PRESENCE_TTL_SECS: u64 = 6;
/// The binary's, which the test crashes: its users turn offline within about this long (the
/// test waits for the event).
const CRASHING_TTL_SECS: u64 = 3;

/// The Redis the instances share: one node, or a cluster.
struct Shared {
    url: String,
    cluster: bool,
}

impl Shared {
    fn node(redis: &Redis) -> Self {
        Self { url: redis.url(), cluster: false }
    }

    fn cluster(cluster: &RedisCluster) -> Self {
        Self { url: cluster.url(), cluster: true }
    }
}

fn config(data_dir: &Path, redis: &Shared) -> gkchat_server::Config {
    gkchat_server::Config {
        redis_url: redis.url.clone(),
        redis_cluster: redis.cluster,
        presence_ttl_secs: PRESENCE_TTL_SECS,
        ..test_config(data_dir)
    }
}

async fn instance(data_dir: &Path, redis: &Shared) -> TestServer {
    TestServer::start_with(config(data_dir, redis), "127.0.0.1:0".parse().unwrap()).await
}

/// The real binary on the same database and Redis.
async fn process(data_dir: &Path, redis: &Shared) -> ServerProcess {
    let database_url = test_config(data_dir).database_url;
    let ttl = CRASHING_TTL_SECS.to_string();
    let env = [
        ("GKCHAT_REDIS_URL", redis.url.clone()),
        ("GKCHAT_REDIS_CLUSTER", redis.cluster.to_string()),
        ("GKCHAT_PRESENCE_TTL_SECS", ttl),
        ("GKCHAT_JWT_SECRET", TEST_JWT_SECRET.to_owned()),
        ("GKCHAT_DATABASE_URL", database_url),
        ("GKCHAT_TURN_PORT", "0".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let binary = server_binary("debug");
    assert!(binary.is_file(), "build the server binary first ({})", binary.display());
    let mut server = ServerProcess::new(binary, data_dir.to_path_buf(), &env);
    server.start().await;
    server
}

/// The next message someone wrote in `chat_id` (system messages are passed over).
async fn message(events: &mut Events, chat_id: &str) -> ChatMessage {
    next(events, "a message", |event| match event {
        Event::Message(message)
            if message.chat_id == chat_id && matches!(message.content, Some(Content::Text { .. })) =>
        {
            Some(*message)
        }
        _ => None,
    })
    .await
}

async fn presence(events: &mut Events, user_id: &str) -> bool {
    next(events, "presence", |event| match event {
        Event::Presence(presence) if presence.user_id == user_id => Some(presence.online),
        _ => None,
    })
    .await
}

async fn call_event(events: &mut Events, what: &str) -> CallEvent {
    next(events, what, |event| match event {
        Event::Call(event) => Some(event),
        _ => None,
    })
    .await
}

/// `sent` arrives on `events` (the sender's own devices get it too, so wait for this one).
async fn arrives(events: &mut Events, sent: &ChatMessage) {
    next(events, "a message", |event| match event {
        Event::Message(message) if message.id == sent.id => Some(()),
        _ => None,
    })
    .await;
}

async fn signed_up(url: &url::Url, name: &str) -> (Client, String) {
    let client = client_for(url.clone());
    let me = client.sign_up(&sign_up_request(name)).await.expect("sign-up");
    (client, me.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_serve_as_one() {
    let redis = Redis::start().await;
    serve_as_one(&Shared::node(&redis)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_serve_as_one_over_a_redis_cluster() {
    let cluster = RedisCluster::start().await;
    let shared = Shared::cluster(&cluster);
    // Told wrongly what it is, a server refuses to start and says what to set.
    for (url, cluster) in [(cluster.nodes[0].url(), false), (shared.url.clone(), false)] {
        let temp = tempfile::tempdir().unwrap();
        let config = gkchat_server::Config {
            redis_url: url,
            redis_cluster: cluster,
            database_url: String::new(),
            ..test_config(temp.path())
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let refused = gkchat_server::run(listener, config, std::future::pending()).await.unwrap_err();
        assert!(refused.to_string().contains("redis_cluster = true"), "{refused}");
    }
    serve_as_one(&shared).await;
    rate_limits_are_shared(&shared).await;
    let keys = cluster.keys().await;
    assert!(!keys.is_empty() && keys.iter().all(|key| key.starts_with("{gk}:")), "one slot for all: {keys:?}");

    // Quick chats: made on A, joined and chatted in through B.
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (instance(dir_a.path(), &shared).await, instance(dir_b.path(), &shared).await);
    let chats = gkchat_client::QuickChats::new();
    let room = chats.create(&a.url(), ["Ann Cluster".into(), "Bob Cluster".into()]).await.unwrap();
    let on = |server: &TestServer, who: usize| {
        gkchat_client::QuickLink::of_invite(&server.url(), &room.invites[who].path).unwrap()
    };
    let ann_session = chats.join(&on(&b, 0), "Ann Cluster", &room.invites[0].code).await.unwrap();
    let bob_session = chats.join(&on(&a, 1), "Bob Cluster", &room.invites[1].code).await.unwrap();
    let mut ann = chats.open(on(&b, 0), ann_session);
    let mut bob = chats.open(on(&a, 1), bob_session.clone());
    ann.say("hi Bob, over the cluster").await.unwrap();
    crate::quick_redis::until_message(&mut bob, "hi Bob, over the cluster").await;
    chats.end(&on(&b, 1), &bob_session).await.unwrap();
    assert_eq!(crate::quick_redis::until_ended(&mut ann).await, "the chat was ended");
    drop((ann, bob));
    a.stop().await;
    b.stop().await;
}

/// Three instances over `redis` (the third the real binary, crashed at the end).
async fn serve_as_one(redis: &Shared) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path();
    let a = instance(data, redis).await;
    let b = instance(data, redis).await;
    let mut c = process(data, redis).await;

    // Ann on A, Bob on B, Cid on C; each has the others as contacts.
    let (ann, ann_id) = signed_up(&a.url(), "ann").await;
    let (bob, bob_id) = signed_up(&b.url(), "bob").await;
    let (cid, cid_id) = signed_up(&c.url(), "cid").await;
    for (client, others) in [(&ann, ["bob", "cid"]), (&bob, ["ann", "cid"]), (&cid, ["ann", "bob"])] {
        for other in others {
            client.add_contact(other).await.unwrap();
        }
    }
    let (ann_live, mut ann_events) = online(&ann).await;

    // Presence: Bob and Cid come online elsewhere; Ann hears it and sees it in her list.
    let (bob_live, mut bob_events) = online(&bob).await;
    assert!(presence(&mut ann_events, &bob_id).await);
    let (cid_live, mut cid_events) = online(&cid).await;
    assert!(presence(&mut ann_events, &cid_id).await);
    assert!(ann.contacts().await.unwrap().iter().all(|contact| contact.online));
    let bobs = bob.contacts().await.unwrap();
    assert!(bobs.iter().any(|contact| contact.user_id == ann_id && contact.online), "B knows Ann is on A");

    // 1:1 across instances: the message, typing, and receipts both ways.
    let direct = direct_chat(&ann, &bob_id).await;
    let sent = ann_live.send_message(text(&direct, "hello from A")).await.unwrap();
    let got = message(&mut bob_events, &direct).await;
    assert_eq!((got.id.as_str(), got.seq), (sent.id.as_str(), sent.seq));
    bob_live.typing(&direct, true).await.unwrap();
    let typing = next(&mut ann_events, "typing", |event| match event {
        Event::Typing(typing) if typing.chat_id == direct => Some(typing),
        _ => None,
    })
    .await;
    assert_eq!((typing.user_id.as_str(), typing.typing), (bob_id.as_str(), true));
    bob_live.receipt(&direct, ReceiptKind::Read, sent.seq).await.unwrap();
    next(&mut ann_events, "Bob's read receipt", |event| match event {
        Event::Receipt(receipt) if receipt.chat_id == direct && receipt.read_by_all_seq >= sent.seq => Some(()),
        _ => None,
    })
    .await;

    // A group over three instances: everyone gets everyone's messages.
    let group =
        NewGroup { name: "Three".into(), description: String::new(), member_ids: vec![bob_id.clone(), cid_id.clone()] };
    let group = ann.create_group(&group).await.unwrap().chat.id;
    let from_cid = cid_live.send_message(text(&group, "hi all, from C")).await.unwrap();
    for events in [&mut ann_events, &mut bob_events] {
        arrives(events, &from_cid).await;
    }
    let from_bob = bob_live.send_message(text(&group, "hi from B")).await.unwrap();
    for events in [&mut ann_events, &mut cid_events] {
        arrives(events, &from_bob).await;
    }

    // Ann (A) removes Cid: C, which remembered the group's members, forgets them at once.
    ann.remove_member(&group, &cid_id).await.unwrap();
    next(&mut cid_events, "Cid's removal", |event| match event {
        Event::Message(message)
            if message.chat_id == group && matches!(message.content, Some(Content::System { .. })) =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    let refused = cid_live.send_message(text(&group, "am I still here?")).await;
    assert_eq!(api_code(refused), ErrorCode::NotAMember);

    // Calls: Ann (A) rings Bob (B); Bob answers; signals flow; Cid (C) calling Bob hears busy.
    let call_id = uuid::Uuid::now_v7().to_string();
    ann_live.call(&call_id, CallAction::Start { callee_id: bob_id.clone(), kind: CallKind::Audio }).await.unwrap();
    assert!(
        matches!(call_event(&mut bob_events, "ringing").await, CallEvent::Incoming { call } if call.call_id == call_id)
    );
    bob_live.call(&call_id, CallAction::Accept).await.unwrap();
    assert!(matches!(call_event(&mut ann_events, "accepted").await, CallEvent::Accepted { .. }));
    let offer = CallSignal::Offer { sdp: "v=0 from A".into() };
    ann_live.call(&call_id, CallAction::Signal { signal: offer.clone() }).await.unwrap();
    match call_event(&mut bob_events, "the offer").await {
        CallEvent::Signal { signal, .. } => assert_eq!(signal, offer),
        other => panic!("expected the offer, got {other:?}"),
    }
    let busy_call = uuid::Uuid::now_v7().to_string();
    cid_live.call(&busy_call, CallAction::Start { callee_id: bob_id.clone(), kind: CallKind::Video }).await.unwrap();
    match call_event(&mut cid_events, "busy").await {
        CallEvent::Ended { call_id, outcome, .. } => assert_eq!((call_id, outcome), (busy_call, CallOutcome::Busy)),
        other => panic!("expected busy, got {other:?}"),
    }
    bob_live.call(&call_id, CallAction::HangUp { failed: false }).await.unwrap();
    for events in [&mut ann_events, &mut bob_events] {
        // (Bob's devices heard of Cid's busy call too: both logs keep it.)
        let outcome = next(events, "the end of the call", |event| match event {
            Event::Call(CallEvent::Ended { call_id: ended, outcome, .. }) if ended == call_id => Some(outcome),
            _ => None,
        })
        .await;
        assert_eq!(outcome, CallOutcome::Answered);
    }

    // Bob signs his laptop out from his phone on A: the laptop's socket on B closes at once.
    let bob_phone = client_for(a.url());
    bob_phone.sign_in("bob", TEST_PASSWORD, test_device("phone")).await.unwrap();
    bob_phone.sign_out_other_devices().await.unwrap();
    let ended = next(&mut bob_events, "the laptop's socket to close", |event| match event {
        Event::ServerError(error) => Some(error.code),
        _ => None,
    })
    .await;
    assert_eq!(ended, ErrorCode::SessionRevoked);
    drop(bob_live);

    // Cid (C) rings Ann (A); C crashes: the call ends for Ann (no device of Cid's is left) and
    // Cid turns offline for her within the presence TTL, with a last seen.
    let crash_call = uuid::Uuid::now_v7().to_string();
    cid_live.call(&crash_call, CallAction::Start { callee_id: ann_id.clone(), kind: CallKind::Audio }).await.unwrap();
    assert!(
        matches!(call_event(&mut ann_events, "Cid's ring").await, CallEvent::Incoming { call } if call.call_id == crash_call)
    );
    c.kill();
    let outcome = next(&mut ann_events, "the crashed call's end", |event| match event {
        Event::Call(CallEvent::Ended { call_id, outcome, .. }) if call_id == crash_call => Some(outcome),
        _ => None,
    })
    .await;
    assert_eq!(outcome, CallOutcome::Failed);
    assert!(!presence(&mut ann_events, &cid_id).await);
    let listed = ann.contacts().await.unwrap();
    let cid_listed = listed.iter().find(|contact| contact.user_id == cid_id).unwrap();
    assert!(!cid_listed.online && cid_listed.last_seen.is_some(), "{cid_listed:?}");
    drop((cid_live, cid_events, ann_live));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn rate_limits_count_across_instances() {
    let redis = Redis::start().await;
    rate_limits_are_shared(&Shared::node(&redis)).await;
}

async fn rate_limits_are_shared(redis: &Shared) {
    let temp = tempfile::tempdir().unwrap();
    let limited =
        |redis: &Shared| gkchat_server::Config { auth_attempts_per_account_minute: 3, ..config(temp.path(), redis) };
    let a = TestServer::start_with(limited(redis), "127.0.0.1:0".parse().unwrap()).await;
    let b = TestServer::start_with(limited(redis), "127.0.0.1:0".parse().unwrap()).await;
    a.signed_up("dora").await;
    for server in [&a, &b, &a] {
        let wrong = server.client().sign_in("dora", "not her password", test_device("laptop")).await;
        assert_eq!(api_code(wrong), ErrorCode::InvalidCredentials);
    }
    let fourth = b.client().sign_in("dora", TEST_PASSWORD, test_device("laptop")).await;
    assert_eq!(api_code(fourth), ErrorCode::RateLimited, "the fourth attempt, wherever it lands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_redis_comes_back_the_instances_join_again_and_clients_resync() {
    let mut redis = Redis::start().await;
    let temp = tempfile::tempdir().unwrap();
    let a = instance(temp.path(), &Shared::node(&redis)).await;
    let b = instance(temp.path(), &Shared::node(&redis)).await;
    let (eve, _) = a.signed_up("eve").await;
    let (fred, fred_me) = b.signed_up("fred").await;
    let (eve_live, mut eve_events) = online(&eve).await;
    let (fred_live, mut fred_events) = online(&fred).await;
    let chat = direct_chat(&eve, &fred_me.id).await;
    eve_live.send_message(text(&chat, "before")).await.unwrap();
    message(&mut fred_events, &chat).await;

    // Redis goes away; a message sent meanwhile is stored (and acknowledged) but cannot cross.
    let mut during = None;
    redis
        .restart(async {
            during = Some(eve_live.send_message(text(&chat, "while Redis was away")).await.unwrap());
        })
        .await;
    let during = during.unwrap();
    // Both instances are back on the bus once each told its clients to resync.
    for events in [&mut fred_events, &mut eve_events] {
        next(events, "a resync", |event| matches!(event, Event::Resync).then_some(())).await;
    }
    // Catching up finds it.
    let synced = fred.history(&chat, None, 10).await.unwrap();
    assert!(synced.messages.iter().any(|message| message.id == during.id));

    // Joined again: live again.
    let after = eve_live.send_message(text(&chat, "after")).await.unwrap();
    arrives(&mut fred_events, &after).await;
    drop((eve_live, eve_events, fred_live, fred_events));
    a.stop().await;
    b.stop().await;
}
