//! Continuing an interrupted opening (ADR 0009, ADR 0010): a retry whose
//! request's transaction committed answers what it opened, with a fresh
//! invitation (the interrupted request's token was never shown to anyone).

use veritrail_domain::subject::stream_id;
use veritrail_domain::CaseId;

use super::open_case::{OpenCaseRequest, Opened, Replacing};
use super::service::CaseService;
use crate::context::RequestContext;
use crate::error::ServiceError;
use crate::execute::{execute, recorded_by};

impl CaseService {
    /// For a retry of an interrupted request (`ctx.recovering`) whose
    /// transaction committed: the case it opened, with the retry's
    /// invitation issued now (the interrupted one's token was never shown).
    pub(super) async fn recovered(
        &self,
        ctx: &RequestContext,
        request: &OpenCaseRequest,
        replacing: Option<&Replacing>,
    ) -> Result<Option<Opened>, ServiceError> {
        if !ctx.recovering {
            return Ok(None);
        }
        let case_id = match replacing {
            Some(old) if self.caused_by(ctx, old.case_id).await? => {
                let (case, _) = self.replay(old.case_id).await?;
                case.opened().and_then(|c| c.replaced_by)
            }
            Some(_) => None,
            None => {
                let stream = stream_id(&ctx.tenant, &request.subject.id);
                match self.registry(&stream).await?.current() {
                    Some(current) if self.caused_by(ctx, current).await? => Some(current),
                    _ => None,
                }
            }
        };
        let Some(case_id) = case_id else {
            return Ok(None);
        };
        if let Some(grant) = &request.invitation {
            let metadata = ctx.metadata(self.clock.now());
            let id = grant.invitation_id.to_string();
            let issue = grant.issue(ctx, case_id);
            execute(&self.invitations, &id, issue, &(), &metadata, None, true).await?;
        }
        Ok(Some(Opened {
            case_id,
            created: true,
            invited: request.invitation.is_some(),
            known: None,
        }))
    }

    /// Whether `ctx`'s request recorded events on the case.
    async fn caused_by(&self, ctx: &RequestContext, case_id: CaseId) -> Result<bool, ServiceError> {
        let metadata = ctx.metadata(self.clock.now());
        Ok(recorded_by(&self.cases, &case_id.to_string(), &metadata)
            .await?
            .is_some())
    }
}
