//! sea-orm entities, one module per table. The schema itself is built by migrations only.

pub mod blocks;
pub mod contacts;
pub mod device_sessions;
pub mod otp_codes;
pub mod reports;
pub mod server_meta;
pub mod used_refresh_tokens;
pub mod users;
