//! SQLite specifics of the global log (schema: `migrations/sqlite/`).
//! SQLite serialises writers and `global_position` is AUTOINCREMENT, so
//! position order is commit order.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::database::StoreError;
use crate::global::{GlobalPosition, RecordedEvent};

const COLUMNS: &str = "global_position, aggregate_type, aggregate_id, sequence, event_type, \
    event_version, payload, metadata, tenant_id, recorded_at";

pub(crate) async fn read_all(
    pool: &SqlitePool,
    after: GlobalPosition,
    limit: u32,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?"
    );
    // Every SQLite position has transaction 0; a cursor from elsewhere past 0
    // means "after everything with a smaller position" all the same.
    let rows = sqlx::query(&sql)
        .bind(after.position)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn read_stream(
    pool: &SqlitePool,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE aggregate_type = ? AND aggregate_id = ? ORDER BY sequence"
    );
    let rows = sqlx::query(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(decode).collect()
}

fn decode(row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
    let decode_err =
        |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Database(sqlx::Error::Decode(e));
    let payload: String = row.try_get("payload")?;
    let metadata: String = row.try_get("metadata")?;
    let recorded_at: String = row.try_get("recorded_at")?;
    Ok(RecordedEvent {
        global: GlobalPosition {
            transaction: 0,
            position: row.try_get("global_position")?,
        },
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: serde_json::from_str(&payload).map_err(|e| decode_err(Box::new(e)))?,
        metadata: serde_json::from_str(&metadata).map_err(|e| decode_err(Box::new(e)))?,
        tenant_id: row.try_get("tenant_id")?,
        recorded_at: OffsetDateTime::parse(&recorded_at, &Rfc3339)
            .map_err(|e| decode_err(Box::new(e)))?,
    })
}
