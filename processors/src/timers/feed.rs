//! The timer feed: a subscription to the event log (the read models'
//! runner, checkpoint in the same transaction) that schedules timers:
//! - a requested action: its check's expiry at the deadline (a new request
//!   for the same check moves it);
//! - a check starting to process: its escalation once it has processed for
//!   longer than the limit (a new attempt moves it).

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use veritrail_domain::case::{upcasters, CaseEvent};
use veritrail_domain::metadata::OCCURRED_AT;
use veritrail_event_store::sql::millis;
use veritrail_event_store::subscription::{decode, Projection, ProjectionError, Tx};
use veritrail_event_store::{run, RecordedEvent};

use super::store::{ESCALATE_PROCESSING, EXPIRE_ACTION, SCHEDULE};

/// The feed's checkpoint name.
pub const NAME: &str = "timer_feed";

#[derive(Debug, Clone, Copy)]
pub struct TimerFeed {
    /// How long a check may process before it is escalated.
    pub escalate_after: Duration,
}

/// When the event happened by the service's clock (its `occurred_at`).
fn occurred_at(event: &RecordedEvent) -> OffsetDateTime {
    event
        .metadata
        .get(OCCURRED_AT)
        .and_then(|v| v.as_str())
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .unwrap_or(event.recorded_at)
}

/// What a case event schedules: kind, target and due time.
fn schedule(
    feed: &TimerFeed,
    event: &RecordedEvent,
    decoded: CaseEvent,
) -> Option<(&'static str, String, OffsetDateTime)> {
    match decoded {
        CaseEvent::CheckActionRequested {
            check, deadline, ..
        } => Some((EXPIRE_ACTION, check.as_str().to_owned(), deadline)),
        CaseEvent::CheckStarted { check, attempt, .. } => {
            let due = occurred_at(event) + feed.escalate_after;
            Some((
                ESCALATE_PROCESSING,
                format!("{}#{attempt}", check.as_str()),
                due,
            ))
        }
        _ => None,
    }
}

impl Projection for TimerFeed {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &["timers"]
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if event.aggregate_type != "VerificationCase"
            || !["CheckActionRequested", "CheckStarted"].contains(&event.event_type.as_str())
        {
            return Ok(());
        }
        let decoded = decode::<CaseEvent>(event, &upcasters())?;
        let Some((kind, target, due)) = schedule(self, event, decoded) else {
            return Ok(());
        };
        let tenant = event.tenant_id.as_deref().unwrap_or_default();
        let check = target.split('#').next().unwrap_or_default();
        let id = format!("{kind}/{}/{check}", event.aggregate_id);
        run!(
            tx,
            sqlx::query(SCHEDULE)
                .bind(id)
                .bind(kind)
                .bind(tenant)
                .bind(&event.aggregate_id)
                .bind(&target)
                .bind(millis(due))
                .bind(millis(event.recorded_at))
        )?;
        Ok(())
    }
}
