//! One pass over a claimed case: run, in the workflow's order, every
//! automatic check that is submitted (or whose run lost its lease), each
//! as a run that starts and finishes on the case (so a late, taken-over
//! run records nothing), then score the case and let the score decide.
//! Every step reads the case first, so a pass repeated after a crash does
//! only what is left; a check is billed under a key made of the case, the
//! check and its run number, so a repeated run is never billed twice.

pub(crate) mod checks;
mod commands;
pub(crate) mod evidence;
pub(crate) mod finish;
mod liveness;
mod score;

use std::sync::Arc;

use sha2::{Digest, Sha256};
use uuid::Uuid;
use veritrail_application::{RequestContext, ServiceError, Services};
use veritrail_domain::case::{
    CaseAction, CaseStatus, CheckKind, CheckRecord, CheckState, OpenedCase, RunFinish,
};
use veritrail_domain::workflow::WorkflowPolicy;
use veritrail_domain::{Actor, CaseId, TenantId};

use crate::providers::{ProviderRegistry, RunScope};

/// A failure that is nobody's verdict (the database or the image workers
/// are unavailable): the job is retried later.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Transient(pub String);

impl From<ServiceError> for Transient {
    fn from(error: ServiceError) -> Self {
        Transient(error.to_string())
    }
}

/// Runs cases' checks with the application's services.
#[derive(Debug, Clone)]
pub struct Pipeline {
    services: Arc<Services>,
    providers: ProviderRegistry,
}

/// Whether `run` should work on a check in this state: submitted, or
/// processing under a run (its own, resumed, or one whose lease expired).
/// An officer's manual processing (no run) is left alone.
fn needs_run(record: &CheckRecord) -> bool {
    record.state.can_start() || (record.state == CheckState::Processing && record.run.is_some())
}

/// Face match and KYA compare with the document: while the document's own
/// evidence is pending or being retaken, they wait for it instead of
/// judging a photo the document check could not read.
fn waits_for_document(case: &OpenedCase, check: CheckKind) -> bool {
    if !matches!(check, CheckKind::FaceMatch | CheckKind::Kya) {
        return false;
    }
    case.checks.get(&CheckKind::Document).is_some_and(|doc| {
        !matches!(
            doc.state,
            CheckState::Verified | CheckState::Failed | CheckState::Bypassed
        )
    })
}

/// A job's case, and the system's context in its tenant.
fn target(tenant: &str, case_id: &str) -> Option<(CaseId, RequestContext)> {
    let tenant = TenantId::parse(tenant).ok()?;
    let case_id = case_id.parse::<CaseId>().ok()?;
    Some((case_id, RequestContext::new(tenant, Actor::system())))
}

