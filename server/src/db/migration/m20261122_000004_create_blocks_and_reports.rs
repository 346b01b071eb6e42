use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Blocks::Table)
                    .col(ColumnDef::new(Blocks::BlockerId).string_len(36).not_null())
                    .col(ColumnDef::new(Blocks::BlockedId).string_len(36).not_null())
                    .col(ColumnDef::new(Blocks::CreatedAt).big_integer().not_null())
                    .primary_key(Index::create().col(Blocks::BlockerId).col(Blocks::BlockedId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Blocks::Table, Blocks::BlockerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Blocks::Table, Blocks::BlockedId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_blocks_blocked").table(Blocks::Table).col(Blocks::BlockedId).to_owned(),
            )
            .await?;
        // Reports outlive the accounts they name (moderation records): no foreign keys.
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(ColumnDef::new(Reports::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Reports::ReporterId).string_len(36).not_null())
                    .col(ColumnDef::new(Reports::ReportedId).string_len(36).not_null())
                    .col(ColumnDef::new(Reports::Reason).string_len(500).not_null())
                    .col(ColumnDef::new(Reports::MessageIds).text().not_null())
                    .col(ColumnDef::new(Reports::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Reports::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Blocks::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ReporterId,
    ReportedId,
    Reason,
    MessageIds,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
