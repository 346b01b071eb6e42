//! The short fault run of the test command: a few SIGKILLs of the real server binary and cuts
//! of every client connection while pairs of messengers chat; every message arrives exactly
//! once, in order, and the server holds each exactly once. (Its own binary: it starts and kills
//! server processes, and runs once, not again on PostgreSQL.)

use std::time::Duration;

use gkchat_tests::fault::{FaultPlan, run, server_binary};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_kills_and_cuts_exactly_once_in_order() {
    let binary = server_binary("debug");
    assert!(binary.is_file(), "build the server binary first ({})", binary.display());
    let plan = FaultPlan {
        server_binary: binary,
        pairs: 4,
        messages_per_sender: 300,
        kills: 4,
        cuts: 4,
        spread: Duration::from_secs(6),
        seed: 20261206,
    };
    let report = run(&plan).await;
    println!("fault run: {report}");
    assert_eq!(report.kills, 4);
    assert_eq!(report.sent, 1_200);
    assert_eq!(report.acknowledged, report.sent, "{report}");
    assert_eq!(report.delivered, report.sent, "{report}");
    assert_eq!(
        (report.lost, report.duplicated, report.out_of_order, report.server_mismatches),
        (0, 0, 0, 0),
        "{report}"
    );
}
