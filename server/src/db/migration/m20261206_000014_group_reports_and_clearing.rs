use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A report can name a group (`chat_id`, `NULL` for reports of a person); its `reported_id` is
/// then the group's owner at the time. A member can delete a chat for themselves
/// (`cleared_seq`: everything up to it is gone for them).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .add_column(ColumnDef::new(Reports::ChatId).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChatMembers::Table)
                    .add_column(ColumnDef::new(ChatMembers::ClearedSeq).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ChatMembers::Table).drop_column(ChatMembers::ClearedSeq).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Reports::Table).drop_column(Reports::ChatId).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    ClearedSeq,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    ChatId,
}
