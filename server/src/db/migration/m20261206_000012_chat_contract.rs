use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The chat contract for any number of members: a member's role (`member` for everyone in the
/// direct chats that exist), where the member list last changed (`members_seq`, 0: never since
/// the start), and who started the chat (an empty direct chat is listed for them only; `NULL`
/// for chats started before, which all have messages).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(ChatMembers::Table)
                    .add_column(ColumnDef::new(ChatMembers::Role).string_len(16).not_null().default("member"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Chats::Table)
                    .add_column(ColumnDef::new(Chats::MembersSeq).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Chats::Table)
                    .add_column(ColumnDef::new(Chats::CreatedBy).string_len(36).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Chats::Table).drop_column(Chats::CreatedBy).to_owned()).await?;
        manager.alter_table(Table::alter().table(Chats::Table).drop_column(Chats::MembersSeq).to_owned()).await?;
        manager.alter_table(Table::alter().table(ChatMembers::Table).drop_column(ChatMembers::Role).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Chats {
    Table,
    MembersSeq,
    CreatedBy,
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    Role,
}
