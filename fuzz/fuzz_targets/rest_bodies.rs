//! REST request bodies: the first byte picks a body type, the rest is its JSON; what parses
//! goes through the field rules the server applies (usernames, emails, names, profile texts,
//! phone numbers, message contents, quick-chat names). Refusals are fine; panics are not.
#![no_main]

use gkchat_proto::account::{
    ABOUT_MAX, AddContactRequest, DeleteAccountRequest, PhoneCodeRequest, PhoneSignInRequest, ProfileUpdate,
    ReportRequest, SignInRequest, SignUpRequest, VerifyPhoneRequest, check_display_name, check_profile_text,
    normalize_email, normalize_username,
};
use gkchat_proto::chat::{ChatSettingsUpdate, NewMessage, SyncRequest};
use gkchat_proto::quick::{CreateQuickChat, QuickJoin, check_quick_name};
use gkchat_server::api::phone::normalize_phone;
use libfuzzer_sys::fuzz_target;

fn parse<T: serde::de::DeserializeOwned>(json: &[u8]) -> Option<T> {
    serde_json::from_slice(json).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, json)) = data.split_first() else { return };
    match kind % 12 {
        0 => {
            if let Some(request) = parse::<SignUpRequest>(json) {
                let _ = normalize_username(&request.username);
                let _ = normalize_email(&request.email);
                if let Some(name) = &request.display_name {
                    let _ = check_display_name(name);
                }
                let _ = check_profile_text("device name", &request.device.name, 64, false);
            }
        }
        1 => {
            if let Some(request) = parse::<SignInRequest>(json) {
                let _ = normalize_username(&request.login);
                let _ = normalize_email(&request.login);
            }
        }
        2 => {
            if let Some(update) = parse::<ProfileUpdate>(json) {
                if let Some(name) = &update.display_name {
                    let _ = check_display_name(name);
                }
                if let Some(about) = &update.about {
                    let _ = check_profile_text("about", about, ABOUT_MAX, false);
                }
            }
        }
        3 => {
            if let Some(request) = parse::<AddContactRequest>(json)
                && let AddContactRequest::Phone(phone) | AddContactRequest::Username(phone) = request
            {
                let _ = normalize_phone(&phone);
                let _ = normalize_username(&phone);
            }
        }
        4 => {
            if let Some(request) = parse::<PhoneCodeRequest>(json) {
                let _ = normalize_phone(&request.phone);
            }
        }
        5 => {
            if let Some(request) = parse::<PhoneSignInRequest>(json) {
                let _ = normalize_phone(&request.phone);
            }
        }
        6 => {
            let _ = parse::<VerifyPhoneRequest>(json);
            let _ = parse::<DeleteAccountRequest>(json);
        }
        7 => {
            let _ = parse::<ReportRequest>(json);
        }
        8 => {
            if let Some(message) = parse::<NewMessage>(json) {
                let _ = message.content.check();
            }
        }
        9 => {
            let _ = parse::<SyncRequest>(json);
            let _ = parse::<ChatSettingsUpdate>(json);
        }
        10 => {
            if let Some(request) = parse::<CreateQuickChat>(json) {
                for name in &request.names {
                    let _ = check_quick_name(name);
                }
            }
        }
        _ => {
            if let Some(request) = parse::<QuickJoin>(json) {
                let _ = check_quick_name(&request.name);
            }
        }
    }
});
