//! The authorization matrix: every REST route (enumerated from the server's own route table,
//! `gkchat_server::http::routes()`) and every WebSocket frame kind (`ClientFrame::TYPES`) ×
//! who asks — nobody, an expired token, a revoked session, another user who is not a member of
//! the chat (or owner of the thing) the request names, a user the owner blocked, a member the
//! owner removed from her group, a member of her group who is not an admin — with the answer
//! expected in each cell, checked against a real server. A route or frame kind without a row
//! fails the test.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gkchat_proto::account::{Privacy, ProfileUpdate, Visibility};
use gkchat_proto::call::{CallAction, CallKind};
use gkchat_proto::chat::{Content, MessageAction, NewMessage, ReceiptKind};
use gkchat_proto::{ClientFrame, ErrorCode, Hello, PROTOCOL_VERSION, ServerFrame};
use gkchat_tests::{TEST_JWT_SECRET, TEST_PASSWORD, TestServer, mint_access_token, online, test_device, within};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(15);

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    /// No token (a REST call without `Authorization`, a `hello` without a token).
    Anonymous,
    /// The owner's token, past its expiry.
    Expired,
    /// A token of a device session that was signed out.
    Revoked,
    /// Another user: not a member of the chat, not the owner of the thing named.
    Stranger,
    /// A user the owner blocked.
    Blocked,
    /// A former member of the owner's group: she removed them.
    Removed,
    /// A member of the owner's group who is not an admin.
    NonAdmin,
}

const EVERYONE: [Who; 7] =
    [Who::Anonymous, Who::Expired, Who::Revoked, Who::Stranger, Who::Blocked, Who::Removed, Who::NonAdmin];

/// What a REST cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Served: a 1xx or 2xx answer.
    Served,
    /// Refused with this status and code.
    Refused(u16, ErrorCode),
    /// Not asked: the route acts only on the caller's own things (my profile, my sign-out), so
    /// no other person's data is in reach; running it would only change the caller's own state.
    OwnOnly,
}

use Expect::{OwnOnly, Refused, Served};

const UNAUTHORIZED: Expect = Refused(401, ErrorCode::Unauthorized);
const EXPIRED: Expect = Refused(401, ErrorCode::TokenExpired);
const REVOKED: Expect = Refused(401, ErrorCode::SessionRevoked);

/// The cells of a route that needs a signed-in user; about things outside the group, the
/// removed member and the group's member are strangers like any other.
fn signed_in(stranger: Expect, blocked: Expect) -> [Expect; 7] {
    [UNAUTHORIZED, EXPIRED, REVOKED, stranger, blocked, stranger, stranger]
}

/// The cells of a route about the owner's group: nobody outside it (a stranger, the blocked
/// user, the removed member) gets in; a member without admin rights gets `member`.
fn in_group(member: Expect) -> [Expect; 7] {
    let outside = Refused(403, ErrorCode::NotAMember);
    [UNAUTHORIZED, EXPIRED, REVOKED, outside, outside, outside, member]
}

/// The same answer whoever asks (the route takes no token).
fn open_to_all(expect: Expect) -> [Expect; 7] {
    [expect; 7]
}

