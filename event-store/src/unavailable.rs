//! Telling "the database cannot serve right now" from a bug. A lost or
//! refused connection, a server shutting down or starting, a read-only or
//! full database are conditions an operator fixes and a client retries: the
//! API answers them 503 with `Retry-After`, not 500.

use std::error::Error;

/// SQLSTATE classes and codes of a database that cannot serve now:
/// 08 connection exception, 53 insufficient resources (disk full, out of
/// memory, too many connections), 57P01–57P03 shutdown and start-up,
/// 25006 read-only transaction, 40P01 deadlock (retryable).
fn unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "25006" | "40P01")
}

/// SQLite primary result codes: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
fn unavailable_sqlite(code: &str) -> bool {
    let Ok(extended) = code.parse::<u32>() else {
        return false;
    };
    matches!(extended & 0xff, 5 | 6 | 8 | 10 | 13 | 14)
}

fn sqlx_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| unavailable_sqlstate(&code) || unavailable_sqlite(&code)),
        _ => false,
    }
}

/// Whether `error`, or any error it was caused by, is the database being
/// unreachable, shutting down, read-only or full.
pub fn is_unavailable(error: &(dyn Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(sqlx) = error.downcast_ref::<sqlx::Error>() {
            if sqlx_unavailable(sqlx) {
                return true;
            }
        }
        if let Some(crate::StoreError::Database(sqlx) | crate::StoreError::Connect(sqlx)) =
            error.downcast_ref::<crate::StoreError>()
        {
            return sqlx_unavailable(sqlx);
        }
        current = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_loss_read_only_and_full_are_unavailable_other_errors_are_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(is_unavailable(&io));
        assert!(unavailable_sqlstate("25006"));
        assert!(unavailable_sqlstate("53100"));
        assert!(unavailable_sqlstate("57P01"));
        assert!(unavailable_sqlstate("08006"));
        assert!(!unavailable_sqlstate("23505"));
        assert!(!unavailable_sqlstate("42P01"));
        assert!(unavailable_sqlite("8"));
        assert!(unavailable_sqlite("13"));
        assert!(unavailable_sqlite("261"));
        assert!(!unavailable_sqlite("2067"));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        let wrapped: Box<dyn Error + Send + Sync> = Box::new(sqlx::Error::PoolClosed);
        assert!(is_unavailable(&*wrapped));
    }
}
