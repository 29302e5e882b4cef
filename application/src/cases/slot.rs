//! The subject's slot: which case, if any, a get-or-open finds assigned to
//! the subject, and whether a new one may be assigned (CASE-6).

use cqrs_es::EventStore as _;
use veritrail_domain::case::VerificationCase;
use veritrail_domain::subject::{stream_id, SubjectCases};
use veritrail_domain::CaseId;

use super::service::CaseService;
use crate::context::RequestContext;
use crate::error::ServiceError;

/// What the subject's registry holds for a new request.
#[derive(Debug)]
pub(super) enum Slot {
    /// The subject's assigned case is active: return it (as read, with its
    /// version).
    Active(CaseId, Box<(VerificationCase, usize)>),
    /// Assigned but never opened: left by versions before ADR 0010, which
    /// opened in separate transactions. Whoever comes next opens it.
    Unopened(CaseId),
    /// No case, or only finished ones: a new case may be assigned.
    Free { supersedes: Option<CaseId> },
}

impl CaseService {
    /// Every case ever assigned to a subject of the caller's tenant, oldest first.
    pub async fn cases_of_subject(
        &self,
        ctx: &RequestContext,
        subject: &veritrail_domain::SubjectId,
    ) -> Result<Vec<CaseId>, ServiceError> {
        let registry = self.registry(&stream_id(&ctx.tenant, subject)).await?;
        Ok(registry.history().to_vec())
    }

    pub(super) async fn registry(
        &self,
        subject_stream: &str,
    ) -> Result<SubjectCases, ServiceError> {
        let context = self
            .subjects
            .load_aggregate(subject_stream)
            .await
            .map_err(ServiceError::from)?;
        Ok(context.aggregate)
    }

    /// The subject's slot; `finishing` is a case the same transaction
    /// cancels, so it counts as finished.
    pub(super) async fn slot(
        &self,
        subject_stream: &str,
        finishing: Option<CaseId>,
    ) -> Result<Slot, ServiceError> {
        let Some(current) = self.registry(subject_stream).await?.current() else {
            return Ok(Slot::Free { supersedes: None });
        };
        if finishing == Some(current) {
            return Ok(Slot::Free {
                supersedes: Some(current),
            });
        }
        let (case, version) = self.replay(current).await?;
        Ok(match case.status() {
            None => Slot::Unopened(current),
            Some(status) if status.is_active() => Slot::Active(current, Box::new((case, version))),
            Some(_) => Slot::Free {
                supersedes: Some(current),
            },
        })
    }
}
