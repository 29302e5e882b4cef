//! One value holding every use case, built once at start and shared by the
//! HTTP API, the processors and the command line. Use cases that span
//! services (opening a case: quota, invitation, get-or-open, billing) are
//! methods here, so every caller gets the same behaviour from one call.

use std::sync::Arc;

use veritrail_domain::case::{
    AnsweredChallenge, CaseAction, CaseError, Submission, VerificationCase,
};
use veritrail_domain::tenant::Module;
use veritrail_domain::{ActorId, CaseId};

use crate::auth::{InvitationService, IssuedInvitation, TenantService};
use crate::cases::{CaseService, OpenCaseRequest, Recreation};
use crate::challenges::{ChallengeAnswer, ChallengeError, STEPS};
use crate::checks::Checks;
use crate::media::BlobStore;
use crate::metering::{Metering, QuotaError};
use crate::providers::Providers;
use crate::rate_limit::RateLimits;
use crate::read_models::ReadModels;
use crate::RequestContext;

#[derive(Debug, Clone)]
pub struct Services {
    pub cases: Arc<CaseService>,
    pub invitations: Arc<InvitationService>,
    pub tenants: Arc<TenantService>,
    pub metering: Arc<Metering>,
    pub checks: Checks,
    pub read_models: ReadModels,
    pub rate_limits: Arc<RateLimits>,
    /// Where uploaded images are kept.
    pub media: Arc<dyn BlobStore>,
    /// External check providers a workflow may route checks to.
    pub providers: Providers,
    /// Tenants' webhook endpoints and the outbox.
    pub webhooks: Arc<crate::webhooks::WebhookService>,
    /// Tenants' notification settings and the notices queue.
    pub notifications: Arc<crate::notifications::NotificationService>,
    /// The service's clock: timers and webhooks follow it (tests move it).
    pub clock: Arc<dyn veritrail_domain::Clock>,
}

/// What opening (or recreating) a case gives the caller.
#[derive(Debug)]
pub struct CaseOpening {
    pub case_id: CaseId,
    /// Whether this call opened it (else it is the subject's active case).
    pub created: bool,
    /// The invitation recorded with it; its token is shown only here.
    pub invitation: Option<IssuedInvitation>,
    pub case: VerificationCase,
    pub version: usize,
}

impl Services {
    /// Opens a case for the subject, or returns the subject's active one
    /// (CASE-1, CASE-6): within the tenant's workflow quota, with an
    /// invitation for the individual in the same transaction, billed once
    /// when a case was opened.
    pub async fn open_case(
        &self,
        ctx: &RequestContext,
        mut request: OpenCaseRequest,
    ) -> Result<CaseOpening, QuotaError> {
        self.metering.check(&ctx.tenant, Module::Workflow).await?;
        let (grant, issued) = self.invitations.mint();
        request.invitation = Some(grant);
        let opened = self.cases.get_or_open(ctx, request).await?;
        if opened.created {
            self.metering.record(ctx, Module::Workflow).await?;
        }
        let invitation = opened.invited.then_some(issued);
        self.opening(
            ctx,
            opened.case_id,
            opened.created,
            invitation,
            opened.known,
        )
        .await
    }

    /// Cancels a case and opens its replacement with a fresh invitation
    /// (seed 002), within the quota and billed once.
    pub async fn recreate_case(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        mut recreation: Recreation,
    ) -> Result<CaseOpening, QuotaError> {
        self.metering.check(&ctx.tenant, Module::Workflow).await?;
        let (grant, issued) = self.invitations.mint();
        recreation.invitation = Some(grant);
        let recreated = self
            .cases
            .cancel_and_recreate(ctx, case_id, recreation)
            .await?;
        self.metering.record(ctx, Module::Workflow).await?;
        let (replacement, known) = (recreated.replacement, recreated.known);
        self.opening(ctx, replacement, true, Some(issued), known)
            .await
    }

