use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When each member's receipt cursor moved, so "message info" can say when a message was
/// delivered and read (one row per cursor move, not per message).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReceiptMarks::Table)
                    .col(ColumnDef::new(ReceiptMarks::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ReceiptMarks::ChatId).string_len(36).not_null())
                    .col(ColumnDef::new(ReceiptMarks::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(ReceiptMarks::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(ReceiptMarks::Seq).big_integer().not_null())
                    .col(ColumnDef::new(ReceiptMarks::At).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReceiptMarks::Table, ReceiptMarks::ChatId)
                            .to(Chats::Table, Chats::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_receipt_marks_member")
                    .table(ReceiptMarks::Table)
                    .col(ReceiptMarks::ChatId)
                    .col(ReceiptMarks::UserId)
                    .col(ReceiptMarks::Kind)
                    .col(ReceiptMarks::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ReceiptMarks::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ReceiptMarks {
    Table,
    Id,
    ChatId,
    UserId,
    Kind,
    Seq,
    At,
}

#[derive(DeriveIden)]
enum Chats {
    Table,
    Id,
}
