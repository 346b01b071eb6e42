//! Storage: connecting (SQLite by default, PostgreSQL by URL), migrating, and the service
//! functions each feature uses. Handlers never build queries themselves.

pub mod accounts;
pub mod backgrounds;
pub mod blobs;
pub mod blocks;
pub mod calls;
pub mod chats;
pub mod contacts;
pub mod entity;
pub mod media;
pub mod messages;
pub mod meta;
pub mod migration;
pub mod otp;
pub mod reports;
pub mod sessions;
pub mod status;

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, SqlxSqliteConnector, Statement,
};
use sea_orm_migration::MigratorTrait;

use crate::error::{Error, Result};

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(|e| Error::Config(format!("bad SQLite URL {url}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable across application crashes and fast; see sqlite.org/wal.html
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5)))
}

/// Opens the database at `url` and brings its schema up to date. Applying migrations is
/// idempotent: a second start on the same data applies nothing.
pub async fn open(url: &str) -> Result<DatabaseConnection> {
    let db = if url.starts_with("sqlite:") {
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(sqlite_options(url)?).await?;
        SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
    } else {
        let mut options = ConnectOptions::new(url.to_owned());
        options.max_connections(32).sqlx_logging(false);
        Database::connect(options).await?
    };
    migration::Migrator::up(&db, None).await?;
    Ok(db)
}

/// What the group-commit writers (sends, receipts, last seen) write through. SQLite has one
/// writer at a time: they share one connection of their own, so they queue for it in turn
/// instead of each taking the database's write lock and sleeping in its busy handler while
/// another holds it. PostgreSQL writes side by side: the shared pool.
pub async fn writer(url: &str, db: &DatabaseConnection) -> Result<DatabaseConnection> {
    // An in-memory database is one per connection: there the writers use the shared pool.
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(db.clone());
    }
    let pool = SqlitePoolOptions::new()
        .min_connections(1)
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(sqlite_options(url)?)
        .await?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Every row `sql` (with `?` placeholders) answers.
pub(crate) async fn all(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> crate::error::Result<Vec<sea_orm::QueryResult>> {
    Ok(db.query_all(statement(db.get_database_backend(), sql, values)).await?)
}

/// Runs `sql` (with `?` placeholders); how many rows it touched.
pub(crate) async fn run(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> crate::error::Result<u64> {
    Ok(db.execute(statement(db.get_database_backend(), sql, values)).await?.rows_affected())
}

/// The first column of each row, as text.
pub(crate) fn strings(rows: Vec<sea_orm::QueryResult>) -> crate::error::Result<Vec<String>> {
    rows.into_iter().map(|row| Ok(row.try_get_by_index::<String>(0)?)).collect()
}

/// `?` placeholders as the backend wants them.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}
