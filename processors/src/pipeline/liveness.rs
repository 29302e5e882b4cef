//! The liveness check on a case: an active challenge's frames when the
//! submission answered one, else the selfie on passive evidence.

use veritrail_application::checks::liveness::LivenessEvidence;
use veritrail_application::{RequestContext, Services};
use veritrail_domain::case::{CheckDetail, CheckKind, EvidenceKind, OpenedCase, RunFinish};
use veritrail_domain::workflow::WorkflowPolicy;

use super::checks::missing;
use super::evidence::{self, is_selfie, Missing};
use super::finish::{action, detail, failed, from_error, score, verified};
use super::Transient;

/// Liveness on the case's evidence: the frames answering the active
/// challenge the submission named, else the selfie (passive, at most
/// confidence 0.60).
pub(super) async fn evaluate(
    services: &Services,
    ctx: &RequestContext,
    case: &OpenedCase,
    policy: &WorkflowPolicy,
) -> Result<RunFinish, Transient> {
    let (evidence, what) = match challenge_frames(services, case).await {
        Some(Ok(frames)) => frames,
        Some(Err(m)) => return missing(m, policy),
        None => match selfie(services, case).await {
            Ok(selfie) => selfie,
            Err(m) => return missing(m, policy),
        },
    };
    let view = match services.checks.liveness(ctx, evidence).await {
        Ok(view) => view,
        Err(e) => return from_error(e, what, policy),
    };
    let spoof = serde_json::to_value(view.spoof_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut details: Vec<CheckDetail> = view
        .reasons
        .iter()
        .map(|r| detail(&r.code, None, r.message.clone()))
        .collect();
    details.push(detail(
        "spoof_type",
        Some(view.is_live),
        format!("spoof type {spoof}, confidence {:.2}", view.confidence),
    ));
    if let Some(steps) = &view.challenge {
        details.push(detail(
            "challenge",
            Some(view.is_live),
            format!("active challenge answered: {}", steps.join(", ")),
        ));
    }
    let confidence = f64::from(view.confidence);
    if view.is_live {
        return Ok(verified(score(confidence), details, policy));
    }
    if spoof == "none" || spoof == "unknown" {
        // Too small or doubtful, not a detected attack: ask for a better one.
        let hint = view.hints.first().cloned().unwrap_or_else(|| {
            "take a new selfie facing the camera, close and well lit".to_owned()
        });
        return Ok(action(&hint, policy));
    }
    let why = format!(
        "the selfie looks like a presentation attack ({spoof}, confidence {confidence:.2})"
    );
    Ok(failed(&why, Some(score(1.0 - confidence)), details, policy))
}

/// The frames answering the submission's challenge, when it named one and
/// the liveness check was not resubmitted with other evidence.
async fn challenge_frames(
    services: &Services,
    case: &OpenedCase,
) -> Option<Result<(LivenessEvidence, &'static str), Missing>> {
    let challenge = case.submission.as_ref()?.liveness_challenge.as_ref()?;
    let resubmitted = case
        .checks
        .get(&CheckKind::Liveness)
        .is_some_and(|r| !r.evidence.is_empty());
    if resubmitted {
        return None;
    }
    let mut frames = Vec::new();
    for (i, item) in evidence::pick(case, &[CheckKind::Liveness], is_frame)
        .iter()
        .enumerate()
    {
        match evidence::bytes(services, case, item, "liveness frame").await {
            Ok(bytes) => frames.push((format!("frames[{i}]"), bytes)),
            Err(m) => return Some(Err(m)),
        }
    }
    let steps = challenge.steps.clone();
    Some(Ok((
        LivenessEvidence::Answered { steps, frames },
        "liveness frames",
    )))
}

fn is_frame(kind: EvidenceKind) -> bool {
    kind == EvidenceKind::LivenessFrame
}

/// The selfie, judged passively.
async fn selfie(
    services: &Services,
    case: &OpenedCase,
) -> Result<(LivenessEvidence, &'static str), Missing> {
    let sources = [CheckKind::Liveness, CheckKind::FaceMatch];
    let Some(selfie) = evidence::pick(case, &sources, is_selfie).pop() else {
        return Err(Missing::NotUploaded("selfie"));
    };
    let image = evidence::bytes(services, case, &selfie, "selfie").await?;
    let field = "selfie".to_owned();
    Ok((LivenessEvidence::Passive { field, image }, "selfie"))
}
