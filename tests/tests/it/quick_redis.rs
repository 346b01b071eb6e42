//! Quick chats in Redis (`redis_url`), served by two server instances at once: a room made on
//! one is joined, chatted in and ended through the other, live events reach both, the code
//! lock holds across them, every key has a TTL, and nothing reaches either's disk. Also: a
//! dropped subscription connection is remade, and an unreachable Redis stops the start.

use std::path::Path;
use std::time::Duration;

use gkchat_client::{QuickChats, QuickLink, QuickRoom};
use gkchat_proto::ErrorCode;
use gkchat_proto::quick::QuickServerFrame as F;
use gkchat_tests::{Redis, TestServer, everything_in, test_config};
use serde_json::json;

use super::quick::{next_frame, two_messages};

/// The key of the codes' HMAC, shared by the instances; the one key without a TTL.
const CODE_KEY: &str = "{gk}:quick:code-key";

async fn instance(data_dir: &Path, redis: &Redis, idle_secs: u64) -> TestServer {
    let config = gkchat_server::Config { redis_url: redis.url(), quick_idle_secs: idle_secs, ..test_config(data_dir) };
    TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await
}

/// Frames until `Ended`; its reason.
pub(crate) async fn until_ended(room: &mut QuickRoom) -> String {
    loop {
        if let F::Ended { reason } = next_frame(room).await {
            return reason;
        }
    }
}

/// Every quick-chat key but the code key has a TTL; the room's own keys are there (its messages
/// once there are some).
async fn assert_every_key_expires(redis: &Redis, room_id: &str, at_most_ms: i64, said_something: bool) {
    let keys = redis.keys_with_ttl("{gk}:quick:*").await;
    let names: Vec<&str> = keys.iter().map(|(key, _)| key.as_str()).collect();
    let mut own = vec![format!("{{gk}}:quick:{room_id}"), "{gk}:quick:idle".into()];
    if said_something {
        own.push(format!("{{gk}}:quick:{room_id}:messages"));
    }
    for own in own {
        assert!(names.contains(&own.as_str()), "{own} missing in {names:?}");
    }
    for (key, ttl) in &keys {
        if key == CODE_KEY {
            assert_eq!(*ttl, -1, "the code key is kept");
        } else if key.ends_with(":ended") {
            assert!(*ttl > 0, "{key} has no TTL");
        } else if key == "{gk}:quick:idle" {
            // The sweepers' index outlives its last deadline by ten minutes.
            assert!(*ttl > 0 && *ttl <= at_most_ms + 600_000, "{key} has TTL {ttl} ms");
        } else {
            assert!(*ttl > 0 && *ttl <= at_most_ms, "{key} has TTL {ttl} ms (at most {at_most_ms})");
        }
    }
}

/// After the end, the room left only its ended marker (with a TTL) and no place in the index.
async fn assert_only_the_ended_marker_is_left(redis: &Redis, room_id: &str) {
    let left = redis.keys_with_ttl(&format!("{{gk}}:quick:{room_id}*")).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].0, format!("{{gk}}:quick:{room_id}:ended"));
    assert!(left[0].1 > 0, "the ended marker expires");
    let mut connection = redis.connection().await;
    let in_index: Option<f64> =
        redis::cmd("ZSCORE").arg("{gk}:quick:idle").arg(room_id).query_async(&mut connection).await.unwrap();
    assert_eq!(in_index, None);
}

