//! REST calls to the companion server: server info, accounts, profile and devices.

use gkchat_proto::account::{
    AuthTokens, DeviceInfo, DeviceSession, Me, PhotoCrop, PhotoSize, ProfileUpdate, RefreshRequest, SignInRequest,
    SignUpRequest,
};
use gkchat_proto::chat::{ChatSettingsUpdate, ChatSummary, HistoryPage, SyncRequest, SyncResponse};
use gkchat_proto::{ApiError, ErrorCode, ServerInfo};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::{Tokens, ends_sign_in, with_store};
use crate::{Client, Error, Result};

/// Checks a user-typed server address: `http(s)://host[:port][/path]`, nothing else.
pub fn parse_server_url(text: &str) -> Result<Url> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| Error::InvalidUrl(format!("{text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidUrl(format!("{text:?} must start with http:// or https://")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidUrl(format!("{text:?} has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::InvalidUrl(format!("{text:?} must not carry a query, fragment or user name")));
    }
    Ok(url)
}

/// The code of an invite link, refused here when it cannot be one (never put in a URL path).
fn invite_code(link: &str) -> Result<&str> {
    gkchat_proto::group::InviteLink::valid_code(link).ok_or_else(|| Error::Invalid {
        code: ErrorCode::InviteInvalid,
        message: "that is not a group invite link".into(),
    })
}

/// `base` + `path`, keeping any path prefix the server lives under (`https://host/gk/`).
pub(crate) fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", url.path().trim_end_matches('/'), path.trim_start_matches('/'));
    url.set_path(&joined);
    url
}

