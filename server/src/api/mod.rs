//! The REST API under `/api/v1`, one module per feature. Handlers validate input, call the
//! service functions in `db`, and shape the answer; they build no queries themselves.

mod auth;
mod calls;
mod chats;
mod contacts;
mod me;
pub(crate) mod phone;
mod photo;
mod quick;
mod safety;

use axum::Router;
use axum::extract::FromRequest;
use axum::routing::{delete, get, patch, post, put};

use crate::AppState;
use crate::error::Error;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(auth::sign_up))
        .route("/auth/signin", post(auth::sign_in))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/signout", post(auth::sign_out))
        .route("/auth/phone/code", post(phone::request_sign_in_code))
        .route("/auth/phone/signin", post(phone::sign_in_with_code))
        .route("/me/phone", post(phone::request_verification))
        .route("/me/phone/verify", post(phone::verify))
        .route("/me", get(me::get_me).patch(me::update_me).delete(me::delete_me))
        .route("/me/photo", put(photo::set).delete(photo::remove))
        .route("/users/{user_id}/photo", get(photo::get))
        .route("/me/sessions", get(me::list_sessions))
        .route("/me/sessions/sign-out-others", post(me::sign_out_others))
        .route("/me/sessions/{id}", delete(me::sign_out_session))
        .route("/contacts", get(contacts::list).post(contacts::add))
        .route("/me/contact-link", get(contacts::my_link))
        .route("/me/contact-link/reset", post(contacts::reset_link))
        .route("/contacts/{user_id}", delete(contacts::remove))
        .route("/blocks", get(safety::list_blocked).post(safety::block))
        .route("/blocks/{user_id}", delete(safety::unblock))
        .route("/reports", post(safety::report))
        .route("/chats", get(chats::list))
        .route("/chats/{chat_id}", patch(chats::update))
        .route("/chats/{chat_id}/messages", get(chats::history))
        .route("/chats/{chat_id}/messages/{message_id}/info", get(chats::message_info))
        .route("/sync", post(chats::sync))
        .route("/calls", get(calls::log))
        .route("/quick", post(quick::create))
        .route("/quick/{room}/{token}", get(quick::landing))
        .route("/quick/{room}/{token}/join", post(quick::join))
        .route("/quick/{room}/{token}/end", post(quick::end))
        .route("/quick/{room}/{token}/live", get(quick::live))
}

/// `Json` whose rejections are our [`Error`] (a `bad_request` body), not axum's plain text.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);
