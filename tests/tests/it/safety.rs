//! Blocking and reporting: who sees what once blocked, the blocked list, reports of a person or a
//! group stored (with a copy of the attached messages of the chat the reporter could see, and
//! only those) and listed by `gkchat-server admin reports`.

use std::path::Path;
use std::time::Duration;

use gkchat_proto::ErrorCode;
use gkchat_proto::account::{ProfileUpdate, ReportRequest};
use gkchat_proto::chat::MessageAction;
use gkchat_tests::desktop::target_dir;
use gkchat_tests::{TestServer, api_code, eventually, messenger, test_config, within};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn a_blocked_user_sees_nothing_personal() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let profile =
        ProfileUpdate { about: Some("gardening".into()), status_text: Some("at the gym".into()), ..Default::default() };
    alice.update_profile(&profile).await.unwrap();
    bob.add_contact("alice").await.unwrap();
    let seen = bob.contacts().await.unwrap().remove(0);
    assert_eq!((seen.about.as_str(), seen.status_text.as_str()), ("gardening", "at the gym"));

    alice.block(&bob_me.id).await.unwrap();
    alice.block(&bob_me.id).await.unwrap();
    let seen = bob.contacts().await.unwrap().remove(0);
    assert_eq!(seen.about, "", "blocked: about hidden even from 'everyone'");
    assert_eq!(seen.status_text, "", "blocked: status text hidden too");
    let blocked = alice.blocked_users().await.unwrap();
    assert_eq!(blocked.len(), 1);
    assert_eq!((blocked[0].user_id.as_str(), blocked[0].username.as_str()), (bob_me.id.as_str(), "bob"));

    alice.unblock(&bob_me.id).await.unwrap();
    let seen = bob.contacts().await.unwrap().remove(0);
    assert_eq!((seen.about.as_str(), seen.status_text.as_str()), ("gardening", "at the gym"));
    assert_eq!(api_code(alice.unblock(&bob_me.id).await), ErrorCode::NotFound);
    assert_eq!(api_code(alice.block(&alice_me.id).await), ErrorCode::BadRequest);
    assert_eq!(api_code(alice.block("no-such-user").await), ErrorCode::NotFound);
}

/// `gkchat-server admin reports` (the real binary) on the database in `data_dir`.
pub(crate) fn admin_reports(data_dir: &Path) -> String {
    let binary = target_dir().join("debug/gkchat-server");
    assert!(binary.is_file(), "build the server binary first ({})", binary.display());
    let config = test_config(data_dir);
    let output = std::process::Command::new(binary)
        .args(["admin", "reports"])
        .env("GKCHAT_DATA_DIR", data_dir)
        .env("GKCHAT_DATABASE_URL", &config.database_url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
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
        message_ids: vec![],
        block: true,
    };
    let id = alice.report(&report).await.unwrap();
    assert_eq!(alice.blocked_users().await.unwrap()[0].user_id, mallory.id, "report and block");
    server.stop().await;

    // The operator's view: the real binary, on the same database.
    let listing = admin_reports(temp.path());
    assert!(listing.contains(&id), "{listing}");
    assert!(listing.contains("@alice reported @mallory"), "{listing}");
    assert!(listing.contains("reason: sends me scam links"), "{listing}");
    assert!(!listing.contains("messages:"), "none attached: {listing}");
    assert_eq!(listing.matches(" reported ").count(), 1, "the refused report left nothing: {listing}");
}

