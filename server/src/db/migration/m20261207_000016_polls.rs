use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `poll_votes`: each member's latest vote in a poll (the options' indexes as a JSON array),
/// beside the poll's message like its reactions.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PollVotes::Table)
                    .col(ColumnDef::new(PollVotes::MessageId).string().not_null())
                    .col(ColumnDef::new(PollVotes::UserId).string().not_null())
                    .col(ColumnDef::new(PollVotes::Options).string().not_null())
                    .col(ColumnDef::new(PollVotes::At).big_integer().not_null())
                    .primary_key(Index::create().col(PollVotes::MessageId).col(PollVotes::UserId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PollVotes::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum PollVotes {
    Table,
    MessageId,
    UserId,
    Options,
    At,
}
