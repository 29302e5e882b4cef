//! Get-or-open (CASE-6, seed 002 `get_or_request_id_verification`): at most one
//! active case per (tenant, subject), safe under concurrent requests and
//! crash-safe: assigning the subject, opening the case, issuing its
//! invitation (and, for a recreation, cancelling the case it replaces) are
//! one transaction (ADR 0010).

use cqrs_es::Aggregate as _;
use time::OffsetDateTime;
use uuid::Uuid;
use veritrail_domain::case::{
    CaseAction, CaseError, RequestedChecks, RestartContext, Subject, VerificationCase,
};
use veritrail_domain::invitation::InvitationCommand;
use veritrail_domain::subject::stream_id;
use veritrail_domain::{CaseId, EntityId, Reason};

use crate::batch::Batch;
use crate::context::RequestContext;

use super::service::CaseService;
use super::slot::Slot;
use crate::error::ServiceError;

/// What the organisation asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCaseRequest {
    pub subject: Subject,
    pub checks: RequestedChecks,
    pub entities: Vec<EntityId>,
    pub restart: Option<RestartContext>,
    /// Issued with the case it opens, in the same transaction.
    pub invitation: Option<InvitationGrant>,
    /// Further commands on the case this request opens (evidence and data
    /// sent with it), decided on the new case in the same transaction.
    /// Not applied to a subject's existing active case.
    pub then: Vec<CaseAction>,
}

/// An invitation to record with a case. The caller mints the token and keeps
/// it to show once; only its hash is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationGrant {
    pub invitation_id: Uuid,
    pub token_hash: String,
    pub expires_at: OffsetDateTime,
}

impl InvitationGrant {
    /// The command that issues this invitation to `case_id` of `ctx`'s tenant.
    pub fn issue(&self, ctx: &RequestContext, case_id: CaseId) -> InvitationCommand {
        InvitationCommand::Issue {
            case_id,
            tenant: ctx.tenant.clone(),
            token_hash: self.token_hash.clone(),
            expires_at: self.expires_at,
        }
    }
}

/// The subject's active case, whether this request created it, and whether
/// the request's invitation was recorded for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub case_id: CaseId,
    pub created: bool,
    pub invited: bool,
    /// The case and its version as this request wrote or found it, so the
    /// caller renders it without replaying the stream again (`None` only for
    /// a recovered retry).
    pub known: Option<Box<(VerificationCase, usize)>>,
}

/// A case cancelled in the transaction that opens its replacement.
pub(super) struct Replacing {
    pub case_id: CaseId,
    pub reason: Reason,
    pub expected: Option<usize>,
}

/// How often one request re-reads after losing a race before giving up.
const MAX_ROUNDS: usize = 32;

impl CaseService {
    /// Returns the subject's active case, or opens one.
    pub async fn get_or_open(
        &self,
        ctx: &RequestContext,
        request: OpenCaseRequest,
    ) -> Result<Opened, ServiceError> {
        let new_id = self.ids.case_id();
        let opened = self.open_replacing(ctx, &request, new_id, None).await?;
        if opened.created {
            return Ok(opened);
        }
        self.join(ctx, &request, opened).await
    }

    /// A fresh id for a case a use case prepares (e.g. stores images under)
    /// before opening it.
    pub fn next_case_id(&self) -> CaseId {
        self.ids.case_id()
    }

    /// Opens `case_id` for the subject with the request's follow-up
    /// commands, all in one transaction — or, if the subject has an active
    /// case, writes nothing and returns it (`created` false).
    pub async fn open_with_id(
        &self,
        ctx: &RequestContext,
        request: OpenCaseRequest,
        case_id: CaseId,
    ) -> Result<Opened, ServiceError> {
        self.open_replacing(ctx, &request, case_id, None).await
    }

    /// The request found the subject's active case (seed 002): it must
    /// include every check asked for (they are not added silently; 409
    /// `active_case_lacks_checks` otherwise, nothing written), and it now
    /// also affects the request's entities.
    async fn join(
        &self,
        ctx: &RequestContext,
        request: &OpenCaseRequest,
        mut opened: Opened,
    ) -> Result<Opened, ServiceError> {
        let (mut case, version) = match opened.known.take() {
            Some(known) => *known,
            None => self.load(ctx, opened.case_id).await?,
        };
        let active = case.opened().ok_or(CaseError::NotFound)?;
        let missing: Vec<_> = request
            .checks
            .as_slice()
            .iter()
            .filter(|c| !active.checks.contains_key(c))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(CaseError::ActiveCaseLacksChecks {
                case_id: opened.case_id,
                checks: missing,
            }
            .into());
        }
        if request.entities.iter().all(|e| active.entities.contains(e)) {
            opened.known = Some(Box::new((case, version)));
            return Ok(opened);
        }
        let action = CaseAction::LinkEntities {
            entities: request.entities.clone(),
        };
        let committed = self.execute(ctx, opened.case_id, action).await?;
        for event in committed.events {
            case.apply(event.payload);
        }
        opened.known = Some(Box::new((case, committed.version)));
        Ok(opened)
    }

    /// Opens `new_id` (or returns the subject's active case) in one
    /// transaction with the request's invitation and, if `replacing`, the
    /// cancellation of the case it replaces.
    pub(super) async fn open_replacing(
        &self,
        ctx: &RequestContext,
        request: &OpenCaseRequest,
        new_id: CaseId,
        replacing: Option<&Replacing>,
    ) -> Result<Opened, ServiceError> {
        if let Some(opened) = self.recovered(ctx, request, replacing).await? {
            return Ok(opened);
        }
        let subject_stream = stream_id(&ctx.tenant, &request.subject.id);
        for round in 0..MAX_ROUNDS {
            let slot = self
                .slot(&subject_stream, replacing.map(|r| r.case_id))
                .await?;
            let slot = match (slot, replacing) {
                // Nothing to write: the subject's active case is the answer.
                (Slot::Active(case_id, known), None) => {
                    return Ok(Opened {
                        case_id,
                        created: false,
                        invited: false,
                        known: Some(known),
                    })
                }
                (slot, _) => slot,
            };
            let (case_id, opens) = match &slot {
                Slot::Active(id, _) => (*id, false),
                Slot::Unopened(id) => (*id, true),
                Slot::Free { .. } => (new_id, true),
            };
            let mut batch = Batch::default();
            let decided = self
                .plan(
                    &mut batch,
                    ctx,
                    request,
                    (&subject_stream, slot, case_id),
                    replacing,
                    // New ids are trusted to be new in the first round only.
                    round == 0,
                )
                .await;
            let outcome = match decided {
                Ok(written) => batch.commit(&self.db).await.map(|()| written),
                Err(error) => Err(error),
            };
            match outcome {
                Ok(written) => {
                    return Ok(Opened {
                        case_id,
                        created: opens,
                        invited: request.invitation.is_some(),
                        known: written.map(Box::new),
                    })
                }
                // Lost a race for the subject or the case: look again.
                Err(ServiceError::Conflict)
                | Err(ServiceError::Contention(_))
                | Err(ServiceError::Refused(CaseError::AlreadyOpened)) => {}
                Err(other) => return Err(other),
            }
        }
        Err(ServiceError::Contention(subject_stream))
    }
}
