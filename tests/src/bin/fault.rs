//! `gkchat-fault`: the long fault run. Starts the server binary, sends through it from pairs of
//! messengers while killing it with SIGKILL and cutting client connections at random moments,
//! and prints sent, acknowledged, delivered, lost and duplicated. Exits 1 on any loss,
//! duplicate or disorder.
//!
//! `cargo run --release -p gkchat-tests --bin gkchat-fault -- [--pairs N] [--messages N]
//! [--kills N] [--cuts N] [--spread-secs N] [--seed N] [--server PATH]`

use std::time::Duration;

use gkchat_tests::fault::{FaultPlan, run, server_binary};

fn main() {
    let mut plan = FaultPlan {
        server_binary: server_binary("release"),
        pairs: 20,
        messages_per_sender: 5_000,
        kills: 25,
        cuts: 25,
        spread: Duration::from_secs(120),
        seed: fastrand::u64(..),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let [flag, value] = pair else {
            eprintln!("every flag takes a value; see the module docs");
            std::process::exit(2);
        };
        let number = || value.parse::<u64>().unwrap_or_else(|_| panic!("{flag} wants a number, not {value:?}"));
        match flag.as_str() {
            "--pairs" => plan.pairs = number() as usize,
            "--messages" => plan.messages_per_sender = number() as usize,
            "--kills" => plan.kills = number() as usize,
            "--cuts" => plan.cuts = number() as usize,
            "--spread-secs" => plan.spread = Duration::from_secs(number()),
            "--seed" => plan.seed = number(),
            "--server" => plan.server_binary = value.into(),
            other => {
                eprintln!("unknown flag {other}");
                std::process::exit(2);
            }
        }
    }
    println!("{plan:?}");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let report = runtime.block_on(run(&plan));
    println!("{report}");
    let clean = report.lost == 0
        && report.duplicated == 0
        && report.out_of_order == 0
        && report.server_mismatches == 0
        && report.acknowledged == report.sent;
    std::process::exit(if clean { 0 } else { 1 });
}
