//! Each automatic check on a case's evidence, through the same application
//! services as the standalone endpoints (metered as they are), and what
//! its answer means for the case.

use veritrail_application::checks::document::{DocumentEvidence, OcrView};
use veritrail_application::checks::face_match::FaceEvidence;
use veritrail_application::checks::{CheckError, FaceIn};
use veritrail_application::{RequestContext, Services};
use veritrail_domain::case::{CheckDetail, CheckKind, EvidenceKind, OpenedCase, RunFinish};
use veritrail_domain::kya::{self, KyaInput};
use veritrail_domain::workflow::WorkflowPolicy;

use super::evidence::{self, is_selfie, Missing};
use super::finish::{action, detail, failed, from_error, score, system_failure, verified};
use super::Transient;

/// What `check` concludes on the case's current evidence.
pub(crate) async fn evaluate(
    services: &Services,
    ctx: &RequestContext,
    case: &OpenedCase,
    check: CheckKind,
    policy: &WorkflowPolicy,
) -> Result<RunFinish, Transient> {
    match check {
        CheckKind::Liveness => super::liveness::evaluate(services, ctx, case, policy).await,
        CheckKind::Document => document(services, ctx, case, policy).await,
        CheckKind::FaceMatch => face_match(services, ctx, case, policy).await,
        CheckKind::Kya => Ok(know_your_applicant(case, policy)),
        other => Ok(system_failure(
            &format!("{other} is not an automatic check"),
            policy,
        )),
    }
}

/// An image that could not be had, as the check's end.
pub(super) fn missing(missing: Missing, policy: &WorkflowPolicy) -> Result<RunFinish, Transient> {
    match missing {
        Missing::NotUploaded(what) => Ok(action(
            &format!("no {what} was uploaded: upload it, then submit it for this check"),
            policy,
        )),
        Missing::Damaged(why) => Ok(system_failure(&why, policy)),
        Missing::Unavailable(why) => Err(Transient(why)),
    }
}

fn document_hint(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Passport => "passport",
        EvidenceKind::IdCard => "id_card",
        EvidenceKind::ResidencePermit => "residence_permit",
        EvidenceKind::Visa => "visa",
        EvidenceKind::DriverLicence => "driver_license",
        _ => "auto",
    }
}

async fn document(
    services: &Services,
    ctx: &RequestContext,
    case: &OpenedCase,
    policy: &WorkflowPolicy,
) -> Result<RunFinish, Transient> {
    let docs = evidence::pick(
        case,
        &[CheckKind::Document],
        EvidenceKind::is_identity_document,
    );
    let Some(front) = docs.first() else {
        return missing(
            Missing::NotUploaded("photo of an identity document"),
            policy,
        );
    };
    let mut images = Vec::new();
    for side in docs.iter().take(2) {
        match evidence::bytes(services, case, side, "document photo").await {
            Ok(bytes) => images.push(bytes),
            Err(m) => return missing(m, policy),
        }
    }
    let mut images = images.into_iter();
    let request = DocumentEvidence {
        front: images.next().unwrap_or_default(),
        back: images.next(),
        document_hint: Some(document_hint(front.kind).to_owned()),
        country_hint: None,
    };
    match services.checks.document(ctx, request).await {
        Ok(view) => Ok(document_finish(&view, policy)),
        Err(e) => from_error(e, "document photo", policy),
    }
}

/// `pass` verifies, with the document's identity recorded for KYA and the
/// officer; anything else asks for a better photo with the reader's hints.
fn document_finish(view: &OcrView, policy: &WorkflowPolicy) -> RunFinish {
    if view.status != "pass" {
        let hint = if view.hints.is_empty() {
            "the document could not be read: photograph it flat, whole, sharp and without glare"
                .to_owned()
        } else {
            view.hints.join("; ")
        };
        return action(&hint, policy);
    }
    let mut details = vec![
        detail("document_type", None, view.detected.kind.clone()),
        detail(
            "confidence",
            None,
            format!("read with confidence {:.2}", view.detected.confidence),
        ),
    ];
    if let Some(validation) = &view.validation {
        details.push(detail(
            "mrz_valid",
            validation.mrz_valid,
            "structure, syntax and check digits",
        ));
        details.push(detail(
            "document_current",
            validation.document_current,
            "not expired",
        ));
    }
    if let Some(fields) = &view.fields {
        details.push(detail("surname", None, fields.surname.clone()));
        details.push(detail("given_names", None, fields.given_names.clone()));
        details.push(detail(
            "nationality",
            None,
            fields.nationality.alpha3.clone(),
        ));
    }
    verified(score(view.detected.confidence), details, policy)
}

