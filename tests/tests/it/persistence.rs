//! The data directory: created on first start, kept across restarts, migrations idempotent.

use gkchat_tests::{TestServer, test_config};
use sea_orm::{ConnectionTrait, Database, Statement};

async fn count(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn restart_on_same_data_dir_keeps_data() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("nested/not-yet-there");

    let first = TestServer::start_in(&data_dir).await;
    let first_id = first.client().server_info().await.unwrap().instance_id;
    first.stop().await;
    let database_url = test_config(&data_dir).database_url();
    let db = Database::connect(&database_url).await.unwrap();
    let migrations_after_first = count(&db, "seaql_migrations").await;
    let meta_after_first = count(&db, "server_meta").await;
    db.close().await.unwrap();
    assert!(migrations_after_first >= 2, "every migration applied");
    if database_url.starts_with("sqlite:") {
        assert!(data_dir.join("gkchat.db").is_file(), "the SQLite file lives in the data dir");
    } else {
        assert!(!data_dir.join("gkchat.db").exists(), "a PostgreSQL run never falls back to SQLite");
    }

    let second = TestServer::start_in(&data_dir).await;
    let second_id = second.client().server_info().await.unwrap().instance_id;
    second.stop().await;
    assert_eq!(first_id, second_id, "same data, same instance");

    // Inspect the database itself: the second start applied nothing and created nothing.
    let db = Database::connect(database_url).await.unwrap();
    assert_eq!(count(&db, "seaql_migrations").await, migrations_after_first);
    assert_eq!(count(&db, "server_meta").await, meta_after_first);
}

#[tokio::test]
async fn two_data_dirs_are_two_instances() {
    let a = TestServer::start().await;
    let b = TestServer::start().await;
    let a_id = a.client().server_info().await.unwrap().instance_id;
    let b_id = b.client().server_info().await.unwrap().instance_id;
    assert_ne!(a_id, b_id);
}
