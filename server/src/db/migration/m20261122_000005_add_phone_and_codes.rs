use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::Phone).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        // A separate unique index: SQLite cannot add a UNIQUE column by ALTER TABLE.
        manager
            .create_index(
                Index::create().name("idx_users_phone").table(Users::Table).col(Users::Phone).unique().to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OtpCodes::Table)
                    .col(ColumnDef::new(OtpCodes::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(OtpCodes::Purpose).string_len(16).not_null())
                    .col(ColumnDef::new(OtpCodes::Phone).string_len(16).not_null())
                    .col(ColumnDef::new(OtpCodes::UserId).string_len(36).null())
                    .col(ColumnDef::new(OtpCodes::CodeHash).string_len(64).not_null())
                    .col(ColumnDef::new(OtpCodes::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(OtpCodes::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(OtpCodes::ExpiresAt).big_integer().not_null())
                    .col(ColumnDef::new(OtpCodes::UsedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_otp_codes_phone")
                    .table(OtpCodes::Table)
                    .col(OtpCodes::Phone)
                    .col(OtpCodes::Purpose)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OtpCodes::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_users_phone").table(Users::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::Phone).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Phone,
}

#[derive(DeriveIden)]
enum OtpCodes {
    Table,
    Id,
    Purpose,
    Phone,
    UserId,
    CodeHash,
    Attempts,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
