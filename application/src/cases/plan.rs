//! The events of one opening, decided into one batch (ADR 0010): the case
//! it replaces cancelled, the subject assigned, the case opened with the
//! request's follow-up commands, its invitation issued.

use veritrail_domain::case::{CaseAction, CaseCommand, OpenCase, VerificationCase};
use veritrail_domain::invitation::Invitation;
use veritrail_domain::subject::SubjectCommand;
use veritrail_domain::CaseId;

use super::open_case::{OpenCaseRequest, Replacing};
use super::service::CaseService;
use super::slot::Slot;
use crate::batch::Batch;
use crate::context::RequestContext;
use crate::error::ServiceError;

impl CaseService {
    /// Decides every event of the opening into `batch`; returns the opened
    /// case as decided (when this opening opens it).
    pub(super) async fn plan(
        &self,
        batch: &mut Batch,
        ctx: &RequestContext,
        request: &OpenCaseRequest,
        (subject_stream, slot, case_id): (&str, Slot, CaseId),
        replacing: Option<&Replacing>,
        fresh: bool,
    ) -> Result<Option<(VerificationCase, usize)>, ServiceError> {
        let metadata = ctx.metadata(self.clock.now());
        // A free slot opens the id this request made; so is the invitation's.
        let new_case = fresh && matches!(slot, Slot::Free { .. });
        if let Some(old) = replacing {
            let action = CaseAction::CancelForRecreation {
                reason: old.reason.clone(),
                replacement: case_id,
            };
            let command = CaseCommand::new(ctx.tenant.clone(), ctx.actor.clone(), action);
            let id = old.case_id.to_string();
            batch
                .decide(
                    &self.cases,
                    &id,
                    command,
                    &self.services,
                    &metadata,
                    old.expected,
                )
                .await?;
        }
        if let Slot::Free { supersedes } = slot {
            let assign = SubjectCommand::AssignCase {
                tenant: ctx.tenant.clone(),
                subject: request.subject.id.clone(),
                case_id,
                supersedes,
            };
            batch
                .decide(&self.subjects, subject_stream, assign, &(), &metadata, None)
                .await?;
        }
        let mut written = None;
        if !matches!(slot, Slot::Active(..)) {
            let action = CaseAction::Open(OpenCase {
                case_id,
                subject: request.subject.clone(),
                checks: request.checks.clone(),
                entities: request.entities.clone(),
                restart: request.restart.clone(),
            });
            let command = CaseCommand::new(ctx.tenant.clone(), ctx.actor.clone(), action);
            let id = case_id.to_string();
            let (mut case, mut version) = if new_case {
                batch
                    .decide_fresh(&id, command, &self.services, &metadata)
                    .await?
            } else {
                batch
                    .decide(&self.cases, &id, command, &self.services, &metadata, None)
                    .await?
            };
            for action in &request.then {
                let command =
                    CaseCommand::new(ctx.tenant.clone(), ctx.actor.clone(), action.clone());
                batch
                    .decide_next(
                        (&mut case, &mut version),
                        &id,
                        command,
                        &self.services,
                        &metadata,
                    )
                    .await?;
            }
            written = Some((case, version));
        }
        if let Some(grant) = &request.invitation {
            let issue = grant.issue(ctx, case_id);
            let id = grant.invitation_id.to_string();
            if fresh {
                batch
                    .decide_fresh::<Invitation>(&id, issue, &(), &metadata)
                    .await?;
            } else {
                batch
                    .decide(&self.invitations, &id, issue, &(), &metadata, None)
                    .await?;
            }
        }
        Ok(written)
    }
}
