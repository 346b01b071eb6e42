//! Accounts through `gkchat-client` against a real server: sign-up and its refusals, sign-in
//! by username or email, profile and privacy, devices, refresh rotation with theft detection,
//! expired and forged tokens, signed-in WebSocket connections, rate limits.

use std::sync::Arc;
use std::time::Duration;

use gkchat_client::{ConnectionState, Error, MemoryTokenStore, TokenStore};
use gkchat_proto::account::{AuthTokens, Privacy, ProfileUpdate, RefreshRequest, SignInRequest, Visibility};
use gkchat_proto::{ApiError, ErrorCode};
use gkchat_tests::{
    TEST_JWT_SECRET, TEST_PASSWORD, TestServer, api_code, client_for, mint_access_token, sign_up_request, test_config,
    test_device, within,
};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn sign_up_then_sign_in_by_username_or_email() {
    let server = TestServer::start().await;
    let (client, me) = server.signed_up("Alice.Smith").await;
    assert_eq!(me.username, "alice.smith", "usernames are stored lower-cased");
    assert_eq!(me.display_name, "alice.smith");
    assert_eq!(client.me().await.unwrap(), me);

    let by_name = server.client();
    assert_eq!(by_name.sign_in("ALICE.smith", TEST_PASSWORD, test_device("laptop")).await.unwrap().id, me.id);
    let by_email = server.client();
    assert_eq!(
        by_email.sign_in("alice.smith@EXAMPLE.org", TEST_PASSWORD, test_device("phone")).await.unwrap().id,
        me.id
    );
}

#[tokio::test]
async fn sign_up_refusals_have_codes() {
    let server = TestServer::start().await;
    server.signed_up("bob").await;
    let client = server.client();

    let mut taken = sign_up_request("BOB");
    taken.email = "other@example.org".into();
    assert_eq!(api_code(client.sign_up(&taken).await), ErrorCode::UsernameTaken);

    let mut email_taken = sign_up_request("robert");
    email_taken.email = "Bob@Example.org".into();
    assert_eq!(api_code(client.sign_up(&email_taken).await), ErrorCode::EmailTaken);

    for (username, email, password, code) in [
        ("x", "x@example.org", TEST_PASSWORD, ErrorCode::InvalidUsername),
        ("has space", "s@example.org", TEST_PASSWORD, ErrorCode::InvalidUsername),
        ("carol", "not-an-email", TEST_PASSWORD, ErrorCode::InvalidEmail),
        ("carol", "carol@example.org", "short", ErrorCode::WeakPassword),
        ("carol", "carol@example.org", "password123", ErrorCode::WeakPassword),
        ("carol", "carol@example.org", "carolcarol", ErrorCode::WeakPassword),
    ] {
        let mut request = sign_up_request(username);
        request.email = email.into();
        request.password = password.into();
        assert_eq!(api_code(client.sign_up(&request).await), code, "{username} {email} {password}");
    }
    assert!(!client.is_signed_in().await);
}

