//! Media in the real window: the app attaches a photo (with a GPS position in its EXIF) and a
//! PDF through the file input, the preview sheet, a caption; the headless friend receives them
//! (the position gone, the PDF typed by its bytes) and sends a photo and a document back, which
//! the app shows — the thumbnail loaded through the `gkmedia:` scheme, the document as a tile;
//! the gallery lists them; a voice message recorded in the app from the synthetic microphone
//! reaches the friend as the 440 Hz tone, and plays back in the app; a picture put on the X
//! clipboard (xclip) is pasted into the composer and sent (WebKitGTK's paste event carries no
//! image from the clipboard: the app reads it itself); a vCard file is shared as a contact, and
//! the friend's cards come back (a GK Chat user added to contacts, a vCard saved as a file); a
//! video arrives with its poster and length and opens in the viewer; the app posts a text and a
//! picture status, the friend views and reacts and the app lists him with the time and the
//! reaction, and the friend's post shows with an unseen ring that turns seen once viewed.

use std::time::Duration;

use gkchat_proto::chat::Content;
use gkchat_proto::media::AttachmentKind;
use gkchat_tests::desktop::{DesktopHarness, desktop_binary, shots_dir};
use gkchat_tests::webdriver::Session;
use gkchat_tests::{TestServer, client_for, test_device};

use super::{PASSWORD, WAIT, click, content_of, sign_up_in_app, type_into};