/// The metering key of a check's run: the same for a resumed or taken-over
/// run, new for a retry or a resubmission.
fn billing_id(case: CaseId, check: CheckKind, run_number: u32) -> Uuid {
    let digest = Sha256::digest(format!("veritrail-run/{case}/{check}/{run_number}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

impl Pipeline {
    pub fn new(services: Arc<Services>) -> Self {
        let providers = ProviderRegistry::new(&services.providers);
        Self {
            services,
            providers,
        }
    }

    /// The application's services the checks run on.
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The workflow `tenant` runs under.
    async fn policy(&self, tenant: &TenantId) -> Result<WorkflowPolicy, Transient> {
        Ok(self.services.tenants.policy(tenant).await?.workflow)
    }

    /// Does what case `case_id` still needs, as run `run`.
    pub async fn process(&self, tenant: &str, case_id: &str, run: &str) -> Result<(), Transient> {
        let Some((case_id, ctx)) = target(tenant, case_id) else {
            return Err(Transient(format!("job {tenant}/{case_id} names no case")));
        };
        let policy = self.policy(&ctx.tenant).await?;
        // Each round ends a check or the pass; the bound only guards
        // against a case that keeps changing under us.
        for _ in 0..16 {
            let (case, _) = self.services.cases.load(&ctx, case_id).await?;
            let Some(case) = case.opened() else {
                return Ok(());
            };
            if case.status != CaseStatus::PendingAdmin {
                return Ok(());
            }
            let requested: Vec<_> = case.checks.keys().copied().collect();
            let next = policy
                .steps(&requested)
                .into_iter()
                .find(|c| needs_run(&case.checks[c]) && !waits_for_document(case, *c));
            match next {
                Some(check) => self.run_check(&ctx, case, check, run, &policy).await?,
                None => return self.score(&ctx, case, &policy).await,
            }
        }
        Err(Transient(format!(
            "case {case_id} kept changing during processing"
        )))
    }

    /// Starts (or resumes) `check` as `run`, evaluates it under the
    /// policy's time limit and records how it ended.
    async fn run_check(
        &self,
        ctx: &RequestContext,
        case: &OpenedCase,
        check: CheckKind,
        run: &str,
        policy: &WorkflowPolicy,
    ) -> Result<(), Transient> {
        let Some(run_number) = self.start(ctx, case, check, run).await? else {
            return Ok(());
        };
        let billing = RequestContext {
            request_id: billing_id(case.id, check, run_number),
            ..ctx.clone()
        };
        let provider = match self.providers.for_check(policy, check) {
            Ok(provider) => provider,
            Err(why) => {
                let finish = finish::system_failure(&why, policy);
                return self.end(ctx, case.id, check, run, finish).await;
            }
        };
        let limit = provider.time_limit(policy);
        let scope = RunScope {
            pipeline: self,
            ctx: &billing,
            case,
            check,
            run,
            run_number,
            policy,
        };
        let finish = match tokio::time::timeout(limit, provider.run(scope)).await {
            Ok(finish) => finish?,
            Err(_) => finish::system_failure(
                &format!("it took longer than its limit of {} s", limit.as_secs()),
                policy,
            ),
        };
        self.end(ctx, case.id, check, run, finish).await
    }

    /// Takes `check` for `run` unless it already has it; the run's number,
    /// or `None` if someone else moved the check (the next round sees where).
    async fn start(
        &self,
        ctx: &RequestContext,
        case: &OpenedCase,
        check: CheckKind,
        run: &str,
    ) -> Result<Option<u32>, Transient> {
        let record = &case.checks[&check];
        if record.state == CheckState::Processing && record.run.as_deref() == Some(run) {
            return Ok(Some(record.runs));
        }
        let start = CaseAction::StartRun {
            check,
            run: run.to_owned(),
        };
        let number = record.next_run_number();
        Ok(self.command(ctx, case.id, start).await?.map(|()| number))
    }

    /// Records how `run` ended `check`, unless the run lost it.
    async fn end(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        check: CheckKind,
        run: &str,
        finish: RunFinish,
    ) -> Result<(), Transient> {
        let end = CaseAction::FinishRun {
            check,
            run: run.to_owned(),
            finish,
        };
        if self.command(ctx, case_id, end).await?.is_none() {
            tracing::info!(case = %case_id, %check, run, "the run lost its check; its result is dropped");
        }
        Ok(())
    }

    /// Gives up on a case whose processing keeps failing (CASE-9: nothing
    /// stays processing silently): every automatic check still to run ends
    /// `failed` with the error, and the score then holds the case for an
    /// officer.
    pub async fn abandon(
        &self,
        tenant: &str,
        case_id: &str,
        run: &str,
        error: &str,
    ) -> Result<(), Transient> {
        let Some((case_id, ctx)) = target(tenant, case_id) else {
            return Ok(());
        };
        let policy = self.policy(&ctx.tenant).await?;
        let why = format!("processing failed repeatedly ({error})");
        let (case, _) = self.services.cases.load(&ctx, case_id).await?;
        let Some(case) = case
            .opened()
            .filter(|c| c.status == CaseStatus::PendingAdmin)
        else {
            return Ok(());
        };
        let requested: Vec<_> = case.checks.keys().copied().collect();
        for check in policy.steps(&requested) {
            if !needs_run(&case.checks[&check]) {
                continue;
            }
            if self.start(&ctx, case, check, run).await?.is_some() {
                let finish = finish::system_failure(&why, &policy);
                self.end(&ctx, case_id, check, run, finish).await?;
            }
        }
        let (case, _) = self.services.cases.load(&ctx, case_id).await?;
        match case.opened() {
            Some(case) if case.status == CaseStatus::PendingAdmin => {
                self.score(&ctx, case, &policy).await
            }
            _ => Ok(()),
        }
    }

    /// Scores the case once its checks have ended, unless this very score
    /// is already recorded.
    async fn score(
        &self,
        ctx: &RequestContext,
        case: &OpenedCase,
        policy: &WorkflowPolicy,
    ) -> Result<(), Transient> {
        let Some(card) = score::card(case, policy) else {
            return Ok(());
        };
        let recorded = case
            .score
            .as_ref()
            .is_some_and(|s| s.card == card && s.policy_version == policy.version);
        if recorded {
            return Ok(());
        }
        let action = CaseAction::RecordScore {
            card,
            policy_version: policy.version,
        };
        self.command(ctx, case.id, action).await?;
        Ok(())
    }
}
