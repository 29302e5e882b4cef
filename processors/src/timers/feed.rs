//! The timer feed: a subscription to the event log (the read models'
//! runner, checkpoint in the same transaction) that schedules timers:
//! - a requested action: its check's expiry at the deadline (a new request
//!   for the same check moves it);
//! - a check starting to process: its escalation once it has processed for
//!   longer than the limit (a new attempt moves it);
//! - a case opening, a reminder going out, an action being requested: the
//!   case's next reminder (the aggregate decides whether it is still due).

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use veritrail_domain::case::{upcasters, CaseEvent, ReminderPolicy};
use veritrail_domain::metadata::OCCURRED_AT;
use veritrail_event_store::sql::millis;
use veritrail_event_store::subscription::{decode, Projection, ProjectionError, Tx};
use veritrail_event_store::{run, RecordedEvent};

use super::store::{ESCALATE_PROCESSING, EXPIRE_ACTION, REMIND, SCHEDULE};

/// The feed's checkpoint name.
pub const NAME: &str = "timer_feed";

#[derive(Debug, Clone, Copy)]
pub struct TimerFeed {
    /// How long a check may process before it is escalated.
    pub escalate_after: Duration,
    /// When waiting individuals are reminded.
    pub reminders: ReminderPolicy,
}

/// The event types that schedule something.
const SCHEDULING: [&str; 4] = [
    "CaseOpened",
    "CheckActionRequested",
    "CheckStarted",
    "IndividualReminded",
];

/// A timer to schedule: kind, target (a check, `{check}#{attempt}` or
/// `case`) and due time.
type Schedule = (&'static str, String, OffsetDateTime);

/// When the event happened by the service's clock (its `occurred_at`).
fn occurred_at(event: &RecordedEvent) -> OffsetDateTime {
    event
        .metadata
        .get(OCCURRED_AT)
        .and_then(|v| v.as_str())
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .unwrap_or(event.recorded_at)
}

/// What a case event schedules.
fn schedule(feed: &TimerFeed, event: &RecordedEvent, decoded: CaseEvent) -> Vec<Schedule> {
    let policy = &feed.reminders;
    let remind = |at: OffsetDateTime| (REMIND, "case".to_owned(), at);
    let reminding = policy.max > 0;
    match decoded {
        CaseEvent::CaseOpened { opened_at, .. } if reminding => {
            vec![remind(opened_at + policy.after)]
        }
        CaseEvent::IndividualReminded {
            number,
            reminded_at,
        } if number < policy.max => vec![remind(reminded_at + policy.interval)],
        CaseEvent::CheckActionRequested {
            check, deadline, ..
        } => {
            let mut timers = vec![(EXPIRE_ACTION, check.as_str().to_owned(), deadline)];
            if reminding {
                timers.push(remind(occurred_at(event) + policy.interval));
            }
            timers
        }
        CaseEvent::CheckStarted { check, attempt, .. } => {
            let due = occurred_at(event) + feed.escalate_after;
            let target = format!("{}#{attempt}", check.as_str());
            vec![(ESCALATE_PROCESSING, target, due)]
        }
        _ => Vec::new(),
    }
}

impl Projection for TimerFeed {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &["timers"]
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        event.aggregate_type == "VerificationCase"
            && SCHEDULING.contains(&event.event_type.as_str())
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if !self.wants(event) {
            return Ok(());
        }
        let decoded = decode::<CaseEvent>(event, &upcasters())?;
        let tenant = event.tenant_id.as_deref().unwrap_or_default();
        for (kind, target, due) in schedule(self, event, decoded) {
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
        }
        Ok(())
    }
}