#[tokio::test]
async fn two_instances_share_rooms_codes_locks_live_events_and_the_end() {
    let redis = Redis::start().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (instance(dir_a.path(), &redis, 600).await, instance(dir_b.path(), &redis, 600).await);
    let chats = QuickChats::new();

    // Made on A; the links work on B (and on A).
    let room = chats.create(&a.url(), ["Ann Redisname".into(), "Bob Redisname".into()]).await.unwrap();
    let on = |server: &TestServer, who: usize| QuickLink::of_invite(&server.url(), &room.invites[who].path).unwrap();
    let landing = chats.landing(&on(&b, 0), None).await.unwrap();
    assert_eq!((landing.name.as_str(), landing.other_name.as_str()), ("Ann Redisname", "Bob Redisname"));
    assert_eq!(chats.join(&on(&b, 0), "Ann Redisname", "WRONGCODE").await.unwrap_err().code(), ErrorCode::InvalidCode);
    let ann_session = chats.join(&on(&b, 0), "ann redisname", &room.invites[0].code.to_lowercase()).await.unwrap();
    let bob_session = chats.join(&on(&a, 1), "Bob Redisname", &room.invites[1].code).await.unwrap();
    assert!(chats.landing(&on(&a, 0), Some(&ann_session)).await.unwrap().resume, "a session made on B works on A");
    assert!(!chats.landing(&on(&a, 1), Some(&ann_session)).await.unwrap().resume);
    assert_every_key_expires(&redis, &room.room_id, 600_000, false).await;

    // Ann is on B, Bob on A: messages and presence cross over.
    let mut ann = chats.open(on(&b, 0), ann_session.clone());
    assert!(
        matches!(next_frame(&mut ann).await, F::Joined { me: 0, other_here: false, ref messages, .. } if messages.is_empty())
    );
    let mut bob = chats.open(on(&a, 1), bob_session.clone());
    assert!(matches!(next_frame(&mut bob).await, F::Joined { me: 1, other_here: true, .. }));
    assert_eq!(next_frame(&mut ann).await, F::Presence { other_here: true });
    ann.say("hi Bob, from B").await.unwrap();
    bob.say("hi Ann, from A").await.unwrap();
    for room in [&mut ann, &mut bob] {
        let seen = two_messages(room).await;
        let texts: Vec<&str> = seen.iter().map(|(_, _, text)| text.as_str()).collect();
        assert_eq!(seen.iter().map(|(seq, _, _)| *seq).collect::<Vec<_>>(), [1, 2], "{texts:?}");
        assert!(texts.contains(&"hi Bob, from B") && texts.contains(&"hi Ann, from A"), "{texts:?}");
    }
    assert_every_key_expires(&redis, &room.room_id, 600_000, true).await;

    // Ann closes on B; Bob (on A) sees her go; she comes back on A to the whole chat.
    drop(ann);
    assert_eq!(next_frame(&mut bob).await, F::Presence { other_here: false });
    bob.say("while you were away").await.unwrap();
    assert!(matches!(next_frame(&mut bob).await, F::Message(_)));
    let mut ann = chats.open(on(&a, 0), ann_session.clone());
    match next_frame(&mut ann).await {
        F::Joined { messages, other_here, .. } => {
            assert!(other_here);
            let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
            assert_eq!(texts.len(), 3, "{texts:?}");
            assert_eq!(texts[2], "while you were away");
            assert_eq!(messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(next_frame(&mut bob).await, F::Presence { other_here: true });

    // Bob ends it on B: Ann (on A) and Bob are told; the links say so on both instances.
    assert_eq!(chats.end(&on(&b, 1), "forged").await.unwrap_err().code(), ErrorCode::NotFound);
    chats.end(&on(&b, 1), &bob_session).await.unwrap();
    for room in [&mut ann, &mut bob] {
        assert_eq!(until_ended(room).await, "the chat was ended");
        assert_eq!(room.next().await, None, "nothing after the end");
    }
    for server in [&a, &b] {
        assert_eq!(chats.landing(&on(server, 0), None).await.unwrap_err().code(), ErrorCode::QuickChatEnded);
    }
    let mut late = chats.open(on(&b, 0), ann_session);
    assert!(matches!(next_frame(&mut late).await, F::Ended { .. }), "opening an ended chat says so");
    assert_only_the_ended_marker_is_left(&redis, &room.room_id).await;

    // Five wrong codes across the two instances lock the link on both, for the lock time.
    let locked = chats.create(&b.url(), ["Cy".into(), "Di".into()]).await.unwrap();
    let http = reqwest::Client::new();
    let join = |server: &TestServer, code: &str| {
        let url = format!("{}api/v1/quick{}/join", server.url(), locked.invites[0].path.trim_start_matches("/q"));
        http.post(url).json(&json!({ "name": "Cy", "code": code })).send()
    };
    for server in [&a, &b, &a, &b] {
        assert_eq!(join(server, "WRONG").await.unwrap().status(), 401);
    }
    let fifth = join(&a, "WRONG").await.unwrap();
    assert_eq!(fifth.status(), 429);
    for server in [&a, &b] {
        let right = join(server, &locked.invites[0].code).await.unwrap();
        assert_eq!(right.status(), 429, "even the right code, on either instance");
        assert!(right.headers().contains_key("retry-after"));
    }
    let lock = redis.keys_with_ttl(&format!("{{gk}}:quick:{}:lock:*", locked.room_id)).await;
    assert_eq!(lock.len(), 1, "{lock:?}");
    assert!(lock[0].1 > 0 && lock[0].1 <= 15 * 60 * 1000, "{lock:?}");
    assert_eq!(join(&b, "WRONG").await.unwrap().status(), 429);
    let other = chats.join(&on_room(&a, &locked.invites[1].path), "Di", &locked.invites[1].code).await;
    assert!(other.is_ok(), "the other link is not locked");

    // Neither instance wrote anything of the chats to its data directory (database included).
    a.stop().await;
    b.stop().await;
    for dir in [dir_a.path(), dir_b.path()] {
        let on_disk = everything_in(dir);
        for secret in [
            "Ann Redisname",
            "Bob Redisname",
            "while you were away",
            room.invites[0].code.as_str(),
            room.invites[1].code.as_str(),
            room.room_id.as_str(),
            locked.room_id.as_str(),
        ] {
            assert!(!on_disk.contains(secret), "{secret:?} was written to {}", dir.display());
        }
    }
}

fn on_room(server: &TestServer, path: &str) -> QuickLink {
    QuickLink::of_invite(&server.url(), path).unwrap()
}

#[tokio::test]
async fn an_idle_room_in_redis_ends_for_both_people_on_both_instances() {
    let redis = Redis::start().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (instance(dir_a.path(), &redis, 2).await, instance(dir_b.path(), &redis, 2).await);
    let chats = QuickChats::new();
    let room = chats.create(&a.url(), ["Ann".into(), "Bob".into()]).await.unwrap();
    assert_eq!(room.idle_secs, 2);
    let (ann_link, bob_link) = (on_room(&a, &room.invites[0].path), on_room(&b, &room.invites[1].path));
    let ann_session = chats.join(&ann_link, "Ann", &room.invites[0].code).await.unwrap();
    let bob_session = chats.join(&bob_link, "Bob", &room.invites[1].code).await.unwrap();
    let mut ann = chats.open(ann_link.clone(), ann_session);
    let mut bob = chats.open(bob_link.clone(), bob_session);
    assert!(matches!(next_frame(&mut ann).await, F::Joined { .. }));
    assert!(matches!(next_frame(&mut bob).await, F::Joined { .. }));
    assert_every_key_expires(&redis, &room.room_id, 2_000, false).await;

    // Nobody says anything: both people, on their two instances, are told it ended.
    for person in [&mut ann, &mut bob] {
        assert_eq!(until_ended(person).await, "the chat ended after a time without activity");
    }
    for link in [&ann_link, &bob_link] {
        assert_eq!(chats.landing(link, None).await.unwrap_err().code(), ErrorCode::QuickChatEnded);
    }
    assert_only_the_ended_marker_is_left(&redis, &room.room_id).await;

    // A room nobody is connected to ends too (the shared index), and its links say so.
    let quiet = chats.create(&b.url(), ["Cy".into(), "Di".into()]).await.unwrap();
    let quiet_link = on_room(&a, &quiet.invites[0].path);
    gkchat_tests::eventually("the quiet room ended", || async {
        chats.landing(&quiet_link, None).await.is_err_and(|err| err.code() == ErrorCode::QuickChatEnded)
    })
    .await;
    assert_only_the_ended_marker_is_left(&redis, &quiet.room_id).await;
}

/// Frames until the message `text`.
pub(crate) async fn until_message(room: &mut QuickRoom, text: &str) {
    loop {
        if let F::Message(message) = next_frame(room).await
            && message.text == text
        {
            return;
        }
    }
}

/// Frames until the room's history arrives again (after a reconnect).
async fn until_joined(room: &mut QuickRoom) -> Vec<String> {
    loop {
        if let F::Joined { messages, .. } = next_frame(room).await {
            return messages.into_iter().map(|m| m.text).collect();
        }
    }
}

#[tokio::test]
async fn a_dropped_subscription_connection_is_remade_and_the_chat_goes_on() {
    let redis = Redis::start().await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (instance(dir_a.path(), &redis, 600).await, instance(dir_b.path(), &redis, 600).await);
    let chats = QuickChats::new();
    let room = chats.create(&a.url(), ["Ann".into(), "Bob".into()]).await.unwrap();
    let (ann_link, bob_link) = (on_room(&a, &room.invites[0].path), on_room(&b, &room.invites[1].path));
    let ann_session = chats.join(&ann_link, "Ann", &room.invites[0].code).await.unwrap();
    let bob_session = chats.join(&bob_link, "Bob", &room.invites[1].code).await.unwrap();
    let mut ann = chats.open(ann_link, ann_session);
    let mut bob = chats.open(bob_link, bob_session);
    until_joined(&mut ann).await;
    until_joined(&mut bob).await;
    ann.say("before the drop").await.unwrap();
    until_message(&mut bob, "before the drop").await;

    // Redis drops both instances' subscription connections: their rooms' connections close,
    // the clients come back, and live delivery works again, history intact.
    let mut connection = redis.connection().await;
    let killed: i64 =
        redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("pubsub").query_async(&mut connection).await.unwrap();
    assert_eq!(killed, 4, "two subscription connections per instance: quick chats' and the bus's");
    assert_eq!(until_joined(&mut ann).await, ["before the drop"]);
    assert_eq!(until_joined(&mut bob).await, ["before the drop"]);
    bob.say("after the drop").await.unwrap();
    until_message(&mut ann, "after the drop").await;
}

#[tokio::test]
async fn a_server_whose_redis_cannot_be_reached_does_not_start() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let temp = tempfile::tempdir().unwrap();
    // The data dir's own SQLite (no database to make first on PostgreSQL runs): Redis is the point.
    let config = gkchat_server::Config {
        redis_url: format!("redis://127.0.0.1:{port}/"),
        database_url: String::new(),
        ..test_config(temp.path())
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let started = tokio::time::Instant::now();
    let failed = gkchat_server::run(listener, config, std::future::pending()).await.unwrap_err();
    assert!(failed.to_string().starts_with("redis:"), "{failed}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused only after {:?}", started.elapsed());
}

#[tokio::test]
async fn a_room_in_redis_keeps_a_capped_history() {
    let redis = Redis::start().await;
    let dir = tempfile::tempdir().unwrap();
    let server = instance(dir.path(), &redis, 600).await;
    crate::hardening::history_is_capped(&server).await;
}
