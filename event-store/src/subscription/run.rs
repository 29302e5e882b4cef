//! Running a subscription forever: step, then wait for news of a commit —
//! from the instance's log tail, or from PostgreSQL's NOTIFY — or for the
//! polling interval.

use sqlx::postgres::PgListener;
use tokio::sync::watch;
use tokio::time::Instant;

use super::{Projection, Runner, Step};
use crate::EventDatabase;

/// A listener for the store's commit notifications (PostgreSQL), or none
/// (SQLite, or no connection: polling only).
pub(super) async fn listen(db: &EventDatabase) -> Option<PgListener> {
    let EventDatabase::Postgres(pool) = db else {
        return None;
    };
    match PgListener::connect_with(pool).await {
        Ok(mut listener) => match listener.listen("veritrail_events").await {
            Ok(()) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "LISTEN failed; polling only");
                None
            }
        },
        Err(error) => {
            tracing::warn!(%error, "no listener connection; polling only");
            None
        }
    }
}

/// Waits for a commit notification or `deadline`, whichever comes first.
pub(super) async fn wait_for_commit(listener: Option<&mut PgListener>, deadline: Instant) {
    match listener {
        Some(listener) => {
            tokio::select! {
                notification = listener.recv() => {
                    if let Err(error) = notification {
                        tracing::warn!(%error, "listener failed; it reconnects on next recv");
                        tokio::time::sleep_until(deadline).await;
                    }
                }
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
        None => tokio::time::sleep_until(deadline).await,
    }
}

/// What wakes a waiting runner.
enum Wake {
    Tail(watch::Receiver<u64>),
    Listener(Option<PgListener>),
}

impl<P: Projection> Runner<P> {
    /// Runs forever: catches up, then waits for new events (the log tail's
    /// news, or a PostgreSQL notification) or the polling interval. A
    /// runner that does not hold the lease stands by and takes over when
    /// it expires.
    pub async fn run(self) {
        let mut wake = match &self.tail {
            Some(tail) => Wake::Tail(tail.subscribe()),
            None => Wake::Listener(listen(&self.db).await),
        };
        let name = self.projection.name();
        tracing::info!(projection = name, owner = %self.owner, "projection runner started");
        loop {
            if let Wake::Tail(news) = &mut wake {
                // Whatever arrives from here on wakes the wait below.
                news.borrow_and_update();
            }
            let wait = match self.step().await {
                Ok(Step::Applied(0)) => self.config.poll_interval,
                Ok(Step::Applied(_)) => continue,
                Ok(Step::NotOwner) => self.config.lease / 3,
                Err(error) => {
                    tracing::error!(projection = name, %error, "projection step failed");
                    self.config.poll_interval * 4
                }
            };
            let deadline = Instant::now() + wait;
            match &mut wake {
                Wake::Tail(news) => {
                    tokio::select! {
                        _ = news.changed() => {}
                        () = tokio::time::sleep_until(deadline) => {}
                    }
                }
                Wake::Listener(listener) => wait_for_commit(listener.as_mut(), deadline).await,
            }
        }
    }
}