/// One REST row: the concrete request and what each caller gets.
struct Row {
    path: String,
    body: Option<Value>,
    /// Extra headers (a WebSocket upgrade, a quick-chat session).
    headers: Vec<(&'static str, String)>,
    cells: [Expect; 7],
}

/// The people and things the requests name: Alice owns them; Bob shares a chat with her; Carol
/// is a stranger; Dave is blocked by Alice; Alice's group has Fred (a member) and had Erin (she
/// removed her).
struct World {
    server: TestServer,
    alice_id: String,
    bob_id: String,
    fred_id: String,
    chat_id: String,
    group_id: String,
    message_id: String,
    /// Alice's unfinished upload.
    upload_id: String,
    /// A media Alice sent in her group (after she removed Erin).
    group_media_id: String,
    /// Alice's status post, for Bob (her contact she chatted with) only.
    status_id: String,
    alice_session: String,
    tokens: BTreeMap<Who, Option<String>>,
    /// Alice's quick chat: room, her link token, her session.
    quick: (String, String, String),
    /// Carol's session in a quick chat of her own.
    carol_quick_session: String,
    bob_live: gkchat_client::Connection,
    _bob_events: gkchat_client::Events,
}

async fn world() -> World {
    let server = TestServer::start().await;
    let (alice, alice_me) = server.signed_up("alice").await;
    let (bob, bob_me) = server.signed_up("bob").await;
    let (carol, _) = server.signed_up("carol").await;
    let (dave, dave_me) = server.signed_up("dave").await;
    let (erin, erin_me) = server.signed_up("erin").await;
    let (fred, fred_me) = server.signed_up("fred").await;
    let group = gkchat_proto::group::NewGroup {
        name: "Alice's group".into(),
        description: String::new(),
        member_ids: vec![erin_me.id.clone(), fred_me.id.clone()],
    };
    let group_id = alice.create_group(&group).await.unwrap().chat.id;
    alice.remove_member(&group_id, &erin_me.id).await.unwrap();
    alice.set_group_photo(&group_id, crate::hardening::black_png(200), None).await.unwrap();
    alice.add_contact("bob").await.unwrap();
    alice.set_photo(crate::hardening::black_png(200), None).await.unwrap();
    let privacy = Privacy { photo: Visibility::Contacts, ..Privacy::default() };
    alice.update_profile(&ProfileUpdate { privacy: Some(privacy), ..Default::default() }).await.unwrap();
    alice.block(&dave_me.id).await.unwrap();

    let (bob_live, bob_events) = online(&bob).await;
    let sent = bob_live
        .send_message(NewMessage {
            id: uuid::Uuid::now_v7().to_string(),
            chat_id: gkchat_tests::direct_chat(&bob, &alice_me.id).await,
            content: Content::text("hello alice"),
            reply_to: None,
            forwarded: false,
        })
        .await
        .unwrap();

    let upload_id = alice.create_upload(10, &[("filename", "notes.txt")]).await.unwrap();
    let group_media_id = alice.create_upload(5, &[]).await.unwrap();
    alice.upload_chunk(&group_media_id, 0, b"hello".to_vec()).await.unwrap();
    let (alice_live, _alice_events) = online(&alice).await;
    let attachment = gkchat_proto::media::Attachment {
        media_id: group_media_id.clone(),
        kind: gkchat_proto::media::AttachmentKind::File,
        mime: "text/plain".into(),
        size: 5,
        name: Some("hello.txt".into()),
        width: None,
        height: None,
        duration_ms: None,
        thumbhash: None,
        thumbs: vec![],
        waveform: vec![],
    };
    alice_live
        .send_message(NewMessage {
            id: uuid::Uuid::now_v7().to_string(),
            chat_id: group_id.clone(),
            content: Content::Media { attachments: vec![attachment], caption: String::new() },
            reply_to: None,
            forwarded: false,
        })
        .await
        .unwrap();
    alice_live.close().await;
    let status = gkchat_proto::status::NewStatus {
        id: uuid::Uuid::now_v7().to_string(),
        content: gkchat_proto::status::StatusContent::Text {
            text: "for bob".into(),
            background: "#123456".into(),
            font: gkchat_proto::status::StatusFont::Sans,
        },
    };
    let status_id = alice.post_status(&status).await.unwrap().id;

    let alice_session = alice.devices().await.unwrap()[0].id.clone();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let expired = mint_access_token(&alice_me.id, &alice_session, now - 3600, TEST_JWT_SECRET);
    let alice_laptop = server.client();
    alice_laptop.sign_in("alice", TEST_PASSWORD, test_device("laptop")).await.unwrap();
    let revoked = alice_laptop.access_token().await.unwrap();
    alice_laptop.sign_out().await.unwrap();

    let chats = gkchat_client::QuickChats::new();
    let room = chats.create(&server.url(), ["Ann".into(), "Ben".into()]).await.unwrap();
    let link = gkchat_client::QuickLink::of_invite(&server.url(), &room.invites[0].path).unwrap();
    let session = chats.join(&link, "Ann", &room.invites[0].code).await.unwrap();
    let token = room.invites[0].path.rsplit('/').next().unwrap().to_owned();
    let other = chats.create(&server.url(), ["Cat".into(), "Dan".into()]).await.unwrap();
    let other_link = gkchat_client::QuickLink::of_invite(&server.url(), &other.invites[0].path).unwrap();
    let carol_quick_session = chats.join(&other_link, "Cat", &other.invites[0].code).await.unwrap();

    let tokens = BTreeMap::from([
        (Who::Anonymous, None),
        (Who::Expired, Some(expired)),
        (Who::Revoked, Some(revoked)),
        (Who::Stranger, Some(carol.access_token().await.unwrap())),
        (Who::Blocked, Some(dave.access_token().await.unwrap())),
        (Who::Removed, Some(erin.access_token().await.unwrap())),
        (Who::NonAdmin, Some(fred.access_token().await.unwrap())),
    ]);
    World {
        alice_id: alice_me.id,
        bob_id: bob_me.id,
        fred_id: fred_me.id,
        chat_id: sent.chat_id,
        group_id,
        message_id: sent.id,
        upload_id,
        group_media_id,
        status_id,
        alice_session,
        tokens,
        quick: (room.room_id, token, session),
        carol_quick_session,
        bob_live,
        _bob_events: bob_events,
        server,
    }
}

/// The row of a route, or `None` when the matrix has none (which fails the test).
fn rest_row(world: &World, method: &Method, template: &str) -> Option<Row> {
    let (room, token, _) = &world.quick;
    let path = template
        .replace("{chat_id}", &world.chat_id)
        .replace("{message_id}", &world.message_id)
        .replace("{room}", room)
        .replace("{token}", token);
    let row = |path: String, body: Option<Value>, cells: [Expect; 7]| Some(Row { path, body, headers: vec![], cells });
    let group_path = template.replace("{chat_id}", &world.group_id);
    let admins_only = Refused(403, ErrorCode::AdminsOnly);
    let not_member = Refused(403, ErrorCode::NotAMember);
    let not_found = Refused(404, ErrorCode::NotFound);
    let device = json!({ "name": "x", "platform": "test" });
    match (method.as_str(), template) {
        ("GET", "/healthz" | "/readyz" | "/metrics" | "/api/v1/info") => row(path, None, open_to_all(Served)),
        ("GET", "/q" | "/q/{room}/{token}" | "/q/app.js" | "/q/app.css") => row(path, None, open_to_all(Served)),
        // A link is its own key: whoever holds it sees the landing and the QR codes.
        ("GET", "/api/v1/quick/{room}/{token}" | "/api/v1/quick/{room}/{token}/qr.svg")
        | ("GET", "/api/v1/quick/{room}/{token}/qr.png") => row(path, None, open_to_all(Served)),
        ("GET", "/ws") => Some(Row {
            path,
            body: None,
            headers: upgrade_headers(),
            // Who is asking is decided by the `hello` frame: see the frame matrix.
            cells: open_to_all(Served),
        }),
        ("POST", "/api/v1/auth/signup") => {
            let body = json!({ "username": "x", "email": "x@example.org", "password": "p", "device": device });
            row(path, Some(body), open_to_all(Refused(400, ErrorCode::InvalidUsername)))
        }
        ("POST", "/api/v1/auth/signin") => {
            let body = json!({ "login": "alice", "password": "not her password", "device": device });
            row(path, Some(body), open_to_all(Refused(401, ErrorCode::InvalidCredentials)))
        }
        ("POST", "/api/v1/auth/refresh") => {
            row(path, Some(json!({ "refresh_token": "made-up" })), open_to_all(UNAUTHORIZED))
        }
        ("POST", "/api/v1/auth/phone/code") => {
            row(path, Some(json!({ "phone": "12" })), open_to_all(Refused(400, ErrorCode::InvalidPhone)))
        }
        ("POST", "/api/v1/auth/phone/signin") => {
            let body = json!({ "phone": "12", "code": "123456", "device": device });
            row(path, Some(body), open_to_all(Refused(400, ErrorCode::InvalidPhone)))
        }
        ("POST", "/api/v1/quick") => {
            let body = json!({ "names": ["Same", "same"] });
            row(path, Some(body), open_to_all(Refused(400, ErrorCode::BadRequest)))
        }
        ("POST", "/api/v1/quick/{room}/{token}/join") => {
            // Another room's link: the code of this one opens nothing there.
            let path = format!("/api/v1/quick/{}/{token}/join", "0".repeat(24));
            row(path, Some(json!({ "name": "Ann", "code": "WRONG" })), open_to_all(not_found))
        }
        ("POST", "/api/v1/quick/{room}/{token}/end") | ("GET", "/api/v1/quick/{room}/{token}/live") => {
            // Only a session of this room reaches it: none, or one of another room, is refused.
            let mut headers = vec![("authorization", format!("Quick {}", world.carol_quick_session))];
            if method == Method::GET {
                headers.extend(upgrade_headers());
            }
            Some(Row { path, body: None, headers, cells: open_to_all(not_found) })
        }
        // Signed in, and only ever about the caller's own account.
        ("POST", "/api/v1/auth/signout")
        | ("POST", "/api/v1/me/phone" | "/api/v1/me/phone/verify")
        | ("GET" | "PATCH" | "DELETE", "/api/v1/me")
        | ("PUT" | "DELETE", "/api/v1/me/photo")
        | ("GET", "/api/v1/me/sessions")
        | ("POST", "/api/v1/me/sessions/sign-out-others")
        | ("GET" | "POST", "/api/v1/contacts")
        | ("GET", "/api/v1/me/contact-link")
        | ("GET" | "PUT", "/api/v1/me/group-add-exceptions")
        | ("POST", "/api/v1/me/contact-link/reset")
        | ("GET" | "POST", "/api/v1/blocks")
        | ("GET", "/api/v1/chats" | "/api/v1/calls")
        | ("POST", "/api/v1/sync") => row(path, Some(json!({})), signed_in(OwnOnly, OwnOnly)),
        // My status: posting, my feed, who sees my posts, how I follow someone — mine alone.
        ("POST" | "GET", "/api/v1/status")
        | ("GET" | "PUT", "/api/v1/me/status-audience")
        | ("PUT", "/api/v1/status/owners/{owner_id}/prefs") => {
            row(path.replace("{owner_id}", &world.alice_id), Some(json!({})), signed_in(OwnOnly, OwnOnly))
        }
        // Alice's post is Bob's to see: nobody outside its audience views, reacts to, lists
        // the viewers of or deletes it — not even knowing its id.
        ("DELETE", "/api/v1/status/{id}")
        | ("POST", "/api/v1/status/{id}/view")
        | ("GET", "/api/v1/status/{id}/viewers") => {
            row(path.replace("{id}", &world.status_id), None, signed_in(not_found, not_found))
        }
        ("PUT", "/api/v1/status/{id}/reaction") => {
            let body = json!({ "emoji": "👍" });
            row(path.replace("{id}", &world.status_id), Some(body), signed_in(not_found, not_found))
        }
        // Alice's photo is for her contacts: a stranger and a blocked user see nothing.
        ("GET", "/api/v1/users/{user_id}/photo") => {
            row(path.replace("{user_id}", &world.alice_id), None, signed_in(not_found, not_found))
        }
        // Alice's own device session: nobody else can end it.
        ("DELETE", "/api/v1/me/sessions/{id}") => {
            row(path.replace("{id}", &world.alice_session), None, signed_in(not_found, not_found))
        }
        // Bob is Alice's contact, not theirs.
        ("DELETE", "/api/v1/contacts/{user_id}" | "/api/v1/blocks/{user_id}") => {
            row(path.replace("{user_id}", &world.bob_id), None, signed_in(not_found, not_found))
        }
        // A report may attach only messages of the reporter's own chat with that person.
        ("POST", "/api/v1/reports") => {
            let body = json!({ "user_id": world.bob_id, "reason": "spam", "message_ids": [world.message_id] });
            let refused = Refused(400, ErrorCode::BadRequest);
            row(path, Some(body), signed_in(refused, refused))
        }
        // A chat with Alice: anyone may start their own, except someone she blocked.
        ("POST", "/api/v1/chats/direct") => {
            let body = json!({ "user_id": world.alice_id });
            row(path, Some(body), signed_in(OwnOnly, Refused(403, ErrorCode::Blocked)))
        }
        // Anyone may make a group of their own (Alice, if her privacy lets them add her).
        ("POST", "/api/v1/groups") => {
            let body = json!({ "name": "Mine", "member_ids": [world.alice_id] });
            row(path, Some(body), signed_in(Served, Served))
        }
        // Alice's group: its members see it; only admins (Alice) run it; only she deletes it.
        ("GET", "/api/v1/chats/{chat_id}/group" | "/api/v1/chats/{chat_id}/members") => {
            row(group_path, None, in_group(Served))
        }
        // Its background for everyone: admins only.
        ("PUT", "/api/v1/chats/{chat_id}/background") => {
            let body = json!({ "background": { "kind": "pattern", "pattern": "dots" }, "for_everyone": true });
            row(group_path, Some(body), in_group(admins_only))
        }
        // Its timer: only admins, while only admins edit its info (the default).
        ("PUT", "/api/v1/chats/{chat_id}/timer") => {
            row(group_path, Some(json!({ "after_ms": 86_400_000 })), in_group(admins_only))
        }
        ("PATCH", "/api/v1/chats/{chat_id}/group") => {
            row(group_path, Some(json!({ "name": "Mine now" })), in_group(admins_only))
        }
        ("DELETE", "/api/v1/chats/{chat_id}/group") => {
            row(group_path, None, in_group(Refused(403, ErrorCode::Forbidden)))
        }
        ("POST", "/api/v1/chats/{chat_id}/members") => {
            row(group_path, Some(json!({ "user_ids": [world.bob_id] })), in_group(admins_only))
        }
        ("DELETE", "/api/v1/chats/{chat_id}/members/{user_id}") => {
            row(group_path.replace("{user_id}", &world.alice_id), None, in_group(admins_only))
        }
        ("PUT", "/api/v1/chats/{chat_id}/members/{user_id}/role") => {
            let path = group_path.replace("{user_id}", &world.fred_id);
            row(path, Some(json!({ "role": "admin" })), in_group(admins_only))
        }
        // Leaving is about the caller's own membership.
        ("POST", "/api/v1/chats/{chat_id}/leave") => row(group_path, None, in_group(OwnOnly)),
        ("GET" | "DELETE", "/api/v1/chats/{chat_id}/invite")
        | ("POST", "/api/v1/chats/{chat_id}/invite/reset")
        | ("GET", "/api/v1/chats/{chat_id}/requests") => row(group_path, None, in_group(admins_only)),
        ("POST", "/api/v1/chats/{chat_id}/requests/{user_id}") => {
            let path = group_path.replace("{user_id}", &world.bob_id);
            row(path, Some(json!({ "approve": true })), in_group(admins_only))
        }
        // Without the link's code nobody sees a group or joins it.
        // The group's image: its members see it; only admins change it (only admins edit info).
        ("GET", "/api/v1/chats/{chat_id}/photo") => row(group_path, None, in_group(Served)),
        ("PUT" | "DELETE", "/api/v1/chats/{chat_id}/photo") => row(group_path, Some(json!({})), in_group(admins_only)),
        // Members and former members report what they saw: a message of another chat is refused.
        ("POST", "/api/v1/chats/{chat_id}/report") => {
            let body = json!({ "reason": "spam", "message_ids": [world.message_id] });
            let refused = Refused(400, ErrorCode::BadRequest);
            row(group_path, Some(body), [UNAUTHORIZED, EXPIRED, REVOKED, not_member, not_member, refused, refused])
        }
        // "Delete chat" is about the caller's own view, of a chat they are in.
        ("DELETE", "/api/v1/chats/{chat_id}") => row(path, None, signed_in(not_member, not_member)),
        ("POST", "/api/v1/chats/{chat_id}/clear") => {
            row(path, Some(json!({ "keep_starred": true })), signed_in(not_member, not_member))
        }
        // Accepting a message request is about the caller's own membership, of a chat they are
        // in (in a group there is nothing to accept: served, changing nothing).
        ("POST", "/api/v1/chats/{chat_id}/accept") => row(group_path, None, in_group(Served)),
        ("GET", "/api/v1/invites/{code}/photo") => {
            let invalid = Refused(404, ErrorCode::InviteInvalid);
            row(path.replace("{code}", "0123456789abcdef0123456789abcdef"), None, signed_in(invalid, invalid))
        }
        ("GET", "/api/v1/invites/{code}") | ("POST", "/api/v1/invites/{code}/join") => {
            let invalid = Refused(404, ErrorCode::InviteInvalid);
            row(path.replace("{code}", "0123456789abcdef0123456789abcdef"), None, signed_in(invalid, invalid))
        }
        // Groups in common: only ever the caller's own.
        ("GET", "/api/v1/users/{user_id}/groups") => {
            row(path.replace("{user_id}", &world.bob_id), None, signed_in(OwnOnly, OwnOnly))
        }
        // tus: what the server's tus does is no secret; an upload is its uploader's alone.
        ("OPTIONS", "/api/v1/uploads") => row(path, None, open_to_all(Served)),
        ("POST", "/api/v1/uploads") => Some(Row {
            path,
            body: None,
            headers: vec![("tus-resumable", "1.0.0".into()), ("upload-length", "10".into())],
            cells: signed_in(OwnOnly, OwnOnly),
        }),
        ("HEAD" | "PATCH" | "DELETE", "/api/v1/uploads/{id}") => Some(Row {
            path: path.replace("{id}", &world.upload_id),
            body: None,
            headers: vec![
                ("tus-resumable", "1.0.0".into()),
                ("upload-offset", "0".into()),
                ("content-type", "application/offset+octet-stream".into()),
            ],
            cells: signed_in(not_found, not_found),
        }),
        // A media sent in Alice's group: its members read it; nobody outside it, nor Erin, whom
        // she removed before sending it.
        ("GET", "/api/v1/media/{id}" | "/api/v1/media/{id}/info") => Some(Row {
            path: path.replace("{id}", &world.group_media_id),
            body: None,
            headers: vec![],
            cells: [UNAUTHORIZED, EXPIRED, REVOKED, not_found, not_found, not_found, Served],
        }),
        // Alice and Bob's chat: nobody else may change, read or look into it.
        ("PATCH", "/api/v1/chats/{chat_id}") => {
            row(path, Some(json!({ "pinned": true })), signed_in(not_member, not_member))
        }
        ("GET", "/api/v1/chats/{chat_id}/messages" | "/api/v1/chats/{chat_id}/messages/{message_id}/info") => {
            row(path, None, signed_in(not_member, not_member))
        }
        _ => None,
    }
}

fn upgrade_headers() -> Vec<(&'static str, String)> {
    vec![
        ("connection", "upgrade".into()),
        ("upgrade", "websocket".into()),
        ("sec-websocket-version", "13".into()),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==".into()),
    ]
}

#[tokio::test]
async fn every_route_answers_each_caller_as_the_matrix_says() {
    let world = world().await;
    let http = reqwest::Client::new();
    let routes = gkchat_server::http::routes().list();
    assert!(routes.len() > 40, "the route table lists the server's routes: {routes:?}");
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut refused_cells = 0;
    for route in &routes {
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let Some(row) = rest_row(&world, &method, &route.path) else {
            missing.push(format!("{} {}", route.method, route.path));
            continue;
        };
        for (who, expect) in EVERYONE.into_iter().zip(row.cells) {
            if expect == OwnOnly {
                continue;
            }
            let mut request = http.request(method.clone(), format!("http://{}{}", world.server.addr, row.path));
            if let Some(token) = &world.tokens[&who] {
                request = request.bearer_auth(token);
            }
            for (name, value) in &row.headers {
                request = request.header(*name, value);
            }
            if let Some(body) = &row.body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let got = if status < 300 {
                Served
            } else if method == Method::HEAD {
                // A HEAD answer has no body: its status must be the expected one.
                match expect {
                    Refused(wanted, code) if wanted == status => Refused(status, code),
                    _ => Refused(status, ErrorCode::Internal),
                }
            } else {
                let text = response.text().await.unwrap();
                match serde_json::from_str::<gkchat_proto::ApiError>(&text) {
                    Ok(error) => Refused(status, error.code),
                    Err(_) => {
                        panic!("{} {} as {who:?}: {status} without an error body: {text}", route.method, route.path)
                    }
                }
            };
            if got != expect {
                wrong.push(format!("{} {} as {who:?}: expected {expect:?}, got {got:?}", route.method, route.path));
            }
            refused_cells += usize::from(matches!(got, Refused(..)));
        }
    }
    assert!(missing.is_empty(), "routes without rows in the matrix:\n{}", missing.join("\n"));
    assert!(wrong.is_empty(), "cells that do not hold:\n{}", wrong.join("\n"));
    println!("{refused_cells} refusals checked over {} routes", routes.len());
    assert!(refused_cells > 120, "the matrix checks refusals, not only open doors: {refused_cells}");
}

/// What a frame cell expects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FrameExpect {
    /// `hello` itself is refused with this code (the frame is never reached).
    HelloRefused(ErrorCode),
    /// The frame is answered by a frame of this `type`.
    Answer(&'static str),
    /// The frame is answered by an `error` with this code.
    Error(ErrorCode),
    /// No answer, and the connection stays up (the next `ping` is the next answer).
    Silence,
}

/// The frame a caller sends for a frame kind, and what it gets.
fn frame_row(world: &World, kind: &str, who: Who, call_id: &str) -> Option<(ClientFrame, FrameExpect)> {
    use FrameExpect::{Answer, Error, HelloRefused, Silence};
    let chat = world.chat_id.clone();
    let frame = match kind {
        "hello" => ClientFrame::Hello(Hello { protocol: PROTOCOL_VERSION, client: "again".into(), token: None }),
        "ping" => ClientFrame::Ping { id: 1 },
        // To the chat of Alice and Bob: nobody else may write there (a chat with Alice starts
        // with `POST /chats/direct`, where a block refuses).
        "send" => {
            let content = Content::text("let me in");
            let message = NewMessage {
                id: uuid::Uuid::now_v7().to_string(),
                chat_id: chat,
                content,
                reply_to: None,
                forwarded: false,
            };
            ClientFrame::Send { id: 2, message }
        }
        "act" => ClientFrame::Act {
            id: 3,
            chat_id: chat,
            message_id: world.message_id.clone(),
            action: MessageAction::DeleteForEveryone,
        },
        "receipt" => ClientFrame::Receipt { id: 4, chat_id: chat, kind: ReceiptKind::Read, seq: 1 },
        "typing" => ClientFrame::Typing { chat_id: chat, typing: true },
        // The blocked user cannot ring Alice; a stranger cannot answer Bob's call to Alice.
        "call" => {
            if who == Who::Blocked {
                let action = CallAction::Start { callee_id: world.alice_id.clone(), kind: CallKind::Audio };
                ClientFrame::Call { id: 5, call_id: uuid::Uuid::now_v7().to_string(), action }
            } else {
                ClientFrame::Call { id: 5, call_id: call_id.to_owned(), action: CallAction::Accept }
            }
        }
        _ => return None,
    };
    let expect = match (who, kind) {
        (Who::Expired, _) => HelloRefused(ErrorCode::TokenExpired),
        (Who::Revoked, _) => HelloRefused(ErrorCode::SessionRevoked),
        (_, "hello") => Error(ErrorCode::BadRequest),
        (_, "ping") => Answer("pong"),
        (_, "typing") => Silence,
        (Who::Anonymous, _) => Error(ErrorCode::Unauthorized),
        (Who::Blocked, "call") => Error(ErrorCode::Blocked),
        (_, "call") => Error(ErrorCode::CallNotActive),
        _ => Error(ErrorCode::NotAMember),
    };
    Some((frame, expect))
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_frame(socket: &mut Socket) -> Option<ServerFrame> {
    loop {
        match within(WAIT, "a server frame", socket.next()).await {
            Some(Ok(Message::Text(text))) => return Some(ServerFrame::decode(text.as_str()).unwrap()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            _ => return None,
        }
    }
}

/// The `type` of a server frame, as on the wire.
fn kind_of(frame: &ServerFrame) -> String {
    serde_json::to_value(frame).unwrap()["type"].as_str().unwrap().to_owned()
}

/// Says `hello` as `who`, then sends `frame`; what came of it.
async fn try_frame(world: &World, who: Who, frame: &ClientFrame) -> FrameExpect {
    let (mut socket, _) = tokio_tungstenite::connect_async(world.server.ws_url()).await.unwrap();
    let hello = Hello { protocol: PROTOCOL_VERSION, client: "matrix".into(), token: world.tokens[&who].clone() };
    socket.send(Message::text(ClientFrame::Hello(hello).encode())).await.unwrap();
    match next_frame(&mut socket).await {
        Some(ServerFrame::Welcome(_)) => {}
        Some(ServerFrame::Error(error)) => return FrameExpect::HelloRefused(error.code),
        other => panic!("hello answered with {other:?}"),
    }
    socket.send(Message::text(frame.encode())).await.unwrap();
    socket.send(Message::text(ClientFrame::Ping { id: 99 }.encode())).await.unwrap();
    loop {
        match next_frame(&mut socket).await {
            Some(ServerFrame::Pong { id: 99 }) => return FrameExpect::Silence,
            Some(ServerFrame::Error(error)) => return FrameExpect::Error(error.code),
            // Pushes about the caller's own things (a chat it just started) are not answers.
            Some(ServerFrame::Chat(_) | ServerFrame::Message(_) | ServerFrame::Presence(_)) => {}
            Some(answer) => return FrameExpect::Answer(Box::leak(kind_of(&answer).into_boxed_str())),
            None => panic!("the connection ended after {frame:?}"),
        }
    }
}

#[tokio::test]
async fn every_frame_kind_answers_each_caller_as_the_matrix_says() {
    let world = world().await;
    // Bob rings Alice: a call a stranger tries to answer.
    let call_id = uuid::Uuid::now_v7().to_string();
    let start = CallAction::Start { callee_id: world.alice_id.clone(), kind: CallKind::Audio };
    world.bob_live.call(&call_id, start).await.unwrap();

    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    for kind in ClientFrame::TYPES {
        for who in EVERYONE {
            let Some((frame, expect)) = frame_row(&world, kind, who, &call_id) else {
                missing.push(*kind);
                break;
            };
            let got = try_frame(&world, who, &frame).await;
            if got != expect {
                wrong.push(format!("{kind} as {who:?}: expected {expect:?}, got {got:?}"));
            }
        }
    }
    assert!(missing.is_empty(), "frame kinds without rows in the matrix: {missing:?}");
    assert!(wrong.is_empty(), "cells that do not hold:\n{}", wrong.join("\n"));
}
