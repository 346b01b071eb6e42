use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServerMeta::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(ServerMeta::Key).string().not_null().primary_key())
                    .col(ColumnDef::new(ServerMeta::Value).string().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ServerMeta::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ServerMeta {
    Table,
    Key,
    Value,
}
