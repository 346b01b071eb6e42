//! Media through a real server, on both blob stores — files under the data directory and an
//! S3-compatible bucket (moto, started per test) — with the same tests: tus uploads that survive
//! a cut connection and a new client process, downloads with ranges, who may read a blob (and
//! who may not: strangers, a removed member, after "delete for everyone"), deduplication across
//! sends and forwards, the protocol's refusals with their codes, and the sweeper run at chosen
//! times (expiry, blobs nothing uses).

use std::path::Path;
use std::time::Duration;

use gkchat_client::{Client, Event};
use gkchat_proto::ErrorCode;
use gkchat_proto::chat::{Content, MessageAction, NewMessage};
use gkchat_proto::media::{Attachment, AttachmentKind, MediaState};
use gkchat_server::Config;
use gkchat_tests::{S3Server, TestServer, api_code, direct_chat, online, test_config, uploaded, within};
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;

const WAIT: Duration = Duration::from_secs(20);
const MIB: usize = 1024 * 1024;

#[derive(Clone, Copy, Debug)]
enum Store {
    Files,
    S3,
}

/// A server storing its blobs in `store`, with a 64 MiB upload limit.
struct Setup {
    server: TestServer,
    config: Config,
    s3: Option<S3Server>,
    _dir: TempDir,
}

impl Setup {
    async fn start(store: Store) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path());
        config.upload_max_bytes = 64 * MIB as u64;
        let s3 = match store {
            Store::Files => None,
            Store::S3 => Some(S3Server::start().await),
        };
        if let Some(s3) = &s3 {
            s3.configure(&mut config);
        }
        let server = TestServer::start_with(config.clone(), "127.0.0.1:0".parse().unwrap()).await;
        Self { server, config, s3, _dir: dir }
    }

    /// The names of the blobs stored (files under `media/`, or keys), sorted.
    async fn blobs(&self) -> Vec<String> {
        let mut names = match &self.s3 {
            Some(s3) => s3.keys().await.into_iter().filter(|k| k.starts_with("media/")).collect(),
            None => files_under(&self.config.data_dir.join("media")),
        };
        for name in &mut names {
            *name = name.rsplit('/').next().unwrap().to_owned();
        }
        names.sort();
        names
    }

    /// What unfinished uploads left behind: staged files or objects, open multipart uploads.
    async fn staged(&self) -> usize {
        match &self.s3 {
            Some(s3) => {
                s3.keys().await.iter().filter(|k| k.starts_with("uploads/")).count() + s3.open_multipart_uploads().await
            }
            None => files_under(&self.config.data_dir.join("uploads")).len(),
        }
    }

    /// Runs the server's sweeper as of `now_ms`.
    async fn sweep(&self, now_ms: i64) -> gkchat_server::media::Swept {
        let db = sea_orm::Database::connect(self.config.database_url()).await.unwrap();
        let blobs = gkchat_server::blobs::Blobs::open(&self.config).unwrap();
        let swept = gkchat_server::media::sweep(&db, &blobs, &self.config, now_ms).await.unwrap();
        db.close().await.unwrap();
        swept
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes);
    bytes
}

fn file(media_id: &str, size: usize, name: &str) -> Attachment {
    Attachment {
        media_id: media_id.into(),
        kind: AttachmentKind::File,
        mime: "application/octet-stream".into(),
        size: size as u64,
        name: Some(name.into()),
        width: None,
        height: None,
        duration_ms: None,
        thumbhash: None,
        thumbs: vec![],
        waveform: vec![],
    }
}

fn media_message(chat_id: &str, attachments: Vec<Attachment>) -> NewMessage {
    NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: chat_id.into(),
        content: Content::Media { attachments, caption: "have a look".into() },
        reply_to: None,
        forwarded: false,
    }
}

/// Uploads `bytes` whole: the media id.
async fn upload(client: &Client, bytes: &[u8]) -> String {
    let id = client.create_upload(bytes.len() as u64, &[]).await.unwrap();
    if !bytes.is_empty() {
        assert_eq!(client.upload_chunk(&id, 0, bytes.to_vec()).await.unwrap(), bytes.len() as u64);
    }
    id
}

/// A `PATCH` that announces `announced` bytes, sends `sent` of them and breaks off.
async fn cut_patch(
    addr: std::net::SocketAddr,
    token: &str,
    media_id: &str,
    offset: u64,
    bytes: &[u8],
    announced: usize,
) {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PATCH /api/v1/uploads/{media_id} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n\
         Content-Length: {announced}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(bytes).await.unwrap();
    socket.flush().await.unwrap();
    drop(socket);
}

