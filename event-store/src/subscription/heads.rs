//! What a runner has committed, per stream, for readers in the same
//! process: a command that waits to read its own write asks here first,
//! instead of querying the read model after every batch.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::futures::Notified;
use tokio::sync::Notify;

use crate::RecordedEvent;

/// Streams forgotten at once when this many are remembered (a reader that
/// misses asks the database).
const CAPACITY: usize = 65_536;

/// The highest sequence of each stream a runner has committed, and a
/// notification after each of its commits.
#[derive(Debug, Default)]
pub struct AppliedHeads {
    heads: Mutex<HashMap<String, i64>>,
    notify: Notify,
}

impl AppliedHeads {
    /// Records a committed batch and wakes the waiters.
    pub fn record(&self, events: &[RecordedEvent]) {
        {
            let mut heads = self.heads.lock().unwrap_or_else(|e| e.into_inner());
            if heads.len() + events.len() > CAPACITY {
                heads.clear();
            }
            for event in events {
                let head = heads.entry(event.aggregate_id.clone()).or_insert(0);
                *head = (*head).max(event.sequence);
            }
        }
        self.notify.notify_waiters();
    }

    /// Whether the runner has committed `stream` up to `sequence` (false
    /// also when it does not remember: ask the database).
    pub fn reached(&self, stream: &str, sequence: i64) -> bool {
        let heads = self.heads.lock().unwrap_or_else(|e| e.into_inner());
        heads.get(stream).is_some_and(|head| *head >= sequence)
    }

    /// Completes at the runner's next commit (register before looking).
    pub fn committed(&self) -> Notified<'_> {
        self.notify.notified()
    }
}
