//! Quick chats over REST: create, landing, codes (wrong, locked), end, idle destruction — and
//! nothing written to the database or the data directory.

use std::time::Duration;

use gkchat_client::{QuickChats, QuickEvent, QuickLink, QuickRoom};
use gkchat_proto::quick::{
    CreateQuickChat, QUICK_CODE_LEN, QuickChatCreated, QuickLanding, QuickServerFrame, QuickSession,
};
use gkchat_proto::{ApiError, ErrorCode};
use gkchat_tests::{TestServer, everything_in, test_config};
use serde_json::json;

async fn create(http: &reqwest::Client, server: &TestServer, names: [&str; 2]) -> QuickChatCreated {
    let body = CreateQuickChat { names: names.map(str::to_owned) };
    let response = http.post(format!("{}api/v1/quick", server.url())).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn code_of(response: reqwest::Response) -> (u16, ErrorCode) {
    let status = response.status().as_u16();
    (status, response.json::<ApiError>().await.unwrap().code)
}

#[tokio::test]
async fn codes_open_a_room_and_ending_destroys_it_without_a_trace_on_disk() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let http = reqwest::Client::new();
    let room = create(&http, &server, ["Zelda Quickname", "Link Quickname"]).await;
    let [zelda, link] = room.invites.clone();
    assert_ne!(zelda.path, link.path);
    assert_eq!(zelda.code.len(), QUICK_CODE_LEN);
    let api = |path: &str| format!("{}api/v1/quick{}", server.url(), path.trim_start_matches("/q"));

    let landing: QuickLanding = http.get(api(&zelda.path)).send().await.unwrap().json().await.unwrap();
    assert_eq!((landing.name.as_str(), landing.other_name.as_str()), ("Zelda Quickname", "Link Quickname"));
    assert_eq!(code_of(http.get(api("/q/nope/nope")).send().await.unwrap()).await, (404, ErrorCode::NotFound));

    // Wrong codes count down, then the link locks — even for the right code.
    let join = |name: &str, code: &str| {
        http.post(format!("{}/join", api(&zelda.path))).json(&json!({ "name": name, "code": code }))
    };
    for _ in 0..4 {
        assert_eq!(
            code_of(join("zelda quickname", "WRONG").send().await.unwrap()).await,
            (401, ErrorCode::InvalidCode)
        );
    }
    let locked = join("zelda quickname", "WRONG").send().await.unwrap();
    assert!(locked.headers().contains_key("retry-after"));
    assert_eq!(code_of(locked).await, (429, ErrorCode::TooManyAttempts));
    assert_eq!(code_of(join("Zelda Quickname", &zelda.code).send().await.unwrap()).await.1, ErrorCode::TooManyAttempts);

    // The other link joins (name in any case, code in any case) and ends the chat for both.
    let joined: QuickSession = http
        .post(format!("{}/join", api(&link.path)))
        .json(&json!({ "name": "LINK quickname", "code": link.code.to_lowercase() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let end = |session: &str| {
        http.post(format!("{}/end", api(&link.path))).header("authorization", format!("Quick {session}"))
    };
    assert_eq!(code_of(end("forged").send().await.unwrap()).await.0, 404);
    assert_eq!(end(&joined.session).send().await.unwrap().status(), 204);
    for invite in [&zelda, &link] {
        let gone = http.get(api(&invite.path)).send().await.unwrap();
        assert_eq!(code_of(gone).await, (410, ErrorCode::QuickChatEnded));
    }

    // Nothing about the chat reached the disk.
    server.stop().await;
    let on_disk = everything_in(temp.path());
    for secret in ["Zelda Quickname", "Link Quickname", zelda.code.as_str(), link.code.as_str(), room.room_id.as_str()]
    {
        assert!(!on_disk.contains(secret), "{secret:?} was written to the data directory");
    }
}

#[tokio::test]
async fn an_idle_room_is_destroyed() {
    let temp = tempfile::tempdir().unwrap();
    let config = gkchat_server::Config { quick_idle_secs: 1, ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let http = reqwest::Client::new();
    let room = create(&http, &server, ["Ann", "Bob"]).await;
    assert_eq!(room.idle_secs, 1);
    let url = format!("{}api/v1/quick{}", server.url(), room.invites[0].path.trim_start_matches("/q"));
    assert_eq!(http.get(&url).send().await.unwrap().status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = http.get(&url).send().await.unwrap();
        if response.status() == 410 {
            assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::QuickChatEnded);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the idle room was never destroyed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Names are checked: empty, too long, the same twice.
    for names in [["", "Bob"], ["Ann", &"x".repeat(41)], ["Ann", "ann"]] {
        let body = CreateQuickChat { names: names.map(str::to_owned) };
        let response = http.post(format!("{}api/v1/quick", server.url())).json(&body).send().await.unwrap();
        assert_eq!(code_of(response).await, (400, ErrorCode::BadRequest));
    }
}

/// The next frame the room reports (connection drops are reconnected inside the room).
pub(crate) async fn next_frame(room: &mut QuickRoom) -> QuickServerFrame {
    let wait = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match room.next().await.expect("the room is open") {
                QuickEvent::Frame { frame } => return frame,
                QuickEvent::Offline { .. } => continue,
                other => panic!("{other:?}"),
            }
        }
    });
    wait.await.expect("a frame in time")
}

/// The next two messages the room reports, as (seq, from, text) in seq order.
pub(crate) async fn two_messages(room: &mut QuickRoom) -> Vec<(u64, u8, String)> {
    let mut seen = Vec::new();
    while seen.len() < 2 {
        if let QuickServerFrame::Message(m) = next_frame(room).await {
            seen.push((m.seq, m.from, m.text));
        }
    }
    seen.sort();
    seen
}

#[tokio::test]
async fn two_people_chat_live_leave_rejoin_with_history_and_one_ends_it() {
    use QuickServerFrame as F;
    let server = TestServer::start().await;
    let chats = QuickChats::new();
    let room = chats.create(&server.url(), ["Ann".into(), "Bob".into()]).await.unwrap();
    let links: Vec<QuickLink> =
        room.invites.iter().map(|invite| QuickLink::of_invite(&server.url(), &invite.path).unwrap()).collect();
    // The app link names the server and reads back as the same link.
    assert_eq!(QuickLink::parse(&links[0].app_link()).unwrap(), links[0]);
    let wrong = chats.join(&links[0], "Ann", "WRONGCODE").await.unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::InvalidCode);
    let mut sessions = Vec::new();
    for (link, invite) in links.iter().zip(&room.invites) {
        assert!(!chats.landing(link, None).await.unwrap().resume);
        sessions.push(chats.join(link, &invite.name, &invite.code).await.unwrap());
        assert!(chats.landing(link, Some(sessions.last().unwrap())).await.unwrap().resume);
    }
    // A session is good for its own link only.
    assert!(!chats.landing(&links[1], Some(&sessions[0])).await.unwrap().resume);

    let mut ann = chats.open(links[0].clone(), sessions[0].clone());
    assert!(
        matches!(next_frame(&mut ann).await, F::Joined { me: 0, other_here: false, ref messages, .. } if messages.is_empty())
    );
    let mut bob = chats.open(links[1].clone(), sessions[1].clone());
    assert!(matches!(next_frame(&mut bob).await, F::Joined { me: 1, other_here: true, .. }));
    assert_eq!(next_frame(&mut ann).await, F::Presence { other_here: true });

    ann.say("hi Bob").await.unwrap();
    bob.say("hi Ann").await.unwrap();
    for room in [&mut ann, &mut bob] {
        assert_eq!(two_messages(room).await, [(1, 0, "hi Bob".to_owned()), (2, 1, "hi Ann".to_owned())]);
    }
    // Too long: refused in words, the connection stays.
    bob.say(&"x".repeat(gkchat_proto::quick::QUICK_TEXT_MAX_BYTES + 1)).await.unwrap();
    assert!(matches!(next_frame(&mut bob).await, F::Error { code: ErrorCode::MessageTooLarge, .. }));

    // Ann closes the app; Bob sees her go; she comes back to the whole chat.
    drop(ann);
    assert_eq!(next_frame(&mut bob).await, F::Presence { other_here: false });
    bob.say("while you were away").await.unwrap();
    assert!(matches!(next_frame(&mut bob).await, F::Message(_)));
    let mut ann = chats.open(links[0].clone(), sessions[0].clone());
    match next_frame(&mut ann).await {
        F::Joined { messages, other_here, .. } => {
            assert!(other_here);
            let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
            assert_eq!(texts, ["hi Bob", "hi Ann", "while you were away"]);
        }
        other => panic!("{other:?}"),
    }

    // Bob ends it: both are told, and the rooms stop; the links say it has ended.
    assert_eq!(chats.end(&links[1], "forged").await.unwrap_err().code(), ErrorCode::NotFound);
    chats.end(&links[1], &sessions[1]).await.unwrap();
    for room in [&mut ann, &mut bob] {
        loop {
            if let F::Ended { .. } = next_frame(room).await {
                break;
            }
        }
        assert_eq!(room.next().await, None, "nothing after the end");
    }
    assert_eq!(chats.landing(&links[0], None).await.unwrap_err().code(), ErrorCode::QuickChatEnded);
    let late = chats.open(links[0].clone(), sessions[0].clone());
    let mut late = late;
    assert!(matches!(next_frame(&mut late).await, F::Ended { .. }), "opening an ended chat says so");
}

#[tokio::test]
async fn a_browser_keeps_its_session_in_an_http_only_cookie_never_in_the_url() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let room = create(&http, &server, ["Ann", "Bob"]).await;
    let base = format!("{}api/v1/quick{}", server.url(), room.invites[0].path.trim_start_matches("/q"));
    let body = json!({ "name": "Ann", "code": room.invites[0].code });
    let joined = http.post(format!("{base}/join")).json(&body).send().await.unwrap();
    let cookie = joined.headers()["set-cookie"].to_str().unwrap().to_owned();
    let session = joined.json::<QuickSession>().await.unwrap().session;
    let path = format!("Path=/api/v1/quick/{}", room.invites[0].path.trim_start_matches("/q/"));
    for part in [format!("gkq={session}"), path, "HttpOnly".into(), "SameSite=Strict".into()] {
        assert!(cookie.contains(&part), "{part} missing in {cookie}");
    }
    let landing: QuickLanding =
        http.get(&base).header("cookie", format!("other=1; gkq={session}")).send().await.unwrap().json().await.unwrap();
    assert!(landing.resume);

    // The live socket takes the cookie; a session in the query string is not looked at.
    let live = base.replacen("http://", "ws://", 1) + "/live";
    let mut request = live.as_str().into_client_request().unwrap();
    request.headers_mut().insert("cookie", format!("gkq={session}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let first = socket.next().await.unwrap().unwrap();
    let frame: QuickServerFrame = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert!(matches!(frame, QuickServerFrame::Joined { me: 0, .. }));
    match tokio_tungstenite::connect_async(format!("{live}?session={session}")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 404),
        other => panic!("expected 404, got {:?}", other.map(|(_, r)| r.status())),
    }

    // Ending with the cookie clears it.
    let ended = http.post(format!("{base}/end")).header("cookie", format!("gkq={session}")).send().await.unwrap();
    assert_eq!(ended.status(), 204);
    assert!(ended.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn the_browser_page_and_qr_codes_are_served_with_strict_headers() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let room = create(&http, &server, ["Ann", "Bob"]).await;
    for path in ["q", room.invites[0].path.trim_start_matches('/'), "q/app.js", "q/app.css"] {
        let response = http.get(format!("{}{path}", server.url())).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
    let page = http.get(format!("{}q", server.url())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/q/app.js") && !page.contains("<script>"), "no inline script");

    let qr =
        |ext: &str| format!("{}api/v1/quick{}/qr.{ext}", server.url(), room.invites[1].path.trim_start_matches("/q"));
    let svg = http.get(qr("svg")).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = http.get(qr("png")).send().await.unwrap().bytes().await.unwrap();
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert!(image.width() >= 200 && image.width() == image.height());
    let unknown = http.get(format!("{}api/v1/quick/nope/nope/qr.png", server.url())).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}
