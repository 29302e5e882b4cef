//! Reminders (CASE-9, seed 002 `send_id_verification_reminder_for_request`):
//! a case that waits for its individual — data not submitted, or a check
//! asking them to act — is reminded once it is older than the policy's age,
//! at most once per interval and at most `max` times. The aggregate decides;
//! the timers only ask.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::case::aggregate::OpenedCase;
use crate::case::check::CheckState;
use crate::case::error::CaseError;
use crate::case::event::CaseEvent;
use crate::case::status::CaseStatus;

/// When and how often a waiting individual is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPolicy {
    /// The case's age before the first reminder.
    pub after: Duration,
    /// The least time between two reminders.
    pub interval: Duration,
    /// How many reminders a case gets at most.
    pub max: u32,
}

impl OpenedCase {
    /// Whether the case waits for its individual: they have not submitted,
    /// or a check asks them to act.
    pub fn awaits_individual(&self) -> bool {
        self.status == CaseStatus::PendingOrg
            || (self.status == CaseStatus::PendingAdmin
                && self
                    .checks
                    .values()
                    .any(|c| c.state == CheckState::RequiresAction))
    }

    /// When the next reminder may go under `policy` (ignoring its count).
    pub fn next_reminder_at(&self, policy: &ReminderPolicy) -> OffsetDateTime {
        match self.last_reminded_at {
            Some(last) => last + policy.interval,
            None => self.opened_at + policy.after,
        }
    }
}

/// The reminder `case` gets at `now` under `policy`, or why none.
pub(super) fn remind(
    case: &OpenedCase,
    policy: &ReminderPolicy,
    now: OffsetDateTime,
) -> Result<CaseEvent, CaseError> {
    if !case.awaits_individual() {
        return Err(CaseError::NothingToRemind);
    }
    if case.reminders >= policy.max {
        return Err(CaseError::ReminderLimitReached { max: policy.max });
    }
    let due = case.next_reminder_at(policy);
    if now < due {
        return Err(CaseError::ReminderNotDue { at: due });
    }
    Ok(CaseEvent::IndividualReminded {
        number: case.reminders + 1,
        reminded_at: now,
    })
}
