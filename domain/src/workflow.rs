//! A tenant's verification workflow (issue 16, seed 003 §8.5): which
//! checks the processors run on their own and in what order (liveness →
//! document → face match → KYA by default), how a result becomes a score
//! and a decision, how long the individual has to act on a request, and
//! how long one check may run. Versioned: every result and score records
//! the version it was judged under, so a decision can be explained after
//! the policy changed. Version 0 is the service default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::{CheckKind, Submission};
use crate::scoring::ScoringPolicy;

/// Checks a processor can run without a person.
pub const AUTOMATIC: [CheckKind; 4] = [
    CheckKind::Liveness,
    CheckKind::Document,
    CheckKind::FaceMatch,
    CheckKind::Kya,
];

/// The provider name of the built-in models.
pub const BUILTIN_PROVIDER: &str = "builtin";

/// Optional fields of a submission a tenant may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SubmissionField {
    Email,
    Phone,
    Nationality,
    DeclaredIncome,
    RequestedAmount,
}

impl SubmissionField {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionField::Email => "email",
            SubmissionField::Phone => "phone",
            SubmissionField::Nationality => "nationality",
            SubmissionField::DeclaredIncome => "declared_income",
            SubmissionField::RequestedAmount => "requested_amount",
        }
    }

    fn present(self, submission: &Submission) -> bool {
        match self {
            SubmissionField::Email => submission.email.is_some(),
            SubmissionField::Phone => submission.phone.is_some(),
            SubmissionField::Nationality => submission.nationality.is_some(),
            SubmissionField::DeclaredIncome => submission.declared_income.is_some(),
            SubmissionField::RequestedAmount => submission.requested_amount.is_some(),
        }
    }
}

/// Why a workflow is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("{0} is not an automatic check (liveness, document, face_match, kya) and no provider runs it")]
    NotAutomatic(CheckKind),
    #[error("{0} is given a provider but is not in the order")]
    ProviderNotRun(CheckKind),
    #[error("{0} is listed more than once")]
    Repeated(String),
    #[error("mandatory check {0} is not in the order")]
    MandatoryNotRun(CheckKind),
    #[error("face_match_threshold must lie between 0 and 1")]
    Threshold,
    #[error("respond_within_hours must be 1 to 2160 (90 days)")]
    RespondWithin,
    #[error("check_timeout_secs must be 5 to 600")]
    Timeout,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowPolicy {
    /// 0 for the service default; each change of a tenant's adds one.
    pub version: u32,
    /// The automatic checks, in the order they run. A requested check not
    /// listed waits for an officer.
    pub order: Vec<CheckKind>,
    /// Checks that reject the case when they fail, whatever the score
    /// (another failed check leaves the case to an officer).
    pub mandatory_checks: Vec<CheckKind>,
    /// Fields a submission must carry (else 422 when submitting).
    pub mandatory_fields: Vec<SubmissionField>,
    pub scoring: ScoringPolicy,
    /// The face-match similarity needed; `None` for the service default.
    pub face_match_threshold: Option<f64>,
    /// How long the individual has to act on a request (retake a photo).
    pub respond_within_hours: u32,
    /// Longest one check may run before it ends `failed`.
    pub check_timeout_secs: u32,
    /// Checks run by an external provider (CHK-11), by the provider's
    /// configured name; the others run on the built-in models.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub providers: BTreeMap<CheckKind, String>,
}

impl Default for WorkflowPolicy {
    fn default() -> Self {
        Self {
            version: 0,
            order: AUTOMATIC.to_vec(),
            mandatory_checks: Vec::new(),
            mandatory_fields: Vec::new(),
            scoring: ScoringPolicy::default(),
            face_match_threshold: None,
            respond_within_hours: 7 * 24,
            check_timeout_secs: 120,
            providers: BTreeMap::new(),
        }
    }
}

