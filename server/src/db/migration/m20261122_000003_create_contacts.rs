use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(ColumnDef::new(Contacts::OwnerId).string_len(36).not_null())
                    .col(ColumnDef::new(Contacts::ContactId).string_len(36).not_null())
                    .col(ColumnDef::new(Contacts::CreatedAt).big_integer().not_null())
                    .primary_key(Index::create().col(Contacts::OwnerId).col(Contacts::ContactId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contacts::Table, Contacts::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contacts::Table, Contacts::ContactId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "Who has me as a contact" answers privacy checks.
        manager
            .create_index(
                Index::create().name("idx_contacts_contact").table(Contacts::Table).col(Contacts::ContactId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Contacts::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    OwnerId,
    ContactId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
