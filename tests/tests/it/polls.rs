//! Polls through real messengers and a real server: ten members vote, change and take back
//! votes at the same moment and every device ends with the server's counts; the poll's rules
//! (one choice, closed, only its creator closes, never edited) and who may vote (not a
//! non-member, not a removed member; a member who left stays counted) each get their code; an
//! anonymous poll shows everyone the counts and each their own vote only.

use futures_util::future::join_all;
use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{Content, MessageAction};
use gkchat_proto::poll::Poll;
use gkchat_tests::{TestServer, api_code, eventually, from_server, messenger, on_device, online};

fn poll(question: &str, multiple: bool, anonymous: bool) -> Poll {
    Poll {
        question: question.into(),
        options: vec!["Pizza".into(), "Sushi".into(), "Salad".into()],
        multiple,
        anonymous,
        closed_at: None,
    }
}

/// The poll as `client` gets it from the server's history.
fn vote(options: &[u8]) -> MessageAction {
    MessageAction::Vote { options: options.to_vec() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_members_vote_at_once_and_every_device_ends_with_the_servers_counts() {
    let server = TestServer::start().await;
    let names: Vec<String> = std::iter::once("ann".to_string()).chain((0..9).map(|n| format!("voter{n}"))).collect();
    let (people, chat_id) = server.group_of("Lunch", &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let mut devices = Vec::new();
    for (client, me) in &people {
        devices.push(messenger(client, &me.id, None).await);
    }
    let sent = devices[0].send_poll(&chat_id, poll("Where to?", true, false)).await.unwrap();
    assert_eq!(sent.message.tally, [0, 0, 0], "shown at once, with no votes");
    devices[0].flushed().await.unwrap();
    let poll_id = sent.message.id;
    for device in &devices {
        eventually("the poll arrives", || async { on_device(device, &poll_id).await.is_some() }).await;
    }

    // Everyone votes at once; then half change their minds and some take their vote back, at
    // once again.
    let (chat, id) = (&chat_id, &poll_id);
    join_all(devices.iter().enumerate().map(|(i, device)| async move {
        device.act(chat, id, vote(&[(i % 3) as u8])).await.unwrap();
    }))
    .await;
    join_all(devices.iter().enumerate().map(|(i, device)| async move {
        match i {
            0 | 5 => device.act(chat, id, vote(&[])).await.unwrap(),
            i if i % 2 == 0 => device.act(chat, id, vote(&[1, 2])).await.unwrap(),
            _ => {}
        }
    }))
    .await;
    join_all(devices.iter().map(|device| device.flushed())).await.into_iter().for_each(Result::unwrap);

    // Who chose what, worked out here: 3 and 9 kept Pizza, 1 and 7 Sushi; 2, 4, 6 and 8 chose
    // Sushi and Salad; 0 and 5 took theirs back.
    let expected_tally = vec![2, 2 + 4, 4];
    let truth = from_server(&people[0].0, &chat_id, &poll_id).await;
    assert_eq!(truth.tally, expected_tally);
    assert_eq!(truth.votes.len(), 8);
    for (n, device) in devices.iter().enumerate() {
        eventually(&format!("device {n} has the server's counts"), || async {
            on_device(device, &poll_id).await.is_some_and(|m| m.tally == truth.tally && m.votes.len() == 8)
        })
        .await;
    }
    let mine = on_device(&devices[4], &poll_id).await.unwrap();
    let vote_of_4 = mine.votes.iter().find(|v| v.user_id == people[4].1.id).expect("everyone's names in an open poll");
    assert_eq!(vote_of_4.options, [1, 2]);
}

#[tokio::test]
async fn the_rules_and_who_may_vote_get_their_codes() {
    let server = TestServer::start().await;
    let (people, chat_id) = server.group_of("Club", &["ann", "bob", "cal", "dee", "eve"]).await;
    let [(ann, ann_me), (bob, bob_me), (cal, cal_me), (dee, dee_me), (eve, _)] = people.try_into().unwrap();
    let (stranger, _) = server.signed_up("stranger").await;
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    let poll_id = ann_m.send_poll(&chat_id, poll("Which day?", false, false)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    // A poll is checked before it goes.
    let mut one = poll("One?", false, false);
    one.options.truncate(1);
    assert_eq!(ann_m.send_poll(&chat_id, one).await.unwrap_err().code(), ErrorCode::BadRequest);

    let (bob_live, _b) = online(&bob).await;
    let (dee_live, _d) = online(&dee).await;
    let (eve_live, _e) = online(&eve).await;
    let (stranger_live, _s) = online(&stranger).await;
    // One choice only; options that exist.
    assert_eq!(api_code(bob_live.act(&chat_id, &poll_id, vote(&[0, 1])).await), ErrorCode::BadRequest);
    assert_eq!(api_code(bob_live.act(&chat_id, &poll_id, vote(&[7])).await), ErrorCode::BadRequest);
    bob_live.act(&chat_id, &poll_id, vote(&[1])).await.unwrap();
    // Someone outside the group, and a member removed, may not vote.
    assert_eq!(api_code(stranger_live.act(&chat_id, &poll_id, vote(&[0])).await), ErrorCode::NotAMember);
    ann.remove_member(&chat_id, &dee_me.id).await.unwrap();
    assert_eq!(api_code(dee_live.act(&chat_id, &poll_id, vote(&[0])).await), ErrorCode::NotAMember);
    // A member who votes and leaves stays counted.
    eve_live.act(&chat_id, &poll_id, vote(&[2])).await.unwrap();
    eve.leave_group(&chat_id).await.unwrap();
    assert_eq!(from_server(&ann, &chat_id, &poll_id).await.tally, [0, 1, 1]);
    // Never edited; closed by its creator only, and then no votes.
    let edit = MessageAction::Edit { content: Content::Poll { poll: poll("Which month?", false, false) } };
    let (ann_live, _a) = online(&ann).await;
    assert_eq!(api_code(ann_live.act(&chat_id, &poll_id, edit).await), ErrorCode::BadRequest);
    assert_eq!(api_code(bob_live.act(&chat_id, &poll_id, MessageAction::ClosePoll).await), ErrorCode::Forbidden);
    ann_m.act(&chat_id, &poll_id, MessageAction::ClosePoll).await.unwrap();
    ann_m.flushed().await.unwrap();
    assert_eq!(api_code(bob_live.act(&chat_id, &poll_id, vote(&[0])).await), ErrorCode::PollClosed);
    let closed = from_server(&cal, &chat_id, &poll_id).await;
    let Some(Content::Poll { poll: ended }) = closed.content else { panic!("still a poll") };
    assert!(ended.closed_at.is_some());
    assert_eq!(closed.tally, [0, 1, 1], "the counts stay");
    // In a direct chat, a block stops votes as it stops messages.
    let direct = ann_m.open_direct(&bob_me.id).await.unwrap();
    let asked = ann_m.send_poll(&direct, poll("Coffee?", false, false)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    ann.block(&bob_me.id).await.unwrap();
    assert_eq!(api_code(bob_live.act(&direct, &asked, vote(&[0])).await), ErrorCode::Blocked);
    ann.unblock(&bob_me.id).await.unwrap();
    bob_live.act(&direct, &asked, vote(&[0])).await.unwrap();
    // A vote offline on a closed poll is taken back when the server refuses it.
    let cal_m = messenger(&cal, &cal_me.id, None).await;
    eventually("cal has the poll", || async { on_device(&cal_m, &poll_id).await.is_some() }).await;
    let mut refusals = cal_m.subscribe();
    cal_m.act(&chat_id, &poll_id, vote(&[0])).await.unwrap();
    cal_m.flushed().await.unwrap();
    assert_eq!(on_device(&cal_m, &poll_id).await.unwrap().tally, [0, 1, 1], "a closed poll takes no vote here either");
    while let Ok(event) = refusals.try_recv() {
        if let gkchat_client::MessengerEvent::ActionRefused { code, .. } = event {
            assert_eq!(code, ErrorCode::PollClosed);
        }
    }
}

#[tokio::test]
async fn an_anonymous_poll_shows_counts_and_my_own_vote_only() {
    let server = TestServer::start().await;
    let (people, chat_id) = server.group_of("Secret", &["ann", "bob", "cal"]).await;
    let [(ann, ann_me), (bob, bob_me), (cal, cal_me)] = people.try_into().unwrap();
    let ann_m = messenger(&ann, &ann_me.id, None).await;
    let bob_m = messenger(&bob, &bob_me.id, None).await;
    let cal_m = messenger(&cal, &cal_me.id, None).await;
    let poll_id = ann_m.send_poll(&chat_id, poll("Best?", true, true)).await.unwrap().message.id;
    ann_m.flushed().await.unwrap();
    for device in [&bob_m, &cal_m] {
        eventually("the poll arrives", || async { on_device(device, &poll_id).await.is_some() }).await;
    }
    let mut told = ann_m.subscribe();
    bob_m.act(&chat_id, &poll_id, vote(&[0, 1])).await.unwrap();
    bob_m.flushed().await.unwrap();
    // The creator is told someone voted, not who.
    let heard = gkchat_tests::within(std::time::Duration::from_secs(10), "a vote told", async {
        loop {
            if let Ok(gkchat_client::MessengerEvent::Answered { user_id, message_id, .. }) = told.recv().await {
                return (user_id, message_id);
            }
        }
    })
    .await;
    assert_eq!(heard, (None, poll_id.clone()));
    cal_m.act(&chat_id, &poll_id, vote(&[1])).await.unwrap();
    cal_m.flushed().await.unwrap();
    for (device, me, options) in [(&bob_m, &bob_me.id, vec![0, 1]), (&cal_m, &cal_me.id, vec![1])] {
        eventually("the counts, and my vote only", || async {
            on_device(device, &poll_id).await.is_some_and(|m| {
                m.tally == [1, 2, 0] && m.votes.len() == 1 && m.votes[0].user_id == *me && m.votes[0].options == options
            })
        })
        .await;
    }
    eventually("the creator sees counts and no names", || async {
        on_device(&ann_m, &poll_id).await.is_some_and(|m| m.tally == [1, 2, 0] && m.votes.is_empty())
    })
    .await;
    // The server's pages say the same to each.
    let seen_by_cal = from_server(&cal, &chat_id, &poll_id).await;
    assert_eq!((seen_by_cal.tally, seen_by_cal.votes.len()), (vec![1, 2, 0], 1));
    assert!(from_server(&ann, &chat_id, &poll_id).await.votes.is_empty());
}