/// A JPEG whose EXIF block holds a GPS position.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x / 3) as u8, (y / 2) as u8, 150]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90).encode_image(&picture).unwrap();
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    exif.extend_from_slice(b"GPSLatitude 51.5007 N GPSLongitude 0.1246 W");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The newest message of `chat_id` in `messenger`, once `done` says it is the one.
async fn newest(
    messenger: &gkchat_client::Messenger,
    chat_id: &str,
    done: impl Fn(&gkchat_proto::chat::Message) -> bool,
) -> gkchat_proto::chat::Message {
    super::within_secs(60, async {
        loop {
            if let Some(last) = messenger.messages(chat_id, None, 1).await.unwrap().pop()
                && done(&last.message)
            {
                return last.message;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
}

/// Waits until `script` (returning a boolean) holds in the window.
async fn until(session: &Session, what: &str, script: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if session.execute(script, serde_json::json!([])).await == serde_json::Value::Bool(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.save_failure_evidence().await;
    let media = session
        .execute(
            "return [...document.querySelectorAll('audio, video')].map(a => ({ src: a.currentSrc, error: a.error && \
             [a.error.code, a.error.message], ready: a.readyState, network: a.networkState, paused: a.paused, at: \
             a.currentTime, refused: !!document.querySelector('.voice-error') }));",
            serde_json::json!([]),
        )
        .await;
    let probe = session
        .execute(
            "const a = document.createElement('audio'); return ['audio/ogg; codecs=opus', 'audio/opus', 'audio/ogg', \
             'audio/wav', 'video/mp4'].map(t => t + '=' + a.canPlayType(t)).join(' ');",
            serde_json::json!([]),
        )
        .await;
    panic!("{what}: not within {WAIT:?}; players: {media}; can play: {probe}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_documents_a_voice_message_and_a_pasted_picture_in_the_window() {
    let _turn = super::one_at_a_time().await;
    let server = TestServer::start().await;
    let app = desktop_binary();
    let harness = DesktopHarness::start(&[
        ("GKCHAT_SERVER_URL", server.url().to_string()),
        ("GKCHAT_SYNTHETIC_MEDIA", "1".to_owned()),
    ])
    .await;
    let session = Session::start(&harness.driver_url, app.to_str().unwrap()).await;
    sign_up_in_app(&session, "Iris", "iris").await;
    let iris = client_for(server.url());
    iris.sign_in("iris", PASSWORD, test_device("seed")).await.unwrap();
    let iris_id = iris.me().await.unwrap().id;
    let (jack, jack_me) = server.signed_up("jack").await;
    iris.add_contact("jack").await.unwrap();
    let jack_m = gkchat_tests::messenger(&jack, &jack_me.id, None).await;
    let chat_id = jack_m.open_direct(&iris_id).await.unwrap();
    jack_m.send_text(&chat_id, "send me the photos?", None).await.unwrap();
    click(&session, "chat-tile-name").await;
    content_of(&session, "[data-testid=conversation-name]", |t| t.contains("jack")).await;

    // The app attaches a photo and a PDF named like a photo, with a caption.
    let temp = tempfile::tempdir().unwrap();
    let photo = temp.path().join("IMG_2001.jpg");
    std::fs::write(&photo, jpeg_with_gps(600, 400)).unwrap();
    let pdf = temp.path().join("scan.jpg");
    std::fs::write(&pdf, PDF).unwrap();
    let input = session.wait_for("[data-testid=attach-input]", WAIT).await;
    session.type_text(&input, &format!("{}\n{}", photo.display(), pdf.display())).await;
    super::within_secs(60, async {
        while session
            .execute(
                "return document.querySelectorAll('[data-testid=media-sheet-item]').length;",
                serde_json::json!([]),
            )
            .await
            != serde_json::json!(2)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    std::fs::write(shots_dir().join("media-sheet.png"), session.screenshot().await).unwrap();
    type_into(&session, "media-caption", "from the bridge").await;
    click(&session, "media-send").await;

    // Jack gets both: the photo without its position, the PDF as a document.
    let got = newest(&jack_m, &chat_id, |m| matches!(m.content, Some(Content::Media { .. }))).await;
    let Some(Content::Media { attachments, caption }) = got.content else { unreachable!() };
    assert_eq!(caption, "from the bridge");
    assert_eq!((attachments[0].kind, attachments[0].width), (AttachmentKind::Image, Some(600)));
    assert_eq!((attachments[1].kind, attachments[1].mime.as_str()), (AttachmentKind::File, "application/pdf"));
    let received = super::within_secs(120, async {
        loop {
            if let Ok(path) = jack_m.media_file(&attachments[0].media_id).await {
                return std::fs::read(path).unwrap();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(!contains(&received, b"GPSLatitude"), "the position never left the app");

    // Jack sends a photo and a document back: the app shows the thumbnail and the file.
    let back_photo = temp.path().join("reply.png");
    image::RgbImage::from_fn(480, 320, |x, _| image::Rgb([200, (x / 2) as u8, 40])).save(&back_photo).unwrap();
    let back_doc = temp.path().join("minutes.pdf");
    std::fs::write(&back_doc, PDF).unwrap();
    let sources = vec![
        gkchat_client::MediaSource { path: back_photo, name: None },
        gkchat_client::MediaSource { path: back_doc, name: None },
    ];
    jack_m.send_media(&chat_id, sources, "", None).await.unwrap();
    until(
        &session,
        "the received picture loads through gkmedia:",
        "return [...document.querySelectorAll('[data-testid=media-image]')].some(i => i.complete && i.naturalWidth > 0 && i.closest('[data-testid=media-tile]'));",
    )
    .await;
    until(
        &session,
        "the received document's tile",
        "return [...document.querySelectorAll('[data-testid=doc-name]')].some(e => e.textContent === 'minutes.pdf');",
    )
    .await;
    std::fs::write(shots_dir().join("media-conversation.png"), session.screenshot().await).unwrap();

    // The gallery lists the pictures, and the documents.
    click(&session, "open-gallery").await;
    until(
        &session,
        "the gallery's media",
        "return document.querySelectorAll('[data-testid=gallery-item]').length >= 2;",
    )
    .await;
    click(&session, "gallery-tab-docs").await;
    until(
        &session,
        "the gallery's documents",
        "return document.querySelectorAll('[data-testid=gallery-item]').length >= 2;",
    )
    .await;
    std::fs::write(shots_dir().join("media-gallery.png"), session.screenshot().await).unwrap();
    click(&session, "gallery-close").await;

    // A voice message from the synthetic microphone (a 440 Hz tone), locked hands-free.
    click(&session, "voice-record").await;
    session.wait_for("[data-testid=voice-recording]", WAIT).await;
    session.wait_for_text("[data-testid=voice-recording]", WAIT, |t| t.contains("0:02")).await;
    click(&session, "voice-send").await;
    let voice = newest(&jack_m, &chat_id, |m| {
        matches!(&m.content, Some(Content::Media { attachments, .. }) if attachments[0].kind == AttachmentKind::Voice)
    })
    .await;
    let Some(Content::Media { attachments, .. }) = voice.content else { unreachable!() };
    let duration = attachments[0].duration_ms.unwrap();
    assert!(duration >= 2000, "{duration} ms");
    let file = super::within_secs(120, async {
        loop {
            if let Ok(path) = jack_m.media_file(&attachments[0].media_id).await {
                return path;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    let samples = gkchat_client::media::voice::decode(&file).unwrap();
    assert!((samples.len() as f64 / 48.0 - duration as f64).abs() < 50.0, "the stated length");
    let pitch = gkchat_client::calls::rtc::analysis::tone_frequency(&samples[9_600..48_000]).unwrap();
    assert!((pitch - 440.0).abs() < 5.0, "{pitch} Hz");
    // It plays back in the app.
    session.wait_for("[data-testid=voice-play]", WAIT).await;
    // Pressed from the page itself, and again while nothing plays: the timeline may re-render
    // the player (ticks, the upload finishing) between a look and a click, as a person would
    // press again.
    until(
        &session,
        "the voice message plays",
        "const audio = [...document.querySelectorAll('[data-testid=voice-player] audio')].pop(); \
         if (audio && audio.currentTime > 0.2) return true; \
         const now = Date.now(); \
         if (audio && !audio.getAttribute('src') && (!window.__pressed || now - window.__pressed > 3000)) { \
           window.__pressed = now; \
           [...document.querySelectorAll('[data-testid=voice-play]')].pop().click(); \
         } \
         return false;",
    )
    .await;

    // A picture on the clipboard, pasted into the composer, goes through the sheet.
    let pasted = temp.path().join("clip.png");
    image::RgbImage::from_fn(200, 100, |_, _| image::Rgb([30, 90, 200])).save(&pasted).unwrap();
    let mut owner = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-t", "image/png", "-i"])
        .arg(&pasted)
        .env("DISPLAY", &harness.display)
        .spawn()
        .expect("xclip (./gk installs it)");
    session
        .execute(
            "window.__paste = 'none'; document.addEventListener('paste', e => { window.__paste = \
             [...e.clipboardData.items].map(i => i.kind + ':' + i.type).join(',') + ' files=' + \
             e.clipboardData.files.length; }, true);",
            serde_json::json!([]),
        )
        .await;
    let composer = session.wait_for("[data-testid=composer]", WAIT).await;
    session.click(&composer).await;
    session.press(&["\u{E009}", "v"]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while session.find("[data-testid=media-sheet-item]").await.is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if session.find("[data-testid=media-sheet-item]").await.is_none() {
        let seen = session.execute("return window.__paste;", serde_json::json!([])).await;
        panic!("the pasted picture never reached the sheet; the paste event saw: {seen}");
    }
    click(&session, "media-send").await;
    let clip = newest(
        &jack_m,
        &chat_id,
        |m| matches!(&m.content, Some(Content::Media { attachments, .. }) if attachments[0].width == Some(200)),
    )
    .await;
    let Some(Content::Media { attachments, .. }) = clip.content else { unreachable!() };
    assert_eq!((attachments[0].kind, attachments[0].height), (AttachmentKind::Image, Some(100)));
    let _ = owner.kill();
    let _ = owner.wait();

    // Iris shares a person from a vCard file through the paperclip's "Contact".
    click(&session, "attach-button").await;
    click(&session, "attach-contact").await;
    session.wait_for("[data-testid=contact-picker]", WAIT).await;
    let vcf = temp.path().join("ada.vcf");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nTEL;TYPE=CELL:+44 20 7946 0000\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let vcard_input = session.wait_for("[data-testid=contact-picker-vcard]", WAIT).await;
    session.type_text(&vcard_input, &vcf.display().to_string()).await;
    let shared =
        newest(&jack_m, &chat_id, |m| matches!(&m.content, Some(Content::Contact { card }) if card.vcard.is_some()))
            .await;
    let Some(Content::Contact { card }) = shared.content else { unreachable!() };
    assert_eq!(card.display_name, "Ada Lovelace");

    // Jack shares a GK Chat user and a vCard back: the app offers to message and add the one,
    // shows the other's number and saves it as a file.
    let (_, kim_me) = server.signed_up("kim").await;
    let kim_card = gkchat_proto::media::ContactCard {
        user_id: Some(kim_me.id.clone()),
        display_name: "kim".into(),
        username: Some("kim".into()),
        vcard: None,
    };
    jack_m.send_contact(&chat_id, kim_card, None).await.unwrap();
    let grace = gkchat_client::media::vcard::card_from_vcard(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nTEL:+1 555 0100\nEMAIL:grace@example.org\nEND:VCARD",
    )
    .unwrap();
    jack_m.send_contact(&chat_id, grace, None).await.unwrap();
    until(
        &session,
        "the GK Chat user's card offers Message and Add",
        "return !!document.querySelector('[data-testid=contact-card-message]') && !!document.querySelector('[data-testid=contact-card-add]');",
    )
    .await;
    until(
        &session,
        "the vCard's number",
        "return [...document.querySelectorAll('[data-testid=contact-card-phone]')].some(e => e.textContent.includes('+1 555 0100'));",
    )
    .await;
    click(&session, "contact-card-add").await;
    let iris_contacts = || async { iris.contacts().await.unwrap().iter().any(|c| c.user_id == kim_me.id) };
    super::within_secs(30, async {
        while !iris_contacts().await {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    // (Iris's own card of Ada has a Save too: press Grace's.)
    session
        .execute(
            "[...document.querySelectorAll('[data-testid=contact-card]')].find(c => c.textContent.includes('Grace \
             Hopper')).querySelector('[data-testid=contact-card-save]').click();",
            serde_json::json!([]),
        )
        .await;
    content_of(&session, "[data-testid=contact-card-saved]", |t| t.contains("Grace Hopper.vcf")).await;

    // A video arrives with its poster frame and length, and plays in the viewer (streamed by the
    // app's loopback server: WebKitGTK's player decodes its pictures).
    let clip = temp.path().join("clip.mp4");
    gkchat_tests::video::write_mp4(&clip, 320, 240, 25, 10, [240, 120, 20]);
    jack_m.send_media(&chat_id, vec![gkchat_client::MediaSource { path: clip, name: None }], "", None).await.unwrap();
    until(
        &session,
        "the video's poster loads",
        "return [...document.querySelectorAll('[data-testid=media-poster]')].some(i => i.complete && i.naturalWidth > 0);",
    )
    .await;
    let play = session.wait_for("[aria-label='Open video, 0:03']", WAIT).await;
    std::fs::write(shots_dir().join("media-video.png"), session.screenshot().await).unwrap();
    session.click(&play).await;
    until(
        &session,
        "the video in the viewer",
        "const v = document.querySelector('[data-testid=media-viewer-video]'); return !!v && \
         v.src.startsWith('http://127.0.0.1:') && v.readyState >= 2 && v.videoWidth === 320;",
    )
    .await;
    click(&session, "media-viewer-close").await;

    // Status: the app posts words and a picture; Jack (a contact both ways, who chatted with
    // Iris) views the picture and reacts; the app lists him under the picture's viewers with the
    // time and the reaction. Jack's own post shows with an unseen ring, seen once viewed here.
    jack.add_contact("iris").await.unwrap();
    click(&session, "tab-status").await;
    click(&session, "status-add").await;
    type_into(&session, "status-text", "Out at sea").await;
    click(&session, "status-post").await;
    session.wait_for("[data-testid=my-status] [data-testid=status-ring]", WAIT).await;
    click(&session, "status-add").await;
    click(&session, "status-tab-media").await;
    let bay = temp.path().join("bay.png");
    image::RgbImage::from_fn(360, 640, |x, y| image::Rgb([20, (y / 3) as u8, (x / 2) as u8])).save(&bay).unwrap();
    let file_input = session.wait_for("[data-testid=status-file]", WAIT).await;
    session.type_text(&file_input, &bay.display().to_string()).await;
    session.wait_for("[data-testid=status-media-preview]", WAIT).await;
    type_into(&session, "status-caption", "The bay").await;
    click(&session, "status-post").await;
    let posts = super::within_secs(60, async {
        loop {
            let feed = jack_m.refresh_status().await.unwrap();
            if let Some(iris_posts) = feed.others.into_iter().find(|o| o.owner.user_id == iris_id)
                && iris_posts.posts.len() == 2
            {
                return iris_posts.posts;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(
        matches!(&posts[1].content, gkchat_proto::status::StatusContent::Media { caption, .. } if caption == "The bay")
    );
    jack_m.view_status(&posts[1].id).await.unwrap();
    jack_m.react_to_status(&posts[1].id, Some("😍".into())).await.unwrap();
    click(&session, "my-status").await;
    session.wait_for("[data-testid=status-viewer]", WAIT).await;
    until(
        &session,
        "the picture post on screen",
        &format!(
            "const v = document.querySelector('[data-testid=status-viewer]');              if (v && v.dataset.postId !== '{}') document.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'ArrowRight', bubbles: true }}));              return !!v && v.dataset.postId === '{}';",
            posts[1].id, posts[1].id
        ),
    )
    .await;
    until(
        &session,
        "the posted picture shows (from the app's own copy)",
        "const i = document.querySelector('[data-testid=status-viewer] img.status-media-fill'); return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await;
    // (Pressed from the page: a notice from earlier may still cover the bottom of the window.)
    session.execute("document.querySelector('[data-testid=status-view-count]').click();", serde_json::json!([])).await;
    content_of(&session, "[data-testid=status-viewer-row]", |t| t.contains("jack") && t.contains("😍")).await;
    std::fs::write(shots_dir().join("status-viewers.png"), session.screenshot().await).unwrap();
    click(&session, "status-viewers-close").await;
    click(&session, "status-close").await;

    jack_m.post_text_status("Hello from the boat", "#335577", gkchat_proto::status::StatusFont::Serif).await.unwrap();
    let jack_ring = format!("[data-testid=status-owner][data-user-id='{}'] [data-testid=status-ring]", jack_me.id);
    until(
        &session,
        "Jack's unseen post",
        &format!("const r = document.querySelector(\"{jack_ring}\"); return !!r && r.dataset.unseen === '1';"),
    )
    .await;
    std::fs::write(shots_dir().join("status-list.png"), session.screenshot().await).unwrap();
    let jack_row = session.wait_for(&format!("[data-testid=status-owner][data-user-id='{}']", jack_me.id), WAIT).await;
    session.click(&jack_row).await;
    content_of(&session, "[data-testid=status-text-post]", |t| t.contains("Hello from the boat")).await;
    std::fs::write(shots_dir().join("status-viewer.png"), session.screenshot().await).unwrap();
    click(&session, "status-close").await;
    until(
        &session,
        "Jack's post seen",
        &format!(
            "const r = document.querySelector(\"{jack_ring}\"); return !!r && r.dataset.unseen === '0' && r.dataset.seen === '1';"
        ),
    )
    .await;
    session.end().await;
}
