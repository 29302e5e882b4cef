//! Reminders: only to a waiting individual, not before the case's age, at
//! most one per interval and `max` in all.

use super::*;

const POLICY: ReminderPolicy = ReminderPolicy {
    after: Duration::days(2),
    interval: Duration::days(1),
    max: 2,
};

fn remind() -> CaseAction {
    CaseAction::RemindIndividual { policy: POLICY }
}

fn reminded(number: u32, at: OffsetDateTime) -> CaseEvent {
    CaseEvent::IndividualReminded {
        number,
        reminded_at: at,
    }
}

#[test]
fn the_first_reminder_waits_for_the_cases_age() {
    let case = replay(&[opened()]);
    let early = T0 + Duration::days(2) - Duration::seconds(1);
    assert_eq!(
        case.decide(cmd(remind()), early),
        Err(CaseError::ReminderNotDue {
            at: T0 + Duration::days(2)
        })
    );
    let on_time = T0 + Duration::days(2);
    assert_eq!(
        case.decide(cmd(remind()), on_time),
        Ok(vec![reminded(1, on_time)])
    );
}

#[test]
fn reminders_keep_their_interval_and_stop_at_the_maximum() {
    let first = T0 + Duration::days(3);
    let case = replay(&[opened(), reminded(1, first)]);
    assert_eq!(case.opened().map(|c| c.reminders), Some(1));
    assert_eq!(
        case.decide(cmd(remind()), first + Duration::hours(23)),
        Err(CaseError::ReminderNotDue {
            at: first + Duration::days(1)
        })
    );
    let second = first + Duration::days(1);
    assert_eq!(
        case.decide(cmd(remind()), second),
        Ok(vec![reminded(2, second)])
    );
    let case = replay(&[opened(), reminded(1, first), reminded(2, second)]);
    assert_eq!(
        case.decide(cmd(remind()), second + Duration::days(30)),
        Err(CaseError::ReminderLimitReached { max: 2 })
    );
}

#[test]
fn only_a_case_waiting_for_its_individual_is_reminded() {
    let later = T0 + Duration::days(10);
    // Submitted, checks running: nothing is asked of the individual.
    let case = replay(&[opened(), uploaded(), submitted()]);
    assert_eq!(
        case.decide(cmd(remind()), later),
        Err(CaseError::NothingToRemind)
    );
    // A check asks them to act: they are reminded.
    let mut history = vec![opened(), uploaded(), submitted()];
    history.extend(check_history(CheckState::RequiresAction));
    let case = replay(&history);
    assert_eq!(
        case.decide(cmd(remind()), later),
        Ok(vec![reminded(1, later)])
    );
    // Decided: no reminders at all.
    let case = replay(&history_in(Some(CaseStatus::Completed)));
    assert!(matches!(
        case.decide(cmd(remind()), later),
        Err(CaseError::IllegalTransition { .. })
    ));
}
