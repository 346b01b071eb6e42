use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).string_len(36).not_null().primary_key())
                    // NULL once the account is deleted, which frees the name.
                    .col(ColumnDef::new(Users::Username).string_len(32).null().unique_key())
                    .col(ColumnDef::new(Users::Email).string_len(254).null().unique_key())
                    .col(ColumnDef::new(Users::PasswordHash).string().null())
                    .col(ColumnDef::new(Users::DisplayName).string_len(64).not_null())
                    .col(ColumnDef::new(Users::About).string_len(140).not_null().default(""))
                    .col(ColumnDef::new(Users::StatusText).string_len(140).not_null().default(""))
                    .col(ColumnDef::new(Users::PrivacyLastSeen).string_len(16).not_null().default("everyone"))
                    .col(ColumnDef::new(Users::PrivacyPhoto).string_len(16).not_null().default("everyone"))
                    .col(ColumnDef::new(Users::PrivacyAbout).string_len(16).not_null().default("everyone"))
                    .col(ColumnDef::new(Users::ReadReceipts).boolean().not_null().default(true))
                    .col(ColumnDef::new(Users::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Users::DeletedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeviceSessions::Table)
                    .col(ColumnDef::new(DeviceSessions::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(DeviceSessions::UserId).string_len(36).not_null())
                    .col(ColumnDef::new(DeviceSessions::DeviceName).string_len(64).not_null())
                    .col(ColumnDef::new(DeviceSessions::Platform).string_len(32).not_null())
                    .col(ColumnDef::new(DeviceSessions::RefreshHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(DeviceSessions::RefreshExpiresAt).big_integer().not_null())
                    .col(ColumnDef::new(DeviceSessions::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(DeviceSessions::LastUsedAt).big_integer().not_null())
                    .col(ColumnDef::new(DeviceSessions::RevokedAt).big_integer().null())
                    .col(ColumnDef::new(DeviceSessions::RevokedReason).string_len(32).null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeviceSessions::Table, DeviceSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_sessions_user")
                    .table(DeviceSessions::Table)
                    .col(DeviceSessions::UserId)
                    .to_owned(),
            )
            .await?;
        // Refresh tokens already rotated out; presenting one again means it was stolen.
        manager
            .create_table(
                Table::create()
                    .table(UsedRefreshTokens::Table)
                    .col(ColumnDef::new(UsedRefreshTokens::Hash).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(UsedRefreshTokens::SessionId).string_len(36).not_null())
                    .col(ColumnDef::new(UsedRefreshTokens::UsedAt).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(UsedRefreshTokens::Table, UsedRefreshTokens::SessionId)
                            .to(DeviceSessions::Table, DeviceSessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UsedRefreshTokens::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DeviceSessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    Email,
    PasswordHash,
    DisplayName,
    About,
    StatusText,
    PrivacyLastSeen,
    PrivacyPhoto,
    PrivacyAbout,
    ReadReceipts,
    CreatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum DeviceSessions {
    Table,
    Id,
    UserId,
    DeviceName,
    Platform,
    RefreshHash,
    RefreshExpiresAt,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum UsedRefreshTokens {
    Table,
    Hash,
    SessionId,
    UsedAt,
}