async fn face_match(
    services: &Services,
    ctx: &RequestContext,
    case: &OpenedCase,
    policy: &WorkflowPolicy,
) -> Result<RunFinish, Transient> {
    let selfies = [CheckKind::FaceMatch, CheckKind::Liveness];
    let Some(selfie) = evidence::pick(case, &selfies, is_selfie).pop() else {
        return missing(Missing::NotUploaded("selfie"), policy);
    };
    let docs = [CheckKind::FaceMatch, CheckKind::Document];
    let documents = evidence::pick(case, &docs, EvidenceKind::is_identity_document);
    if documents.is_empty() {
        return missing(
            Missing::NotUploaded("photo of an identity document"),
            policy,
        );
    }
    let selfie = match evidence::bytes(services, case, &selfie, "selfie").await {
        Ok(bytes) => bytes,
        Err(m) => return missing(m, policy),
    };
    // The portrait is on one side: the first side with a face is compared.
    let mut last = None;
    for side in &documents {
        let document = match evidence::bytes(services, case, side, "document photo").await {
            Ok(bytes) => bytes,
            Err(m) => return missing(m, policy),
        };
        let evidence = FaceEvidence {
            selfie: selfie.clone(),
            document,
        };
        match services.checks.face_match(ctx, evidence).await {
            Ok(view) => {
                let comparison = format!(
                    "similarity {:.2} {} {:.2} threshold",
                    view.similarity,
                    if view.is_match { "≥" } else { "<" },
                    view.threshold
                );
                let mut details = vec![detail(
                    "similarity",
                    Some(view.is_match),
                    comparison.clone(),
                )];
                details.extend(view.hints.iter().map(|h| detail("hint", None, h.clone())));
                let similarity = view.similarity;
                let threshold = view.threshold.clamp(0.01, 0.99);
                if view.is_match {
                    let above = (similarity - threshold) / (1.0 - threshold);
                    return Ok(verified(score(0.8 + 0.2 * above), details, policy));
                }
                if !view.hints.is_empty() {
                    // A small or crowded face: a better photo may match.
                    return Ok(action(&view.hints.join(" "), policy));
                }
                let below = 0.79 * similarity / threshold;
                return Ok(failed(&comparison, Some(score(below)), details, policy));
            }
            // No usable face on this document photo: try the next one.
            Err(
                e @ (CheckError::NoFace(FaceIn::Image("document"))
                | CheckError::UnusableFace {
                    place: FaceIn::Image("document"),
                    ..
                }),
            ) => {
                last = Some(e);
            }
            Err(e) => return from_error(e, "selfie or document photo", policy),
        }
    }
    match last {
        Some(e) => from_error(e, "document photo", policy),
        None => Ok(system_failure("no document photo was compared", policy)),
    }
}

/// KYA on the submission and what the document check read.
fn know_your_applicant(case: &OpenedCase, policy: &WorkflowPolicy) -> RunFinish {
    let Some(submission) = case.submission.as_ref() else {
        return system_failure("the case has no submission", policy);
    };
    let read = |name: &str| -> Option<&str> {
        case.checks
            .get(&CheckKind::Document)
            .and_then(|r| r.details.iter().find(|d| d.name == name))
            .map(|d| d.detail.as_str())
    };
    let report = kya::assess(&KyaInput {
        email: submission.email.as_ref(),
        email_domain_has_mx: None,
        phone: submission.phone.as_ref().map(|p| p.as_str()),
        declared_nationality: submission.nationality,
        document_nationality: read("nationality"),
        declared_given_names: submission.given_names.as_str(),
        declared_family_name: submission.family_name.as_str(),
        document_given_names: read("given_names"),
        document_family_name: read("surname"),
    });
    let details: Vec<CheckDetail> = report
        .items
        .iter()
        .map(|item| {
            let passed = match item.finding {
                kya::Finding::Pass => Some(true),
                kya::Finding::Fail => Some(false),
                kya::Finding::NotChecked => None,
            };
            detail(item.name, passed, item.reason.clone())
        })
        .collect();
    let failures: Vec<String> = report
        .items
        .iter()
        .filter(|i| i.finding == kya::Finding::Fail)
        .map(|i| format!("{}: {}", i.name, i.reason))
        .collect();
    if failures.is_empty() {
        verified(report.score, details, policy)
    } else {
        failed(&failures.join("; "), Some(report.score), details, policy)
    }
}
