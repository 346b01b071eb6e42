//! Integration tests: a real companion server on port 0 with a SQLite file in a temp dir,
//! talked to over real HTTP and WebSocket by `gkchat-client` and by raw sockets.

mod accounts;
mod appearance;
mod authz;
mod calls;
mod contacts;
mod disappearing;
mod events;
mod groups;
mod handshake;
mod hardening;
mod http;
mod instances;
mod logs;
mod media;
mod messaging;
mod messenger;
mod persistence;
mod phone;
mod photo;
mod polls;
mod presence;
mod quick;
mod quick_redis;
mod reconnect;
mod requests;
mod safety;
mod starred;
mod status;
