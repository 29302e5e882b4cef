//! The full workflow in one call (seed 003 §8.5, issue 16 item 3): the
//! organisation sends the individual's data and images; a case is opened
//! with them — subject slot, case, evidence and submission in one
//! transaction, the images stored first — and the processors take it from
//! there. The case's id is the job id; its status is polled like any case.

use veritrail_domain::case::{
    CaseAction, CaseError, EvidenceKind, RequestedChecks, Subject, Submission,
};
use veritrail_domain::tenant::Module;
use veritrail_domain::EntityId;

use crate::cases::OpenCaseRequest;
use crate::checks::evidence::vet;
use crate::checks::CheckError;
use crate::media::media_key;
use crate::{CaseOpening, RequestContext, ServiceError, Services};

/// At most this many images in one request.
pub const MAX_IMAGES: usize = 4;

/// One image of the request, named by its field for errors.
#[derive(Debug)]
pub struct KycImage {
    pub field: String,
    pub kind: EvidenceKind,
    pub bytes: Vec<u8>,
}

/// What the organisation sends.
#[derive(Debug)]
pub struct KycRequest {
    pub subject: Subject,
    pub entities: Vec<EntityId>,
    /// `None`: the automatic checks of the tenant's workflow.
    pub checks: Option<RequestedChecks>,
    /// The individual's data; its evidence is filled from `images`.
    pub submission: Submission,
    /// Document sides (front first), then the selfie.
    pub images: Vec<KycImage>,
}

impl Services {
    /// Opens a submitted case from one request, or refuses it whole: a bad
    /// image, a used-up quota or a subject with an active case leave no
    /// event and no blob.
    pub async fn verify(
        &self,
        ctx: &RequestContext,
        request: KycRequest,
    ) -> Result<CaseOpening, CheckError> {
        if request.images.len() > MAX_IMAGES {
            let expected = format!("at most {MAX_IMAGES} images");
            return Err(CheckError::invalid("images", expected));
        }
        self.metering.check(&ctx.tenant, Module::Workflow).await?;
        self.require_fields(ctx, &request.submission).await?;
        let mut vetted = Vec::new();
        for image in request.images {
            let bytes = vet(&image.field, image.bytes)?;
            vetted.push((image.field, image.kind, bytes));
        }
        let mut prepared = Vec::new();
        for (field, kind, bytes) in vetted {
            prepared.push(self.prepare(&field, kind, bytes).await?);
        }
        let checks = match request.checks {
            Some(checks) => checks,
            None => {
                let workflow = self.tenants.policy(&ctx.tenant).await?.workflow;
                RequestedChecks::parse(workflow.order).map_err(|e| ServiceError::Invalid {
                    field: "requested_checks",
                    reason: format!("the workflow runs no automatic check: {e}"),
                })?
            }
        };
        let case_id = self.cases.next_case_id();
        let mut keys = Vec::new();
        let mut then = Vec::new();
        let mut submission = request.submission;
        for (media, bytes) in prepared {
            let key = media_key(&ctx.tenant, case_id, media.media_id);
            let stored = self.media.put(&key, bytes).await;
            keys.push(key);
            if let Err(error) = stored {
                self.discard(&keys).await;
                return Err(ServiceError::from(error).into());
            }
            submission.evidence.push(veritrail_domain::case::Evidence {
                kind: media.kind,
                media_id: media.media_id,
            });
            then.push(CaseAction::AttachEvidence(media));
        }
        then.push(CaseAction::SubmitData(submission));
        let (grant, issued) = self.invitations.mint();
        let open = OpenCaseRequest {
            subject: request.subject,
            checks,
            entities: request.entities,
            restart: None,
            invitation: Some(grant),
            then,
        };
        let opened = match self.cases.open_with_id(ctx, open, case_id).await {
            Ok(opened) if opened.created => opened,
            Ok(active) => {
                self.discard(&keys).await;
                let refused = CaseError::SubjectHasActiveCase {
                    case_id: active.case_id,
                };
                return Err(ServiceError::from(refused).into());
            }
            Err(error) => {
                self.discard(&keys).await;
                return Err(error.into());
            }
        };
        self.metering.record(ctx, Module::Workflow).await?;
        Ok(self
            .opening(ctx, case_id, true, Some(issued), opened.known)
            .await?)
    }

    async fn discard(&self, keys: &[String]) {
        for key in keys {
            if let Err(error) = self.media.delete(key).await {
                tracing::warn!(%error, key, "could not remove the blob of a refused request");
            }
        }
    }
}
