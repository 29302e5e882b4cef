//! One reader of the global log per instance (ADR 0018). Every subscription
//! of an instance — the read models and the processors' feeds — follows the
//! same log; instead of each waking on every commit and reading it, one
//! `LogTail` reads what was committed (woken by PostgreSQL's NOTIFY, or
//! polling) into a window of recent events kept in memory, and the runners
//! take their batches from there. A runner whose checkpoint is outside the
//! window (behind it after a restart, or a lagging projection) reads the
//! database itself, and its reads extend the window when they reach its end.
//!
//! The window is correct because the log is append-only and read_all never
//! returns an event that an earlier-ordered one could still follow (ADR
//! 0002): events after a position, once read, are exactly those any later
//! read returns after it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

use crate::{EventDatabase, GlobalPosition, RecordedEvent, StoreError};

/// Events read per query when following the log.
const FETCH: u32 = 1_000;

/// The reader of the log shared by an instance's runners.
#[derive(Debug)]
pub struct LogTail {
    db: EventDatabase,
    window: Mutex<Window>,
    /// One refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
    /// Bumped whenever the window gains events: runners wait on it.
    version: watch::Sender<u64>,
    capacity: usize,
    poll: Duration,
}

/// Recent events, contiguous in the log, after `start`.
#[derive(Debug, Default)]
struct Window {
    /// Some runner has read from the log, so `start` is a real position.
    seeded: bool,
    start: GlobalPosition,
    events: VecDeque<RecordedEvent>,
    /// The window's end may be short of the log's end (it was filled by a
    /// full batch): a runner at its end reads the database.
    behind: bool,
}

impl Window {
    fn end(&self) -> GlobalPosition {
        self.events.back().map_or(self.start, |e| e.global)
    }

    /// Index of the first event after `cursor`, if the window holds it.
    fn locate(&self, cursor: GlobalPosition) -> Option<usize> {
        if !self.seeded {
            return None;
        }
        if cursor == self.start {
            return Some(0);
        }
        self.events
            .binary_search_by(|e| e.global.cmp(&cursor))
            .ok()
            .map(|i| i + 1)
    }

    fn extend(&mut self, events: &[RecordedEvent], capacity: usize) {
        self.events.extend(events.iter().cloned());
        while self.events.len() > capacity {
            if let Some(dropped) = self.events.pop_front() {
                self.start = dropped.global;
            }
        }
    }
}

impl LogTail {
    /// A tail keeping up to `capacity` recent events, polling every `poll`
    /// when no notification arrives.
    pub fn new(db: EventDatabase, capacity: usize, poll: Duration) -> Arc<Self> {
        Arc::new(Self {
            db,
            window: Mutex::default(),
            refreshing: tokio::sync::Mutex::new(()),
            version: watch::Sender::new(0),
            capacity: capacity.max(1),
            poll,
        })
    }

    /// A receiver that changes whenever new events are in the window.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    fn window(&self) -> MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Up to `limit` events after `after`, as [`EventDatabase::read_all`]
    /// returns them as of the last refresh: from memory when the window
    /// holds `after`, from the database otherwise.
    pub async fn read(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        {
            let window = self.window();
            if let Some(index) = window.locate(after) {
                if index < window.events.len() {
                    let take = usize::try_from(limit).unwrap_or(usize::MAX);
                    return Ok(window.events.range(index..).take(take).cloned().collect());
                }
                if !window.behind {
                    return Ok(Vec::new());
                }
            }
        }
        let events = self.db.read_all(after, limit).await?;
        let grew = {
            let mut window = self.window();
            if !window.seeded || after > window.end() {
                *window = Window {
                    seeded: true,
                    start: after,
                    events: VecDeque::new(),
                    behind: true,
                };
            }
            if after == window.end() {
                window.extend(&events, self.capacity);
                window.behind = events.len() >= usize::try_from(limit).unwrap_or(usize::MAX);
                !events.is_empty()
            } else {
                false
            }
        };
        if grew {
            self.version.send_modify(|v| *v += 1);
        }
        Ok(events)
    }

    /// Reads what was committed after the window's end. Returns once the
    /// window holds everything committed before the call (or is marked
    /// behind, for runners to read on their own).
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let _one = self.refreshing.lock().await;
        let rounds = (self.capacity / FETCH as usize).max(1);
        for _ in 0..rounds {
            let end = {
                let window = self.window();
                if !window.seeded || window.behind {
                    return Ok(());
                }
                window.end()
            };
            let events = self.db.read_all(end, FETCH).await?;
            let full = events.len() >= FETCH as usize;
            {
                let mut window = self.window();
                if window.end() != end {
                    // A runner's own read moved the window meanwhile.
                    return Ok(());
                }
                window.extend(&events, self.capacity);
                window.behind = full;
            }
            if !events.is_empty() {
                self.version.send_modify(|v| *v += 1);
            }
            if !full {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Follows the log forever: refreshes on every notification of a
    /// commit (PostgreSQL) and at least every polling interval.
    pub async fn run(self: Arc<Self>) {
        let mut listener = super::run::listen(&self.db).await;
        loop {
            if let Err(error) = self.refresh().await {
                tracing::warn!(%error, "the log tail cannot read the log");
            }
            let deadline = tokio::time::Instant::now() + self.poll;
            super::run::wait_for_commit(listener.as_mut(), deadline).await;
            if let Some(listener) = listener.as_mut() {
                // Notifications that arrived meanwhile are covered by the next read.
                while listener.next_buffered().is_some() {}
            }
        }
    }
}
