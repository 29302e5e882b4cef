//! `SubjectCases`: the per-(tenant, subject) stream that keeps at most one
//! active case per subject (CASE-6, seed 002 `get_or_request_id_verification`).
//!
//! Assigning a case appends to this stream with optimistic concurrency, so of
//! many concurrent requests exactly one assignment wins. The registry does not
//! track case outcomes: the caller checks that the currently assigned case is
//! finished (or never got created) and names it in `supersedes`; the registry
//! refuses if the assignment changed in the meantime. See ADR 0003.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, SubjectId, TenantId};

/// The stream id of a subject's registry: `{tenant}/{subject}` (neither id may contain `/`).
pub fn stream_id(tenant: &TenantId, subject: &SubjectId) -> String {
    format!("{tenant}/{subject}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectCommand {
    AssignCase {
        tenant: TenantId,
        subject: SubjectId,
        case_id: CaseId,
        /// The case the caller saw assigned (and found finished), if any.
        supersedes: Option<CaseId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubjectEvent {
    CaseAssigned {
        tenant: TenantId,
        subject: SubjectId,
        case_id: CaseId,
        previous: Option<CaseId>,
    },
}

impl DomainEvent for SubjectEvent {
    fn event_type(&self) -> String {
        "CaseAssigned".to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    /// Somebody else assigned a case first; the caller should look again.
    #[error("the subject's assigned case changed (now {current:?})")]
    AssignmentChanged { current: Option<CaseId> },
    #[error("the case is already assigned to this subject")]
    AlreadyAssigned,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectCases {
    current: Option<CaseId>,
    history: Vec<CaseId>,
}

impl SubjectCases {
    /// The most recently assigned case, active or not.
    pub fn current(&self) -> Option<CaseId> {
        self.current
    }

    /// Every case ever assigned to the subject, oldest first.
    pub fn history(&self) -> &[CaseId] {
        &self.history
    }

    pub fn decide(&self, command: SubjectCommand) -> Result<Vec<SubjectEvent>, SubjectError> {
        let SubjectCommand::AssignCase {
            tenant,
            subject,
            case_id,
            supersedes,
        } = command;
        if self.history.contains(&case_id) {
            return Err(SubjectError::AlreadyAssigned);
        }
        if supersedes != self.current {
            return Err(SubjectError::AssignmentChanged {
                current: self.current,
            });
        }
        Ok(vec![SubjectEvent::CaseAssigned {
            tenant,
            subject,
            case_id,
            previous: supersedes,
        }])
    }
}

impl Aggregate for SubjectCases {
    const TYPE: &'static str = "SubjectCases";
    type Command = SubjectCommand;
    type Event = SubjectEvent;
    type Error = SubjectError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let decided = self.decide(command);
        crate::record::record(self, sink, decided).await
    }

    fn apply(&mut self, event: Self::Event) {
        let SubjectEvent::CaseAssigned { case_id, .. } = event;
        self.current = Some(case_id);
        self.history.push(case_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    fn ids() -> (TenantId, SubjectId) {
        (
            TenantId::parse("acme").expect("valid"),
            SubjectId::parse("emp-1").expect("valid"),
        )
    }

    fn case(n: u128) -> CaseId {
        CaseId::from_uuid(Uuid::from_u128(n))
    }

    fn assign(case_id: CaseId, supersedes: Option<CaseId>) -> SubjectCommand {
        let (tenant, subject) = ids();
        SubjectCommand::AssignCase {
            tenant,
            subject,
            case_id,
            supersedes,
        }
    }

    fn assigned(case_id: CaseId, previous: Option<CaseId>) -> SubjectEvent {
        let (tenant, subject) = ids();
        SubjectEvent::CaseAssigned {
            tenant,
            subject,
            case_id,
            previous,
        }
    }

    #[test]
    fn a_first_case_is_assigned_to_a_fresh_subject() {
        TestFramework::<SubjectCases>::with(())
            .given_no_previous_events()
            .when(assign(case(1), None))
            .then_expect_events(vec![assigned(case(1), None)]);
    }

    #[test]
    fn assigning_without_naming_the_current_case_is_refused() {
        TestFramework::<SubjectCases>::with(())
            .given(vec![assigned(case(1), None)])
            .when(assign(case(2), None))
            .then_expect_error(SubjectError::AssignmentChanged {
                current: Some(case(1)),
            });
    }

    #[test]
    fn a_finished_case_can_be_superseded() {
        TestFramework::<SubjectCases>::with(())
            .given(vec![assigned(case(1), None)])
            .when(assign(case(2), Some(case(1))))
            .then_expect_events(vec![assigned(case(2), Some(case(1)))]);
    }

    #[test]
    fn a_case_is_never_assigned_twice() {
        TestFramework::<SubjectCases>::with(())
            .given(vec![assigned(case(1), None)])
            .when(assign(case(1), Some(case(1))))
            .then_expect_error(SubjectError::AlreadyAssigned);
    }

    #[test]
    fn stream_ids_join_tenant_and_subject() {
        let (tenant, subject) = ids();
        assert_eq!(stream_id(&tenant, &subject), "acme/emp-1");
    }
}
