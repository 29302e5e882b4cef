//! How a run ends, in the case's terms: verified or failed with a score
//! and details, a request to the individual with a hint, or a failure of
//! the service itself (never the individual's fault: it holds the case for
//! an officer instead of rejecting it).

use veritrail_application::checks::CheckError;
use veritrail_application::compute::ComputeError;
use veritrail_application::metering::QuotaError;
use veritrail_application::ServiceError;
use veritrail_domain::case::{CheckDetail, CheckRecord, CheckResult, RunFinish, Score};
use veritrail_domain::workflow::WorkflowPolicy;
use veritrail_domain::{Hint, Reason};

use super::Transient;

/// The detail that marks a result as the service's failure.
pub(crate) const SYSTEM_ERROR: &str = "error";

/// Whether the check's last result is the service's own failure.
pub(crate) fn failed_by_service(record: &CheckRecord) -> bool {
    record.details.iter().any(|d| d.name == SYSTEM_ERROR)
}

pub(crate) fn detail(name: &str, passed: Option<bool>, text: impl Into<String>) -> CheckDetail {
    CheckDetail {
        name: name.to_owned(),
        passed,
        detail: text.into(),
    }
}

fn bounded(text: &str, max: usize) -> String {
    text.replace(['\n', '\r', '\t'], " ")
        .chars()
        .take(max)
        .collect()
}

fn reason(text: &str) -> Reason {
    Reason::parse(&bounded(text, 1000))
        .unwrap_or_else(|_| Reason::parse("the check failed").unwrap_or_else(|_| unreachable!()))
}

/// A 0–100 score from a 0–1 value.
pub(crate) fn score(value: f64) -> Score {
    Score::clamped((value.clamp(0.0, 1.0) * 100.0).round() as u8)
}

pub(crate) fn verified(
    score: Score,
    details: Vec<CheckDetail>,
    policy: &WorkflowPolicy,
) -> RunFinish {
    RunFinish::Result {
        result: CheckResult::Verified { score: Some(score) },
        details,
        policy_version: policy.version,
    }
}

pub(crate) fn failed(
    why: &str,
    score: Option<Score>,
    details: Vec<CheckDetail>,
    policy: &WorkflowPolicy,
) -> RunFinish {
    RunFinish::Result {
        result: CheckResult::Failed {
            reason: reason(why),
            score,
        },
        details,
        policy_version: policy.version,
    }
}

/// The service could not judge the evidence.
pub(crate) fn system_failure(why: &str, policy: &WorkflowPolicy) -> RunFinish {
    let text = format!("the check could not run: {why}");
    failed(
        &text,
        None,
        vec![detail(SYSTEM_ERROR, None, text.clone())],
        policy,
    )
}

/// The individual must act.
pub(crate) fn action(hint: &str, policy: &WorkflowPolicy) -> RunFinish {
    let hint = Hint::parse(&bounded(hint, 500)).unwrap_or_else(|_| {
        Hint::parse("upload the evidence again").unwrap_or_else(|_| unreachable!())
    });
    RunFinish::ActionNeeded {
        hint,
        respond_within: time::Duration::hours(i64::from(policy.respond_within_hours)),
    }
}

/// A check's error as its end, or as a reason to retry the job later.
pub(crate) fn from_error(
    error: CheckError,
    what: &str,
    policy: &WorkflowPolicy,
) -> Result<RunFinish, Transient> {
    match error {
        CheckError::Evidence { problem, .. } => Ok(action(
            &format!("the {what} cannot be used ({problem}): upload a sharp JPEG, PNG or WebP photo"),
            policy,
        )),
        CheckError::NoFace(face) => Ok(action(
            &format!("no usable face was found in the {face}: take the photo facing the camera, whole, sharp and well lit"),
            policy,
        )),
        CheckError::UnusableFace { place, reason } => Ok(action(
            &format!("no usable face was found in the {place} ({reason}): take the photo facing the camera, whole, sharp and well lit"),
            policy,
        )),
        CheckError::Compute(ComputeError::Saturated) => {
            Err(Transient("every image worker is busy".into()))
        }
        CheckError::Quota(QuotaError::Service(e)) | CheckError::Service(e) => service(e, policy),
        other => {
            tracing::warn!(error = %other, what, "a check ended in an error");
            Ok(system_failure(&other.to_string(), policy))
        }
    }
}

fn service(error: ServiceError, policy: &WorkflowPolicy) -> Result<RunFinish, Transient> {
    match error {
        ServiceError::Unavailable(_) | ServiceError::Conflict | ServiceError::Store(_) => {
            Err(Transient(error.to_string()))
        }
        other => Ok(system_failure(&other.to_string(), policy)),
    }
}