#[tokio::test]
async fn wrong_password_and_unknown_account_look_the_same() {
    let server = TestServer::start().await;
    server.signed_up("dave").await;
    let client = server.client();
    let wrong = client.sign_in("dave", "not the password at all", test_device("d")).await;
    let unknown = client.sign_in("nobody.here", TEST_PASSWORD, test_device("d")).await;
    assert_eq!(api_code(wrong), ErrorCode::InvalidCredentials);
    assert_eq!(api_code(unknown), ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn profile_and_privacy_updates() {
    let server = TestServer::start().await;
    let (client, _) = server.signed_up("erin").await;
    let update = ProfileUpdate {
        display_name: Some("  Erin Example ".into()),
        about: Some("Hiking, tea".into()),
        status_text: Some("at the gym".into()),
        privacy: Some(Privacy {
            last_seen: Visibility::Contacts,
            photo: Visibility::Everyone,
            about: Visibility::Nobody,
            read_receipts: false,
            groups: Some(gkchat_proto::account::GroupAdd::Contacts),
            default_timer_ms: None,
            who_can_message: None,
        }),
        appearance: None,
    };
    let me = client.update_profile(&update).await.unwrap();
    assert_eq!(me.display_name, "Erin Example");
    assert_eq!(me.status_text, "at the gym");
    assert_eq!(me.privacy.about, Visibility::Nobody);
    assert!(!me.privacy.read_receipts);
    assert_eq!(me.privacy.groups, Some(gkchat_proto::account::GroupAdd::Contacts));
    assert_eq!(client.me().await.unwrap(), me, "stored, not just echoed");

    // Only the given fields change.
    let me = client.update_profile(&ProfileUpdate { about: Some(String::new()), ..Default::default() }).await.unwrap();
    assert_eq!((me.about.as_str(), me.status_text.as_str()), ("", "at the gym"));

    for bad in [
        ProfileUpdate { display_name: Some("   ".into()), ..Default::default() },
        ProfileUpdate { about: Some("x".repeat(141)), ..Default::default() },
    ] {
        assert_eq!(api_code(client.update_profile(&bad).await), ErrorCode::InvalidProfile);
    }
}

#[tokio::test]
async fn devices_list_and_sign_out_others() {
    let server = TestServer::start().await;
    let (laptop, me) = server.signed_up("frank").await;
    let phone = server.client();
    phone.sign_in("frank", TEST_PASSWORD, test_device("phone")).await.unwrap();

    let devices = laptop.devices().await.unwrap();
    assert_eq!(devices.len(), 2);
    let names: Vec<_> = devices.iter().map(|d| (d.name.as_str(), d.current)).collect();
    assert!(names.contains(&("first device", true)) && names.contains(&("phone", false)), "{names:?}");

    let mut phone_account = phone.watch_account();
    laptop.sign_out_other_devices().await.unwrap();
    // The phone learns at its next request that it was signed out.
    assert_eq!(api_code(phone.me().await), ErrorCode::SessionRevoked);
    assert!(!phone.is_signed_in().await);
    within(WAIT, "phone signed out", phone_account.wait_for(Option::is_none)).await.unwrap();
    assert_eq!(laptop.devices().await.unwrap().len(), 1);
    assert_eq!(laptop.me().await.unwrap().id, me.id);

    // Signing out one device by id; an unknown id is not_found.
    let tablet = server.client();
    tablet.sign_in("frank", TEST_PASSWORD, test_device("tablet")).await.unwrap();
    let tablet_id = laptop.devices().await.unwrap().into_iter().find(|d| d.name == "tablet").unwrap().id;
    laptop.sign_out_device(&tablet_id).await.unwrap();
    assert_eq!(api_code(tablet.me().await), ErrorCode::SessionRevoked);
    assert_eq!(api_code(laptop.sign_out_device(&tablet_id).await), ErrorCode::NotFound);

    // Signing out this device ends its tokens too.
    laptop.sign_out().await.unwrap();
    assert!(matches!(laptop.me().await, Err(Error::SignedOut)));
}

async fn raw_refresh(server: &TestServer, refresh_token: &str) -> Result<AuthTokens, ApiError> {
    let response = reqwest::Client::new()
        .post(format!("{}api/v1/auth/refresh", server.url()))
        .json(&RefreshRequest { refresh_token: refresh_token.into() })
        .send()
        .await
        .unwrap();
    if response.status().is_success() {
        Ok(response.json().await.unwrap())
    } else {
        Err(response.json().await.unwrap())
    }
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let server = TestServer::start().await;
    server.signed_up("grace").await;
    let signed_in: AuthTokens = reqwest::Client::new()
        .post(format!("{}api/v1/auth/signin", server.url()))
        .json(&SignInRequest { login: "grace".into(), password: TEST_PASSWORD.into(), device: test_device("x") })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = signed_in.refresh_token;
    let second = raw_refresh(&server, &first).await.unwrap();
    assert_ne!(second.refresh_token, first, "a refresh hands out a new refresh token");
    assert_eq!(second.session_id, signed_in.session_id, "same device session");

    // The old token again: someone copied it. The whole session ends, new token included.
    assert_eq!(raw_refresh(&server, &first).await.unwrap_err().code, ErrorCode::SessionRevoked);
    assert_eq!(raw_refresh(&server, &second.refresh_token).await.unwrap_err().code, ErrorCode::SessionRevoked);
    assert_eq!(raw_refresh(&server, "made-up").await.unwrap_err().code, ErrorCode::Unauthorized);
}

async fn get_me_with(server: &TestServer, token: &str) -> (u16, Option<ApiError>) {
    let response =
        reqwest::Client::new().get(format!("{}api/v1/me", server.url())).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, if status == 200 { None } else { Some(response.json().await.unwrap()) })
}

#[tokio::test]
async fn expired_forged_and_missing_tokens_are_refused() {
    let server = TestServer::start().await;
    let (client, me) = server.signed_up("heidi").await;
    let session_id = client.devices().await.unwrap()[0].id.clone();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;

    let valid = mint_access_token(&me.id, &session_id, now + 600, TEST_JWT_SECRET);
    assert_eq!(get_me_with(&server, &valid).await.0, 200);

    let expired = mint_access_token(&me.id, &session_id, now - 3600, TEST_JWT_SECRET);
    let (status, error) = get_me_with(&server, &expired).await;
    assert_eq!((status, error.unwrap().code), (401, ErrorCode::TokenExpired));

    let forged = mint_access_token(&me.id, &session_id, now + 600, "not the server's secret");
    assert_eq!(get_me_with(&server, &forged).await.1.unwrap().code, ErrorCode::Unauthorized);

    let response = reqwest::get(format!("{}api/v1/me", server.url())).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::Unauthorized);

    // A token for a signed-out session stops working at once, before it expires.
    client.sign_out().await.unwrap();
    assert_eq!(get_me_with(&server, &valid).await.1.unwrap().code, ErrorCode::SessionRevoked);
}

