//! One step of a runner: renew the lease if due, read the next batch, skip
//! it in memory if the projection wants none of it, otherwise apply what it
//! wants and move the checkpoint past the whole batch in one transaction;
//! a failing event is retried and then parked.

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{now_ms, Cursor, Projection, ProjectionError, Runner, RunnerError, Step, Tx};
use crate::{GlobalPosition, RecordedEvent};

impl<P: Projection> Runner<P> {
    /// Applies `events` and moves the checkpoint from `after` to `through`
    /// (counting `count` events) in one transaction; on an event's failure
    /// returns its index and error (the transaction is rolled back).
    async fn apply_all(
        &self,
        after: GlobalPosition,
        events: &[RecordedEvent],
        through: GlobalPosition,
        count: usize,
    ) -> Result<Result<(), (usize, ProjectionError)>, RunnerError> {
        let mut tx = self.begin_at(after).await?;
        let mut one_by_one = events.len() <= 1;
        if !one_by_one && self.projection.apply_batch(&mut tx, events).await.is_err() {
            // Find the failing event one by one in a fresh transaction.
            tx.rollback().await?;
            tx = self.begin_at(after).await?;
            one_by_one = true;
        }
        if one_by_one {
            for (index, event) in events.iter().enumerate() {
                let span = tracing::debug_span!(
                    "project",
                    projection = self.projection.name(),
                    event = %event.global,
                    event_type = %event.event_type
                );
                let _enter = span.enter();
                if let Err(error) = self.projection.apply(&mut tx, event).await {
                    tx.rollback().await?;
                    return Ok(Err((index, error)));
                }
            }
        }
        if !self.advance(&mut tx, through, count).await? {
            tx.rollback().await?;
            return Err(RunnerError::NotOwner(self.projection.name()));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// A transaction holding the lease, with the checkpoint still at `after`.
    async fn begin_at(&self, after: GlobalPosition) -> Result<Tx<'static>, RunnerError> {
        let mut tx = Tx::begin(&self.db).await?;
        match self.claim(&mut tx).await? {
            None => {
                tx.rollback().await?;
                Err(RunnerError::NotOwner(self.projection.name()))
            }
            Some(checkpoint) if checkpoint != after => {
                tx.rollback().await?;
                Err(RunnerError::Moved(self.projection.name()))
            }
            Some(_) => Ok(tx),
        }
    }

    /// Claims or renews the lease, learning the checkpoint under it, and
    /// writes the progress made over unwanted events since the last write
    /// (if the checkpoint is still where this runner left it). `None`:
    /// another runner holds the lease.
    pub(super) async fn renew(&self) -> Result<Option<Cursor>, RunnerError> {
        let started = now_ms();
        let previous = self.remembered();
        let mut tx = Tx::begin(&self.db).await?;
        let Some(stored) = self.claim(&mut tx).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mut cursor = Cursor::at(stored);
        if let Some(previous) = previous.filter(|p| p.stored == stored && p.read > stored) {
            if self
                .advance(&mut tx, previous.read, previous.skipped)
                .await?
            {
                cursor = Cursor::at(previous.read);
            }
        }
        tx.commit().await?;
        self.renewed_ms.store(started, Ordering::Relaxed);
        self.remember(Some(cursor));
        Ok(Some(cursor))
    }

    /// One batch: claim, read, apply (retrying and parking a failing event).
    pub async fn step(&self) -> Result<Step, RunnerError> {
        self.ensure_row().await?;
        let cursor = match self.fresh_cursor() {
            Some(cursor) => cursor,
            None => match self.renew().await? {
                Some(cursor) => cursor,
                None => return Ok(Step::NotOwner),
            },
        };
        let events = self.read(cursor.read).await?;
        let Some(through) = events.last().map(|e| e.global) else {
            return Ok(Step::Applied(0));
        };
        // Asked once per event (a projection may decode to answer).
        let keep: Vec<bool> = events.iter().map(|e| self.projection.wants(e)).collect();
        let wanted: Cow<'_, [RecordedEvent]> = if keep.iter().all(|k| *k) {
            Cow::Borrowed(&events)
        } else {
            Cow::Owned(
                events
                    .iter()
                    .zip(&keep)
                    .filter(|(_, k)| **k)
                    .map(|(e, _)| e.clone())
                    .collect(),
            )
        };
        if wanted.is_empty() {
            // Nothing to write: move on in memory; the next renewal or
            // applying transaction writes the checkpoint.
            self.remember(Some(Cursor {
                read: through,
                skipped: cursor.skipped + events.len(),
                ..cursor
            }));
            return Ok(Step::Applied(events.len()));
        }
        let count = cursor.skipped + events.len();
        let started = now_ms();
        match self.apply_all(cursor.stored, &wanted, through, count).await {
            Err(RunnerError::NotOwner(_)) => {
                self.renewed_ms.store(i64::MIN / 2, Ordering::Relaxed);
                self.remember(None);
                Ok(Step::NotOwner)
            }
            Err(RunnerError::Moved(_)) => {
                self.remember(None);
                Ok(Step::Applied(0))
            }
            Err(other) => {
                self.remember(None);
                Err(other)
            }
            Ok(Ok(())) => {
                // Its transaction renewed the lease and moved the checkpoint.
                self.renewed_ms.store(started, Ordering::Relaxed);
                self.remember(Some(Cursor::at(through)));
                if let Some(applied) = &self.applied {
                    applied.record(&wanted);
                }
                Ok(Step::Applied(events.len()))
            }
            Ok(Err((index, _))) => {
                // The checkpoint moves below: look it up again next time.
                self.remember(None);
                let consumed = events
                    .iter()
                    .position(|e| e.global == wanted[index].global)
                    .map_or(events.len(), |i| i + 1);
                self.retry_or_park(cursor.stored, &wanted, index).await?;
                Ok(Step::Applied(consumed))
            }
        }
    }

