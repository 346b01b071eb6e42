//! The media scenario: one file of N MiB uploaded over tus (8 MiB chunks, as the app does) and
//! downloaded again with ranges, on the server's file store or an S3-compatible bucket; prints
//! MB/s both ways and the peak resident memory of the server and of this client process (both
//! stay flat when bodies stream).

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
    let client = super::sign_up(url, &format!("m_{}", &run[20..])).await?;
    let server_before = rss_mib(server_pid).unwrap_or(0.0);
    let media_id = client.create_upload(bytes, &[("filename", "upload.bin")]).await?;
    let started = Instant::now();
    client.upload_file(&media_id, &source, |_| {}).await.context("uploading")?;
    let up = started.elapsed();
    let info = client.media_info(&media_id).await?;
    if info.state != gkchat_proto::media::MediaState::Ready {
        bail!("the upload did not finish: {info:?}");
    }
    let server_after_up = peak_mib(server_pid).unwrap_or(0.0);
    let target = dir.path().join("download.bin");
    let started = Instant::now();
    client.download_to(&media_id, &target, |_| {}).await.context("downloading")?;
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
        "media: {mib} MiB on {}: upload {:.1} s = {:.0} MB/s, download {:.1} s = {:.0} MB/s; server RSS {:.0} MiB before, \
         peak {:.0} MiB (upload), peak {:.0} MiB (end); client peak {:.0} MiB",
        if s3 { "S3 (moto)" } else { "files" },
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
