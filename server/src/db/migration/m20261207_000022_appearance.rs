use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Appearance: each user's (`users.appearance`, JSON), and chat backgrounds in `backgrounds`:
/// a user's for a chat (`user_id`, `chat_id`), a user's default (`chat_id` empty), a group's for
/// everyone (`user_id` empty) — with the media a picture background shows, which lives as long
/// as a background uses it and is readable by whoever sees that background.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::Appearance).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Backgrounds::Table)
                    .col(ColumnDef::new(Backgrounds::UserId).string().not_null())
                    .col(ColumnDef::new(Backgrounds::ChatId).string().not_null())
                    .col(ColumnDef::new(Backgrounds::Data).text().not_null())
                    .col(ColumnDef::new(Backgrounds::MediaId).string().null())
                    .primary_key(Index::create().col(Backgrounds::UserId).col(Backgrounds::ChatId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("backgrounds_chat").table(Backgrounds::Table).col(Backgrounds::ChatId).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("backgrounds_media")
                    .table(Backgrounds::Table)
                    .col(Backgrounds::MediaId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Backgrounds::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::Appearance).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Appearance,
}

#[derive(DeriveIden)]
enum Backgrounds {
    Table,
    UserId,
    ChatId,
    Data,
    MediaId,
}
