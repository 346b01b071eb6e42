//! The media scenario: one file of N MiB sent by one `Messenger` to another — the app's own
//! path: attached (copied into the sender's media folder as a stream), uploaded over tus (8 MiB
//! chunks, each from the server's offset) and downloaded by the receiver with ranges into its
//! cache — on the server's file store or an S3-compatible bucket; prints MB/s both ways and the
//! peak resident memory of the server and of this process (both stay flat when bodies stream).

use std::time::Instant;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use url::Url;

/// The server's blob store settings for `--s3-endpoint` (files when `None`).
pub fn storage_env(s3_endpoint: Option<&str>, bucket: &str) -> Vec<(String, String)> {
    let Some(endpoint) = s3_endpoint else { return Vec::new() };
    [
        ("GKCHAT_STORAGE", "s3"),
        ("GKCHAT_S3_ENDPOINT", endpoint),
        ("GKCHAT_S3_BUCKET", bucket),
        ("GKCHAT_S3_ALLOW_HTTP", "true"),
        ("GKCHAT_S3_ACCESS_KEY_ID", "bench"),
        ("GKCHAT_S3_SECRET_ACCESS_KEY", "bench"),
        ("GKCHAT_UPLOAD_MAX_BYTES", "4294967296"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Peak resident memory (`VmHWM`) of process `pid`, in MiB.
fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

pub async fn run(url: &Url, mib: u64, server_pid: u32, s3: bool) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let source = dir.path().join("upload.bin");
    // Random bytes, written in pieces (never held whole).
    let mut hasher = Sha256::new();
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&source)?);
        let mut rng = fastrand::Rng::with_seed(42);
        let mut block = vec![0u8; 1024 * 1024];
        for _ in 0..mib {
            rng.fill(&mut block);
            hasher.update(&block);
            file.write_all(&block)?;
        }
    }
    let expected = hasher.finalize();
    let bytes = mib * 1024 * 1024;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let (alice, bob) = (
        super::sign_up(url, &format!("ma{}", &run[20..])).await?,
        super::sign_up(url, &format!("mb{}", &run[20..])).await?,
    );
    let messenger = |client: gkchat_client::Client, name: &'static str| {
        let path = dir.path().join(name);
        async move {
            let me = client.me().await?;
            let store = gkchat_client::Store::open(Some(&path), &me.id).await?;
            let connection = std::sync::Arc::new(client.connect());
            anyhow::Ok((gkchat_client::Messenger::start(client, connection, store), me.id))
        }
    };
    let (alice_m, _) = messenger(alice, "alice.db").await?;
    let (bob_m, bob_id) = messenger(bob, "bob.db").await?;
    let chat_id = alice_m.open_direct(&bob_id).await?;
    let server_before = rss_mib(server_pid).unwrap_or(0.0);

    let started = Instant::now();
    let source = gkchat_client::MediaSource { path: source.clone(), name: Some("upload.bin".into()) };
    let pending = alice_m.send_media(&chat_id, vec![source], "", None).await?;
    let attached = started.elapsed();
    loop {
        let transfers = alice_m.store().transfers_of(&pending.message.id).await?;
        if transfers.iter().any(|t| t.state == gkchat_client::TransferState::Failed) {
            bail!("the upload failed");
        }
        if !transfers.is_empty() && transfers.iter().all(|t| t.state == gkchat_client::TransferState::Done) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let up = started.elapsed();
    let server_after_up = peak_mib(server_pid).unwrap_or(0.0);
    let media_id = loop {
        let messages = bob_m.messages(&chat_id, None, 1).await?;
        if let Some(gkchat_proto::chat::Content::Media { attachments, .. }) =
            messages.last().and_then(|m| m.message.content.as_ref())
        {
            break attachments[0].media_id.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let started = Instant::now();
    let target = bob_m.media_file(&media_id).await.context("downloading")?;
    let down = started.elapsed();
    let mut hasher = Sha256::new();
    {
        use std::io::Read;
        let mut file = std::fs::File::open(&target)?;
        let mut block = vec![0u8; 1024 * 1024];
        loop {
            let n = file.read(&mut block)?;
            if n == 0 {
                break;
            }
            hasher.update(&block[..n]);
        }
    }
    if hasher.finalize() != expected {
        bail!("the downloaded bytes differ from the uploaded ones");
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "media: {mib} MiB on {}: attach (copy) {:.1} s; attach + upload {:.1} s = {:.0} MB/s, download {:.1} s = {:.0} MB/s; \
         server RSS {:.0} MiB before, peak {:.0} MiB (upload), peak {:.0} MiB (end); messengers' process peak {:.0} MiB",
        if s3 { "S3 (moto)" } else { "files" },
        attached.as_secs_f64(),
        up.as_secs_f64(),
        mb / up.as_secs_f64(),
        down.as_secs_f64(),
        mb / down.as_secs_f64(),
        server_before,
        server_after_up,
        peak_mib(server_pid).unwrap_or(0.0),
        peak_mib(std::process::id()).unwrap_or(0.0),
    );
    Ok(())
}
