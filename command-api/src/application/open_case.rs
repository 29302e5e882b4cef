//! Get-or-open (CASE-6, seed 002 `get_or_request_id_verification`): at most one
//! active case per (tenant, subject), safe under concurrent requests.

use cqrs_es::EventStore as _;
use veritrail_domain::case::{
    CaseAction, CaseError, OpenCase, RequestedChecks, RestartContext, Subject,
};
use veritrail_domain::subject::{stream_id, SubjectCases, SubjectCommand};
use veritrail_domain::{CaseId, EntityId};

use super::context::RequestContext;
use super::execute::{execute, recorded_by};
use super::service::{CaseService, ServiceError};

/// What the organisation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCaseRequest {
    pub subject: Subject,
    pub checks: RequestedChecks,
    pub entities: Vec<EntityId>,
    pub restart: Option<RestartContext>,
}

/// The subject's active case, and whether this request created it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    pub case_id: CaseId,
    pub created: bool,
}

/// How often one request re-reads after losing a race before giving up.
const MAX_ROUNDS: usize = 32;

enum Slot {
    /// The subject's assigned case is active: return it.
    Active(CaseId),
    /// Assigned, but its `CaseOpened` was never appended (its creator lost a
    /// race or crashed): whoever comes next opens it.
    Unopened(CaseId),
    /// No case, or only finished ones: a new case may be assigned.
    Free { supersedes: Option<CaseId> },
}

impl CaseService {
    /// Returns the subject's active case, or opens one.
    pub async fn get_or_open(
        &self,
        ctx: &RequestContext,
        request: OpenCaseRequest,
    ) -> Result<Opened, ServiceError> {
        let new_id = self.ids.case_id();
        self.get_or_open_as(ctx, request, new_id).await
    }

    /// As [`Self::get_or_open`], naming the id a newly opened case gets.
    pub(super) async fn get_or_open_as(
        &self,
        ctx: &RequestContext,
        request: OpenCaseRequest,
        new_id: CaseId,
    ) -> Result<Opened, ServiceError> {
        let subject_stream = stream_id(&ctx.tenant, &request.subject.id);
        for _ in 0..MAX_ROUNDS {
            match self.slot(&subject_stream).await? {
                Slot::Active(case_id) => {
                    // A recovered request that had opened this case gets
                    // the answer it would have had.
                    let created = ctx.recovering && self.opened_by(ctx, case_id).await?;
                    return Ok(Opened { case_id, created });
                }
                Slot::Unopened(case_id) => {
                    if self.try_open(ctx, case_id, &request).await? {
                        return Ok(Opened {
                            case_id,
                            created: true,
                        });
                    }
                }
                Slot::Free { supersedes } => {
                    let case_id = new_id;
                    let assign = SubjectCommand::AssignCase {
                        tenant: ctx.tenant.clone(),
                        subject: request.subject.id.clone(),
                        case_id,
                        supersedes,
                    };
                    let metadata = ctx.metadata(self.clock.now());
                    let assigned = execute(
                        &self.subjects,
                        &subject_stream,
                        assign,
                        &(),
                        &metadata,
                        None,
                        ctx.recovering,
                    )
                    .await;
                    match assigned {
                        Ok(_) => {
                            if self.try_open(ctx, case_id, &request).await? {
                                return Ok(Opened {
                                    case_id,
                                    created: true,
                                });
                            }
                        }
                        // Lost the race for the subject: look again.
                        Err(ServiceError::Conflict) | Err(ServiceError::Contention(_)) => {}
                        Err(other) => return Err(other),
                    }
                }
            }
        }
        Err(ServiceError::Contention(subject_stream))
    }

    /// Every case ever assigned to a subject of the caller's tenant, oldest first.
    pub async fn cases_of_subject(
        &self,
        ctx: &RequestContext,
        subject: &veritrail_domain::SubjectId,
    ) -> Result<Vec<CaseId>, ServiceError> {
        let registry = self.registry(&stream_id(&ctx.tenant, subject)).await?;
        Ok(registry.history().to_vec())
    }

    /// Whether `ctx`'s request recorded events on the case.
    async fn opened_by(&self, ctx: &RequestContext, case_id: CaseId) -> Result<bool, ServiceError> {
        let metadata = ctx.metadata(self.clock.now());
        Ok(recorded_by(&self.cases, &case_id.to_string(), &metadata)
            .await?
            .is_some())
    }

    async fn registry(&self, subject_stream: &str) -> Result<SubjectCases, ServiceError> {
        let context = self
            .subjects
            .load_aggregate(subject_stream)
            .await
            .map_err(ServiceError::from)?;
        Ok(context.aggregate)
    }

    async fn slot(&self, subject_stream: &str) -> Result<Slot, ServiceError> {
        let Some(current) = self.registry(subject_stream).await?.current() else {
            return Ok(Slot::Free { supersedes: None });
        };
        let (case, _) = self.replay(current).await?;
        Ok(match case.status() {
            None => Slot::Unopened(current),
            Some(status) if status.is_active() => Slot::Active(current),
            Some(_) => Slot::Free {
                supersedes: Some(current),
            },
        })
    }

    /// Appends `CaseOpened`; `false` if another request opened it first.
    async fn try_open(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        request: &OpenCaseRequest,
    ) -> Result<bool, ServiceError> {
        let action = CaseAction::Open(OpenCase {
            case_id,
            subject: request.subject.clone(),
            checks: request.checks.clone(),
            entities: request.entities.clone(),
            restart: request.restart.clone(),
        });
        match self.execute(ctx, case_id, action).await {
            Ok(_) => Ok(true),
            Err(ServiceError::Conflict) | Err(ServiceError::Refused(CaseError::AlreadyOpened)) => {
                Ok(false)
            }
            Err(other) => Err(other),
        }
    }
}
