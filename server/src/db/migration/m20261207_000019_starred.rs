use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `starred_messages`: the messages each user starred (on all their devices), like
/// `hidden_messages` beside the message.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StarredMessages::Table)
                    .col(ColumnDef::new(StarredMessages::UserId).string().not_null())
                    .col(ColumnDef::new(StarredMessages::MessageId).string().not_null())
                    .col(ColumnDef::new(StarredMessages::At).big_integer().not_null())
                    .primary_key(Index::create().col(StarredMessages::UserId).col(StarredMessages::MessageId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StarredMessages::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum StarredMessages {
    Table,
    UserId,
    MessageId,
    At,
}
