//! Blocking and reporting: who sees what once blocked, the blocked list, reports stored and
//! listed by `gkchat-server admin reports`.

use gkchat_proto::ErrorCode;
use gkchat_proto::account::{ProfileUpdate, ReportRequest};
use gkchat_tests::desktop::target_dir;
use gkchat_tests::{TestServer, api_code, test_config};

#[tokio::test]
async fn a_blocked_user_sees_nothing_personal() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    alice.update_profile(&ProfileUpdate { about: Some("gardening".into()), ..Default::default() }).await.unwrap();
    bob.add_contact("alice").await.unwrap();
    assert_eq!(bob.contacts().await.unwrap()[0].about, "gardening");

    alice.block(&bob_me.id).await.unwrap();
    alice.block(&bob_me.id).await.unwrap();
    assert_eq!(bob.contacts().await.unwrap()[0].about, "", "blocked: about hidden even from 'everyone'");
    let blocked = alice.blocked_users().await.unwrap();
    assert_eq!(blocked.len(), 1);
    assert_eq!((blocked[0].user_id.as_str(), blocked[0].username.as_str()), (bob_me.id.as_str(), "bob"));

    alice.unblock(&bob_me.id).await.unwrap();
    assert_eq!(bob.contacts().await.unwrap()[0].about, "gardening");
    assert_eq!(api_code(alice.unblock(&bob_me.id).await), ErrorCode::NotFound);
    assert_eq!(api_code(alice.block(&alice_me.id).await), ErrorCode::BadRequest);
    assert_eq!(api_code(alice.block("no-such-user").await), ErrorCode::NotFound);
}

#[tokio::test]
async fn reports_are_stored_and_listed_for_the_operator() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let (alice, _) = server.signed_up("alice").await;
    let (_, mallory) = server.signed_up("mallory").await;

    let bad = ReportRequest { user_id: mallory.id.clone(), reason: "  ".into(), message_ids: vec![], block: false };
    assert_eq!(api_code(alice.report(&bad).await), ErrorCode::BadRequest);
    let report = ReportRequest {
        user_id: mallory.id.clone(),
        reason: "sends me scam links".into(),
        message_ids: vec!["m-1".into(), "m-2".into()],
        block: true,
    };
    let id = alice.report(&report).await.unwrap();
    assert_eq!(alice.blocked_users().await.unwrap()[0].user_id, mallory.id, "report and block");
    server.stop().await;

    // The operator's view: the real binary, on the same database.
    let binary = target_dir().join("debug/gkchat-server");
    assert!(binary.is_file(), "build the server binary first ({})", binary.display());
    let config = test_config(temp.path());
    let output = std::process::Command::new(binary)
        .args(["admin", "reports"])
        .env("GKCHAT_DATA_DIR", temp.path())
        .env("GKCHAT_DATABASE_URL", &config.database_url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let listing = String::from_utf8(output.stdout).unwrap();
    assert!(listing.contains(&id), "{listing}");
    assert!(listing.contains("@alice reported @mallory"), "{listing}");
    assert!(listing.contains("reason: sends me scam links"), "{listing}");
    assert!(listing.contains("messages: m-1, m-2"), "{listing}");
}
