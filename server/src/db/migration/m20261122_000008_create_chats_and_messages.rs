use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Chats::Table)
                    .col(ColumnDef::new(Chats::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Chats::Kind).string_len(16).not_null())
                    // "<smaller user id>:<larger user id>" for a direct chat: one per pair.
                    .col(ColumnDef::new(Chats::DirectKey).string_len(80).null().unique_key())
                    .col(ColumnDef::new(Chats::LastSeq).big_integer().not_null())
                    .col(ColumnDef::new(Chats::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Chats::LastActivityAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChatMembers::Table)
                    .col(ColumnDef::new(ChatMembers::ChatId).string_len(36).not_null())
                    .col(ColumnDef::new(ChatMembers::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(ChatMembers::JoinedAt).big_integer().not_null())
                    .col(ColumnDef::new(ChatMembers::DeliveredSeq).big_integer().not_null())
                    .col(ColumnDef::new(ChatMembers::ReadSeq).big_integer().not_null())
                    .col(ColumnDef::new(ChatMembers::PinnedAt).big_integer().null())
                    .col(ColumnDef::new(ChatMembers::Archived).boolean().not_null())
                    .col(ColumnDef::new(ChatMembers::MutedUntil).big_integer().null())
                    .primary_key(Index::create().col(ChatMembers::ChatId).col(ChatMembers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChatMembers::Table, ChatMembers::ChatId)
                            .to(Chats::Table, Chats::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChatMembers::Table, ChatMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_members_user")
                    .table(ChatMembers::Table)
                    .col(ChatMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    // The sender's client chooses the id (UUID v7): resending it is idempotent.
                    .col(ColumnDef::new(Messages::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Messages::ChatId).string_len(36).not_null())
                    .col(ColumnDef::new(Messages::Seq).big_integer().not_null())
                    .col(ColumnDef::new(Messages::UpdatedSeq).big_integer().not_null())
                    .col(ColumnDef::new(Messages::SenderId).string_len(36).not_null())
                    // The content envelope as JSON; NULL once deleted for everyone.
                    .col(ColumnDef::new(Messages::Content).text().null())
                    .col(ColumnDef::new(Messages::ReplyTo).string_len(36).null())
                    .col(ColumnDef::new(Messages::Forwarded).boolean().not_null())
                    .col(ColumnDef::new(Messages::SentAt).big_integer().not_null())
                    .col(ColumnDef::new(Messages::EditedAt).big_integer().null())
                    .col(ColumnDef::new(Messages::DeletedAt).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Messages::Table, Messages::ChatId)
                            .to(Chats::Table, Chats::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_chat_seq")
                    .table(Messages::Table)
                    .col(Messages::ChatId)
                    .col(Messages::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_chat_updated")
                    .table(Messages::Table)
                    .col(Messages::ChatId)
                    .col(Messages::UpdatedSeq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .col(ColumnDef::new(Reactions::MessageId).string_len(36).not_null())
                    .col(ColumnDef::new(Reactions::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(Reactions::Emoji).string_len(32).not_null())
                    .col(ColumnDef::new(Reactions::At).big_integer().not_null())
                    .primary_key(Index::create().col(Reactions::MessageId).col(Reactions::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reactions::Table, Reactions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HiddenMessages::Table)
                    .col(ColumnDef::new(HiddenMessages::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(HiddenMessages::MessageId).string_len(36).not_null())
                    .col(ColumnDef::new(HiddenMessages::At).big_integer().not_null())
                    .primary_key(Index::create().col(HiddenMessages::UserId).col(HiddenMessages::MessageId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(HiddenMessages::Table, HiddenMessages::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            HiddenMessages::Table.into_iden(),
            Reactions::Table.into_iden(),
            Messages::Table.into_iden(),
            ChatMembers::Table.into_iden(),
            Chats::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Chats {
    Table,
    Id,
    Kind,
    DirectKey,
    LastSeq,
    CreatedAt,
    LastActivityAt,
}

#[derive(DeriveIden)]
enum ChatMembers {
    Table,
    ChatId,
    UserId,
    JoinedAt,
    DeliveredSeq,
    ReadSeq,
    PinnedAt,
    Archived,
    MutedUntil,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ChatId,
    Seq,
    UpdatedSeq,
    SenderId,
    Content,
    ReplyTo,
    Forwarded,
    SentAt,
    EditedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    MessageId,
    UserId,
    Emoji,
    At,
}

#[derive(DeriveIden)]
enum HiddenMessages {
    Table,
    UserId,
    MessageId,
    At,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