#[tokio::test]
async fn a_report_keeps_our_last_messages_and_refuses_anyone_elses() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (mallory, mallory_me) = server.signed_up("mallory").await;
    let (carol, _) = server.signed_up("carol").await;
    let alice_m = messenger(&alice, &alice_me.id, None).await;
    let mallory_m = messenger(&mallory, &mallory_me.id, None).await;
    let carol_m = messenger(&carol, &carol.me().await.unwrap().id, None).await;

    mallory_m.send_text(&mallory_m.open_direct(&alice_me.id).await.unwrap(), "hello there", None).await.unwrap();
    within(WAIT, "mallory's message sent", mallory_m.flushed()).await.unwrap();
    eventually("alice has the chat", || async {
        alice_m.store().direct_chat_with(&mallory_me.id).await.unwrap().is_some()
    })
    .await;
    let chat_id = alice_m.store().direct_chat_with(&mallory_me.id).await.unwrap().unwrap();
    alice_m.send_text(&chat_id, "who is this?", None).await.unwrap();
    within(WAIT, "alice's message sent", alice_m.flushed()).await.unwrap();
    mallory_m.send_text(&chat_id, "send coins to\nscam.example", None).await.unwrap();
    within(WAIT, "mallory's message sent", mallory_m.flushed()).await.unwrap();
    eventually("alice has all three", || async { alice_m.messages(&chat_id, None, 50).await.unwrap().len() == 3 })
        .await;

    // The newest `limit`, oldest first.
    let ids = alice_m.recent_message_ids_with(&mallory_me.id, 20).await.unwrap();
    let shown = alice_m.messages(&chat_id, None, 50).await.unwrap();
    assert_eq!(ids, shown.iter().map(|m| m.message.id.clone()).collect::<Vec<_>>());
    assert_eq!(alice_m.recent_message_ids_with(&mallory_me.id, 2).await.unwrap(), ids[1..]);
    assert_eq!(alice_m.recent_message_ids_with("no-chat-with-them", 20).await.unwrap(), Vec::<String>::new());

    // Messages of another chat (mallory's with carol, or alice's own with carol), or made up,
    // are refused with their code and store nothing.
    let to_mallory =
        carol_m.send_text(&carol_m.open_direct(&mallory_me.id).await.unwrap(), "hi mallory", None).await.unwrap();
    let to_alice =
        carol_m.send_text(&carol_m.open_direct(&alice_me.id).await.unwrap(), "hi alice", None).await.unwrap();
    within(WAIT, "carol's messages sent", carol_m.flushed()).await.unwrap();
    for foreign in [to_mallory.message.id, to_alice.message.id, "no-such-message".into()] {
        let request = ReportRequest {
            user_id: mallory_me.id.clone(),
            reason: "scam".into(),
            message_ids: vec![ids[0].clone(), foreign.clone()],
            block: true,
        };
        assert_eq!(api_code(alice.report(&request).await), ErrorCode::BadRequest, "{foreign}");
    }
    assert!(alice.blocked_users().await.unwrap().is_empty(), "a refused report does not block either");

    let report = ReportRequest {
        user_id: mallory_me.id.clone(),
        reason: "scam links".into(),
        message_ids: ids.clone(),
        block: false,
    };
    let report_id = alice.report(&report).await.unwrap();
    // Mallory deletes the evidence for everyone; the report keeps its copy.
    let scam_id = ids[2].clone();
    mallory_m.act(&chat_id, &scam_id, MessageAction::DeleteForEveryone).await.unwrap();
    within(WAIT, "the deletion reaches the server", mallory_m.flushed()).await.unwrap();
    let history = alice.history(&chat_id, None, 50).await.unwrap();
    assert!(history.messages.iter().any(|m| m.id == scam_id && m.content.is_none()), "deleted for alice too");
    // A message that has not reached the server is never attached.
    server.stop().await;
    alice_m.send_text(&chat_id, "not sent yet", None).await.unwrap();
    assert_eq!(alice_m.messages(&chat_id, None, 50).await.unwrap().len(), 4);
    assert_eq!(alice_m.recent_message_ids_with(&mallory_me.id, 20).await.unwrap(), ids);
    drop((alice_m, mallory_m, carol_m));

    let listing = admin_reports(temp.path());
    assert!(listing.contains(&report_id), "{listing}");
    assert_eq!(listing.matches(" reported ").count(), 1, "the refused reports left nothing: {listing}");
    let lines: Vec<&str> = listing.lines().skip_while(|l| !l.contains("messages:")).skip(1).collect();
    assert_eq!(lines.len(), 3, "{listing}");
    assert!(lines[0].ends_with("@mallory: hello there"), "{listing}");
    assert!(lines[1].ends_with("@alice: who is this?"), "{listing}");
    assert!(lines[2].ends_with("@mallory: send coins to scam.example"), "{listing}");
    for absent in ["hi mallory", "hi alice", "not sent yet"] {
        assert!(!listing.contains(absent), "{absent}: {listing}");
    }
}