async fn resumable_upload_survives_a_cut(store: Store) {
    let setup = Setup::start(store).await;
    let server = &setup.server;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let chat_id = direct_chat(&alice, &bob_me.id).await;
    let (alice_live, _alice_events) = online(&alice).await;
    let (_bob_live, mut bob_events) = online(&bob).await;

    let data = noise(50 * MIB, 7);
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("film.bin");
    std::fs::write(&source, &data).unwrap();
    let media_id = alice.create_upload(data.len() as u64, &[("filename", "film.bin")]).await.unwrap();

    // The message goes first: the receiver sees a placeholder.
    alice_live.send_message(media_message(&chat_id, vec![file(&media_id, data.len(), "film.bin")])).await.unwrap();
    within(WAIT, "bob gets the message", async {
        while !matches!(bob_events.next().await, Some(Event::Message(m)) if matches!(m.content, Some(Content::Media { .. })))
        {}
    })
    .await;
    let info = bob.media_info(&media_id).await.unwrap();
    assert_eq!((info.state, info.length), (MediaState::Uploading, data.len() as u64));
    assert_eq!(api_code(bob.download_range(&media_id, 0, 10).await), ErrorCode::MediaNotReady);

    // 12 MiB in two chunks, then a request that breaks off after 9 of its announced 20 MiB.
    assert_eq!(alice.upload_chunk(&media_id, 0, data[..6 * MIB].to_vec()).await.unwrap(), 6 * MIB as u64);
    assert_eq!(
        alice.upload_chunk(&media_id, 6 * MIB as u64, data[6 * MIB..12 * MIB].to_vec()).await.unwrap(),
        12 * MIB as u64
    );
    let token = alice.access_token().await.unwrap();
    cut_patch(server.addr, &token, &media_id, 12 * MIB as u64, &data[12 * MIB..21 * MIB], 20 * MIB).await;
    // Once the server has recorded the broken-off request (past where it started: a busy server
    // may not have begun reading it at the first look), an empty PATCH at its offset passes.
    let kept = within(WAIT, "the server records what arrived before the cut", async {
        loop {
            let offset = alice.upload_offset(&media_id).await.unwrap();
            if offset > 12 * MIB as u64
                && let Ok(kept) = alice.upload_chunk(&media_id, offset, Vec::new()).await
            {
                return kept;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await;
    assert!(kept > 12 * MIB as u64, "what arrived before the cut was kept: {kept}");
    assert!(kept <= 21 * MIB as u64, "no more than arrived: {kept}");

    // A new client process (a fresh sign-in) goes on from the server's offset.
    let restarted = server.client();
    restarted.sign_in("alice", gkchat_tests::TEST_PASSWORD, gkchat_tests::test_device("restarted")).await.unwrap();
    let progress = std::sync::Mutex::new(Vec::new());
    restarted.upload_file(&media_id, &source, |p| progress.lock().unwrap().push(p.done)).await.unwrap();
    let progress = progress.into_inner().unwrap();
    assert_eq!(progress.first(), Some(&kept), "it resumed from the server's offset, not from zero");
    assert_eq!(progress.last(), Some(&(data.len() as u64)));

    // Ready: the receiver hears of it and gets the same bytes.
    let ready = within(WAIT, "the media push", async {
        loop {
            if let Some(Event::Media(info)) = bob_events.next().await
                && info.media_id == media_id
            {
                return info;
            }
        }
    })
    .await;
    assert_eq!(ready.state, MediaState::Ready);
    assert_eq!(ready.sha256.as_deref(), Some(sha256_hex(&data).as_str()));
    let received = dir.path().join("received.bin");
    // A partial file from an earlier attempt is resumed, not fetched again.
    std::fs::write(&received, &data[..3 * MIB]).unwrap();
    assert_eq!(bob.download_to(&media_id, &received, |_| {}).await.unwrap(), data.len() as u64);
    assert_eq!(sha256_hex(&std::fs::read(&received).unwrap()), sha256_hex(&data));
    assert_eq!(bob.download_range(&media_id, 1000, 1010).await.unwrap(), &data[1000..1010]);
    assert_eq!(setup.staged().await, 0, "nothing staged is left behind");
    assert_eq!(setup.blobs().await, vec![sha256_hex(&data)]);

    // Raw HTTP: a suffix range, an unsatisfiable one, and the ETag.
    let http = reqwest::Client::new();
    let bob_token = bob.access_token().await.unwrap();
    let url = setup.url(&format!("/api/v1/media/{media_id}"));
    let tail = http.get(&url).bearer_auth(&bob_token).header("range", "bytes=-5").send().await.unwrap();
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.headers()["content-range"], format!("bytes {}-{}/{}", data.len() - 5, data.len() - 1, data.len()));
    assert_eq!(tail.bytes().await.unwrap(), &data[data.len() - 5..]);
    let beyond = http.get(&url).bearer_auth(&bob_token).header("range", "bytes=999999999-").send().await.unwrap();
    assert_eq!(beyond.status(), 416);
    let etag = format!("\"{}\"", sha256_hex(&data));
    let cached = http.get(&url).bearer_auth(&bob_token).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(cached.status(), 304);
}

#[tokio::test]
async fn a_cut_upload_resumes_on_files() {
    resumable_upload_survives_a_cut(Store::Files).await;
}

#[tokio::test]
async fn a_cut_upload_resumes_on_s3() {
    resumable_upload_survives_a_cut(Store::S3).await;
}

async fn access_follows_the_messages(store: Store) {
    let setup = Setup::start(store).await;
    let server = &setup.server;
    let (alice, _) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (carol, carol_me) = server.signed_up("carol").await;
    let (erin, erin_me) = server.signed_up("erin").await;
    let (dave, _) = server.signed_up("dave").await;
    let group = gkchat_proto::group::NewGroup {
        name: "Trip".into(),
        description: String::new(),
        member_ids: vec![bob_me.id.clone(), erin_me.id.clone()],
    };
    let group_id = alice.create_group(&group).await.unwrap().chat.id;
    let (alice_live, _a) = online(&alice).await;
    let (bob_live, _b) = online(&bob).await;

    let (first, second) = (b"the first picture".to_vec(), b"the second picture".to_vec());
    let first_id = upload(&alice, &first).await;
    // Before any message uses it, only its uploader reads it.
    assert_eq!(alice.download_range(&first_id, 0, 5).await.unwrap(), b"the f");
    assert_eq!(api_code(bob.media_info(&first_id).await), ErrorCode::NotFound);
    let m1 =
        alice_live.send_message(media_message(&group_id, vec![file(&first_id, first.len(), "a.txt")])).await.unwrap();
    alice.remove_member(&group_id, &erin_me.id).await.unwrap();
    let second_id = upload(&alice, &second).await;
    alice_live.send_message(media_message(&group_id, vec![file(&second_id, second.len(), "b.txt")])).await.unwrap();

    let whole = |client: &Client, id: &str, len: usize| {
        let (client, id) = (client.clone(), id.to_owned());
        async move { client.download_range(&id, 0, len as u64).await }
    };
    assert_eq!(whole(&bob, &first_id, first.len()).await.unwrap(), first);
    assert_eq!(whole(&bob, &second_id, second.len()).await.unwrap(), second);
    // Erin keeps what she saw before she was removed, and nothing after.
    assert_eq!(whole(&erin, &first_id, first.len()).await.unwrap(), first);
    assert_eq!(api_code(whole(&erin, &second_id, second.len()).await), ErrorCode::NotFound);
    assert_eq!(api_code(erin.media_info(&second_id).await), ErrorCode::NotFound);
    // A stranger reads nothing.
    assert_eq!(api_code(whole(&dave, &first_id, first.len()).await), ErrorCode::NotFound);

    // Nobody attaches what they cannot read, nor what does not exist.
    let dave_chat = direct_chat(&dave, &carol_me.id).await;
    let (dave_live, _d) = online(&dave).await;
    let stolen = dave_live.send_message(media_message(&dave_chat, vec![file(&second_id, 1, "x")])).await;
    assert_eq!(stolen.unwrap_err().code(), ErrorCode::UnknownMedia);
    let made_up = dave_live.send_message(media_message(&dave_chat, vec![file(&"ab".repeat(16), 1, "x")])).await;
    assert_eq!(made_up.unwrap_err().code(), ErrorCode::UnknownMedia);

    // Dedup: the same bytes uploaded again and sent, and Bob forwarding Alice's attachment to
    // Carol without uploading it, all share one blob.
    let again_id = upload(&alice, &second).await;
    assert_ne!(again_id, second_id);
    let bob_chat = direct_chat(&alice, &bob_me.id).await;
    alice_live.send_message(media_message(&bob_chat, vec![file(&again_id, second.len(), "b.txt")])).await.unwrap();
    let carol_chat = direct_chat(&bob, &carol_me.id).await;
    let mut forward = media_message(&carol_chat, vec![file(&second_id, second.len(), "b.txt")]);
    forward.forwarded = true;
    bob_live.send_message(forward).await.unwrap();
    assert_eq!(whole(&carol, &second_id, second.len()).await.unwrap(), second);
    assert_eq!(setup.blobs().await, {
        let mut names = vec![sha256_hex(&first), sha256_hex(&second)];
        names.sort();
        names
    });

    // An edit keeps the attachments: it may change the caption only.
    let edited = Content::Media { attachments: vec![file(&again_id, 1, "b.txt")], caption: "new words".into() };
    let refused = alice_live.act(&group_id, &m1.id, MessageAction::Edit { content: edited }).await;
    assert_eq!(refused.unwrap_err().code(), ErrorCode::BadRequest);

    // Deleted for everyone: nobody reads its media any more, its uploader neither; once swept,
    // and after the grace period, its blob is gone — the shared one stays.
    alice_live.act(&group_id, &m1.id, MessageAction::DeleteForEveryone).await.unwrap();
    assert_eq!(api_code(whole(&bob, &first_id, first.len()).await), ErrorCode::NotFound);
    assert_eq!(api_code(whole(&alice, &first_id, first.len()).await), ErrorCode::NotFound);
    let now = gkchat_server::now_ms();
    let swept = setup.sweep(now).await;
    assert_eq!((swept.removed_media, swept.deleted_blobs), (1, 0), "{swept:?}");
    assert_eq!(setup.blobs().await.len(), 2, "the blob waits out its grace period");
    let later = now + setup.config.blob_grace_secs as i64 * 1000 + 1000;
    assert_eq!(setup.sweep(later).await.deleted_blobs, 1);
    assert_eq!(setup.blobs().await, vec![sha256_hex(&second)]);
    assert_eq!(whole(&carol, &second_id, second.len()).await.unwrap(), second);
}

#[tokio::test]
async fn access_follows_the_messages_on_files() {
    access_follows_the_messages(Store::Files).await;
}

#[tokio::test]
async fn access_follows_the_messages_on_s3() {
    access_follows_the_messages(Store::S3).await;
}

async fn the_protocol_refuses_with_codes(store: Store) {
    let setup = Setup::start(store).await;
    let (alice, _) = setup.server.signed_up("alice").await;
    let token = alice.access_token().await.unwrap();
    let http = reqwest::Client::new();
    let tus = |method: reqwest::Method, path: &str| {
        http.request(method, setup.url(path)).bearer_auth(&token).header("tus-resumable", "1.0.0")
    };
    let code = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let error: gkchat_proto::ApiError = response.json().await.unwrap();
        (status, error.code)
    };

    let options = http.request(reqwest::Method::OPTIONS, setup.url("/api/v1/uploads")).send().await.unwrap();
    assert_eq!(options.status(), 204);
    assert_eq!(options.headers()["tus-version"], "1.0.0");
    assert_eq!(options.headers()["tus-max-size"], (64 * MIB).to_string());
    assert!(options.headers()["tus-extension"].to_str().unwrap().contains("termination"));

    // Too large is refused before a byte is stored.
    let huge = tus(reqwest::Method::POST, "/api/v1/uploads").header("upload-length", (64 * MIB + 1).to_string());
    assert_eq!(code(huge.send().await.unwrap()).await, (413, ErrorCode::PayloadTooLarge));
    assert_eq!(api_code(alice.create_upload(64 * MIB as u64 + 1, &[]).await), ErrorCode::PayloadTooLarge);
    let old = http.post(setup.url("/api/v1/uploads")).bearer_auth(&token).header("tus-resumable", "0.2.2");
    let old = old.header("upload-length", "5").send().await.unwrap();
    assert_eq!(old.headers()["tus-resumable"], "1.0.0");
    assert_eq!(code(old).await, (412, ErrorCode::UnsupportedProtocol));
    assert_eq!(setup.staged().await, 0);

    // creation-with-upload, then the refusals of PATCH.
    let with_bytes = tus(reqwest::Method::POST, "/api/v1/uploads")
        .header("upload-length", "10")
        .header("content-type", "application/offset+octet-stream")
        .body("01234")
        .send()
        .await
        .unwrap();
    assert_eq!(with_bytes.status(), 201);
    assert_eq!(with_bytes.headers()["upload-offset"], "5");
    assert!(with_bytes.headers().contains_key("upload-expires"));
    let location = with_bytes.headers()["location"].to_str().unwrap().to_owned();
    let media_id = location.rsplit('/').next().unwrap().to_owned();
    let patch = |offset: u64| {
        tus(reqwest::Method::PATCH, &location)
            .header("upload-offset", offset.to_string())
            .header("content-type", "application/offset+octet-stream")
    };
    let json = tus(reqwest::Method::PATCH, &location).header("upload-offset", "5").json(&"56789");
    assert_eq!(code(json.send().await.unwrap()).await, (415, ErrorCode::UnsupportedMediaType));
    assert_eq!(code(patch(3).body("34567").send().await.unwrap()).await, (409, ErrorCode::OffsetMismatch));
    let wrong = patch(5).header("upload-checksum", "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00=").body("56789");
    assert_eq!(code(wrong.send().await.unwrap()).await, (460, ErrorCode::ChecksumMismatch));
    assert_eq!(alice.upload_offset(&media_id).await.unwrap(), 5, "nothing of a mismatched chunk was kept");
    let too_long = patch(5).body("5678901234");
    assert_eq!(code(too_long.send().await.unwrap()).await, (413, ErrorCode::PayloadTooLarge));
    // sha1("56789")
    let right = patch(5).header("upload-checksum", "sha1 8iMdKHHmkKKZVwT3ope9e8ZL5yA=").body("56789");
    let right = right.send().await.unwrap();
    assert_eq!(right.status(), 204);
    assert_eq!(right.headers()["upload-offset"], "10");
    assert_eq!(alice.download_range(&media_id, 0, 10).await.unwrap(), b"0123456789");

    // The type comes from the bytes: a PDF named like a photo is a PDF.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let pdf_id = alice.create_upload(pdf.len() as u64, &[("filename", "holiday.jpg")]).await.unwrap();
    alice.upload_chunk(&pdf_id, 0, pdf).await.unwrap();
    assert_eq!(alice.media_info(&pdf_id).await.unwrap().mime.as_deref(), Some("application/pdf"));
    let served = http.get(setup.url(&format!("/api/v1/media/{pdf_id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "application/pdf");

    // Cancelled: gone, and said so.
    let cancelled = alice.create_upload(20 * MIB as u64, &[]).await.unwrap();
    alice.upload_chunk(&cancelled, 0, noise(9 * MIB, 3)).await.unwrap();
    alice.cancel_upload(&cancelled).await.unwrap();
    assert_eq!(api_code(alice.upload_offset(&cancelled).await), ErrorCode::UploadExpired);
    assert_eq!(api_code(alice.upload_chunk(&cancelled, 9 * MIB as u64, vec![1]).await), ErrorCode::UploadExpired);

    // Expired: an upload left unfinished past its time is swept, its bytes with it.
    let left = alice.create_upload(20 * MIB as u64, &[]).await.unwrap();
    alice.upload_chunk(&left, 0, noise(9 * MIB, 4)).await.unwrap();
    assert!(setup.staged().await > 0);
    let now = gkchat_server::now_ms();
    assert_eq!(setup.sweep(now).await.expired_uploads, 0, "not yet");
    let past = now + setup.config.upload_expiry_secs as i64 * 1000 + 1000;
    assert_eq!(setup.sweep(past).await.expired_uploads, 1);
    assert_eq!(api_code(alice.upload_offset(&left).await), ErrorCode::UploadExpired);
    assert_eq!(setup.staged().await, 0, "an expired upload's bytes are gone");
    // The finished ones no message used go when their time is up, and their blobs after the grace.
    let far = past + setup.config.blob_grace_secs as i64 * 1000 + 1000;
    setup.sweep(past).await;
    setup.sweep(far).await;
    assert_eq!(setup.blobs().await, Vec::<String>::new());
}

#[tokio::test]
async fn the_protocol_refuses_with_codes_on_files() {
    the_protocol_refuses_with_codes(Store::Files).await;
}

#[tokio::test]
async fn the_protocol_refuses_with_codes_on_s3() {
    the_protocol_refuses_with_codes(Store::S3).await;
}

/// A JPEG whose EXIF block holds a GPS position (and a comment naming the place).
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 3) as u8, (y * 2) as u8, 120]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90).encode_image(&picture).unwrap();
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    exif.extend_from_slice(b"GPSLatitude 52.5200 N GPSLongitude 13.4050 E");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    let comment = b"taken at the Brandenburg Gate";
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The newest message of a chat in `messenger`'s store, once it satisfies `done`.
async fn newest(
    messenger: &gkchat_client::Messenger,
    chat_id: &str,
    done: impl Fn(&gkchat_proto::chat::Message) -> bool,
) -> gkchat_proto::chat::Message {
    within(WAIT, "the message arrives", async {
        loop {
            let messages = messenger.messages(chat_id, None, 1).await.unwrap();
            if let Some(last) = messages.last()
                && done(&last.message)
            {
                return last.message.clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await
}

#[tokio::test]
async fn photos_documents_and_contacts_travel_between_messengers() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let alice_m = gkchat_tests::messenger(&alice, &alice_me.id, Some(&dir.path().join("alice.db"))).await;
    let bob_m = gkchat_tests::messenger(&bob, &bob_me.id, Some(&dir.path().join("bob.db"))).await;
    let chat_id = alice_m.open_direct(&bob_me.id).await.unwrap();

    let photo = dir.path().join("IMG_0001.jpg");
    std::fs::write(&photo, jpeg_with_gps(900, 600)).unwrap();
    let pdf_bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let pdf = dir.path().join("holiday.jpg");
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let sources = vec![
        gkchat_client::MediaSource { path: photo.clone(), name: None },
        gkchat_client::MediaSource { path: pdf.clone(), name: None },
    ];
    let pending = alice_m.send_media(&chat_id, sources, "from the trip", None).await.unwrap();
    assert_eq!(pending.status, gkchat_client::SendStatus::Pending);
    uploaded(&alice_m, &pending.message.id).await;

    let message = newest(&bob_m, &chat_id, |m| matches!(m.content, Some(Content::Media { .. }))).await;
    let Some(Content::Media { attachments, caption }) = message.content else { unreachable!() };
    assert_eq!(caption, "from the trip");
    let (picture, document) = (&attachments[0], &attachments[1]);
    assert_eq!((picture.kind, picture.width, picture.height), (AttachmentKind::Image, Some(900), Some(600)));
    assert_eq!(picture.name.as_deref(), Some("IMG_0001.jpg"));
    assert!(picture.thumbhash.is_some());
    assert_eq!(picture.thumbs.iter().map(|t| (t.width, t.height)).collect::<Vec<_>>(), vec![(160, 107), (640, 427)]);
    // A PDF named like a photo is a document, typed by its bytes.
    assert_eq!((document.kind, document.mime.as_str()), (AttachmentKind::File, "application/pdf"));
    assert_eq!(document.name.as_deref(), Some("holiday.jpg"));

    // The receiver's copy: a picture of the same size, without the GPS position or the comment.
    let received = std::fs::read(bob_m.media_file(&picture.media_id).await.unwrap()).unwrap();
    assert!(!contains(&received, b"GPSLatitude") && !contains(&received, b"Brandenburg"));
    assert_eq!(image::load_from_memory(&received).unwrap().width(), 900);
    assert_eq!(std::fs::read(bob_m.media_file(&document.media_id).await.unwrap()).unwrap(), pdf_bytes);
    // The thumbnails came by themselves.
    for thumb in &picture.thumbs {
        let media_id = thumb.media_id.clone();
        within(WAIT, "a thumbnail downloads by itself", async {
            while bob_m.store().cached(&media_id).await.unwrap().is_none() {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        })
        .await;
    }
    // The sender never downloads what she sent.
    let own = alice_m.store().cached(&picture.media_id).await.unwrap().expect("the sender keeps her file");
    assert!(own.starts_with(alice_m.store().media_dir()));

    // A contact card.
    let card = gkchat_proto::media::ContactCard {
        user_id: Some(alice_me.id.clone()),
        display_name: "Alice".into(),
        username: Some("alice".into()),
        vcard: None,
    };
    alice_m.send_contact(&chat_id, card.clone(), None).await.unwrap();
    let got = newest(&bob_m, &chat_id, |m| matches!(m.content, Some(Content::Contact { .. }))).await;
    assert_eq!(got.content, Some(Content::Contact { card }));
    // And a person from a vCard file: named by it, the card travelling as it was.
    let vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nTEL;TYPE=CELL:+44 20 7946 0000\r\nEND:VCARD\r\n";
    let card = gkchat_client::media::vcard::card_from_vcard(vcard).unwrap();
    alice_m.send_contact(&chat_id, card, None).await.unwrap();
    let got =
        newest(&bob_m, &chat_id, |m| matches!(&m.content, Some(Content::Contact { card }) if card.vcard.is_some()))
            .await;
    let Some(Content::Contact { card }) = got.content else { unreachable!() };
    assert_eq!((card.display_name.as_str(), card.user_id), ("Ada Lovelace", None));
    assert_eq!(card.vcard.as_deref(), Some(vcard));
    // A card without a name is refused on the sender's device.
    let nameless =
        gkchat_proto::media::ContactCard { user_id: None, display_name: " ".into(), username: None, vcard: None };
    assert_eq!(alice_m.send_contact(&chat_id, nameless, None).await.unwrap_err().code(), ErrorCode::BadRequest);

    // The cache: a limit of zero keeps nothing downloaded; clearing frees what is there.
    assert!(bob_m.media_cache_bytes().await.unwrap() > 0);
    let freed = bob_m.clear_media_cache().await.unwrap();
    assert!(freed > 0);
    assert_eq!(bob_m.media_cache_bytes().await.unwrap(), 0);
    assert_eq!(bob_m.store().cached(&document.media_id).await.unwrap(), None);
    assert_eq!(std::fs::read(bob_m.media_file(&document.media_id).await.unwrap()).unwrap(), pdf_bytes, "fetched again");
}

#[tokio::test]
async fn an_upload_goes_on_after_the_app_restarts() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("alice.db");
    let data = noise(40 * MIB, 11);
    let source = dir.path().join("recording.bin");
    std::fs::write(&source, &data).unwrap();

    let first = gkchat_tests::messenger(&alice, &alice_me.id, Some(&store)).await;
    let chat_id = first.open_direct(&bob_me.id).await.unwrap();
    let mut updates = first.subscribe();
    let sources = vec![gkchat_client::MediaSource { path: source.clone(), name: None }];
    let pending = first.send_media(&chat_id, sources, "", None).await.unwrap();
    // Quit once some of it is up.
    within(WAIT, "the upload begins", async {
        loop {
            if let Ok(gkchat_client::MessengerEvent::Transfer(update)) = updates.recv().await
                && update.done >= 8 * MIB as u64
            {
                return;
            }
        }
    })
    .await;
    drop(first);

    // The next start goes on from what the server has, not from zero.
    let second = gkchat_tests::messenger(&alice, &alice_me.id, Some(&store)).await;
    let mut updates = second.subscribe();
    let resumed_at = within(WAIT, "the upload resumes", async {
        loop {
            if let Ok(gkchat_client::MessengerEvent::Transfer(update)) = updates.recv().await {
                return update.done;
            }
        }
    })
    .await;
    assert!(resumed_at >= 8 * MIB as u64, "resumed from the server's offset: {resumed_at}");
    uploaded(&second, &pending.message.id).await;

    let bob_m = gkchat_tests::messenger(&bob, &bob_me.id, None).await;
    let message = newest(&bob_m, &chat_id, |m| matches!(m.content, Some(Content::Media { .. }))).await;
    let Some(Content::Media { attachments, .. }) = message.content else { unreachable!() };
    let received = std::fs::read(bob_m.media_file(&attachments[0].media_id).await.unwrap()).unwrap();
    assert_eq!(sha256_hex(&received), sha256_hex(&data));
}

/// The calls' synthetic microphone (a paced tone), stopping after `frames` 20 ms frames.
struct ShortTone {
    tone: gkchat_client::calls::rtc::ToneSource,
    frames: usize,
}

impl gkchat_client::calls::rtc::AudioSource for ShortTone {
    fn read_frame(&mut self, frame: &mut [i16]) -> bool {
        if self.frames == 0 {
            return false;
        }
        self.frames -= 1;
        self.tone.read_frame(frame)
    }
}

#[tokio::test]
async fn a_voice_message_of_a_tone_arrives_as_that_tone() {
    use gkchat_client::media::voice::{VoiceRecorder, decode};
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let alice_m = gkchat_tests::messenger(&alice, &alice_me.id, None).await;
    let bob_m = gkchat_tests::messenger(&bob, &bob_me.id, None).await;
    let chat_id = alice_m.open_direct(&bob_me.id).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let source = ShortTone { tone: gkchat_client::calls::rtc::ToneSource::new(440.0), frames: 75 };
    let recorder = VoiceRecorder::start(Box::new(source), dir.path().join("voice.ogg")).unwrap();
    let note = tokio::task::spawn_blocking(move || recorder.wait()).await.unwrap().unwrap();
    assert_eq!(note.duration_ms, 1500);
    let pending = alice_m.send_voice(&chat_id, note).await.unwrap();
    uploaded(&alice_m, &pending.message.id).await;

    let message = newest(&bob_m, &chat_id, |m| matches!(m.content, Some(Content::Media { .. }))).await;
    let Some(Content::Media { attachments, .. }) = message.content else { unreachable!() };
    let voice = &attachments[0];
    assert_eq!((voice.kind, voice.duration_ms, voice.waveform.len()), (AttachmentKind::Voice, Some(1500), 30));
    assert!(voice.waveform.iter().all(|&point| point > 200), "a steady tone is loud throughout: {:?}", voice.waveform);
    let samples = decode(&bob_m.media_file(&voice.media_id).await.unwrap()).unwrap();
    let seconds = samples.len() as f64 / 48_000.0;
    assert!((seconds - 1.5).abs() < 0.05, "{seconds} s");
    let pitch = gkchat_client::calls::rtc::analysis::tone_frequency(&samples[12_000..60_000]).unwrap();
    assert!((pitch - 440.0).abs() < 5.0, "{pitch} Hz");
}

/// A web server of the test's own for link previews: a good page, redirects to places a
/// preview must never reach, an endless head and a page that stalls.
async fn pages(secret: std::net::SocketAddr) -> std::net::SocketAddr {
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::get;
    let html = |body: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body);
    let app = axum::Router::new()
        .route(
            "/good",
            get(move || async move {
                html(
                    r#"<html><head><title>fallback</title>
                    <meta property="og:title" content="The Good Page">
                    <meta property="og:description" content="Everything you wanted to know.">
                    <meta property="og:site_name" content="Good Site">
                    <meta property="og:image" content="/cover.png"></head><body>hi</body></html>"#
                        .to_owned(),
                )
            }),
        )
        .route(
            "/cover.png",
            get(|| async {
                let picture = image::RgbImage::from_fn(800, 400, |x, _| image::Rgb([(x / 4) as u8, 80, 160]));
                let mut png = Vec::new();
                image::DynamicImage::ImageRgb8(picture)
                    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                    .unwrap();
                ([(header::CONTENT_TYPE, "image/png")], png)
            }),
        )
        .route("/to-loopback", get(move || async move { Redirect::temporary(&format!("http://{secret}/secret")) }))
        .route("/to-private", get(|| async { Redirect::temporary("http://10.0.0.1/") }))
        .route("/to-metadata", get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data/") }))
        .route("/hop", get(|| async { Redirect::temporary("/hop") }))
        .route(
            "/huge",
            get(move || async move {
                let filler = "<meta name=x content=y>".repeat(150_000);
                html(format!("<html><head>{filler}<title>after two megabytes</title></head></html>"))
            }),
        )
        .route(
            "/slow",
            get(|| async {
                let stream = futures_util::stream::unfold(0, |n| async move {
                    if n > 0 {
                        std::future::pending::<()>().await;
                    }
                    Some((Ok::<_, std::io::Error>(bytes_of("<html><head><title>never ends")), n + 1))
                });
                ([(header::CONTENT_TYPE, "text/html")], axum::body::Body::from_stream(stream)).into_response()
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn bytes_of(text: &str) -> axum::body::Bytes {
    axum::body::Bytes::copy_from_slice(text.as_bytes())
}

#[tokio::test]
async fn link_previews_never_reach_local_or_private_addresses() {
    use gkchat_client::media::preview::{PreviewPolicy, fetch};
    // What a preview must never read: a service on this machine's loopback.
    let secret = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let secret_addr = secret.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = secret.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let site = pages(secret_addr).await;
    let policy = PreviewPolicy {
        allow_http: true,
        timeout: Duration::from_millis(1500),
        allowed_for_tests: vec![site],
        ..PreviewPolicy::default()
    };
    let at = |path: &str| format!("http://{site}{path}");

    let good = fetch(&at("/good"), &policy).await.unwrap().unwrap();
    assert_eq!(good.title.as_deref(), Some("The Good Page"));
    assert_eq!(good.description.as_deref(), Some("Everything you wanted to know."));
    assert_eq!(good.site_name.as_deref(), Some("Good Site"));
    assert_eq!(good.image_url, Some(at("/cover.png")));

    for path in ["/to-loopback", "/to-private", "/to-metadata"] {
        let refused = fetch(&at(path), &policy).await.unwrap_err();
        assert_eq!(refused.code(), ErrorCode::Forbidden, "{path}: {refused}");
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "the loopback service was never reached");
    assert_eq!(fetch(&at("/hop"), &policy).await.unwrap_err().code(), ErrorCode::Forbidden, "redirects end");
    // The default refuses loopback outright, and plain HTTP.
    assert_eq!(fetch(&at("/good"), &PreviewPolicy::default()).await.unwrap_err().code(), ErrorCode::Forbidden);
    // Cut off: 2 MiB of head never reach the title after them; a stalled page ends in time.
    let huge = fetch(&at("/huge"), &policy).await.unwrap();
    assert!(huge.is_none_or(|p| p.title.as_deref() != Some("after two megabytes")), "read past the cap");
    let started = std::time::Instant::now();
    assert_eq!(fetch(&at("/slow"), &policy).await.unwrap_err().code(), ErrorCode::Unreachable);
    assert!(started.elapsed() < Duration::from_secs(5));

    // Through the messengers: the preview travels in the message, its picture as media.
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let alice_m = gkchat_tests::messenger(&alice, &alice_me.id, None).await;
    let bob_m = gkchat_tests::messenger(&bob, &bob_me.id, None).await;
    alice_m.set_preview_policy(policy.clone());
    let chat_id = alice_m.open_direct(&bob_me.id).await.unwrap();
    let draft = alice_m.link_preview(&at("/good")).await.unwrap().unwrap();
    let image = draft.image.clone().expect("the picture was fetched");
    assert_eq!((image.width, image.height), (640, 320));
    let text = format!("read this {}", at("/good"));
    let pending = alice_m.send_text_with_preview(&chat_id, &text, None, draft).await.unwrap();
    uploaded(&alice_m, &pending.message.id).await;
    let got = newest(&bob_m, &chat_id, |m| matches!(&m.content, Some(Content::Text { preview: Some(_), .. }))).await;
    let Some(Content::Text { preview: Some(preview), .. }) = got.content else { unreachable!() };
    assert_eq!(preview.title.as_deref(), Some("The Good Page"));
    let picture = std::fs::read(bob_m.media_file(&preview.image.unwrap().media_id).await.unwrap()).unwrap();
    assert_eq!(image::load_from_memory(&picture).unwrap().width(), 640);
}

#[tokio::test]
async fn a_video_arrives_with_its_length_size_and_poster() {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let alice_m = gkchat_tests::messenger(&alice, &alice_me.id, Some(&dir.path().join("alice.db"))).await;
    let bob_m = gkchat_tests::messenger(&bob, &bob_me.id, Some(&dir.path().join("bob.db"))).await;
    let chat_id = alice_m.open_direct(&bob_me.id).await.unwrap();

    // Two and a half seconds of orange at 10 pictures a second, 320×240.
    let clip = dir.path().join("clip.mp4");
    gkchat_tests::video::write_mp4(&clip, 320, 240, 25, 10, [240, 120, 20]);
    let clip_bytes = std::fs::read(&clip).unwrap();
    let sources = vec![gkchat_client::MediaSource { path: clip.clone(), name: None }];
    let pending = alice_m.send_media(&chat_id, sources, "look", None).await.unwrap();
    uploaded(&alice_m, &pending.message.id).await;

    let message = newest(&bob_m, &chat_id, |m| matches!(m.content, Some(Content::Media { .. }))).await;
    let Some(Content::Media { attachments, caption }) = message.content else { unreachable!() };
    assert_eq!(caption, "look");
    let video = &attachments[0];
    assert_eq!((video.kind, video.mime.as_str()), (AttachmentKind::Video, "video/mp4"));
    assert_eq!((video.width, video.height, video.duration_ms), (Some(320), Some(240), Some(2500)));
    assert!(video.thumbhash.is_some(), "a placeholder from the poster");
    assert_eq!(video.thumbs.iter().map(|t| (t.width, t.height)).collect::<Vec<_>>(), vec![(160, 120), (320, 240)]);
    // The poster is the video's first picture: orange.
    let poster = std::fs::read(bob_m.media_file(&video.thumbs[1].media_id).await.unwrap()).unwrap();
    let poster = image::load_from_memory(&poster).unwrap().to_rgb8();
    let [r, g, b] = poster.get_pixel(160, 120).0;
    assert!(r.abs_diff(240) < 24 && g.abs_diff(120) < 24 && b.abs_diff(20) < 24, "poster colour {r},{g},{b}");
    // The video itself arrives as it was sent.
    assert_eq!(std::fs::read(bob_m.media_file(&video.media_id).await.unwrap()).unwrap(), clip_bytes);
}

/// The Python with the test tools `./gk test` installs (moto, tuspy).
fn tools_python() -> std::path::PathBuf {
    let python = gkchat_tests::desktop::target_dir().join("tools/s3/bin/python");
    assert!(python.exists(), "{} is missing: `./gk test` installs it (moto and tuspy from PyPI)", python.display());
    python
}

/// Runs the tuspy script; its printed URL and offset.
async fn tuspy(args: &[&str]) -> (String, u64) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/tus_upload.py");
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    // Off the test's runtime, which also runs the server.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(tools_python()).arg(script).args(&args).output().unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "tuspy failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut lines = stdout.lines();
    (lines.next().unwrap().to_owned(), lines.next().unwrap().parse().unwrap())
}

#[tokio::test]
async fn a_third_party_tus_client_uploads_and_resumes() {
    let setup = Setup::start(Store::Files).await;
    let (alice, _) = setup.server.signed_up("alice").await;
    let token = alice.access_token().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = noise(5 * MIB + 123, 11);
    let file = dir.path().join("notes.bin");
    std::fs::write(&file, &data).unwrap();
    let store = dir.path().join("tus-urls.json");
    let endpoint = setup.url("/api/v1/uploads");
    let common = ["--endpoint", &endpoint, "--token", &token, "--file", file.to_str().unwrap()];
    let with_store = [&common[..], &["--store", store.to_str().unwrap()]].concat();

    // Three chunks (with checksums), then the process ends.
    let (url, offset) = tuspy(&[&with_store[..], &["--chunks", "3"]].concat()).await;
    assert_eq!(offset, 3 * MIB as u64);
    let media_id = url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(alice.upload_offset(&media_id).await.unwrap(), 3 * MIB as u64, "the server recorded the offset");

    // A new process finds the upload and finishes it from there.
    let (again, offset) = tuspy(&with_store).await;
    assert_eq!((again, offset), (url, data.len() as u64), "the same upload, resumed");
    let info = alice.media_info(&media_id).await.unwrap();
    assert_eq!((info.state, info.length), (MediaState::Ready, data.len() as u64));
    let got = tempfile::NamedTempFile::new().unwrap();
    alice.download_to(&media_id, got.path(), |_| {}).await.unwrap();
    assert_eq!(sha256_hex(&std::fs::read(got.path()).unwrap()), sha256_hex(&data));
}
