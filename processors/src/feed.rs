//! The pipeline feed: a subscription (the read models' runner, lease and same-transaction
//! checkpoint as the read models) that turns the events that give a case
//! work — a submission, a resubmission, a retry — into a pending job. A
//! trigger that arrives while the case is being processed bumps the job's
//! generation, so the worker that holds it runs again instead of losing it.

use veritrail_event_store::sql::millis;
use veritrail_event_store::subscription::{Projection, ProjectionError, Tx};
use veritrail_event_store::RecordedEvent;

use crate::jobs::UPSERT;

/// The feed's checkpoint name.
pub const NAME: &str = "pipeline_feed";

/// Events that give a case's checks something to do.
const TRIGGERS: [&str; 3] = ["DataSubmitted", "CheckResubmitted", "CheckRetried"];

#[derive(Debug, Clone, Copy, Default)]
pub struct PipelineFeed;

impl Projection for PipelineFeed {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &["case_jobs"]
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        event.aggregate_type == "VerificationCase" && TRIGGERS.contains(&event.event_type.as_str())
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if !self.wants(event) {
            return Ok(());
        }
        let Some(tenant) = event.tenant_id.as_deref() else {
            return Err(ProjectionError::Other(format!(
                "case event {} has no tenant",
                event.global
            )));
        };
        let now = millis(time::OffsetDateTime::now_utc());
        veritrail_event_store::run!(
            tx,
            sqlx::query(UPSERT)
                .bind(&event.aggregate_id)
                .bind(tenant)
                .bind(now)
        )?;
        Ok(())
    }
}
