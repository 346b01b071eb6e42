//! Keyframe requests from the far side (RTCP PLI and FIR) for our video encoder.
//!
//! In webrtc 0.21 inbound RTCP stops at the end of the interceptor chain; the application hears
//! of it only through an interceptor. This one sits last in the chain, raises a flag the encoder
//! thread reads before each frame, and passes nothing on.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rtc::interceptor::{Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

/// Marks the shared flag when a PLI or FIR arrives.
pub(crate) struct KeyframeRequestInterceptor {
    requested: Arc<AtomicBool>,
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

impl KeyframeRequestInterceptor {
    pub fn new(requested: Arc<AtomicBool>) -> Self {
        Self { requested, read_queue: VecDeque::new(), write_queue: VecDeque::new() }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for KeyframeRequestInterceptor {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet {
            let asks_for_keyframe = packets.iter().any(|packet| {
                let packet = packet.as_any();
                packet.is::<PictureLossIndication>() || packet.is::<FullIntraRequest>()
            });
            if asks_for_keyframe {
                self.requested.store(true, Ordering::Relaxed);
            }
            // The interceptors before this one have acted on it; nothing else wants it.
            return Ok(());
        }
        self.read_queue.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.read_queue.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write_queue.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.write_queue.pop_front()
    }
}

impl Interceptor for KeyframeRequestInterceptor {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}
