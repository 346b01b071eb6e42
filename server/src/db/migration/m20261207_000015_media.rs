use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Media: `blobs` (one row per stored object, named by content — a SHA-256, or a photo
/// rendition's `<sha>.thumb` — with its life: live, orphaned since, being deleted), `media` (an
/// upload: reserved at once, its bytes arriving over tus, then ready, pointing at its blob), and
/// `message_media` (which messages use which media: access and lifetime follow them). The
/// profile and group photos already stored get their `blobs` rows.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Blobs::Table)
                    .col(ColumnDef::new(Blobs::Name).string_len(80).not_null().primary_key())
                    .col(ColumnDef::new(Blobs::State).string_len(16).not_null())
                    .col(ColumnDef::new(Blobs::OrphanedAt).big_integer().null())
                    .col(ColumnDef::new(Blobs::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_blobs_state")
                    .table(Blobs::Table)
                    .col(Blobs::State)
                    .col(Blobs::OrphanedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(ColumnDef::new(Media::Id).string_len(32).not_null().primary_key())
                    .col(ColumnDef::new(Media::OwnerId).string_len(36).not_null())
                    .col(ColumnDef::new(Media::State).string_len(16).not_null())
                    .col(ColumnDef::new(Media::Length).big_integer().not_null())
                    .col(ColumnDef::new(Media::Offset).big_integer().not_null())
                    .col(ColumnDef::new(Media::Sha256).string_len(64).null())
                    .col(ColumnDef::new(Media::Mime).string_len(128).null())
                    .col(ColumnDef::new(Media::Metadata).text().not_null())
                    .col(ColumnDef::new(Media::Staging).text().null())
                    .col(ColumnDef::new(Media::LeaseToken).string_len(32).null())
                    .col(ColumnDef::new(Media::LeaseUntil).big_integer().null())
                    .col(ColumnDef::new(Media::Used).boolean().not_null().default(false))
                    .col(ColumnDef::new(Media::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Media::ExpiresAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_media_owner", Media::OwnerId),
            ("idx_media_sha256", Media::Sha256),
            ("idx_media_expires", Media::ExpiresAt),
        ] {
            manager.create_index(Index::create().name(name).table(Media::Table).col(column).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(MessageMedia::Table)
                    .col(ColumnDef::new(MessageMedia::MessageId).string_len(36).not_null())
                    .col(ColumnDef::new(MessageMedia::MediaId).string_len(32).not_null())
                    .primary_key(Index::create().col(MessageMedia::MessageId).col(MessageMedia::MediaId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_message_media_media")
                    .table(MessageMedia::Table)
                    .col(MessageMedia::MediaId)
                    .to_owned(),
            )
            .await?;
        // The photos stored so far: full and thumbnail renditions, live.
        let db = manager.get_connection();
        for suffix in ["", ".thumb"] {
            db.execute_unprepared(&format!(
                "INSERT INTO blobs (name, state, created_at) SELECT DISTINCT p.photo_id || '{suffix}', 'live', 0 FROM \
                 (SELECT photo_id FROM users WHERE photo_id IS NOT NULL UNION SELECT photo_id FROM chats WHERE \
                 photo_id IS NOT NULL) p"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MessageMedia::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Media::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Blobs::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Blobs {
    Table,
    Name,
    State,
    OrphanedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Media {
    Table,
    Id,
    OwnerId,
    State,
    Length,
    Offset,
    Sha256,
    Mime,
    Metadata,
    Staging,
    LeaseToken,
    LeaseUntil,
    Used,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MessageMedia {
    Table,
    MessageId,
    MediaId,
}
