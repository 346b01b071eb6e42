use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Message requests: who may start a chat with a user (`users.who_can_message`), and a direct
/// chat a stranger started, held as a request for its recipient until they accept
/// (`chat_members.request`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::WhoCanMessage).string().not_null().default("everyone"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChatMembers::Table)
                    .add_column(ColumnDef::new(ChatMembers::Request).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ChatMembers::Table).drop_column(ChatMembers::Request).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::WhoCanMessage).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    WhoCanMessage,
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    Request,
}
