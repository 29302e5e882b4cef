//! What a provider is sent: the individual as submitted and, when the
//! provider takes images, the check's evidence (read back and verified
//! against its upload digest, as the built-in checks do).

use base64::Engine as _;
use veritrail_application::providers::{
    ProviderEvidence, ProviderRequest, ProviderSettings, ProviderSubject, Reference,
};
use veritrail_domain::case::{CheckKind, EvidenceKind};

use super::RunScope;
use crate::pipeline::evidence::{self, is_selfie, Missing};

/// The images a check of `check` looks at.
fn wanted(check: CheckKind) -> fn(EvidenceKind) -> bool {
    match check {
        CheckKind::Liveness => is_selfie,
        CheckKind::Document => EvidenceKind::is_identity_document,
        CheckKind::FaceMatch => |k| is_selfie(k) || k.is_identity_document(),
        _ => |_| false,
    }
}

/// The request for `scope`'s run, or why its evidence cannot be had.
pub(super) async fn build(
    scope: &RunScope<'_>,
    settings: &ProviderSettings,
    reference: &Reference,
    callback_url: Option<String>,
) -> Result<ProviderRequest, Missing> {
    let case = scope.case;
    let Some(submission) = case.submission.as_ref() else {
        return Err(Missing::NotUploaded("submission"));
    };
    let subject = ProviderSubject {
        given_names: submission.given_names.to_string(),
        family_name: submission.family_name.to_string(),
        date_of_birth: submission.date_of_birth.to_string(),
        nationality: submission.nationality.as_ref().map(ToString::to_string),
        email: submission.email.as_ref().map(|e| e.as_str().to_owned()),
    };
    let mut images = Vec::new();
    if settings.send_evidence {
        for item in evidence::pick(case, &[scope.check], wanted(scope.check)) {
            let bytes = evidence::bytes(scope.pipeline.services(), case, &item, "image").await?;
            let media_type = case
                .media
                .iter()
                .find(|m| m.media_id == item.media_id)
                .map_or("application/octet-stream", |m| m.media_type.mime());
            images.push(ProviderEvidence {
                kind: serde_json::to_value(item.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                content_type: media_type.to_owned(),
                data: base64::engine::general_purpose::STANDARD.encode(bytes),
            });
        }
    }
    Ok(ProviderRequest {
        reference: reference.to_string(),
        check: scope.check,
        subject,
        evidence: images,
        callback_url,
    })
}
