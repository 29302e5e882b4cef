//! Processors (issue 16): what happens to a case between the individual's
//! submission and the officer's queue.
//!
//! - [`feed`]: a projection of the event log (same runner guarantees as the
//!   read models) that turns submissions, resubmissions and retries into
//!   case jobs.
//! - [`jobs`]: the `case_jobs` work list, claimed under leases.
//! - [`pipeline`]: one pass over a case — liveness, document, face match
//!   and KYA in the workflow's order, each as a run recorded on the case,
//!   then the score and the decision it makes.
//! - [`providers`]: where a check runs — the built-in models, or an
//!   external provider over HTTP (CHK-11).
//! - [`worker`]: the feed and the workers of one instance.

pub mod feed;
pub mod jobs;
pub mod notices;
pub mod pipeline;
pub mod providers;
pub mod timers;
pub mod webhooks;
pub mod worker;

pub use feed::PipelineFeed;
pub use jobs::{Job, JobRow, Jobs};
pub use pipeline::{Pipeline, Transient};
pub use providers::{CheckProvider, ProviderRegistry, RunScope};
pub use worker::{ProcessorConfig, Processors};
