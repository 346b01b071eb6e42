use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Disappearing messages: a chat's timer (`disappear_after_ms`, `NULL`: off) and whether only a
/// group's admins may keep messages; each message's `expires_at` (fixed when sent), `kept`, and
/// `expired_at` once the sweeper took its content (indexed: the sweeper reads the due ones);
/// each user's default timer for new chats (0: off).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (Chats::Table.into_iden(), ColumnDef::new(Chats::DisappearAfterMs).big_integer().null().to_owned()),
            (
                Chats::Table.into_iden(),
                ColumnDef::new(Chats::OnlyAdminsKeep).boolean().not_null().default(false).to_owned(),
            ),
            (Messages::Table.into_iden(), ColumnDef::new(Messages::ExpiresAt).big_integer().null().to_owned()),
            (
                Messages::Table.into_iden(),
                ColumnDef::new(Messages::Kept).boolean().not_null().default(false).to_owned(),
            ),
            (Messages::Table.into_iden(), ColumnDef::new(Messages::ExpiredAt).big_integer().null().to_owned()),
            (
                Users::Table.into_iden(),
                ColumnDef::new(Users::DefaultTimerMs).big_integer().not_null().default(0).to_owned(),
            ),
        ];
        // One column a statement (SQLite adds one at a time).
        for (table, mut column) in columns {
            manager.alter_table(Table::alter().table(table).add_column(&mut column).to_owned()).await?;
        }
        // Only what the sweeper looks for (kept and expired ones would pile up in its way).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX messages_expiry ON messages (expires_at) WHERE expired_at IS NULL AND kept = FALSE",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("messages_expiry").table(Messages::Table).to_owned()).await?;
        let columns = [
            (Chats::Table.into_iden(), Chats::DisappearAfterMs.into_iden()),
            (Chats::Table.into_iden(), Chats::OnlyAdminsKeep.into_iden()),
            (Messages::Table.into_iden(), Messages::ExpiresAt.into_iden()),
            (Messages::Table.into_iden(), Messages::Kept.into_iden()),
            (Messages::Table.into_iden(), Messages::ExpiredAt.into_iden()),
            (Users::Table.into_iden(), Users::DefaultTimerMs.into_iden()),
        ];
        for (table, column) in columns {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Chats {
    Table,
    DisappearAfterMs,
    OnlyAdminsKeep,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    ExpiresAt,
    Kept,
    ExpiredAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    DefaultTimerMs,
}
