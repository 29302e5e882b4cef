//! The commands a pass sends to the case: each retried on a concurrent
//! append, and read as "the case moved on" when the case refuses it
//! because another run or a person changed it.

use veritrail_application::{RequestContext, ServiceError};
use veritrail_domain::case::{
    CaseAction, CaseError, CheckKind, CheckState, ProviderReport, ProviderRun, ReportSource,
};
use veritrail_domain::CaseId;

use super::{Pipeline, Transient};

impl Pipeline {
    /// Records a provider's report as `run`'s; false if the run lost its
    /// check (or the provider had already answered otherwise).
    pub(crate) async fn record_report(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        check: CheckKind,
        run: &str,
        report: ProviderReport,
    ) -> Result<bool, Transient> {
        let action = CaseAction::RecordProviderReport {
            check,
            source: ReportSource::Run(run.to_owned()),
            report,
        };
        Ok(self.command(ctx, case_id, action).await?.is_some())
    }

    /// The provider's work on run `run_number` of `check` as the case holds
    /// it now; `None` once the check is no longer processing that run.
    pub(crate) async fn held_report(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        check: CheckKind,
        run_number: u32,
    ) -> Result<Option<ProviderRun>, Transient> {
        let (case, _) = self.services.cases.load(ctx, case_id).await?;
        let record = case.opened().and_then(|c| c.checks.get(&check));
        Ok(record
            .filter(|r| r.state == CheckState::Processing && r.runs == run_number)
            .and_then(|r| r.provider.clone())
            .filter(|p| p.run_number == run_number))
    }

    /// Runs a command; `None` when the case refused it because it moved on
    /// (the caller re-reads it). A concurrent append is retried.
    pub(super) async fn command(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        action: CaseAction,
    ) -> Result<Option<()>, Transient> {
        for _ in 0..5 {
            match self
                .services
                .cases
                .execute(ctx, case_id, action.clone())
                .await
            {
                Ok(_) => return Ok(Some(())),
                Err(ServiceError::Conflict) => continue,
                Err(ServiceError::Refused(
                    CaseError::StaleRun { .. }
                    | CaseError::IllegalCheckTransition { .. }
                    | CaseError::IllegalTransition { .. }
                    | CaseError::ProviderAnswered { .. },
                )) => return Ok(None),
                Err(other) => return Err(other.into()),
            }
        }
        Err(Transient(format!("case {case_id} is changing too fast")))
    }
}
