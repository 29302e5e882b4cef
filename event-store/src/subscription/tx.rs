//! A transaction on either backend, and a macro running the same SQL on both.

use sqlx::{Postgres, Sqlite, Transaction};

use crate::EventDatabase;

/// The runner's transaction, handed to projections.
#[derive(Debug)]
pub enum Tx<'a> {
    Postgres(Transaction<'a, Postgres>),
    Sqlite(Transaction<'a, Sqlite>),
}

impl Tx<'static> {
    pub async fn begin(db: &EventDatabase) -> Result<Self, sqlx::Error> {
        Ok(match db {
            EventDatabase::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            EventDatabase::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
        })
    }
}

impl Tx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Postgres(t) => t.commit().await,
            Tx::Sqlite(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Postgres(t) => t.rollback().await,
            Tx::Sqlite(t) => t.rollback().await,
        }
    }
}

/// Executes one query (written once, bound once) on whichever backend `tx`
/// is, returning the rows affected. SQL uses `$n` placeholders, which both
/// PostgreSQL and SQLite accept.
#[macro_export]
macro_rules! run {
    ($tx:expr, $query:expr) => {
        match $tx {
            $crate::subscription::Tx::Postgres(t) => {
                $query.execute(&mut **t).await.map(|r| r.rows_affected())
            }
            $crate::subscription::Tx::Sqlite(t) => {
                $query.execute(&mut **t).await.map(|r| r.rows_affected())
            }
        }
    };
}

/// Fetches at most one row of `$query` (a `sqlx::query_as(…)` with its
/// binds) within the transaction, on either backend; the row type comes
/// from the caller's annotation.
#[macro_export]
macro_rules! fetch_optional {
    ($tx:expr, $query:expr) => {
        match $tx {
            $crate::subscription::Tx::Postgres(t) => $query.fetch_optional(&mut **t).await,
            $crate::subscription::Tx::Sqlite(t) => $query.fetch_optional(&mut **t).await,
        }
    };
}

/// Fetches every row of `$query` within the transaction, on either backend.
#[macro_export]
macro_rules! fetch_all {
    ($tx:expr, $query:expr) => {
        match $tx {
            $crate::subscription::Tx::Postgres(t) => $query.fetch_all(&mut **t).await,
            $crate::subscription::Tx::Sqlite(t) => $query.fetch_all(&mut **t).await,
        }
    };
}
