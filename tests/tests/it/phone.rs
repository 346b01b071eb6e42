//! Phone numbers and one-time codes, delivered through a real HTTP SMS gateway stand-in:
//! verify a number, sign in with it; wrong, used, expired and exhausted codes; cool-down; rate
//! limits on code requests and code checks, per number and per address.

use gkchat_proto::ErrorCode;
use gkchat_tests::sms::SmsGateway;
use gkchat_tests::{TestServer, api_code, test_config, test_device};
use sea_orm::{ConnectionTrait, Database, Statement};

const PHONE: &str = "+44 7911 123456";
const E164: &str = "+447911123456";

async fn server_with_gateway() -> (TestServer, SmsGateway, tempfile::TempDir) {
    limited_server_with_gateway(|config| config).await
}

/// A server sending codes to a gateway of its own, its config changed by `tune`.
async fn limited_server_with_gateway(
    tune: impl FnOnce(gkchat_server::Config) -> gkchat_server::Config,
) -> (TestServer, SmsGateway, tempfile::TempDir) {
    let gateway = SmsGateway::start().await;
    let temp = tempfile::tempdir().unwrap();
    let config = gkchat_server::Config { sms_gateway_url: gateway.url.clone(), ..test_config(temp.path()) };
    let server = TestServer::start_with(tune(config), "127.0.0.1:0".parse().unwrap()).await;
    (server, gateway, temp)
}

/// `POST` of `body` to `path`, anonymous and straight over HTTP: the status, the Retry-After
/// header if any, and the error code if it failed.
async fn raw_post(server: &TestServer, path: &str, body: serde_json::Value) -> (u16, Option<u64>, Option<ErrorCode>) {
    let response = reqwest::Client::new().post(format!("{}{path}", server.url())).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let code = if response.status().is_success() {
        None
    } else {
        Some(response.json::<gkchat_proto::ApiError>().await.unwrap().code)
    };
    (status, retry_after, code)
}

async fn request_code(server: &TestServer, phone: &str) -> (u16, Option<u64>, Option<ErrorCode>) {
    raw_post(server, "api/v1/auth/phone/code", serde_json::json!({ "phone": phone })).await
}

async fn check_code(server: &TestServer, phone: &str, code: &str) -> (u16, Option<u64>, Option<ErrorCode>) {
    let device = test_device("phone");
    let body = serde_json::json!({ "phone": phone, "code": code, "device": device });
    raw_post(server, "api/v1/auth/phone/signin", body).await
}

