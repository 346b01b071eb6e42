use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A copy of the reported messages (JSON), so the evidence survives their deletion; `NULL` for
/// reports filed before it existed.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .add_column(ColumnDef::new(Reports::Evidence).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Reports::Table).drop_column(Reports::Evidence).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Evidence,
}
