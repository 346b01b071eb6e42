use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `event_rsvps`: each member's latest answer to an event (`going`, `maybe`, `not_going`),
/// beside the event's message like a poll's votes.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventRsvps::Table)
                    .col(ColumnDef::new(EventRsvps::MessageId).string().not_null())
                    .col(ColumnDef::new(EventRsvps::UserId).string().not_null())
                    .col(ColumnDef::new(EventRsvps::Rsvp).string().not_null())
                    .col(ColumnDef::new(EventRsvps::At).big_integer().not_null())
                    .primary_key(Index::create().col(EventRsvps::MessageId).col(EventRsvps::UserId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EventRsvps::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum EventRsvps {
    Table,
    MessageId,
    UserId,
    Rsvp,
    At,
}
