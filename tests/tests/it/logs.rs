//! Nothing secret reaches the server's log, at any level: the real binary runs with
//! `GKCHAT_LOG=trace` while people sign up, sign in, refresh, chat, verify a phone and use a
//! quick chat; then its whole output is searched for every password, token, code, quick-chat
//! link token and message text that crossed it.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gkchat_client::{QuickChats, QuickEvent, QuickLink};
use gkchat_proto::account::{AuthTokens, RefreshRequest, SignInRequest};
use gkchat_proto::chat::{Content, NewMessage};
use gkchat_proto::quick::QuickServerFrame;
use gkchat_tests::desktop::target_dir;
use gkchat_tests::sms::SmsGateway;
use gkchat_tests::{TEST_PASSWORD, client_for, online, sign_up_request, test_device, within};

/// Everything the process writes to stdout and stderr, as it comes.
fn capture(child: &mut std::process::Child) -> Arc<Mutex<String>> {
    let output = Arc::new(Mutex::new(String::new()));
    let streams: [Box<dyn Read + Send>; 2] =
        [Box::new(child.stdout.take().unwrap()), Box::new(child.stderr.take().unwrap())];
    for mut stream in streams {
        let output = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                output.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
    }
    output
}

#[tokio::test]
async fn no_secret_reaches_the_log_even_at_trace() {
    let binary = target_dir().join("debug/gkchat-server");
    assert!(binary.is_file(), "build the server binary first ({})", binary.display());
    let temp = tempfile::tempdir().unwrap();
    let mut gateway = SmsGateway::start().await;
    let mut child = Command::new(binary)
        .env_clear()
        .env("HOME", temp.path())
        .env("GKCHAT_DATA_DIR", temp.path().join("data"))
        .env("GKCHAT_LISTEN", "127.0.0.1:0")
        .env("GKCHAT_TURN_PORT", "0")
        .env("GKCHAT_LOG", "trace")
        .env("GKCHAT_SMS_GATEWAY_URL", &gateway.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = capture(&mut child);
    let addr = within(Duration::from_secs(30), "the server to listen", async {
        loop {
            let found = output
                .lock()
                .unwrap()
                .lines()
                .filter(|line| line.contains("gkchat-server listening"))
                .find_map(|line| line.split(" addr=").nth(1).and_then(|rest| rest.split_whitespace().next()))
                .map(str::to_owned);
            if let Some(addr) = found {
                return addr;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let url: url::Url = format!("http://{addr}").parse().unwrap();
    let http = reqwest::Client::new();
    let mut secrets = vec![TEST_PASSWORD.to_owned()];

    // Accounts: sign-up, sign-in, refresh — every token handed out.
    let alice = client_for(url.clone());
    let alice_me = alice.sign_up(&sign_up_request("alice")).await.unwrap();
    secrets.push(alice.access_token().await.unwrap());
    let tokens = async |path: &str, body: serde_json::Value| -> AuthTokens {
        let response = http.post(url.join(path).unwrap()).json(&body).send().await.unwrap();
        response.json().await.unwrap()
    };
    let sign_in =
        SignInRequest { login: "alice".into(), password: TEST_PASSWORD.into(), device: test_device("laptop") };
    let signed_in = tokens("api/v1/auth/signin", serde_json::to_value(sign_in).unwrap()).await;
    let refresh = RefreshRequest { refresh_token: signed_in.refresh_token.clone() };
    let refreshed = tokens("api/v1/auth/refresh", serde_json::to_value(refresh).unwrap()).await;
    secrets.extend([signed_in.access_token, signed_in.refresh_token, refreshed.access_token, refreshed.refresh_token]);

    // A message.
    let bob = client_for(url.clone());
    bob.sign_up(&sign_up_request("bob")).await.unwrap();
    let (bob_live, _events) = online(&bob).await;
    let text = "the treasure is under the old oak 7391";
    let message = NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: gkchat_tests::direct_chat(&bob, &alice_me.id).await,
        content: Content::text(text),
        reply_to: None,
        forwarded: false,
    };
    bob_live.send_message(message).await.unwrap();
    secrets.push(text.into());

    // A phone code.
    alice.request_phone_verification("+44 7911 123456").await.unwrap();
    let code = gateway.code_for("+447911123456").await;
    alice.verify_phone("+44 7911 123456", &code).await.unwrap();
    secrets.push(code);

    // A quick chat: link tokens, codes, the session, the words.
    let chats = QuickChats::new();
    let created = chats.create(&url, ["Ann".into(), "Ben".into()]).await.unwrap();
    let link = QuickLink::of_invite(&url, &created.invites[0].path).unwrap();
    chats.landing(&link, None).await.unwrap();
    let session = chats.join(&link, "Ann", &created.invites[0].code).await.unwrap();
    let mut room = chats.open(link, session.clone());
    let words = "meet me at platform nine 2231";
    room.say(words).await.unwrap();
    within(Duration::from_secs(15), "the quick message echoed", async {
        loop {
            if let Some(QuickEvent::Frame { frame: QuickServerFrame::Message(message) }) = room.next().await
                && message.text == words
            {
                return;
            }
        }
    })
    .await;
    for invite in &created.invites {
        secrets.push(invite.path.rsplit('/').next().unwrap().to_owned());
        secrets.push(invite.code.clone());
    }
    secrets.extend([session, words.to_owned()]);

    drop(room);
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
    let log = output.lock().unwrap().clone();
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "the log ran at trace level");
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "{secret:?} is in the log");
    }
}
