//! Abandoning a key: marking it so that the next retry, on any instance,
//! continues its request. The mark is written when the request ends without
//! a final answer; if the database is away at that moment, the heartbeat
//! retries it until it is written. Meanwhile a retry reaching this instance
//! continues the request anyway (see `running`); one reaching another
//! instance waits for the mark, as for a key still running.

use std::sync::{Arc, Mutex, PoisonError};

use super::IdempotencyStore;
use crate::ServiceError;
use veritrail_event_store::sql::{execute, Param};

/// (tenant, actor, key) of marks still to write.
#[derive(Debug, Clone, Default)]
pub(super) struct Pending(Arc<Mutex<Vec<(String, String, String)>>>);

impl Pending {
    fn push(&self, id: (String, String, String)) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(id);
    }

    fn take(&self) -> Vec<(String, String, String)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl IdempotencyStore {
    /// Gives up a key in progress whose request ended without a final
    /// answer; a failed mark is kept and retried by [`Self::retry_abandons`].
    pub async fn abandon(&self, tenant: &str, actor: &str, key: &str) -> Result<(), ServiceError> {
        let marked = self.mark_abandoned(tenant, actor, key).await;
        if marked.is_err() {
            self.pending
                .push((tenant.to_owned(), actor.to_owned(), key.to_owned()));
        }
        marked
    }

    /// Writes the marks that failed. A key a request of this process runs
    /// again (it took it over) is left to that request.
    pub async fn retry_abandons(&self) {
        for (tenant, actor, key) in self.pending.take() {
            let Some(_claim) = self.claim(&tenant, &actor, &key) else {
                continue;
            };
            if self.mark_abandoned(&tenant, &actor, &key).await.is_err() {
                self.pending.push((tenant, actor, key));
            }
        }
    }

    /// Only a key this process holds and nobody answered.
    async fn mark_abandoned(
        &self,
        tenant: &str,
        actor: &str,
        key: &str,
    ) -> Result<(), ServiceError> {
        execute(
            &self.db,
            "UPDATE idempotency_keys SET owner = ''
              WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3
                AND status_code IS NULL AND owner = $4",
            &[
                Param::Text(tenant.to_owned()),
                Param::Text(actor.to_owned()),
                Param::Text(key.to_owned()),
                Param::Text(self.process.clone()),
            ],
        )
        .await?;
        Ok(())
    }
}
