//! Quick-chat inputs against a real room (the in-memory backend): the names given at creation,
//! the name and code typed to join (wrong ones count towards the lock), the live socket's
//! frames and the texts said — any input is taken or refused, never a panic, and the room's
//! history stays within its caps.
#![no_main]

use std::time::Duration;

use gkchat_proto::quick::{QUICK_HISTORY_MAX_BYTES, QUICK_HISTORY_MAX_MESSAGES, QuickClientFrame, check_quick_name};
use gkchat_server::quick::{MemoryRooms, QuickRooms};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{0}');
    let (first, second) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let (Ok(first), Ok(second)) = (check_quick_name(first), check_quick_name(second)) else { return };
    if first.to_lowercase() == second.to_lowercase() {
        return;
    }
    let rooms = MemoryRooms::new(Duration::from_secs(60));
    let created = rooms.create([first, second], 0);
    let (name, token, code) = &created.people[0];
    let joined_name = parts.next().unwrap_or(name);
    let joined_code = parts.next().unwrap_or(code);
    let Ok(session) = rooms.join(&created.room_id, token, joined_name, joined_code) else { return };
    let Ok(attached) = rooms.attach(&created.room_id, token, &session) else { panic!("a joined session attaches") };
    for frame in parts {
        let said = match serde_json::from_str::<QuickClientFrame>(frame) {
            Ok(QuickClientFrame::Send { text }) => text,
            Err(_) => frame.to_owned(),
        };
        if QuickRooms::check_text(&said).is_ok() {
            rooms.say(&created.room_id, attached.me, &said, 1).expect("a live room takes a checked text");
        }
    }
    let again = rooms.attach(&created.room_id, token, &session).expect("attaches again");
    assert!(again.messages.len() <= QUICK_HISTORY_MAX_MESSAGES);
    assert!(again.messages.iter().map(|m| m.text.len()).sum::<usize>() <= QUICK_HISTORY_MAX_BYTES);
});