#[tokio::test]
async fn restart_resumes_from_the_token_store() {
    let server = TestServer::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
    let config = gkchat_client::ClientConfig::new(server.url(), "first run");
    let first = gkchat_client::Client::with_token_store(config.clone(), store.clone()).unwrap();
    let me = first.sign_up(&sign_up_request("ivan")).await.unwrap();
    let kept = store.load().unwrap().expect("refresh token kept");
    drop(first);

    // "App restart": a new client over the same store is signed in without a password.
    let second = gkchat_client::Client::with_token_store(config.clone(), store.clone()).unwrap();
    assert_eq!(second.resume().await.unwrap().map(|m| m.id), Some(me.id.clone()));
    assert_ne!(store.load().unwrap().unwrap().refresh_token, kept.refresh_token, "rotated and saved");
    second.sign_out().await.unwrap();
    assert_eq!(store.load().unwrap(), None, "sign-out clears the store");

    let third = gkchat_client::Client::with_token_store(config, store).unwrap();
    assert_eq!(third.resume().await.unwrap(), None);
}

#[tokio::test]
async fn a_start_without_the_server_takes_up_the_kept_sign_in() {
    let temp = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(temp.path()).await;
    let addr = server.addr;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
    let config = gkchat_client::ClientConfig::new(server.url(), "first run");
    let me = gkchat_client::Client::with_token_store(config.clone(), store.clone())
        .unwrap()
        .sign_up(&sign_up_request("olga"))
        .await
        .unwrap();
    server.stop().await;

    // The app starts offline: it is signed in as olga at once (its local store can open),
    // asking the server is what fails, and the kept sign-in stays.
    let offline = gkchat_client::Client::with_token_store(config.clone(), store.clone()).unwrap();
    assert_eq!(offline.resume_stored().await.unwrap(), Some(me.id.clone()));
    assert_eq!(offline.watch_account().borrow().clone(), Some(me.id.clone()));
    assert!(matches!(offline.me().await, Err(gkchat_client::Error::Unreachable(_))));
    assert!(offline.is_signed_in().await && store.load().unwrap().is_some());

    // The server returns: the first request refreshes the tokens.
    let server = TestServer::start_with(test_config(temp.path()), addr).await;
    assert_eq!(offline.me().await.unwrap().id, me.id);

    // A sign-in the server ended meanwhile is forgotten at the first request.
    let other = server.client();
    other.sign_in("olga", TEST_PASSWORD, test_device("phone")).await.unwrap();
    other.sign_out_other_devices().await.unwrap();
    let ended = gkchat_client::Client::with_token_store(config, store.clone()).unwrap();
    assert_eq!(ended.resume_stored().await.unwrap(), Some(me.id.clone()));
    assert!(ended.me().await.is_err());
    assert!(!ended.is_signed_in().await);
    assert_eq!(ended.watch_account().borrow().clone(), None);
    assert_eq!(store.load().unwrap(), None);
}