#[tokio::test]
async fn a_group_is_reported_with_what_the_reporter_saw_and_left_on_request() {
    use gkchat_proto::group::{GroupReport, NewGroup};
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let (owen, owen_me) = server.signed_up("owen").await;
    let (rita, rita_me) = server.signed_up("rita").await;
    let (sam, sam_me) = server.signed_up("sam").await;
    let (tom, _) = server.signed_up("tom").await;
    let owen_m = messenger(&owen, &owen_me.id, None).await;
    let rita_m = messenger(&rita, &rita_me.id, None).await;
    let new = NewGroup { name: "Crypto gains".into(), description: String::new(), member_ids: vec![sam_me.id.clone()] };
    let chat_id = owen_m.create_group(&new).await.unwrap().chat.id;
    let early = owen_m.send_text(&chat_id, "before rita came", None).await.unwrap().message.id;
    within(WAIT, "sent", owen_m.flushed()).await.unwrap();
    owen.add_members(&chat_id, std::slice::from_ref(&rita_me.id)).await.unwrap();
    owen_m.send_text(&chat_id, "double your coins", None).await.unwrap();
    within(WAIT, "sent", owen_m.flushed()).await.unwrap();
    eventually("rita has the scam", || async {
        rita_m.messages(&chat_id, None, 50).await.unwrap().iter().any(|m| {
            matches!(&m.message.content, Some(gkchat_proto::chat::Content::Text { text, .. }) if text == "double your coins")
        })
    })
    .await;

    // What she attaches: her last messages, without system messages.
    let ids = rita_m.recent_message_ids(&chat_id, 20).await.unwrap();
    assert_eq!(ids.len(), 1, "only the text she saw");
    let report =
        |message_ids: Vec<String>, leave: bool| GroupReport { reason: "a scam group".into(), message_ids, leave };
    // A stranger, an empty reason: refused, nothing kept.
    assert_eq!(api_code(tom.report_group(&chat_id, &report(vec![], false)).await), ErrorCode::NotAMember);
    let blank = GroupReport { reason: " ".into(), message_ids: vec![], leave: false };
    assert_eq!(api_code(rita.report_group(&chat_id, &blank).await), ErrorCode::BadRequest);
    // Report and exit: she is out, the others see her leave.
    let id = rita.report_group(&chat_id, &report(ids, true)).await.unwrap();
    let members: Vec<String> = owen.members(&chat_id).await.unwrap().into_iter().map(|m| m.username).collect();
    assert!(!members.contains(&"rita".to_owned()), "{members:?}");
    // A former member may still report what came before she left, not what came after.
    let after = owen_m.send_text(&chat_id, "after rita left", None).await.unwrap().message.id;
    within(WAIT, "sent", owen_m.flushed()).await.unwrap();
    assert_eq!(api_code(rita.report_group(&chat_id, &report(vec![after], false)).await), ErrorCode::BadRequest);
    let again = rita.report_group(&chat_id, &report(vec![early], false)).await.unwrap();
    drop((owen_m, rita_m, sam));
    server.stop().await;

    let listing = admin_reports(temp.path());
    assert!(listing.contains(&id) && listing.contains(&again), "{listing}");
    assert_eq!(listing.matches(" reported ").count(), 2, "the refused reports left nothing: {listing}");
    assert!(
        listing.contains(&format!("@rita reported the group \"Crypto gains\" ({chat_id}, owner @owen)")),
        "{listing}"
    );
    assert!(listing.contains("@owen: double your coins"), "{listing}");
    assert!(listing.contains("@owen: before rita came"), "attached by the second report: {listing}");
    assert!(!listing.contains("after rita left"), "{listing}");
}