/// A 429 with a Retry-After of a minute at most and the `rate_limited` code.
fn assert_rate_limited((status, retry_after, code): (u16, Option<u64>, Option<ErrorCode>)) {
    assert_eq!((status, code), (429, Some(ErrorCode::RateLimited)));
    let retry_after = retry_after.expect("a Retry-After header");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// Makes every outstanding code of `phone` look older than its cool-down and lifetime allow.
async fn age_codes(server: &TestServer, expire: bool) {
    let db = Database::connect(test_config(&server.data_dir).database_url()).await.unwrap();
    let sql = if expire {
        "UPDATE otp_codes SET created_at = created_at - 3600000, expires_at = 0"
    } else {
        "UPDATE otp_codes SET created_at = created_at - 3600000"
    };
    db.execute(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
}

#[tokio::test]
async fn verify_a_number_then_sign_in_with_it() {
    let (server, mut gateway, _temp) = server_with_gateway().await;
    let (alice, me) = server.signed_up("alice").await;
    assert_eq!(me.phone, None);

    assert_eq!(api_code(alice.request_phone_verification("07911 123456").await), ErrorCode::InvalidPhone);
    let sent = alice.request_phone_verification(PHONE).await.unwrap();
    assert_eq!(sent.phone, E164);
    let message = gateway.next().await;
    assert_eq!(message["purpose"], "verify_phone");
    let code = message["code"].as_str().unwrap().to_owned();
    assert!(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()), "{code}");
    assert!(message["text"].as_str().unwrap().contains(&code));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(api_code(alice.verify_phone(PHONE, wrong).await), ErrorCode::InvalidCode);
    let me = alice.verify_phone(PHONE, &code).await.unwrap();
    assert_eq!(me.phone.as_deref(), Some(E164));
    assert_eq!(api_code(alice.verify_phone(PHONE, &code).await), ErrorCode::InvalidCode, "single use");

    // Sign in on another device with the number.
    let phone_device = server.client();
    phone_device.request_sign_in_code(PHONE).await.unwrap();
    let code = gateway.code_for(E164).await;
    let signed_in = phone_device.sign_in_with_code(PHONE, &code, test_device("phone")).await.unwrap();
    assert_eq!(signed_in.id, me.id);
    assert_eq!(phone_device.me().await.unwrap().id, me.id);

    // Another account cannot take the number.
    let (bob, _) = server.signed_up("bob").await;
    assert_eq!(api_code(bob.request_phone_verification(PHONE).await), ErrorCode::PhoneTaken);
}

#[tokio::test]
async fn unknown_numbers_get_the_same_answer_but_no_sms() {
    let (server, mut gateway, _temp) = server_with_gateway().await;
    let client = server.client();
    let sent = client.request_sign_in_code("+1 650 253 0000").await.unwrap();
    assert_eq!(sent.phone, "+16502530000");
    assert!(gateway.is_quiet(), "no SMS for a number without an account");
    assert_eq!(
        api_code(client.sign_in_with_code("+16502530000", "123456", test_device("x")).await),
        ErrorCode::InvalidCode
    );

    // Asked twice, a registered and an unknown number answer alike: the same statuses, the
    // same cool-down — so the answers do not tell which numbers have accounts.
    let (alice, _) = server.signed_up("alice").await;
    alice.request_phone_verification(PHONE).await.unwrap();
    let code = gateway.code_for(E164).await;
    alice.verify_phone(PHONE, &code).await.unwrap();
    let registered = [request_code(&server, PHONE).await, request_code(&server, PHONE).await];
    let unknown = [request_code(&server, "+1 650 253 0001").await, request_code(&server, "+1 650 253 0001").await];
    assert_eq!(registered.map(|(status, _, code)| (status, code)), [(202, None), (429, Some(ErrorCode::RateLimited))]);
    assert_eq!(unknown.map(|(status, _, code)| (status, code)), [(202, None), (429, Some(ErrorCode::RateLimited))]);
    assert_eq!(registered[1].1, unknown[1].1, "the same Retry-After");
    gateway.code_for(E164).await;
    assert!(gateway.is_quiet(), "one SMS, to the registered number only");
}

#[tokio::test]
async fn cool_down_expiry_and_attempt_limit() {
    let (server, mut gateway, _temp) = server_with_gateway().await;
    let (alice, _) = server.signed_up("alice").await;
    alice.request_phone_verification(PHONE).await.unwrap();
    let first = gateway.code_for(E164).await;

    // A second code right away is refused with Retry-After; the first still works later.
    assert_eq!(api_code(alice.request_phone_verification(PHONE).await), ErrorCode::RateLimited);
    assert!(gateway.is_quiet());

    // Expired codes are refused as such.
    age_codes(&server, true).await;
    assert_eq!(api_code(alice.verify_phone(PHONE, &first).await), ErrorCode::CodeExpired);

    // A new code retires the old one; five wrong tries end it, even for the right code.
    alice.request_phone_verification(PHONE).await.unwrap();
    let second = gateway.code_for(E164).await;
    let wrong = if second == "000000" { "111111" } else { "000000" };
    for attempt in 1..=5 {
        let expected = if attempt < 5 { ErrorCode::InvalidCode } else { ErrorCode::TooManyAttempts };
        assert_eq!(api_code(alice.verify_phone(PHONE, wrong).await), expected, "attempt {attempt}");
    }
    assert_eq!(api_code(alice.verify_phone(PHONE, &second).await), ErrorCode::TooManyAttempts);

    // After the cool-down a fresh code works.
    age_codes(&server, false).await;
    alice.request_phone_verification(PHONE).await.unwrap();
    let third = gateway.code_for(E164).await;
    assert_eq!(alice.verify_phone(PHONE, &third).await.unwrap().phone.as_deref(), Some(E164));
}

#[tokio::test]
async fn a_failing_gateway_is_reported_not_hidden() {
    let temp = tempfile::tempdir().unwrap();
    // Nothing listens on this port.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let config = gkchat_server::Config { sms_gateway_url: format!("http://{dead}/sms"), ..test_config(temp.path()) };
    let server = TestServer::start_with(config, "127.0.0.1:0".parse().unwrap()).await;
    let (alice, _) = server.signed_up("alice").await;
    assert_eq!(api_code(alice.request_phone_verification(PHONE).await), ErrorCode::Unavailable);
}

#[tokio::test]
async fn too_many_code_requests_for_one_number_are_limited_beyond_the_cool_down() {
    // No cool-down at all, so only the per-number limit (4 a minute) can refuse.
    let (server, mut gateway, _temp) = limited_server_with_gateway(|config| gkchat_server::Config {
        otp_resend_secs: 0,
        auth_attempts_per_account_minute: 4,
        ..config
    })
    .await;
    let (alice, _) = server.signed_up("alice").await;
    alice.request_phone_verification(PHONE).await.unwrap();
    let code = gateway.code_for(E164).await;
    alice.verify_phone(PHONE, &code).await.unwrap();

    for _ in 0..2 {
        assert_eq!(request_code(&server, PHONE).await, (202, None, None));
        gateway.code_for(E164).await;
    }
    assert_rate_limited(request_code(&server, PHONE).await);
    assert!(gateway.is_quiet(), "no SMS once limited");
    assert_eq!(api_code(alice.request_phone_verification(PHONE).await), ErrorCode::RateLimited);
    // Per number: another one (from the same address) is still answered.
    assert_eq!(request_code(&server, "+1 650 253 0000").await, (202, None, None));
}

#[tokio::test]
async fn too_many_code_checks_for_one_number_are_limited_even_for_the_right_code() {
    let (server, mut gateway, _temp) =
        limited_server_with_gateway(|config| gkchat_server::Config { auth_attempts_per_account_minute: 4, ..config })
            .await;
    let (alice, _) = server.signed_up("alice").await;
    alice.request_phone_verification(PHONE).await.unwrap();
    let code = gateway.code_for(E164).await;
    alice.verify_phone(PHONE, &code).await.unwrap();

    assert_eq!(request_code(&server, PHONE).await, (202, None, None));
    let code = gateway.code_for(E164).await;
    let (status, _, wrong) = check_code(&server, PHONE, other_than(&code)).await;
    assert_eq!((status, wrong), (401, Some(ErrorCode::InvalidCode)));
    // One wrong try is far from the code's own limit of five: only the rate limit refuses.
    assert_rate_limited(check_code(&server, PHONE, &code).await);
    assert_eq!(api_code(alice.verify_phone(PHONE, &code).await), ErrorCode::RateLimited);
}

#[tokio::test]
async fn one_address_is_limited_across_numbers_for_code_requests_and_checks() {
    let (server, mut gateway, _temp) =
        limited_server_with_gateway(|config| gkchat_server::Config { auth_attempts_per_ip_minute: 3, ..config }).await;
    assert_eq!(request_code(&server, "+44 7911 123457").await, (202, None, None));
    assert_eq!(request_code(&server, "+44 7911 123458").await, (202, None, None));
    let (_, _, code) = check_code(&server, "+1 650 253 0000", "123456").await;
    assert_eq!(code, Some(ErrorCode::InvalidCode));
    // Numbers never tried before: the address is what ran out.
    assert_rate_limited(request_code(&server, PHONE).await);
    assert_rate_limited(check_code(&server, "+1 650 253 0001", "123456").await);
    assert!(gateway.is_quiet());
}