    /// Commits the events before `wanted[index]`, then retries that one
    /// alone with backoff and parks it if it keeps failing.
    async fn retry_or_park(
        &self,
        stored: GlobalPosition,
        wanted: &[RecordedEvent],
        index: usize,
    ) -> Result<(), RunnerError> {
        let before = if index > 0 {
            let through = wanted[index - 1].global;
            if let Ok(Err((at, error))) = self
                .apply_all(stored, &wanted[..index], through, index)
                .await
            {
                return Err(RunnerError::Apply {
                    projection: self.projection.name(),
                    at: wanted[at].global.to_string(),
                    reason: error.to_string(),
                });
            }
            through
        } else {
            stored
        };
        let failing = &wanted[index];
        let mut delay = self.config.backoff;
        let mut last_error = None;
        for attempt in 1..=self.config.max_attempts {
            match self
                .apply_all(before, std::slice::from_ref(failing), failing.global, 1)
                .await?
            {
                Ok(()) => return Ok(()),
                Err((_, error)) => {
                    tracing::warn!(
                        projection = self.projection.name(),
                        event = %failing.global,
                        attempt,
                        error = %error,
                        "projection failed to apply an event; retrying"
                    );
                    last_error = Some(error);
                    if attempt < self.config.max_attempts {
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                    }
                }
            }
        }
        if let Some(error) = last_error {
            self.park(failing, &error).await?;
        }
        Ok(())
    }

    /// Applies everything committed before the call, then returns (with
    /// the checkpoint written). Fails if another runner holds the
    /// projection.
    pub async fn catch_up(&self) -> Result<usize, RunnerError> {
        self.db.settle(Duration::from_secs(30)).await?;
        if let Some(tail) = &self.tail {
            tail.refresh().await?;
        }
        let mut total = 0;
        loop {
            match self.step().await? {
                Step::Applied(0) => break,
                Step::Applied(n) => total += n,
                Step::NotOwner => return Err(RunnerError::NotOwner(self.projection.name())),
            }
        }
        if self.remembered().is_some_and(|c| c.read > c.stored) && self.renew().await?.is_none() {
            return Err(RunnerError::NotOwner(self.projection.name()));
        }
        Ok(total)
    }
}