#[tokio::test]
async fn live_connection_is_signed_in() {
    let server = TestServer::start().await;
    let (client, me) = server.signed_up("judy").await;
    let connection = client.connect();
    let state = within(WAIT, "connected", connection.wait_for(ConnectionState::is_connected)).await;
    assert!(matches!(state, ConnectionState::Connected { user_id: Some(ref id), .. } if *id == me.id), "{state:?}");
    connection.close().await;

    let anonymous = server.client().connect();
    let state = within(WAIT, "connected", anonymous.wait_for(ConnectionState::is_connected)).await;
    assert!(matches!(state, ConnectionState::Connected { user_id: None, .. }), "{state:?}");
    anonymous.close().await;
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let temp = tempfile::tempdir().unwrap();
    let config = gkchat_server::Config { auth_attempts_per_account_minute: 3, ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    server.signed_up("mallory.target").await;
    let client = client_for(server.url());
    for _ in 0..3 {
        let attempt = client.sign_in("mallory.target", "guess guess guess", test_device("x")).await;
        assert_eq!(api_code(attempt), ErrorCode::InvalidCredentials);
    }
    let response = reqwest::Client::new()
        .post(format!("{}api/v1/auth/signin", server.url()))
        .json(&SignInRequest {
            login: "Mallory.Target".into(),
            password: TEST_PASSWORD.into(),
            device: test_device("x"),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::RateLimited);
}

/// A sign-in straight over HTTP, for the status and headers the client does not surface.
async fn raw_sign_in(server: &TestServer, login: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}api/v1/auth/signin", server.url()))
        .json(&SignInRequest { login: login.into(), password: password.into(), device: test_device("x") })
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_address_is_rate_limited_across_accounts() {
    let temp = tempfile::tempdir().unwrap();
    // The accounts are made with the usual (high) limits; then the server restarts with a low
    // per-IP limit and a high per-account one, so only the address can be what runs out.
    let server = TestServer::start_in(temp.path()).await;
    for name in ["ann", "ben", "cat", "dan"] {
        server.signed_up(name).await;
    }
    server.stop().await;
    let config = gkchat_server::Config { auth_attempts_per_ip_minute: 3, ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;

    assert_eq!(raw_sign_in(&server, "ann", TEST_PASSWORD).await.status(), 200);
    assert_eq!(raw_sign_in(&server, "ben", "a wrong password here").await.status(), 401);
    assert_eq!(raw_sign_in(&server, "cat", TEST_PASSWORD).await.status(), 200);
    // A fourth account, never tried before, and the right password: the address is spent.
    let response = raw_sign_in(&server, "dan", TEST_PASSWORD).await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::RateLimited);
    // The same address signing up is held back as well.
    assert_eq!(api_code(server.client().sign_up(&sign_up_request("eve")).await), ErrorCode::RateLimited);
}

/// How many rows `sql` (a `SELECT COUNT(*) AS n …` with `$1` for `user_id`) counts.
async fn count(db: &sea_orm::DatabaseConnection, sql: &str, user_id: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [user_id.into()]);
    db.query_one(statement).await.unwrap().unwrap().try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn delete_account_clears_personal_data_and_frees_the_name() {
    use gkchat_proto::chat::{Content, NewMessage};
    use gkchat_tests::online;
    use gkchat_tests::sms::SmsGateway;
    use sea_orm::{ConnectionTrait, Database, Statement};

    let mut gateway = SmsGateway::start().await;
    let temp = tempfile::tempdir().unwrap();
    let config = gkchat_server::Config { sms_gateway_url: gateway.url.clone(), ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let (client, me) = server.signed_up("kim").await;
    let (lee, lee_me) = server.signed_up("leena").await;
    let (mo, mo_me) = server.signed_up("morgan").await;
    client
        .update_profile(&ProfileUpdate {
            about: Some("private words".into()),
            status_text: Some("at the gym".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    client.request_phone_verification("+44 7911 123456").await.unwrap();
    let code = gateway.code_for("+447911123456").await;
    assert_eq!(client.verify_phone("+44 7911 123456", &code).await.unwrap().phone.as_deref(), Some("+447911123456"));
    // Contacts and blocks both ways, and a message to lee.
    client.add_contact("leena").await.unwrap();
    lee.add_contact("kim").await.unwrap();
    client.block(&mo_me.id).await.unwrap();
    mo.block(&me.id).await.unwrap();
    let (live, _events) = online(&client).await;
    let sent = NewMessage {
        id: uuid::Uuid::now_v7().to_string(),
        chat_id: gkchat_tests::direct_chat(&client, &lee_me.id).await,
        content: Content::text("see you at noon"),
        reply_to: None,
        forwarded: false,
    };
    let chat_id = live.send_message(sent.clone()).await.unwrap().chat_id;
    live.close().await;
    let other_device = server.client();
    other_device.sign_in("kim", TEST_PASSWORD, test_device("phone")).await.unwrap();
    let db = Database::connect(test_config(&server.data_dir).database_url()).await.unwrap();
    let personal_rows = [
        ("sessions", "SELECT COUNT(*) AS n FROM device_sessions WHERE user_id = $1"),
        ("my contacts", "SELECT COUNT(*) AS n FROM contacts WHERE owner_id = $1"),
        ("in others' contacts", "SELECT COUNT(*) AS n FROM contacts WHERE contact_id = $1"),
        ("my blocks", "SELECT COUNT(*) AS n FROM blocks WHERE blocker_id = $1"),
        ("blocks of me", "SELECT COUNT(*) AS n FROM blocks WHERE blocked_id = $1"),
        ("codes for me", "SELECT COUNT(*) AS n FROM otp_codes WHERE user_id = $1"),
    ];
    for (what, sql) in personal_rows {
        assert!(count(&db, sql, &me.id).await > 0, "{what} exist before");
    }

    assert_eq!(api_code(client.delete_account("not my password").await), ErrorCode::InvalidCredentials);
    assert_eq!(client.me().await.unwrap().id, me.id, "a wrong password deletes nothing");

    client.delete_account(TEST_PASSWORD).await.unwrap();
    assert!(!client.is_signed_in().await);
    assert_eq!(api_code(other_device.me().await), ErrorCode::SessionRevoked, "signed out everywhere");
    let again = server.client().sign_in("kim", TEST_PASSWORD, test_device("x")).await;
    assert_eq!(api_code(again), ErrorCode::InvalidCredentials);

    // The database itself: an anonymous row remains for past messages, nothing personal.
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            "SELECT username, email, phone, password_hash, display_name, about, status_text, contact_token, \
             photo_id, deleted_at FROM users WHERE id = $1",
            [me.id.clone().into()],
        ))
        .await
        .unwrap()
        .expect("the row stays");
    for column in ["username", "email", "phone", "password_hash", "contact_token", "photo_id"] {
        assert_eq!(row.try_get::<Option<String>>("", column).unwrap(), None, "{column}");
    }
    assert_eq!(row.try_get::<String>("", "display_name").unwrap(), "Deleted account");
    assert_eq!(row.try_get::<String>("", "about").unwrap(), "");
    assert_eq!(row.try_get::<String>("", "status_text").unwrap(), "");
    assert!(row.try_get::<Option<i64>>("", "deleted_at").unwrap().is_some());
    for (what, sql) in personal_rows {
        assert_eq!(count(&db, sql, &me.id).await, 0, "{what} gone");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM otp_codes WHERE phone = $1", "+447911123456").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM device_sessions WHERE user_id = $1", &lee_me.id).await, 1);
    assert!(lee.contacts().await.unwrap().is_empty(), "gone from lee's contacts");
    assert!(mo.blocked_users().await.unwrap().is_empty(), "gone from mo's blocked list");

    // The message kim sent stays for lee, from "Deleted account".
    let tile = lee.chats().await.unwrap().into_iter().find(|c| c.id == chat_id).expect("lee keeps the chat");
    assert_eq!((tile.title.as_str(), tile.photo.as_deref()), ("Deleted account", None));
    let synced = lee.sync(&gkchat_proto::chat::SyncRequest::default()).await.unwrap();
    let members = synced.members.into_iter().find(|m| m.chat_id == chat_id).expect("the chat's members");
    let peer = members.members.into_iter().find(|m| m.user_id != lee_me.id).expect("a peer");
    assert_eq!(
        (peer.user_id.as_str(), peer.display_name.as_str(), peer.username.as_str()),
        (me.id.as_str(), "Deleted account", "")
    );
    assert_eq!(peer.photo, None);
    let history = lee.history(&chat_id, None, 50).await.unwrap();
    assert_eq!(history.messages.len(), 1);
    let kept = &history.messages[0];
    assert_eq!((kept.id.as_str(), kept.sender_id.as_str()), (sent.id.as_str(), me.id.as_str()));
    assert_eq!(kept.content, Some(Content::text("see you at noon")));

    // The username, email and number are free again, for a new account.
    let (reborn_client, reborn) = server.signed_up("kim").await;
    assert_ne!(reborn.id, me.id);
    reborn_client.request_phone_verification("+44 7911 123456").await.unwrap();
}

#[tokio::test]
async fn signing_a_device_out_closes_its_live_connection_at_once() {
    let server = TestServer::start().await;
    let (laptop, _) = server.signed_up("lena").await;
    let phone = server.client();
    phone.sign_in("lena", TEST_PASSWORD, test_device("phone")).await.unwrap();
    let connection = phone.connect();
    let mut events = connection.events();
    within(WAIT, "phone connected", connection.wait_for(ConnectionState::is_connected)).await;
    let mut account = phone.watch_account();

    laptop.sign_out_other_devices().await.unwrap();

    // The server says why and closes; the phone forgets its sign-in without any request of its own.
    let told = within(WAIT, "session_revoked on the socket", async {
        loop {
            match events.next().await {
                Some(gkchat_client::Event::ServerError(error)) => break error.code,
                Some(_) => {}
                None => panic!("events ended"),
            }
        }
    })
    .await;
    assert_eq!(told, ErrorCode::SessionRevoked);
    within(WAIT, "phone signed out", account.wait_for(Option::is_none)).await.unwrap();
    let state = within(WAIT, "anonymous again", connection.wait_for(ConnectionState::is_connected)).await;
    assert!(matches!(state, ConnectionState::Connected { user_id: None, .. }), "{state:?}");
    connection.close().await;
}
