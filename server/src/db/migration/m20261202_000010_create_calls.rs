use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The call log: one row per call once it is over (caller, callee, kind, outcome, times).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Calls::Table)
                    .col(ColumnDef::new(Calls::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Calls::CallerId).string_len(36).not_null())
                    .col(ColumnDef::new(Calls::CalleeId).string_len(36).not_null())
                    .col(ColumnDef::new(Calls::Kind).string_len(8).not_null())
                    .col(ColumnDef::new(Calls::Outcome).string_len(16).not_null())
                    .col(ColumnDef::new(Calls::StartedAt).big_integer().not_null())
                    .col(ColumnDef::new(Calls::AnsweredAt).big_integer().null())
                    .col(ColumnDef::new(Calls::EndedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [("idx_calls_caller", Calls::CallerId), ("idx_calls_callee", Calls::CalleeId)] {
            manager
                .create_index(
                    Index::create().name(name).table(Calls::Table).col(column).col(Calls::StartedAt).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Calls::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    Id,
    CallerId,
    CalleeId,
    Kind,
    Outcome,
    StartedAt,
    AnsweredAt,
    EndedAt,
}
