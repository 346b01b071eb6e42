//! sea-orm entities, one module per table. The schema itself is built by migrations only.

pub mod server_meta;
