//! The keys this process is running right now: one request per key at a
//! time here. A request claims its key before reserving it; so a key in the
//! table owned by this process, met while holding the claim, was abandoned
//! here — its request ended with a retryable answer (5xx, `Retry-After`),
//! panicked, or its client went away. The retry continues it exactly like a
//! key whose process died ([`super::Reservation::Recovered`]): a command
//! that committed before the failure is answered, not run twice, even if
//! marking the key abandoned failed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone, Default)]
pub(super) struct Running(Arc<Mutex<HashSet<String>>>);

/// Held while a request with the key runs; dropping it ends that.
#[derive(Debug)]
pub struct RunningKey {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Drop for RunningKey {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

impl Running {
    /// Marks `id` running; `None` if a request of this process already runs it.
    pub(super) fn claim(&self, id: String) -> Option<RunningKey> {
        let mut set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        set.insert(id.clone()).then(|| RunningKey {
            set: Arc::clone(&self.0),
            id,
        })
    }

    #[cfg(test)]
    fn contains(&self, id: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(id)
    }
}

/// One string per (tenant, actor, key).
pub(super) fn running_id(tenant: &str, actor: &str, key: &str) -> String {
    format!("{tenant}\u{0}{actor}\u{0}{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_runs_once_per_process_until_its_guard_drops() {
        let running = Running::default();
        let id = running_id("acme", "org", "k");
        let guard = running.claim(id.clone()).expect("first claim");
        assert!(running.contains(&id));
        assert!(running.claim(id.clone()).is_none());
        drop(guard);
        assert!(!running.contains(&id));
        assert!(running.claim(id).is_some());
    }
}
