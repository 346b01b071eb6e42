use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Groups: a chat's name, description, image and settings, its invite link; a member's window
/// on the timeline (`history_from`: the first sequence number they see; `left_seq`: the last,
/// once they left or were removed — the row stays so they keep what they had); requests to
/// join by link; and who may add a user to groups (their privacy, with exceptions).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        let chat_columns = [
            ColumnDef::new(Chats::Name).string_len(400).null().to_owned(),
            ColumnDef::new(Chats::Description).text().null().to_owned(),
            ColumnDef::new(Chats::PhotoId).string_len(64).null().to_owned(),
            ColumnDef::new(Chats::OnlyAdminsSend).boolean().not_null().default(false).to_owned(),
            ColumnDef::new(Chats::OnlyAdminsEdit).boolean().not_null().default(true).to_owned(),
            ColumnDef::new(Chats::ApproveJoins).boolean().not_null().default(false).to_owned(),
            ColumnDef::new(Chats::InviteCode).string_len(32).null().to_owned(),
        ];
        for mut column in chat_columns {
            manager.alter_table(Table::alter().table(Chats::Table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_chats_invite_code")
                    .table(Chats::Table)
                    .col(Chats::InviteCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let member_columns = [
            ColumnDef::new(ChatMembers::HistoryFrom).big_integer().not_null().default(0).to_owned(),
            ColumnDef::new(ChatMembers::LeftSeq).big_integer().null().to_owned(),
        ];
        for mut column in member_columns {
            manager.alter_table(Table::alter().table(ChatMembers::Table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::PrivacyGroups).string_len(16).not_null().default("everyone"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JoinRequests::Table)
                    .col(ColumnDef::new(JoinRequests::ChatId).string_len(36).not_null())
                    .col(ColumnDef::new(JoinRequests::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(JoinRequests::RequestedAt).big_integer().not_null())
                    .primary_key(Index::create().col(JoinRequests::ChatId).col(JoinRequests::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(JoinRequests::Table, JoinRequests::ChatId)
                            .to(Chats::Table, Chats::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(JoinRequests::Table, JoinRequests::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupAddExceptions::Table)
                    .col(ColumnDef::new(GroupAddExceptions::OwnerId).string_len(36).not_null())
                    .col(ColumnDef::new(GroupAddExceptions::UserId).string_len(36).not_null())
                    .primary_key(Index::create().col(GroupAddExceptions::OwnerId).col(GroupAddExceptions::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupAddExceptions::Table, GroupAddExceptions::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(GroupAddExceptions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(JoinRequests::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::PrivacyGroups).to_owned()).await?;
        for column in [ChatMembers::LeftSeq, ChatMembers::HistoryFrom] {
            manager.alter_table(Table::alter().table(ChatMembers::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("idx_chats_invite_code").table(Chats::Table).to_owned()).await?;
        for column in [
            Chats::InviteCode,
            Chats::ApproveJoins,
            Chats::OnlyAdminsEdit,
            Chats::OnlyAdminsSend,
            Chats::PhotoId,
            Chats::Description,
            Chats::Name,
        ] {
            manager.alter_table(Table::alter().table(Chats::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Chats {
    Table,
    Id,
    Name,
    Description,
    PhotoId,
    OnlyAdminsSend,
    OnlyAdminsEdit,
    ApproveJoins,
    InviteCode,
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    HistoryFrom,
    LeftSeq,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PrivacyGroups,
}

#[derive(DeriveIden)]
enum JoinRequests {
    Table,
    ChatId,
    UserId,
    RequestedAt,
}

#[derive(DeriveIden)]
enum GroupAddExceptions {
    Table,
    OwnerId,
    UserId,
}
