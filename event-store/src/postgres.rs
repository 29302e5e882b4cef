//! PostgreSQL specifics of the global log (schema: `migrations/postgres/`).

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::database::StoreError;
use crate::global::{GlobalPosition, RecordedEvent};

const COLUMNS: &str = "global_position, transaction_id::text AS transaction_text, aggregate_type, \
    aggregate_id, sequence, event_type, event_version, payload, metadata, tenant_id, recorded_at";

/// Reads after `after` in `(transaction_id, global_position)` order, stopping
/// below the oldest transaction still in progress: every transaction older
/// than `pg_snapshot_xmin` has finished, so nothing can later appear behind
/// what this returns.
pub(crate) async fn read_all(
    pool: &PgPool,
    after: GlobalPosition,
    limit: u32,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events
          WHERE (transaction_id, global_position) > ($1::text::xid8, $2)
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY transaction_id, global_position
          LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(after.transaction.to_string())
        .bind(after.position)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(decode).collect()
}

pub(crate) async fn settle(pool: &PgPool, timeout: std::time::Duration) -> Result<(), StoreError> {
    let horizon: String =
        sqlx::query_scalar("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
            .fetch_one(pool)
            .await?;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let settled: bool =
            sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::text::xid8")
                .bind(&horizon)
                .fetch_one(pool)
                .await?;
        if settled {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(StoreError::SettleTimeout(timeout));
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}

pub(crate) async fn read_stream(
    pool: &PgPool,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
    );
    let rows = sqlx::query(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(decode).collect()
}

fn decode(row: &PgRow) -> Result<RecordedEvent, StoreError> {
    let transaction: String = row.try_get("transaction_text")?;
    let transaction = transaction
        .parse::<u64>()
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
    Ok(RecordedEvent {
        global: GlobalPosition {
            transaction,
            position: row.try_get("global_position")?,
        },
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        tenant_id: row.try_get("tenant_id")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}
