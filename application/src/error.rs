//! Why a use case did not happen, for every caller (HTTP, processors, CLI).

use cqrs_es::AggregateError;
use veritrail_domain::case::CaseError;

/// The underlying failure of the store, with its own source chain.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The domain refused the command (a 4xx at the edge).
    #[error(transparent)]
    Refused(#[from] CaseError),
    /// The tenant aggregate refused the command.
    #[error(transparent)]
    TenantRefused(#[from] veritrail_domain::tenant::TenantError),
    /// The invitation aggregate refused the command.
    #[error(transparent)]
    InvitationRefused(#[from] veritrail_domain::invitation::InvitationError),
    /// The tenant's webhook endpoints refused the command.
    #[error(transparent)]
    WebhookRefused(#[from] veritrail_domain::webhook::WebhookError),
    /// The tenant's notification settings refused the command.
    #[error(transparent)]
    NotificationRefused(#[from] veritrail_domain::notification::NotificationError),
    /// The caller may not do this (a 403 at the edge); nothing was written.
    #[error("{0}")]
    Forbidden(String),
    /// Another writer appended to the stream first; nothing was written.
    #[error("the case was changed concurrently; reload and retry")]
    Conflict,
    /// Concurrent writers kept winning; the caller may retry later.
    #[error("too much contention on subject {0}; retry later")]
    Contention(String),
    /// `If-Match` named another version than the stream's; nothing was written.
    #[error("the case is at version {current}, not the expected {expected}")]
    VersionMismatch { expected: usize, current: usize },
    /// The store failed (a 5xx at the edge; details are logged, not shown).
    /// The cause is kept, with its own chain.
    #[error("event store failure: {0}")]
    Store(#[source] Cause),
    /// The database cannot serve now (unreachable, restarting, read-only,
    /// full): a 503 with `Retry-After` at the edge; nothing was written.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// A stored row or event does not decode: a bug or a damaged database
    /// (a 500 at the edge, logged with what and where).
    #[error("stored data does not decode: {0}")]
    Corrupt(String),
    /// A value the use case was given (or derived from the stream) is not
    /// acceptable; nothing was written (a 422 at the edge).
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl ServiceError {
    /// A store failure, told apart from the database being unavailable.
    pub fn store(error: impl Into<Cause>) -> Self {
        let error: Cause = error.into();
        if veritrail_event_store::is_unavailable(&*error) {
            ServiceError::Unavailable(error)
        } else {
            ServiceError::Store(error)
        }
    }
}

impl<E: std::error::Error> From<AggregateError<E>> for ServiceError
where
    ServiceError: From<E>,
{
    fn from(error: AggregateError<E>) -> Self {
        match error {
            AggregateError::UserError(e) => e.into(),
            AggregateError::AggregateConflict => ServiceError::Conflict,
            AggregateError::DatabaseConnectionError(e) => ServiceError::Unavailable(e),
            AggregateError::UnexpectedError(e) => ServiceError::store(e),
            other => ServiceError::Store(other.to_string().into()),
        }
    }
}

impl From<veritrail_domain::access::AccessError> for ServiceError {
    fn from(_: veritrail_domain::access::AccessError) -> Self {
        // Access ids are fresh v7 UUIDs: a reused one means a concurrent write.
        ServiceError::Conflict
    }
}

impl From<veritrail_domain::webhook::DeadLetterError> for ServiceError {
    fn from(_: veritrail_domain::webhook::DeadLetterError) -> Self {
        // Recording a dead letter twice decides nothing; it is never refused.
        ServiceError::Conflict
    }
}

impl From<veritrail_domain::subject::SubjectError> for ServiceError {
    fn from(error: veritrail_domain::subject::SubjectError) -> Self {
        // Subject refusals mean "somebody else got there first".
        ServiceError::Contention(error.to_string())
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(error: sqlx::Error) -> Self {
        ServiceError::store(error)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::ServiceError;

    #[test]
    fn a_store_failure_keeps_its_cause_chain() {
        let cause = std::io::Error::new(std::io::ErrorKind::InvalidData, "page checksum mismatch");
        let error = ServiceError::from(sqlx::Error::ColumnDecode {
            index: "payload".into(),
            source: Box::new(cause),
        });
        assert!(matches!(error, ServiceError::Store(_)), "{error:?}");
        let cause = error.source().expect("the sqlx error");
        let root = cause.source().expect("the decoding error under it");
        assert!(
            root.to_string().contains("page checksum mismatch"),
            "{root}"
        );
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_a_failure() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = ServiceError::from(sqlx::Error::Io(io));
        assert!(matches!(error, ServiceError::Unavailable(_)), "{error:?}");
        assert!(error.source().is_some());
    }
}