    /// Records the individual's data and evidence (CASE-2), if it carries
    /// every field the tenant's workflow requires.
    pub async fn submit(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        mut submission: Submission,
        challenge: Option<ChallengeAnswer>,
        expected: Option<usize>,
    ) -> Result<crate::Committed<VerificationCase>, crate::ServiceError> {
        self.require_fields(ctx, &submission).await?;
        if let Some(answer) = challenge {
            submission.liveness_challenge =
                Some(self.take_challenge(ctx, &submission, answer).await?);
        }
        let action = CaseAction::SubmitData(submission);
        self.cases
            .execute_expecting(ctx, case_id, action, expected)
            .await
    }

    /// Takes the liveness challenge a submission's frames answer (once the
    /// frames are counted, so a miscounted submission does not spend it).
    async fn take_challenge(
        &self,
        ctx: &RequestContext,
        submission: &Submission,
        answer: ChallengeAnswer,
    ) -> Result<AnsweredChallenge, crate::ServiceError> {
        let (given, expected) = (submission.liveness_frames(), STEPS + 1);
        if given != expected {
            return Err(crate::ServiceError::Invalid {
                field: "evidence",
                reason: CaseError::LivenessFrames { expected, given }.to_string(),
            });
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let steps = self
            .checks
            .challenges
            .take(
                ctx.tenant.as_str(),
                &answer.challenge_id,
                &answer.nonce,
                now,
            )
            .await
            .map_err(|e| match e {
                ChallengeError::Store(e) => e,
                refused => crate::ServiceError::Invalid {
                    field: "liveness_challenge",
                    reason: refused.to_string(),
                },
            })?;
        Ok(AnsweredChallenge {
            challenge_id: answer.challenge_id,
            steps: steps.iter().map(|s| s.as_str().to_owned()).collect(),
        })
    }

    /// Refuses a submission without a field the tenant's workflow requires.
    pub(crate) async fn require_fields(
        &self,
        ctx: &RequestContext,
        submission: &Submission,
    ) -> Result<(), crate::ServiceError> {
        let workflow = self.tenants.policy(&ctx.tenant).await?.workflow;
        match workflow.missing_fields(submission).first() {
            Some(missing) => Err(crate::ServiceError::Invalid {
                field: missing.as_str(),
                reason: format!(
                    "the workflow (version {}) requires {}",
                    workflow.version,
                    missing.as_str()
                ),
            }),
            None => Ok(()),
        }
    }

    /// Whether `reviewer` may be assigned cases of the caller's tenant: an
    /// active officer client of the tenant (or the caller itself). Tenants
    /// that exist only as development identities have no clients to check.
    pub async fn check_reviewer(
        &self,
        ctx: &RequestContext,
        reviewer: &ActorId,
    ) -> Result<(), crate::ServiceError> {
        if *reviewer == ctx.actor.id {
            return Ok(());
        }
        let tenant = self.tenants.load(&ctx.tenant).await?;
        if tenant.id.is_none() {
            return Ok(());
        }
        let officer = tenant
            .clients
            .get(reviewer.as_str())
            .is_some_and(|c| c.role == veritrail_domain::ActorKind::Officer && !c.revoked);
        if officer {
            Ok(())
        } else {
            Err(crate::ServiceError::Invalid {
                field: "reviewer",
                reason: format!("{reviewer} is not an active officer of this tenant"),
            })
        }
    }

    /// The case as this request wrote or found it; loaded only for a
    /// recovered retry.
    pub(crate) async fn opening(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        created: bool,
        invitation: Option<IssuedInvitation>,
        known: Option<Box<(VerificationCase, usize)>>,
    ) -> Result<CaseOpening, QuotaError> {
        let (case, version) = match known {
            Some(known) => *known,
            None => self.cases.load(ctx, case_id).await?,
        };
        if case.opened().is_none() {
            return Err(crate::ServiceError::from(CaseError::NotFound).into());
        }
        Ok(CaseOpening {
            case_id,
            created,
            invitation,
            case,
            version,
        })
    }
}
