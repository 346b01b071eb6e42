use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Status posts: each post (its content an envelope like a message's, gone 24 hours after
/// posting — every query filters on `expires_at`, the sweeper deletes), its audience as fixed
/// when posted, who viewed it and when (with a quick reaction), the media it uses; how each user
/// follows each owner (muted, notify); who sees a user's next posts (the mode and its lists).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StatusPosts::Table)
                    .col(ColumnDef::new(StatusPosts::Id).string().not_null().primary_key())
                    .col(ColumnDef::new(StatusPosts::OwnerId).string().not_null())
                    .col(ColumnDef::new(StatusPosts::Content).text().not_null())
                    .col(ColumnDef::new(StatusPosts::PostedAt).big_integer().not_null())
                    .col(ColumnDef::new(StatusPosts::ExpiresAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("status_posts_owner")
                    .table(StatusPosts::Table)
                    .col(StatusPosts::OwnerId)
                    .col(StatusPosts::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("status_posts_expiry")
                    .table(StatusPosts::Table)
                    .col(StatusPosts::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusAudience::Table)
                    .col(ColumnDef::new(StatusAudience::PostId).string().not_null())
                    .col(ColumnDef::new(StatusAudience::UserId).string().not_null())
                    .primary_key(Index::create().col(StatusAudience::PostId).col(StatusAudience::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("status_audience_user")
                    .table(StatusAudience::Table)
                    .col(StatusAudience::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusViews::Table)
                    .col(ColumnDef::new(StatusViews::PostId).string().not_null())
                    .col(ColumnDef::new(StatusViews::ViewerId).string().not_null())
                    .col(ColumnDef::new(StatusViews::ViewedAt).big_integer().not_null())
                    .col(ColumnDef::new(StatusViews::Reaction).string().null())
                    .primary_key(Index::create().col(StatusViews::PostId).col(StatusViews::ViewerId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusMedia::Table)
                    .col(ColumnDef::new(StatusMedia::PostId).string().not_null())
                    .col(ColumnDef::new(StatusMedia::MediaId).string().not_null())
                    .primary_key(Index::create().col(StatusMedia::PostId).col(StatusMedia::MediaId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("status_media_media")
                    .table(StatusMedia::Table)
                    .col(StatusMedia::MediaId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusPrefs::Table)
                    .col(ColumnDef::new(StatusPrefs::UserId).string().not_null())
                    .col(ColumnDef::new(StatusPrefs::OwnerId).string().not_null())
                    .col(ColumnDef::new(StatusPrefs::Muted).boolean().not_null())
                    .col(ColumnDef::new(StatusPrefs::Notify).boolean().not_null())
                    .primary_key(Index::create().col(StatusPrefs::UserId).col(StatusPrefs::OwnerId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusSettings::Table)
                    .col(ColumnDef::new(StatusSettings::UserId).string().not_null().primary_key())
                    .col(ColumnDef::new(StatusSettings::Mode).string().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusLists::Table)
                    .col(ColumnDef::new(StatusLists::UserId).string().not_null())
                    .col(ColumnDef::new(StatusLists::List).string().not_null())
                    .col(ColumnDef::new(StatusLists::OtherId).string().not_null())
                    .primary_key(
                        Index::create().col(StatusLists::UserId).col(StatusLists::List).col(StatusLists::OtherId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StatusLists::Table.into_iden(),
            StatusSettings::Table.into_iden(),
            StatusPrefs::Table.into_iden(),
            StatusMedia::Table.into_iden(),
            StatusViews::Table.into_iden(),
            StatusAudience::Table.into_iden(),
            StatusPosts::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum StatusPosts {
    Table,
    Id,
    OwnerId,
    Content,
    PostedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum StatusAudience {
    Table,
    PostId,
    UserId,
}

#[derive(DeriveIden)]
enum StatusViews {
    Table,
    PostId,
    ViewerId,
    ViewedAt,
    Reaction,
}

#[derive(DeriveIden)]
enum StatusMedia {
    Table,
    PostId,
    MediaId,
}

#[derive(DeriveIden)]
enum StatusPrefs {
    Table,
    UserId,
    OwnerId,
    Muted,
    Notify,
}

#[derive(DeriveIden)]
enum StatusSettings {
    Table,
    UserId,
    Mode,
}

#[derive(DeriveIden)]
enum StatusLists {
    Table,
    UserId,
    List,
    OtherId,
}
