//! Cancel-and-recreate (CASE-5, seed 002 `cancel_and_recreate_id_verification`).

use veritrail_domain::case::{
    CaseAction, CaseError, RequestedChecks, RestartContext, RestartTrigger,
};
use veritrail_domain::{CaseId, Comment, Reason};

use super::context::RequestContext;
use super::open_case::OpenCaseRequest;
use super::service::{CaseService, ServiceError};

/// The cancelled case and its replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recreated {
    pub cancelled: CaseId,
    pub replacement: CaseId,
}

impl CaseService {
    /// Cancels `case_id` (open or failed) with `reason` and opens a replacement
    /// for the same subject, checks and entities, linked by a restart context.
    pub async fn cancel_and_recreate(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        reason: Reason,
        trigger: RestartTrigger,
        comment: Option<Comment>,
        expected: Option<usize>,
    ) -> Result<Recreated, ServiceError> {
        let (case, _) = self.load(ctx, case_id).await?;
        let previous = case.opened().ok_or(CaseError::NotFound)?.clone();
        let abandoned = previous.submission.is_none();
        let replacement = self.ids.case_id();
        self.execute_expecting(
            ctx,
            case_id,
            CaseAction::CancelForRecreation {
                reason,
                replacement,
            },
            expected,
        )
        .await?;
        let checks: Vec<_> = previous.checks.keys().copied().collect();
        let request = OpenCaseRequest {
            subject: previous.subject.clone(),
            checks: RequestedChecks::parse(checks)
                .map_err(|e| ServiceError::Store(e.to_string()))?,
            entities: previous.entities.clone(),
            restart: Some(RestartContext {
                previous_case: case_id,
                trigger,
                comment,
                previous_attempt_abandoned: abandoned,
            }),
        };
        // Normally this opens `replacement`; if a concurrent request for the same
        // subject got there first, theirs is the active case and is returned.
        let opened = self.get_or_open_as(ctx, request, replacement).await?;
        Ok(Recreated {
            cancelled: case_id,
            replacement: opened.case_id,
        })
    }
}
