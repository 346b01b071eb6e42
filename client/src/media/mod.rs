//! Media from any client: uploading over tus (resumable: the server's offset is asked, never
//! assumed) and downloading with HTTP ranges (resuming a partial file). What goes in a message
//! about an attachment is in `gkchat_proto::media`.

pub mod compose;
pub mod preview;
mod transfer;
pub mod vcard;
pub mod video;
pub mod voice;

pub use transfer::{CHUNK_BYTES, UploadProgress};