impl Client {
    /// `GET /api/v1/info`.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        self.request(Method::GET, "api/v1/info", None::<&()>, None).await
    }

    /// Creates an account and signs this device in.
    pub async fn sign_up(&self, request: &SignUpRequest) -> Result<Me> {
        let tokens: AuthTokens = self.request(Method::POST, "api/v1/auth/signup", Some(request), None).await?;
        self.adopt(&tokens).await?;
        Ok(tokens.user)
    }

    /// Signs this device in with a username or email and a password.
    pub async fn sign_in(&self, login: &str, password: &str, device: DeviceInfo) -> Result<Me> {
        let request = SignInRequest { login: login.to_owned(), password: password.to_owned(), device };
        let tokens: AuthTokens = self.request(Method::POST, "api/v1/auth/signin", Some(&request), None).await?;
        self.adopt(&tokens).await?;
        Ok(tokens.user)
    }

    /// Asks for a one-time code by SMS to sign in with `phone`.
    pub async fn request_sign_in_code(&self, phone: &str) -> Result<gkchat_proto::account::PhoneCodeSent> {
        let request = gkchat_proto::account::PhoneCodeRequest { phone: phone.to_owned() };
        self.request(Method::POST, "api/v1/auth/phone/code", Some(&request), None).await
    }

    /// Signs this device in with a phone number and the code sent to it.
    pub async fn sign_in_with_code(&self, phone: &str, code: &str, device: DeviceInfo) -> Result<Me> {
        let request =
            gkchat_proto::account::PhoneSignInRequest { phone: phone.to_owned(), code: code.to_owned(), device };
        let tokens: AuthTokens = self.request(Method::POST, "api/v1/auth/phone/signin", Some(&request), None).await?;
        self.adopt(&tokens).await?;
        Ok(tokens.user)
    }

    /// Sends a code to `phone` to verify it for my account.
    pub async fn request_phone_verification(&self, phone: &str) -> Result<gkchat_proto::account::PhoneCodeSent> {
        let request = gkchat_proto::account::PhoneCodeRequest { phone: phone.to_owned() };
        self.authed(Method::POST, "api/v1/me/phone", Some(&request)).await
    }

    /// Confirms the code: the number becomes my verified phone.
    pub async fn verify_phone(&self, phone: &str, code: &str) -> Result<Me> {
        let request = gkchat_proto::account::VerifyPhoneRequest { phone: phone.to_owned(), code: code.to_owned() };
        self.authed(Method::POST, "api/v1/me/phone/verify", Some(&request)).await
    }

    /// Picks up the sign-in kept in the token store (after an app restart). `Ok(None)` when
    /// there is none or the server ended it; an error when the server cannot be asked now.
    pub async fn resume(&self) -> Result<Option<Me>> {
        let mut guard = self.inner.tokens.lock().await;
        if guard.is_none() {
            let Some(stored) = with_store(&self.inner.store, |s| s.load()).await? else { return Ok(None) };
            *guard = Some(Tokens { access_token: String::new(), access_expires_at: 0, stored });
        }
        match self.refresh_locked(&mut guard).await {
            Ok(me) => Ok(Some(me)),
            Err(err) if ends_sign_in(&err) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Takes up the sign-in kept in the token store without asking the server, so the app can
    /// open its local store at once (also offline); returns its user id. The first request
    /// that needs a token refreshes it, and forgets the sign-in if the server has ended it.
    pub async fn resume_stored(&self) -> Result<Option<String>> {
        let mut guard = self.inner.tokens.lock().await;
        if guard.is_none() {
            let Some(stored) = with_store(&self.inner.store, |s| s.load()).await? else { return Ok(None) };
            *guard = Some(Tokens { access_token: String::new(), access_expires_at: 0, stored });
        }
        let user_id = guard.as_ref().map(|t| t.stored.user_id.clone());
        self.announce(user_id.clone());
        Ok(user_id)
    }

    /// Signs this device out, on the server (if reachable) and locally.
    pub async fn sign_out(&self) -> Result<()> {
        let remote = self.authed::<()>(Method::POST, "api/v1/auth/signout", None::<&()>).await;
        let mut guard = self.inner.tokens.lock().await;
        self.forget_locked(&mut guard).await?;
        match remote {
            Ok(()) | Err(Error::SignedOut) => Ok(()),
            Err(err) if ends_sign_in(&err) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Deletes the signed-in account (the password is asked again) and forgets the sign-in.
    pub async fn delete_account(&self, password: &str) -> Result<()> {
        let request = gkchat_proto::account::DeleteAccountRequest { password: password.to_owned() };
        self.authed::<()>(Method::DELETE, "api/v1/me", Some(&request)).await?;
        let mut guard = self.inner.tokens.lock().await;
        self.forget_locked(&mut guard).await
    }

    pub async fn is_signed_in(&self) -> bool {
        self.inner.tokens.lock().await.is_some()
    }

    pub async fn me(&self) -> Result<Me> {
        self.authed(Method::GET, "api/v1/me", None::<&()>).await
    }

    pub async fn update_profile(&self, update: &ProfileUpdate) -> Result<Me> {
        self.authed(Method::PATCH, "api/v1/me", Some(update)).await
    }

    /// My signed-in devices, most recently used first.
    pub async fn devices(&self) -> Result<Vec<DeviceSession>> {
        self.authed(Method::GET, "api/v1/me/sessions", None::<&()>).await
    }

    pub async fn sign_out_device(&self, session_id: &str) -> Result<()> {
        let path = format!("api/v1/me/sessions/{session_id}");
        self.authed(Method::DELETE, &path, None::<&()>).await
    }

    pub async fn sign_out_other_devices(&self) -> Result<()> {
        self.authed(Method::POST, "api/v1/me/sessions/sign-out-others", None::<&()>).await
    }

    /// My contacts, as their privacy settings let me see them.
    pub async fn contacts(&self) -> Result<Vec<gkchat_proto::account::Contact>> {
        self.authed(Method::GET, "api/v1/contacts", None::<&()>).await
    }

    /// Adds someone to my contacts (adding twice is fine) by what a person typed or scanned:
    /// a username, a `+` phone number, or a `gkchat://add/…` contact link.
    pub async fn add_contact(&self, who: &str) -> Result<gkchat_proto::account::Contact> {
        let request = gkchat_proto::account::AddContactRequest::from_text(who);
        self.authed(Method::POST, "api/v1/contacts", Some(&request)).await
    }

    /// My contact link (`gkchat://add/…`), for the QR code others scan.
    pub async fn contact_link(&self) -> Result<String> {
        let link: gkchat_proto::account::ContactLink =
            self.authed(Method::GET, "api/v1/me/contact-link", None::<&()>).await?;
        Ok(link.link)
    }

    /// A new contact link; QR codes with the old one stop working.
    pub async fn reset_contact_link(&self) -> Result<String> {
        let link: gkchat_proto::account::ContactLink =
            self.authed(Method::POST, "api/v1/me/contact-link/reset", None::<&()>).await?;
        Ok(link.link)
    }

    pub async fn remove_contact(&self, user_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/contacts/{user_id}"), None::<&()>).await
    }

    /// The people I blocked.
    pub async fn blocked_users(&self) -> Result<Vec<gkchat_proto::account::BlockedUser>> {
        self.authed(Method::GET, "api/v1/blocks", None::<&()>).await
    }

    pub async fn block(&self, user_id: &str) -> Result<()> {
        let request = gkchat_proto::account::BlockRequest { user_id: user_id.to_owned() };
        self.authed(Method::POST, "api/v1/blocks", Some(&request)).await
    }

    pub async fn unblock(&self, user_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/blocks/{user_id}"), None::<&()>).await
    }

    /// Reports a user to the server's operator, optionally blocking them too.
    pub async fn report(&self, request: &gkchat_proto::account::ReportRequest) -> Result<String> {
        let receipt: gkchat_proto::account::ReportReceipt =
            self.authed(Method::POST, "api/v1/reports", Some(request)).await?;
        Ok(receipt.id)
    }

    /// Sets my profile photo from an image file's bytes (PNG, JPEG, WebP or GIF), cropped to
    /// `crop` (or the largest centred square); the server makes the square and the thumbnail.
    pub async fn set_photo(&self, image: Vec<u8>, crop: Option<PhotoCrop>) -> Result<Me> {
        let query = crop.map(|c| format!("x={}&y={}&size={}", c.x, c.y, c.size));
        decode(&self.authed_bytes(Method::PUT, "api/v1/me/photo", query.as_deref(), Payload::Bytes(image)).await?)
    }

    /// Removes my profile photo.
    pub async fn remove_photo(&self) -> Result<Me> {
        self.authed(Method::DELETE, "api/v1/me/photo", None::<&()>).await
    }

    /// Someone's current photo (a JPEG), or `None` when they have none or may not show it to me.
    pub async fn user_photo(&self, user_id: &str, size: PhotoSize) -> Result<Option<Vec<u8>>> {
        self.photo(&format!("api/v1/users/{user_id}/photo"), size).await
    }

    /// A photo at `path` (a JPEG), or `None` when there is none to show me.
    async fn photo(&self, path: &str, size: PhotoSize) -> Result<Option<Vec<u8>>> {
        let query = format!("size={}", size.as_str());
        match self.authed_bytes(Method::GET, path, Some(&query), Payload::Empty).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Error::Api { error, .. }) if error.code == ErrorCode::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// My chats as tiles.
    pub async fn chats(&self) -> Result<Vec<ChatSummary>> {
        self.authed(Method::GET, "api/v1/chats", None::<&()>).await
    }

    /// The direct chat with a person, started if there is none.
    pub async fn open_direct(&self, user_id: &str) -> Result<ChatSummary> {
        let request = gkchat_proto::chat::OpenDirectChat { user_id: user_id.to_owned() };
        self.authed(Method::POST, "api/v1/chats/direct", Some(&request)).await
    }

    /// Makes a group with me as its owner and the members who may be added.
    pub async fn create_group(&self, new: &gkchat_proto::group::NewGroup) -> Result<gkchat_proto::group::MembersAdded> {
        self.authed(Method::POST, "api/v1/groups", Some(new)).await
    }

    pub async fn group_info(&self, chat_id: &str) -> Result<gkchat_proto::group::GroupInfo> {
        self.authed(Method::GET, &format!("api/v1/chats/{chat_id}/group"), None::<&()>).await
    }

    pub async fn update_group(
        &self,
        chat_id: &str,
        update: &gkchat_proto::group::GroupInfoUpdate,
    ) -> Result<gkchat_proto::group::GroupInfo> {
        self.authed(Method::PATCH, &format!("api/v1/chats/{chat_id}/group"), Some(update)).await
    }

    /// Deletes a group (its owner).
    pub async fn delete_group(&self, chat_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/chats/{chat_id}/group"), None::<&()>).await
    }

    pub async fn members(&self, chat_id: &str) -> Result<Vec<gkchat_proto::chat::ChatMember>> {
        self.authed(Method::GET, &format!("api/v1/chats/{chat_id}/members"), None::<&()>).await
    }

    pub async fn add_members(&self, chat_id: &str, user_ids: &[String]) -> Result<gkchat_proto::group::MembersAdded> {
        let request = gkchat_proto::group::AddMembers { user_ids: user_ids.to_vec() };
        self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/members"), Some(&request)).await
    }

    pub async fn remove_member(&self, chat_id: &str, user_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/chats/{chat_id}/members/{user_id}"), None::<&()>).await
    }

    pub async fn set_role(&self, chat_id: &str, user_id: &str, role: gkchat_proto::chat::MemberRole) -> Result<()> {
        let request = gkchat_proto::group::RoleChange { role };
        self.authed(Method::PUT, &format!("api/v1/chats/{chat_id}/members/{user_id}/role"), Some(&request)).await
    }

    pub async fn leave_group(&self, chat_id: &str) -> Result<()> {
        self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/leave"), None::<&()>).await
    }

    /// The group's invite link (made if it has none).
    pub async fn invite_link(&self, chat_id: &str) -> Result<gkchat_proto::group::InviteLink> {
        self.authed(Method::GET, &format!("api/v1/chats/{chat_id}/invite"), None::<&()>).await
    }

    pub async fn reset_invite_link(&self, chat_id: &str) -> Result<gkchat_proto::group::InviteLink> {
        self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/invite/reset"), None::<&()>).await
    }

    pub async fn revoke_invite_link(&self, chat_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/chats/{chat_id}/invite"), None::<&()>).await
    }

    /// What an invite link (or its code) shows before joining.
    pub async fn invite_preview(&self, link: &str) -> Result<gkchat_proto::group::InvitePreview> {
        let code = invite_code(link)?;
        self.authed(Method::GET, &format!("api/v1/invites/{code}"), None::<&()>).await
    }

    /// The image an invite link's preview shows (`None`: the group has none).
    pub async fn invite_photo(&self, link: &str, size: PhotoSize) -> Result<Option<Vec<u8>>> {
        let code = invite_code(link)?;
        self.photo(&format!("api/v1/invites/{code}/photo"), size).await
    }

    pub async fn join_group(&self, link: &str) -> Result<gkchat_proto::group::JoinOutcome> {
        let code = invite_code(link)?;
        self.authed(Method::POST, &format!("api/v1/invites/{code}/join"), None::<&()>).await
    }

    /// Sets a group's image from an image file's bytes, cropped like a profile photo.
    pub async fn set_group_photo(
        &self,
        chat_id: &str,
        image: Vec<u8>,
        crop: Option<PhotoCrop>,
    ) -> Result<gkchat_proto::group::GroupInfo> {
        let query = crop.map(|c| format!("x={}&y={}&size={}", c.x, c.y, c.size));
        let path = format!("api/v1/chats/{chat_id}/photo");
        decode(&self.authed_bytes(Method::PUT, &path, query.as_deref(), Payload::Bytes(image)).await?)
    }

    pub async fn remove_group_photo(&self, chat_id: &str) -> Result<gkchat_proto::group::GroupInfo> {
        self.authed(Method::DELETE, &format!("api/v1/chats/{chat_id}/photo"), None::<&()>).await
    }

    /// A group's image (`None`: it has none, or I am no longer in it).
    pub async fn chat_photo(&self, chat_id: &str, size: PhotoSize) -> Result<Option<Vec<u8>>> {
        match self.photo(&format!("api/v1/chats/{chat_id}/photo"), size).await {
            Err(Error::Api { error, .. }) if error.code == ErrorCode::NotAMember => Ok(None),
            other => other,
        }
    }

    /// Reports a group I am or was in; returns the report's id.
    pub async fn report_group(&self, chat_id: &str, report: &gkchat_proto::group::GroupReport) -> Result<String> {
        let receipt: gkchat_proto::account::ReportReceipt =
            self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/report"), Some(report)).await?;
        Ok(receipt.id)
    }

    /// "Delete chat" for me (on all my devices); in a group I am still in, I leave first.
    pub async fn delete_chat(&self, chat_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/chats/{chat_id}"), None::<&()>).await
    }

    pub async fn join_requests(&self, chat_id: &str) -> Result<Vec<gkchat_proto::group::JoinRequest>> {
        self.authed(Method::GET, &format!("api/v1/chats/{chat_id}/requests"), None::<&()>).await
    }

    pub async fn decide_join(&self, chat_id: &str, user_id: &str, approve: bool) -> Result<()> {
        let request = gkchat_proto::group::JoinDecision { approve };
        self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/requests/{user_id}"), Some(&request)).await
    }

    /// The contacts who may not add me to groups (with "my contacts except …").
    pub async fn group_add_exceptions(&self) -> Result<Vec<String>> {
        let list: gkchat_proto::group::GroupAddExceptions =
            self.authed(Method::GET, "api/v1/me/group-add-exceptions", None::<&()>).await?;
        Ok(list.user_ids)
    }

    pub async fn set_group_add_exceptions(&self, user_ids: &[String]) -> Result<Vec<String>> {
        let request = gkchat_proto::group::GroupAddExceptions { user_ids: user_ids.to_vec() };
        let list: gkchat_proto::group::GroupAddExceptions =
            self.authed(Method::PUT, "api/v1/me/group-add-exceptions", Some(&request)).await?;
        Ok(list.user_ids)
    }

    /// Posts a status (the same id again answers the post as it is).
    pub async fn post_status(&self, new: &gkchat_proto::status::NewStatus) -> Result<gkchat_proto::status::StatusPost> {
        self.authed(Method::POST, "api/v1/status", Some(new)).await
    }

    /// My live posts and those of everyone whose audience I am in.
    pub async fn status_feed(&self) -> Result<gkchat_proto::status::StatusFeed> {
        self.authed(Method::GET, "api/v1/status", None::<&()>).await
    }

    pub async fn delete_status(&self, post_id: &str) -> Result<()> {
        self.authed(Method::DELETE, &format!("api/v1/status/{post_id}"), None::<&()>).await
    }

    pub async fn view_status(&self, post_id: &str) -> Result<()> {
        self.authed(Method::POST, &format!("api/v1/status/{post_id}/view"), None::<&()>).await
    }

    pub async fn react_to_status(&self, post_id: &str, emoji: Option<String>) -> Result<()> {
        let body = gkchat_proto::status::StatusReaction { emoji };
        self.authed(Method::PUT, &format!("api/v1/status/{post_id}/reaction"), Some(&body)).await
    }

    pub async fn status_viewers(&self, post_id: &str) -> Result<gkchat_proto::status::StatusViewers> {
        self.authed(Method::GET, &format!("api/v1/status/{post_id}/viewers"), None::<&()>).await
    }

    pub async fn set_status_prefs(&self, owner_id: &str, prefs: gkchat_proto::status::StatusPrefs) -> Result<()> {
        self.authed(Method::PUT, &format!("api/v1/status/owners/{owner_id}/prefs"), Some(&prefs)).await
    }

    pub async fn status_audience(&self) -> Result<gkchat_proto::status::StatusAudience> {
        self.authed(Method::GET, "api/v1/me/status-audience", None::<&()>).await
    }

    pub async fn set_status_audience(
        &self,
        audience: &gkchat_proto::status::StatusAudience,
    ) -> Result<gkchat_proto::status::StatusAudience> {
        self.authed(Method::PUT, "api/v1/me/status-audience", Some(audience)).await
    }

    /// The groups I share with someone.
    pub async fn groups_in_common(&self, user_id: &str) -> Result<Vec<ChatSummary>> {
        self.authed(Method::GET, &format!("api/v1/users/{user_id}/groups"), None::<&()>).await
    }

    /// Changes my own settings for a chat (pin, archive, mute).
    pub async fn update_chat(&self, chat_id: &str, update: &ChatSettingsUpdate) -> Result<ChatSummary> {
        self.authed(Method::PATCH, &format!("api/v1/chats/{chat_id}"), Some(update)).await
    }

    /// "Clear chat" for me (on all my devices), optionally keeping my starred messages.
    pub async fn clear_chat(&self, chat_id: &str, keep_starred: bool) -> Result<()> {
        let clear = gkchat_proto::chat::ClearChat { keep_starred };
        self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/clear"), Some(&clear)).await
    }

    /// Accepts a message request: the chat becomes an ordinary one; its tile.
    pub async fn accept_request(&self, chat_id: &str) -> Result<ChatSummary> {
        self.authed(Method::POST, &format!("api/v1/chats/{chat_id}/accept"), None::<&()>).await
    }

    /// Sets my background for a chat, or a group's for everyone.
    pub async fn set_chat_background(
        &self,
        chat_id: &str,
        choice: &gkchat_proto::appearance::ChatBackground,
    ) -> Result<ChatSummary> {
        self.authed(Method::PUT, &format!("api/v1/chats/{chat_id}/background"), Some(choice)).await
    }

    /// Sets a chat's disappearing-message timer (`None`: off).
    pub async fn set_chat_timer(&self, chat_id: &str, after_ms: Option<i64>) -> Result<ChatSummary> {
        let timer = gkchat_proto::chat::ChatTimer { after_ms };
        self.authed(Method::PUT, &format!("api/v1/chats/{chat_id}/timer"), Some(&timer)).await
    }

    /// One page of the changes feed after `request.cursors`.
    pub async fn sync(&self, request: &SyncRequest) -> Result<SyncResponse> {
        self.authed(Method::POST, "api/v1/sync", Some(request)).await
    }

    /// Older messages of a chat, newest first.
    pub async fn history(&self, chat_id: &str, before: Option<i64>, limit: u32) -> Result<HistoryPage> {
        let mut query = format!("limit={limit}");
        if let Some(before) = before {
            query.push_str(&format!("&before={before}"));
        }
        let path = format!("api/v1/chats/{chat_id}/messages");
        decode(&self.authed_bytes(Method::GET, &path, Some(&query), Payload::Empty).await?)
    }

    /// My call log, newest first: `limit` calls that started before `before` (Unix ms).
    pub async fn call_log(&self, before: Option<i64>, limit: u32) -> Result<Vec<gkchat_proto::call::CallLogEntry>> {
        let mut query = format!("limit={limit}");
        if let Some(before) = before {
            query.push_str(&format!("&before={before}"));
        }
        decode(&self.authed_bytes(Method::GET, "api/v1/calls", Some(&query), Payload::Empty).await?)
    }

    /// When the others received and read one of my messages.
    pub async fn message_info(&self, chat_id: &str, message_id: &str) -> Result<gkchat_proto::chat::MessageInfo> {
        self.authed(Method::GET, &format!("api/v1/chats/{chat_id}/messages/{message_id}/info"), None::<&()>).await
    }

    /// A valid access token, refreshed first when it is about to expire.
    pub async fn access_token(&self) -> Result<String> {
        let mut guard = self.inner.tokens.lock().await;
        match guard.as_ref() {
            None => Err(Error::SignedOut),
            Some(tokens) if tokens.is_fresh() => Ok(tokens.access_token.clone()),
            Some(_) => {
                self.refresh_locked(&mut guard).await?;
                Ok(guard.as_ref().map(|t| t.access_token.clone()).ok_or(Error::SignedOut)?)
            }
        }
    }

    /// Stores a new sign-in: the refresh token goes to the token store first.
    async fn adopt(&self, tokens: &AuthTokens) -> Result<()> {
        let next = Tokens::from_response(tokens);
        let stored = next.stored.clone();
        with_store(&self.inner.store, move |s| s.save(&stored)).await?;
        *self.inner.tokens.lock().await = Some(next);
        self.announce(Some(tokens.user.id.clone()));
        Ok(())
    }

    /// Tells the account's watchers who is signed in, only when that changed (a refresh of the
    /// same sign-in must not restart the connection and the messenger).
    fn announce(&self, user_id: Option<String>) {
        self.inner.account.send_if_modified(|current| {
            let changed = *current != user_id;
            *current = user_id;
            changed
        });
    }

    /// Trades the refresh token for new tokens while holding the lock. When the server says
    /// the sign-in is over, forgets it.
    async fn refresh_locked(&self, guard: &mut Option<Tokens>) -> Result<gkchat_proto::account::Me> {
        let Some(current) = guard.as_ref() else { return Err(Error::SignedOut) };
        let request = RefreshRequest { refresh_token: current.stored.refresh_token.clone() };
        let answer: Result<AuthTokens> = self.request(Method::POST, "api/v1/auth/refresh", Some(&request), None).await;
        match answer {
            Ok(tokens) => {
                let next = Tokens::from_response(&tokens);
                let stored = next.stored.clone();
                with_store(&self.inner.store, move |s| s.save(&stored)).await?;
                *guard = Some(next);
                self.announce(Some(tokens.user.id.clone()));
                Ok(tokens.user)
            }
            Err(err) => {
                if ends_sign_in(&err) {
                    self.forget_locked(guard).await?;
                }
                Err(err)
            }
        }
    }

    /// The server refused our token on the live connection: refresh it next time, or, when
    /// the sign-in is over, forget it.
    pub(crate) async fn on_auth_rejected(&self, code: ErrorCode) {
        let mut guard = self.inner.tokens.lock().await;
        match code {
            ErrorCode::TokenExpired => {
                if let Some(tokens) = guard.as_mut() {
                    tokens.access_expires_at = 0;
                }
            }
            ErrorCode::SessionRevoked | ErrorCode::Unauthorized => {
                if let Err(err) = self.forget_locked(&mut guard).await {
                    tracing::warn!(%err, "could not clear the token store");
                }
            }
            _ => {}
        }
    }

    async fn forget_locked(&self, guard: &mut Option<Tokens>) -> Result<()> {
        *guard = None;
        self.announce(None);
        with_store(&self.inner.store, |s| s.clear()).await
    }

    /// A signed-in request with a JSON answer.
    async fn authed<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T> {
        decode(&self.authed_bytes(method, path, None, Payload::json(body)?).await?)
    }

    /// A signed-in request: retried once with refreshed tokens when the access token expired
    /// in flight; a revoked session signs this client out.
    async fn authed_bytes(&self, method: Method, path: &str, query: Option<&str>, body: Payload) -> Result<Vec<u8>> {
        let token = self.access_token().await?;
        match self.send(method.clone(), path, query, &body, Some(&token)).await {
            Err(Error::Api { error, .. }) if error.code == ErrorCode::TokenExpired => {
                {
                    let mut guard = self.inner.tokens.lock().await;
                    self.refresh_locked(&mut guard).await?;
                }
                let token = self.access_token().await?;
                self.send(method, path, query, &body, Some(&token)).await
            }
            Err(err) if ends_sign_in(&err) => {
                let mut guard = self.inner.tokens.lock().await;
                self.forget_locked(&mut guard).await?;
                Err(err)
            }
            other => other,
        }
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        token: Option<&str>,
    ) -> Result<T> {
        decode(&self.send(method, path, None, &Payload::json(body)?, token).await?)
    }

    /// One HTTP exchange: the body of a success, or the server's error.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: &Payload,
        token: Option<&str>,
    ) -> Result<Vec<u8>> {
        let mut url = endpoint(self.server_url(), path);
        url.set_query(query);
        let mut request = self.inner.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match body {
            Payload::Empty => request,
            Payload::Json(bytes) => {
                request.header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes.clone())
            }
            Payload::Bytes(bytes) => {
                request.header(reqwest::header::CONTENT_TYPE, "application/octet-stream").body(bytes.clone())
            }
        };
        exchange(request).await
    }
}

/// Sends `request`: the body of a success, or the server's error.
pub(crate) async fn exchange(request: reqwest::RequestBuilder) -> Result<Vec<u8>> {
    let response = request.send().await.map_err(|e| Error::Unreachable(e.to_string()))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| Error::Unreachable(e.to_string()))?;
    if status.is_success() {
        return Ok(bytes.to_vec());
    }
    match serde_json::from_slice::<ApiError>(&bytes) {
        Ok(error) => Err(Error::Api { status: status.as_u16(), error }),
        Err(_) => Err(Error::Protocol(format!("HTTP {status} without an error body"))),
    }
}

