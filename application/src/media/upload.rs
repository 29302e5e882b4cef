//! Uploading evidence to a case and reading it back. The image is vetted
//! and sanitised before anything is written; the blob is stored before the
//! event that names it, and removed again if the case refuses the upload,
//! so a refused upload leaves neither an event nor a blob.

use sha2::{Digest, Sha256};
use uuid::Uuid;
use veritrail_domain::case::{CaseAction, CaseError, CommandName, EvidenceKind, StoredMedia};
use veritrail_domain::{CaseId, MediaId, TenantId};

use super::blobs::BlobError;
use super::sanitise::sanitise;
use crate::checks::evidence::vet;
use crate::checks::{CheckError, EvidenceProblem};
use crate::{RequestContext, ServiceError, Services};

/// One image for a case.
#[derive(Debug)]
pub struct Upload {
    pub kind: EvidenceKind,
    pub bytes: Vec<u8>,
    /// `If-Match`: the case version the uploader saw.
    pub expected: Option<usize>,
}

/// Where an upload's bytes are kept.
pub fn media_key(tenant: &TenantId, case_id: CaseId, media_id: MediaId) -> String {
    format!("{tenant}/{case_id}/{media_id}")
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl From<BlobError> for ServiceError {
    fn from(error: BlobError) -> Self {
        match error {
            // The disk or bucket cannot take or give the blob now.
            BlobError::Io(e) => ServiceError::Unavailable(Box::new(e)),
            invalid @ BlobError::InvalidKey(_) => ServiceError::Store(Box::new(invalid)),
        }
    }
}

impl Services {
    /// Vets, sanitises and stores one image, then records it on the case
    /// (AUD-5). Returns what was recorded and the case's new version.
    pub async fn upload_evidence(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        upload: Upload,
    ) -> Result<(StoredMedia, usize), CheckError> {
        let bytes = vet("file", upload.bytes)?;
        // Refuse an unknown case or a closed one before the costly part.
        let (case, _) = self.cases.load(ctx, case_id).await?;
        case.accepts(&ctx.tenant, CommandName::AttachEvidence)
            .map_err(ServiceError::from)?;
        let (media, bytes) = self.prepare("file", upload.kind, bytes).await?;
        let key = media_key(&ctx.tenant, case_id, media.media_id);
        self.media
            .put(&key, bytes)
            .await
            .map_err(ServiceError::from)?;
        let action = CaseAction::AttachEvidence(media.clone());
        match self
            .cases
            .execute_expecting(ctx, case_id, action, upload.expected)
            .await
        {
            Ok(committed) => Ok((media, committed.version)),
            Err(refused) => {
                if let Err(error) = self.media.delete(&key).await {
                    tracing::warn!(%error, key, "could not remove the blob of a refused upload");
                }
                Err(refused.into())
            }
        }
    }

    /// Sanitises an image sent in `field` and already vetted (on the
    /// compute pool): what the case records of it under a new media id, and
    /// the bytes to store.
    pub(crate) async fn prepare(
        &self,
        field: &str,
        kind: EvidenceKind,
        bytes: Vec<u8>,
    ) -> Result<(StoredMedia, Vec<u8>), CheckError> {
        let original_sha256 = hex_sha256(&bytes);
        let original_size_bytes = bytes.len() as u64;
        let sanitised = self
            .checks
            .compute
            .run(move || sanitise(&bytes))
            .await?
            .map_err(|refusal| CheckError::evidence(field, EvidenceProblem::Refused(refusal)))?;
        let media = StoredMedia {
            media_id: MediaId::from_uuid(Uuid::now_v7()),
            kind,
            media_type: sanitised.media_type,
            sha256: hex_sha256(&sanitised.bytes),
            size_bytes: sanitised.bytes.len() as u64,
            width: sanitised.width,
            height: sanitised.height,
            original_sha256,
            original_size_bytes,
        };
        Ok((media, sanitised.bytes))
    }

    /// One uploaded image of a case and its bytes.
    pub async fn evidence(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        media_id: MediaId,
    ) -> Result<(StoredMedia, Vec<u8>), ServiceError> {
        let (case, _) = self.cases.load(ctx, case_id).await?;
        let media = case
            .opened()
            .and_then(|c| c.media.iter().find(|m| m.media_id == media_id))
            .cloned()
            .ok_or(CaseError::UnknownMedia { media_id })?;
        let key = media_key(&ctx.tenant, case_id, media_id);
        match self.media.get(&key).await? {
            Some(bytes) => Ok((media, bytes)),
            None => Err(ServiceError::Corrupt(format!(
                "the blob {key} of a recorded upload is missing"
            ))),
        }
    }
}
