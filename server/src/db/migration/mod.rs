//! Schema migrations, applied in order at start. A shipped migration is never edited: change
//! the schema with a new file named `mYYYYMMDD_NNNNNN_verb_noun.rs`.

use sea_orm_migration::prelude::*;

mod m20261122_000001_create_server_meta;
mod m20261122_000002_create_accounts;
mod m20261122_000003_create_contacts;
mod m20261122_000004_create_blocks_and_reports;
mod m20261122_000005_add_phone_and_codes;
mod m20261122_000006_add_contact_token;
mod m20261122_000007_add_photo_and_last_seen;
mod m20261122_000008_create_chats_and_messages;
mod m20261122_000009_create_receipt_marks;
mod m20261202_000010_create_calls;
mod m20261202_000011_add_report_evidence;
mod m20261206_000012_chat_contract;
mod m20261206_000013_groups;
mod m20261206_000014_group_reports_and_clearing;
mod m20261207_000015_media;
mod m20261207_000016_polls;
mod m20261207_000017_events;
mod m20261207_000018_status;
mod m20261207_000019_starred;
mod m20261207_000020_disappearing;
mod m20261207_000021_clearing;
mod m20261207_000022_appearance;
mod m20261207_000023_requests;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_server_meta::Migration),
            Box::new(m20261122_000002_create_accounts::Migration),
            Box::new(m20261122_000003_create_contacts::Migration),
            Box::new(m20261122_000004_create_blocks_and_reports::Migration),
            Box::new(m20261122_000005_add_phone_and_codes::Migration),
            Box::new(m20261122_000006_add_contact_token::Migration),
            Box::new(m20261122_000007_add_photo_and_last_seen::Migration),
            Box::new(m20261122_000008_create_chats_and_messages::Migration),
            Box::new(m20261122_000009_create_receipt_marks::Migration),
            Box::new(m20261202_000010_create_calls::Migration),
            Box::new(m20261202_000011_add_report_evidence::Migration),
            Box::new(m20261206_000012_chat_contract::Migration),
            Box::new(m20261206_000013_groups::Migration),
            Box::new(m20261206_000014_group_reports_and_clearing::Migration),
            Box::new(m20261207_000015_media::Migration),
            Box::new(m20261207_000016_polls::Migration),
            Box::new(m20261207_000017_events::Migration),
            Box::new(m20261207_000018_status::Migration),
            Box::new(m20261207_000019_starred::Migration),
            Box::new(m20261207_000020_disappearing::Migration),
            Box::new(m20261207_000021_clearing::Migration),
            Box::new(m20261207_000022_appearance::Migration),
            Box::new(m20261207_000023_requests::Migration),
        ]
    }
}
