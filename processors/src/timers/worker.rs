//! Fires due timers (expiries, escalations, reminders), each once across instances: claimed under a lease,
//! the command sent through the application as the system, then settled.
//! The aggregate decides whether the work is still wanted: a check that was
//! answered or decided meanwhile refuses to expire, and the timer is
//! obsolete. Time is the service's injected clock.

use std::sync::Arc;
use std::time::Duration;

use veritrail_application::{RequestContext, ServiceError, Services};
use veritrail_domain::case::{CaseAction, CaseError, CheckKind, ReminderPolicy};
use veritrail_domain::{Actor, CaseId, TenantId};
use veritrail_event_store::sql::millis;

use super::store::{TimerRow, Timers, ESCALATE_PROCESSING, EXPIRE_ACTION, REMIND};

/// How long a claim lasts.
const LEASE_MS: i64 = 60_000;
/// Failures before a timer is parked (its error stays on the row).
const MAX_FAILURES: i64 = 10;

/// What became of a due timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fired {
    /// Its command was recorded.
    Fired,
    /// The aggregate no longer wanted it.
    Obsolete,
    /// It failed and will be tried again (or is not due by the case's clock yet).
    Retrying,
    /// It failed too often.
    Parked,
}

#[derive(Debug, Clone)]
pub struct TimerWorker {
    services: Arc<Services>,
    timers: Timers,
    owner: String,
    poll: Duration,
    reminders: ReminderPolicy,
}

impl TimerWorker {
    pub fn new(
        services: Arc<Services>,
        timers: Timers,
        owner: impl Into<String>,
        poll: Duration,
        reminders: ReminderPolicy,
    ) -> Self {
        Self {
            services,
            timers,
            owner: owner.into(),
            poll,
            reminders,
        }
    }

    /// Fires every timer due now; what became of each.
    pub async fn fire_due(&self) -> Result<Vec<Fired>, sqlx::Error> {
        let now = millis(self.services.clock.now());
        let due = self.timers.claim(&self.owner, now, LEASE_MS, 32).await?;
        let mut outcomes = Vec::with_capacity(due.len());
        for timer in due {
            let (state, error, retry_at, outcome) = match self.fire(&timer).await {
                Ok(Fired::Fired) => ("fired", None, 0, Fired::Fired),
                Ok(_) => ("obsolete", None, 0, Fired::Obsolete),
                Err(Retry::At(at)) => ("pending", None, at, Fired::Retrying),
                Err(Retry::Failed(error)) => {
                    let park = timer.failures + 1 >= MAX_FAILURES;
                    let backoff = 1_000 * (1 << timer.failures.clamp(0, 10));
                    tracing::warn!(timer = %timer.timer_id, %error, park, "a timer failed");
                    let (state, outcome) = if park {
                        ("parked", Fired::Parked)
                    } else {
                        ("pending", Fired::Retrying)
                    };
                    (state, Some(error), now + backoff, outcome)
                }
            };
            self.timers
                .settle(&timer, &self.owner, state, error, retry_at, now)
                .await?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        loop {
            match self.fire_due().await {
                Ok(fired) if !fired.is_empty() => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "timers are unavailable"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    async fn fire(&self, timer: &TimerRow) -> Result<Fired, Retry> {
        let corrupt = || Retry::Failed(format!("timer {} names no case or check", timer.timer_id));
        let tenant = TenantId::parse(&timer.tenant_id).map_err(|_| corrupt())?;
        let case_id = timer.case_id.parse::<CaseId>().map_err(|_| corrupt())?;
        let ctx = RequestContext::new(tenant, Actor::system());
        let (check, attempt) = match timer.target.split_once('#') {
            Some((check, attempt)) => (check, attempt.parse::<u32>().ok()),
            None => (timer.target.as_str(), None),
        };
        let check = || CheckKind::from_code(check).ok_or_else(corrupt);
        let action = match timer.kind.as_str() {
            EXPIRE_ACTION => CaseAction::ExpireCheck { check: check()? },
            ESCALATE_PROCESSING => CaseAction::EscalateCheck {
                check: check()?,
                attempt: attempt.ok_or_else(corrupt)?,
            },
            REMIND => CaseAction::RemindIndividual {
                policy: self.reminders,
            },
            other => return Err(Retry::Failed(format!("unknown timer kind {other}"))),
        };
        match self.services.cases.execute(&ctx, case_id, action).await {
            Ok(_) => Ok(Fired::Fired),
            // The case's clock is not there yet: try again at the deadline.
            Err(ServiceError::Refused(CaseError::ActionDeadlineNotReached {
                deadline, ..
            })) => Err(Retry::At(millis(deadline))),
            Err(ServiceError::Refused(CaseError::ReminderNotDue { at })) => {
                Err(Retry::At(millis(at)))
            }
            Err(ServiceError::Refused(_)) => Ok(Fired::Obsolete),
            Err(error) => Err(Retry::Failed(error.to_string())),
        }
    }
}

enum Retry {
    At(i64),
    Failed(String),
}