/// A request body, kept so a request can be sent again after a token refresh.
enum Payload {
    Empty,
    Json(Vec<u8>),
    Bytes(Vec<u8>),
}

impl Payload {
    fn json(body: Option<&impl Serialize>) -> Result<Self> {
        match body {
            None => Ok(Self::Empty),
            Some(body) => Ok(Self::Json(serde_json::to_vec(body).map_err(|e| Error::Protocol(e.to_string()))?)),
        }
    }
}

/// A JSON answer; a 204's empty body reads as `()` (JSON null).
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let bytes: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
    serde_json::from_slice(bytes).map_err(|e| Error::Protocol(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_only() {
        assert!(parse_server_url("http://127.0.0.1:8787").is_ok());
        assert!(parse_server_url(" https://chat.example.org/gk/ ").is_ok());
        for bad in ["", "127.0.0.1:8787", "ftp://x", "http://", "http://h/?a=1", "http://u@h", "ws://h"] {
            let err = parse_server_url(bad).unwrap_err();
            assert_eq!(err.code(), gkchat_proto::ErrorCode::InvalidUrl, "{bad}");
        }
    }

    #[test]
    fn endpoint_keeps_path_prefix() {
        let base = Url::parse("https://h/gk/").unwrap();
        assert_eq!(endpoint(&base, "api/v1/info").as_str(), "https://h/gk/api/v1/info");
        let root = Url::parse("http://h:1").unwrap();
        assert_eq!(endpoint(&root, "/ws").as_str(), "http://h:1/ws");
    }
}
