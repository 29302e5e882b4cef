//! The bounded pool for CPU-heavy work (image decoding, OCR, inference).
//!
//! Such work never runs on the async workers that answer requests: it runs
//! on blocking threads, at most `workers` at a time, with at most `queue`
//! more requests waiting for a turn. A request that finds the queue full is
//! refused at once ([`ComputeError::Saturated`], a 503 with `Retry-After`),
//! and one that has waited and worked longer than the budget is answered
//! ([`ComputeError::TimedOut`]) while its thread finishes and frees its turn.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::{timeout_at, Instant};

/// Why CPU-heavy work did not produce a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ComputeError {
    #[error("every worker is busy and the queue is full")]
    Saturated,
    #[error("the work took longer than its budget of {0:?}")]
    TimedOut(Duration),
    /// The work panicked (a bug; logged).
    #[error("the work failed unexpectedly")]
    Panicked,
}

/// Limits of the pool (configuration keys `compute_workers`,
/// `compute_queue`, `compute_budget_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputeLimits {
    /// Threads working at once; 0 = one per core.
    pub workers: usize,
    /// Requests waiting for a worker before new ones are refused.
    pub queue: usize,
    /// Longest a request waits and works before it is answered.
    pub budget: Duration,
}

impl Default for ComputeLimits {
    fn default() -> Self {
        Self {
            workers: 0,
            queue: 16,
            budget: Duration::from_secs(30),
        }
    }
}

/// See the module documentation. Cheap to clone (shared permits).
#[derive(Debug, Clone)]
pub struct ComputePool {
    workers: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    budget: Duration,
}

impl ComputePool {
    pub fn new(limits: ComputeLimits) -> Self {
        let workers = match limits.workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        Self {
            workers: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(Semaphore::new(workers + limits.queue)),
            budget: limits.budget,
        }
    }

    /// Runs `work` on a blocking thread when a worker is free.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ComputeError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let Ok(_admitted) = self.admitted.clone().try_acquire_owned() else {
            return Err(ComputeError::Saturated);
        };
        let deadline = Instant::now() + self.budget;
        let worker = timeout_at(deadline, self.workers.clone().acquire_owned())
            .await
            .map_err(|_| ComputeError::TimedOut(self.budget))?
            .map_err(|_| ComputeError::Saturated)?;
        let task = tokio::task::spawn_blocking(move || {
            // The worker's turn ends when the work does, even if its
            // request was answered earlier.
            let _worker = worker;
            work()
        });
        match timeout_at(deadline, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                tracing::error!(%error, "CPU-heavy work panicked");
                Err(ComputeError::Panicked)
            }
            Err(_) => Err(ComputeError::TimedOut(self.budget)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    fn pool(workers: usize, queue: usize, budget_ms: u64) -> ComputePool {
        ComputePool::new(ComputeLimits {
            workers,
            queue,
            budget: Duration::from_millis(budget_ms),
        })
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_when_work_ends() {
        let pool = pool(1, 1, 60_000);
        let (release, wait) = mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let busy = {
            let (pool, wait) = (pool.clone(), wait.clone());
            tokio::spawn(async move {
                pool.run(move || wait.lock().map(|w| w.recv().is_ok()).unwrap_or(false))
                    .await
            })
        };
        // Let the first take the worker, then fill the one queue place.
        while pool.workers.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let queued = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(|| 7).await })
        };
        while pool.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(|| 1).await, Err(ComputeError::Saturated));
        release.send(()).expect("release");
        assert_eq!(busy.await.expect("join"), Ok(true));
        assert_eq!(queued.await.expect("join"), Ok(7));
        assert_eq!(pool.run(|| 2).await, Ok(2));
    }

    #[tokio::test]
    async fn work_over_budget_is_answered_and_its_turn_freed_when_it_ends() {
        let pool = pool(1, 0, 50);
        let (release, wait) = mpsc::channel::<()>();
        let outcome = pool
            .run(move || {
                let _ = wait.recv();
            })
            .await;
        assert_eq!(
            outcome,
            Err(ComputeError::TimedOut(Duration::from_millis(50)))
        );
        // The thread still works: the worker is taken until it ends.
        assert_eq!(pool.workers.available_permits(), 0);
        release.send(()).expect("release");
        while pool.workers.available_permits() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(|| 3).await, Ok(3));
    }

    #[tokio::test]
    async fn a_panic_is_an_error_not_a_crash() {
        let pool = pool(1, 0, 1_000);
        #[allow(clippy::panic)]
        let outcome = pool.run(|| -> u8 { panic!("boom") }).await;
        assert_eq!(outcome, Err(ComputeError::Panicked));
        assert_eq!(pool.run(|| 4).await, Ok(4));
    }
}