impl WorkflowPolicy {
    /// Refuses what the pipeline could not run as asked.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        for (i, check) in self.order.iter().enumerate() {
            if !AUTOMATIC.contains(check) && !self.runs_externally(*check) {
                return Err(WorkflowError::NotAutomatic(*check));
            }
            if self.order[..i].contains(check) {
                return Err(WorkflowError::Repeated(check.to_string()));
            }
        }
        if let Some(check) = self.providers.keys().find(|c| !self.order.contains(c)) {
            return Err(WorkflowError::ProviderNotRun(*check));
        }
        for (i, check) in self.mandatory_checks.iter().enumerate() {
            if !self.order.contains(check) {
                return Err(WorkflowError::MandatoryNotRun(*check));
            }
            if self.mandatory_checks[..i].contains(check) {
                return Err(WorkflowError::Repeated(check.to_string()));
            }
        }
        for (i, field) in self.mandatory_fields.iter().enumerate() {
            if self.mandatory_fields[..i].contains(field) {
                return Err(WorkflowError::Repeated(field.as_str().to_owned()));
            }
        }
        if self
            .face_match_threshold
            .is_some_and(|t| !(0.0..=1.0).contains(&t))
        {
            return Err(WorkflowError::Threshold);
        }
        if !(1..=2160).contains(&self.respond_within_hours) {
            return Err(WorkflowError::RespondWithin);
        }
        if !(5..=600).contains(&self.check_timeout_secs) {
            return Err(WorkflowError::Timeout);
        }
        Ok(())
    }

    /// The provider `check` is routed to, if not the built-in models.
    pub fn provider(&self, check: CheckKind) -> Option<&str> {
        self.providers
            .get(&check)
            .map(String::as_str)
            .filter(|p| *p != BUILTIN_PROVIDER)
    }

    fn runs_externally(&self, check: CheckKind) -> bool {
        self.provider(check).is_some()
    }

    /// The mandatory fields `submission` lacks.
    pub fn missing_fields(&self, submission: &Submission) -> Vec<SubmissionField> {
        self.mandatory_fields
            .iter()
            .copied()
            .filter(|f| !f.present(submission))
            .collect()
    }

    /// The automatic checks of a case requiring `requested`, in order.
    pub fn steps(&self, requested: &[CheckKind]) -> Vec<CheckKind> {
        self.order
            .iter()
            .copied()
            .filter(|c| {
                requested.contains(c) && (AUTOMATIC.contains(c) || self.runs_externally(*c))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_runs_only_automatic_checks_once_each_within_bounds() {
        let ok = WorkflowPolicy {
            order: vec![CheckKind::Document, CheckKind::FaceMatch],
            mandatory_checks: vec![CheckKind::FaceMatch],
            ..WorkflowPolicy::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        let refused = |policy: WorkflowPolicy| policy.validate().err();
        assert_eq!(
            refused(WorkflowPolicy {
                order: vec![CheckKind::Compliance],
                ..ok.clone()
            }),
            Some(WorkflowError::NotAutomatic(CheckKind::Compliance))
        );
        assert!(matches!(
            refused(WorkflowPolicy {
                order: vec![CheckKind::Document, CheckKind::Document],
                mandatory_checks: vec![],
                ..ok.clone()
            }),
            Some(WorkflowError::Repeated(_))
        ));
        assert_eq!(
            refused(WorkflowPolicy {
                mandatory_checks: vec![CheckKind::Liveness],
                ..ok.clone()
            }),
            Some(WorkflowError::MandatoryNotRun(CheckKind::Liveness))
        );
        assert_eq!(
            refused(WorkflowPolicy {
                face_match_threshold: Some(1.5),
                ..ok.clone()
            }),
            Some(WorkflowError::Threshold)
        );
        assert_eq!(
            refused(WorkflowPolicy {
                respond_within_hours: 0,
                ..ok.clone()
            }),
            Some(WorkflowError::RespondWithin)
        );
        assert_eq!(
            refused(WorkflowPolicy {
                check_timeout_secs: 1,
                ..ok
            }),
            Some(WorkflowError::Timeout)
        );
    }

    #[test]
    fn steps_follow_the_policy_order_and_skip_manual_checks() {
        let policy = WorkflowPolicy::default();
        let requested = [
            CheckKind::WorkingWithChildren,
            CheckKind::Kya,
            CheckKind::Document,
            CheckKind::Liveness,
        ];
        assert_eq!(
            policy.steps(&requested),
            vec![CheckKind::Liveness, CheckKind::Document, CheckKind::Kya]
        );
    }

    #[test]
    fn a_provider_makes_any_check_automatic_but_only_in_the_order() {
        let mut policy = WorkflowPolicy::default();
        policy.order.push(CheckKind::Compliance);
        assert_eq!(
            policy.validate(),
            Err(WorkflowError::NotAutomatic(CheckKind::Compliance))
        );
        policy
            .providers
            .insert(CheckKind::Compliance, "screening".to_owned());
        assert_eq!(policy.validate(), Ok(()));
        assert_eq!(policy.provider(CheckKind::Compliance), Some("screening"));
        assert_eq!(
            policy.steps(&[CheckKind::Compliance, CheckKind::Bankruptcy]),
            vec![CheckKind::Compliance]
        );
        policy
            .providers
            .insert(CheckKind::Bankruptcy, "registry".to_owned());
        assert_eq!(
            policy.validate(),
            Err(WorkflowError::ProviderNotRun(CheckKind::Bankruptcy))
        );
        // `builtin` names the models: not a provider.
        policy.providers.remove(&CheckKind::Bankruptcy);
        policy
            .providers
            .insert(CheckKind::Document, BUILTIN_PROVIDER.to_owned());
        assert_eq!(policy.provider(CheckKind::Document), None);
    }
}
