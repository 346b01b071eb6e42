//! WebSocket frames as the server decodes them (and as clients decode the server's): any bytes
//! either decode or are refused with a code, never a panic; what decodes encodes back to
//! something that decodes to the same frame.
#![no_main]

use gkchat_proto::{ClientFrame, ServerFrame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match ClientFrame::decode(text) {
        Ok(frame) => assert_eq!(ClientFrame::decode(&frame.encode()).expect("re-decodes"), frame),
        Err(err) => {
            let _ = err.code();
        }
    }
    if let Ok(frame) = ServerFrame::decode(text) {
        assert_eq!(ServerFrame::decode(&frame.encode()).expect("re-decodes"), frame);
    }
});
