//! Which uploads a check looks at, and their bytes. A check's own
//! resubmitted evidence comes first, then the submission's; every image is
//! read from the blob store and must still have the digest its upload
//! event recorded (chain of custody).

use sha2::{Digest, Sha256};
use veritrail_application::media::media_key;
use veritrail_application::Services;
use veritrail_domain::case::{CheckKind, Evidence, EvidenceKind, OpenedCase};

/// Why an image could not be had.
#[derive(Debug)]
pub(crate) enum Missing {
    /// The individual never uploaded one (or named one that was not uploaded).
    NotUploaded(&'static str),
    /// The stored bytes are gone or altered: never judged, and said so.
    Damaged(String),
    /// The blob store did not answer (retried later).
    Unavailable(String),
}

pub(crate) fn is_selfie(kind: EvidenceKind) -> bool {
    kind == EvidenceKind::Selfie
}

/// The evidence of the first of `sources` that resubmitted any of the
/// wanted kind, else the submission's.
pub(crate) fn pick(
    case: &OpenedCase,
    sources: &[CheckKind],
    wanted: fn(EvidenceKind) -> bool,
) -> Vec<Evidence> {
    let matching = |items: &[Evidence]| -> Vec<Evidence> {
        items.iter().filter(|e| wanted(e.kind)).cloned().collect()
    };
    for source in sources {
        if let Some(record) = case.checks.get(source) {
            let own = matching(&record.evidence);
            if !own.is_empty() {
                return own;
            }
        }
    }
    case.submission
        .as_ref()
        .map(|s| matching(&s.evidence))
        .unwrap_or_default()
}

/// The bytes of `evidence`, checked against the digest recorded at upload.
pub(crate) async fn bytes(
    services: &Services,
    case: &OpenedCase,
    evidence: &Evidence,
    what: &'static str,
) -> Result<Vec<u8>, Missing> {
    let Some(media) = case.media.iter().find(|m| m.media_id == evidence.media_id) else {
        return Err(Missing::NotUploaded(what));
    };
    let key = media_key(&case.tenant, case.id, media.media_id);
    let bytes = match services.media.get(&key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(Missing::Damaged(format!("the stored {what} is missing"))),
        Err(error) => return Err(Missing::Unavailable(error.to_string())),
    };
    if hex::encode(Sha256::digest(&bytes)) != media.sha256 {
        return Err(Missing::Damaged(format!(
            "the stored {what} does not match the digest recorded at upload"
        )));
    }
    Ok(bytes)
}
