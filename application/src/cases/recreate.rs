//! Cancel-and-recreate (CASE-5, seed 002 `cancel_and_recreate_id_verification`).

use veritrail_domain::case::{CaseError, RequestedChecks, RestartContext, RestartTrigger};
use veritrail_domain::{CaseId, Comment, Reason};

use super::open_case::{InvitationGrant, OpenCaseRequest, Replacing};
use super::service::CaseService;
use crate::context::RequestContext;
use crate::error::ServiceError;

/// The cancelled case and its replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct Recreated {
    pub cancelled: CaseId,
    pub replacement: CaseId,
    /// The replacement as this request wrote it, and its version.
    pub known: Option<Box<(veritrail_domain::case::VerificationCase, usize)>>,
}

/// Why a case is being recreated.
#[derive(Debug, Clone)]
pub struct Recreation {
    pub reason: Reason,
    pub trigger: RestartTrigger,
    pub comment: Option<Comment>,
    /// `If-Match`: the version the caller saw.
    pub expected: Option<usize>,
    /// Issued for the replacement in the same transaction.
    pub invitation: Option<InvitationGrant>,
}

impl CaseService {
    /// Cancels `case_id` (open or failed) with `reason` and opens a replacement
    /// for the same subject, checks and entities, linked by a restart context
    /// — one transaction. If another request already opened an active case
    /// for the subject, that case is the replacement.
    pub async fn cancel_and_recreate(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        recreation: Recreation,
    ) -> Result<Recreated, ServiceError> {
        let (case, _) = self.load(ctx, case_id).await?;
        let previous = case.opened().ok_or(CaseError::NotFound)?.clone();
        let checks: Vec<_> = previous.checks.keys().copied().collect();
        let request = OpenCaseRequest {
            subject: previous.subject.clone(),
            checks: RequestedChecks::parse(checks).map_err(|e| ServiceError::Invalid {
                field: "checks",
                reason: e.to_string(),
            })?,
            entities: previous.entities.clone(),
            restart: Some(RestartContext {
                previous_case: case_id,
                trigger: recreation.trigger,
                comment: recreation.comment,
                previous_attempt_abandoned: previous.submission.is_none(),
            }),
            invitation: recreation.invitation,
            then: Vec::new(),
        };
        let replacing = Replacing {
            case_id,
            reason: recreation.reason,
            expected: recreation.expected,
        };
        let replacement = self.ids.case_id();
        let opened = self
            .open_replacing(ctx, &request, replacement, Some(&replacing))
            .await?;
        Ok(Recreated {
            cancelled: case_id,
            replacement: opened.case_id,
            known: opened.known,
        })
    }
}
