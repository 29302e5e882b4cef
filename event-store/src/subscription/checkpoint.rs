//! The runner's checkpoint row: created once, the lease claimed or renewed
//! (locking the row), read without writing while the lease is fresh, moved
//! only by its owner; and a failing event parked in the dead letters.

use std::sync::atomic::Ordering;

use sqlx::Row;

use super::{now_ms, Cursor, Projection, ProjectionError, Runner, RunnerError, Tx};
use crate::{EventDatabase, GlobalPosition, RecordedEvent};

impl<P: Projection> Runner<P> {
    pub(super) async fn ensure_row(&self) -> Result<(), sqlx::Error> {
        if self.row_ready.load(Ordering::Relaxed) {
            return Ok(());
        }
        let sql = "INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING";
        let name = self.projection.name();
        match &self.db {
            EventDatabase::Postgres(pool) => {
                sqlx::query(sql).bind(name).execute(pool).await?;
            }
            EventDatabase::Sqlite(pool) => {
                sqlx::query(sql).bind(name).execute(pool).await?;
            }
        }
        self.row_ready.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Claims or renews the lease and returns the checkpoint, locking the row.
    pub(super) async fn claim(
        &self,
        tx: &mut Tx<'_>,
    ) -> Result<Option<GlobalPosition>, sqlx::Error> {
        let now = now_ms();
        let sql = "UPDATE projection_checkpoints
                      SET owner = $2, lease_until_ms = $3, updated_at_ms = $4
                    WHERE name = $1 AND (owner IS NULL OR owner = $2 OR lease_until_ms < $4)
                RETURNING last_tx, last_position";
        let name = self.projection.name();
        let until = now + self.lease_ms();
        let row = match tx {
            Tx::Postgres(t) => sqlx::query(sql)
                .bind(name)
                .bind(&self.owner)
                .bind(until)
                .bind(now)
                .fetch_optional(&mut **t)
                .await?
                .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1))),
            Tx::Sqlite(t) => sqlx::query(sql)
                .bind(name)
                .bind(&self.owner)
                .bind(until)
                .bind(now)
                .fetch_optional(&mut **t)
                .await?
                .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1))),
        };
        Ok(row.map(|(t, p)| GlobalPosition {
            transaction: u64::try_from(t).unwrap_or(0),
            position: p,
        }))
    }

    pub(super) async fn advance(
        &self,
        tx: &mut Tx<'_>,
        to: GlobalPosition,
        applied: usize,
    ) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE projection_checkpoints
                      SET last_tx = $3, last_position = $4, events_applied = events_applied + $5,
                          updated_at_ms = $6
                    WHERE name = $1 AND owner = $2";
        let name = self.projection.name();
        let transaction = i64::try_from(to.transaction).unwrap_or(i64::MAX);
        let applied = i64::try_from(applied).unwrap_or(i64::MAX);
        let now = now_ms();
        let rows = crate::run!(
            tx,
            sqlx::query(sql)
                .bind(name)
                .bind(&self.owner)
                .bind(transaction)
                .bind(to.position)
                .bind(applied)
                .bind(now)
        )?;
        Ok(rows == 1)
    }

    pub(super) async fn park(
        &self,
        event: &RecordedEvent,
        error: &ProjectionError,
    ) -> Result<(), RunnerError> {
        let mut tx = Tx::begin(&self.db).await?;
        if self.claim(&mut tx).await?.is_none() {
            tx.rollback().await?;
            return Err(RunnerError::NotOwner(self.projection.name()));
        }
        let sql = "INSERT INTO projection_dead_letters
                   (projection, global_tx, global_position, aggregate_id, event_type, error, attempts, parked_at_ms)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
        let transaction = i64::try_from(event.global.transaction).unwrap_or(i64::MAX);
        crate::run!(
            &mut tx,
            sqlx::query(sql)
                .bind(self.projection.name())
                .bind(transaction)
                .bind(event.global.position)
                .bind(&event.aggregate_id)
                .bind(&event.event_type)
                .bind(error.to_string())
                .bind(i64::from(self.config.max_attempts))
                .bind(now_ms())
        )?;
        if !self.advance(&mut tx, event.global, 0).await? {
            tx.rollback().await?;
            return Err(RunnerError::NotOwner(self.projection.name()));
        }
        tx.commit().await?;
        tracing::error!(
            projection = self.projection.name(),
            event = %event.global,
            event_type = %event.event_type,
            error = %error,
            "event parked in the dead-letter table after retries"
        );
        Ok(())
    }

    /// Where this runner is, while its lease is fresh (renewed less than a
    /// third of its length ago): no query at all. `None` when the lease
    /// must be claimed or renewed first, which reads the checkpoint again.
    /// A stale value is harmless: the transaction that applies events
    /// claims again and finds the checkpoint moved.
    pub(super) fn fresh_cursor(&self) -> Option<Cursor> {
        let age = now_ms().saturating_sub(self.renewed_ms.load(Ordering::Relaxed));
        if age >= self.lease_ms() / 3 {
            return None;
        }
        self.remembered()
    }

    /// Where this runner last was, however old its lease.
    pub(super) fn remembered(&self) -> Option<Cursor> {
        *self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers where the runner is (`None`: look it up next time).
    pub(super) fn remember(&self, cursor: Option<Cursor>) {
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) = cursor;
    }

    /// Reads the checkpoint without claiming (for progress and tests).
    pub async fn checkpoint(&self) -> Result<GlobalPosition, RunnerError> {
        let sql = "SELECT last_tx, last_position FROM projection_checkpoints WHERE name = $1";
        let name = self.projection.name();
        let row: Option<(i64, i64)> = match &self.db {
            EventDatabase::Postgres(pool) => {
                sqlx::query_as(sql).bind(name).fetch_optional(pool).await?
            }
            EventDatabase::Sqlite(pool) => {
                sqlx::query_as(sql).bind(name).fetch_optional(pool).await?
            }
        };
        Ok(row
            .map(|(t, p)| GlobalPosition {
                transaction: u64::try_from(t).unwrap_or(0),
                position: p,
            })
            .unwrap_or_default())
    }
}
