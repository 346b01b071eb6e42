//! The REST API under `/api/v1`, one module per feature. Handlers validate input, call the
//! service functions in `db`, and shape the answer; they build no queries themselves.

mod auth;
mod calls;
mod chats;
mod contacts;
mod groups;
mod me;
mod media;
pub mod phone;
mod photo;
mod quick;
mod safety;
mod status;
mod uploads;

use axum::extract::FromRequest;

use crate::error::Error;
use crate::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .post("/auth/signup", auth::sign_up)
        .post("/auth/signin", auth::sign_in)
        .post("/auth/refresh", auth::refresh)
        .post("/auth/signout", auth::sign_out)
        .post("/auth/phone/code", phone::request_sign_in_code)
        .post("/auth/phone/signin", phone::sign_in_with_code)
        .post("/me/phone", phone::request_verification)
        .post("/me/phone/verify", phone::verify)
        .get("/me", me::get_me)
        .patch("/me", me::update_me)
        .delete("/me", me::delete_me)
        .put("/me/photo", photo::set)
        .delete("/me/photo", photo::remove)
        .get("/users/{user_id}/photo", photo::get)
        .get("/users/{user_id}/groups", groups::in_common)
        .get("/me/sessions", me::list_sessions)
        .post("/me/sessions/sign-out-others", me::sign_out_others)
        .delete("/me/sessions/{id}", me::sign_out_session)
        .get("/contacts", contacts::list)
        .post("/contacts", contacts::add)
        .get("/me/contact-link", contacts::my_link)
        .post("/me/contact-link/reset", contacts::reset_link)
        .delete("/contacts/{user_id}", contacts::remove)
        .get("/blocks", safety::list_blocked)
        .post("/blocks", safety::block)
        .delete("/blocks/{user_id}", safety::unblock)
        .post("/reports", safety::report)
        .get("/chats", chats::list)
        .post("/chats/direct", chats::open_direct)
        .patch("/chats/{chat_id}", chats::update)
        .put("/chats/{chat_id}/timer", chats::set_timer)
        .put("/chats/{chat_id}/background", chats::set_background)
        .post("/chats/{chat_id}/clear", chats::clear)
        .post("/chats/{chat_id}/accept", chats::accept)
        .get("/chats/{chat_id}/messages", chats::history)
        .get("/chats/{chat_id}/messages/{message_id}/info", chats::message_info)
        .post("/sync", chats::sync)
        .post("/groups", groups::create)
        .get("/me/group-add-exceptions", groups::add_exceptions)
        .put("/me/group-add-exceptions", groups::set_add_exceptions)
        .get("/chats/{chat_id}/group", groups::info)
        .patch("/chats/{chat_id}/group", groups::update_info)
        .delete("/chats/{chat_id}/group", groups::delete)
        .get("/chats/{chat_id}/members", groups::members)
        .post("/chats/{chat_id}/members", groups::add)
        .delete("/chats/{chat_id}/members/{user_id}", groups::remove)
        .put("/chats/{chat_id}/members/{user_id}/role", groups::set_role)
        .post("/chats/{chat_id}/leave", groups::leave)
        .get("/chats/{chat_id}/invite", groups::invite_link)
        .post("/chats/{chat_id}/invite/reset", groups::reset_link)
        .delete("/chats/{chat_id}/invite", groups::revoke_link)
        .get("/chats/{chat_id}/requests", groups::requests)
        .post("/chats/{chat_id}/requests/{user_id}", groups::decide)
        .put("/chats/{chat_id}/photo", photo::set_group)
        .delete("/chats/{chat_id}/photo", photo::remove_group)
        .get("/chats/{chat_id}/photo", photo::get_group)
        .post("/chats/{chat_id}/report", groups::report)
        .delete("/chats/{chat_id}", chats::delete_for_me)
        .get("/invites/{code}", groups::preview)
        .get("/invites/{code}/photo", photo::get_invite)
        .post("/invites/{code}/join", groups::join)
        .options("/uploads", uploads::options)
        .post("/uploads", uploads::create)
        .head("/uploads/{id}", uploads::head)
        .patch("/uploads/{id}", uploads::patch)
        .delete("/uploads/{id}", uploads::delete)
        .get("/media/{id}", media::download)
        .get("/media/{id}/info", media::info)
        .get("/calls", calls::log)
        .post("/status", status::post)
        .get("/status", status::feed)
        .delete("/status/{id}", status::delete)
        .post("/status/{id}/view", status::view)
        .put("/status/{id}/reaction", status::react)
        .get("/status/{id}/viewers", status::viewers)
        .put("/status/owners/{owner_id}/prefs", status::set_prefs)
        .get("/me/status-audience", status::audience)
        .put("/me/status-audience", status::set_audience)
        .post("/quick", quick::create)
        .get("/quick/{room}/{token}", quick::landing)
        .post("/quick/{room}/{token}/join", quick::join)
        .post("/quick/{room}/{token}/end", quick::end)
        .get("/quick/{room}/{token}/live", quick::live)
}

/// `Json` whose rejections are our [`Error`] (a `bad_request` body), not axum's plain text.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);
