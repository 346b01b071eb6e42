use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// "Clear chat" beside "delete chat": what a member cleared up to `cleared_seq` may leave the
/// chat in their list (`clear_listed`) and keep their starred messages (`clear_keeps_starred`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ChatMembers::ClearListed, ChatMembers::ClearKeepsStarred] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChatMembers::Table)
                        .add_column(ColumnDef::new(column).boolean().not_null().default(false))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ChatMembers::ClearListed, ChatMembers::ClearKeepsStarred] {
            manager.alter_table(Table::alter().table(ChatMembers::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    ClearListed,
    ClearKeepsStarred,
}
