//! `gkchat-server admin …`: tasks for the person who runs the server, on its database
//! directly (the server may be running or not).

use std::collections::HashMap;
use std::io::Write;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::entity::{chats, users};
use crate::error::Result;
use crate::{Config, db};

/// A Unix time in milliseconds as RFC 3339, or the number itself when out of range.
fn rfc3339(unix_ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix_ms.to_string())
}

/// Writes the newest `limit` reports to `out`, newest first, one per paragraph.
pub async fn print_reports(config: &Config, limit: u64, out: &mut impl Write) -> Result<()> {
    let db = db::open(&config.database_url()).await?;
    let reports = db::reports::latest(&db, limit).await?;
    let mut ids: Vec<String> = reports.iter().flat_map(|r| [r.reporter_id.clone(), r.reported_id.clone()]).collect();
    ids.extend(reports.iter().flat_map(db::reports::evidence_of).map(|e| e.sender_id));
    let chat_ids: Vec<String> = reports.iter().filter_map(|r| r.chat_id.clone()).collect();
    let groups: HashMap<String, String> = chats::Entity::find()
        .filter(chats::Column::Id.is_in(chat_ids))
        .all(&db)
        .await?
        .into_iter()
        .map(|chat| (chat.id, chat.name.unwrap_or_default()))
        .collect();
    let names: HashMap<String, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(&db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username.map_or_else(|| "(deleted account)".to_owned(), |name| format!("@{name}"))))
        .collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| format!("(unknown {id})"));
    if reports.is_empty() {
        writeln!(out, "no reports")?;
    }
    for report in &reports {
        let when = rfc3339(report.created_at);
        let reporter = name(&report.reporter_id);
        match &report.chat_id {
            None => writeln!(out, "{when}  {}  {reporter} reported {}", report.id, name(&report.reported_id))?,
            Some(chat_id) => {
                let group = groups.get(chat_id).map_or("(unknown)", String::as_str);
                let owner = name(&report.reported_id);
                writeln!(
                    out,
                    "{when}  {}  {reporter} reported the group {group:?} ({chat_id}, owner {owner})",
                    report.id
                )?;
            }
        }
        writeln!(out, "    reason: {}", report.reason.replace('\n', " "))?;
        let evidence = db::reports::evidence_of(report);
        if !evidence.is_empty() {
            writeln!(out, "    messages:")?;
        }
        for message in &evidence {
            let text = message
                .text
                .as_deref()
                .map_or_else(|| "(deleted before the report, or a group event)".to_owned(), |t| t.replace('\n', " "));
            writeln!(out, "      {}  {}: {text}", rfc3339(message.sent_at), name(&message.sender_id))?;
        }
    }
    db.close().await?;
    Ok(())
}
