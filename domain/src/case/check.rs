//! Checks and their state machine.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::actor::Actor;
use crate::case::provider::ProviderRun;
use crate::case::submission::Evidence;
use crate::text::{Comment, Hint, Reason};

/// What a case can ask to be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckKind {
    /// Liveness and anti-spoof on a selfie (CHK-1).
    Liveness,
    /// Document OCR and validation (CHK-2, CHK-3).
    Document,
    /// Selfie to document photo (CHK-4).
    FaceMatch,
    /// Basic profile coherence: email, phone, country, name (CHK-6).
    Kya,
    /// Sanctions and PEP screening (CHK-8).
    Compliance,
    /// Loan eligibility rules (CHK-9).
    LoanEligibility,
    /// Manual background checks judged by an officer (CHK-10).
    ProfessionalRegistration,
    Bankruptcy,
    WorkingWithChildren,
}

impl CheckKind {
    pub const ALL: [CheckKind; 9] = [
        CheckKind::Liveness,
        CheckKind::Document,
        CheckKind::FaceMatch,
        CheckKind::Kya,
        CheckKind::Compliance,
        CheckKind::LoanEligibility,
        CheckKind::ProfessionalRegistration,
        CheckKind::Bankruptcy,
        CheckKind::WorkingWithChildren,
    ];

    /// The value [`Self::as_str`] names: the one text encoding the read
    /// models store and read back.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == code)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            CheckKind::Liveness => "liveness",
            CheckKind::Document => "document",
            CheckKind::FaceMatch => "face_match",
            CheckKind::Kya => "kya",
            CheckKind::Compliance => "compliance",
            CheckKind::LoanEligibility => "loan_eligibility",
            CheckKind::ProfessionalRegistration => "professional_registration",
            CheckKind::Bankruptcy => "bankruptcy",
            CheckKind::WorkingWithChildren => "working_with_children",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestedChecksError {
    #[error("at least one check must be requested")]
    Empty,
    #[error("check {0} is requested more than once")]
    Duplicate(CheckKind),
}

/// A non-empty set of distinct checks, in the order requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<CheckKind>", into = "Vec<CheckKind>")]
pub struct RequestedChecks(Vec<CheckKind>);

impl RequestedChecks {
    pub fn parse(checks: Vec<CheckKind>) -> Result<Self, RequestedChecksError> {
        if checks.is_empty() {
            return Err(RequestedChecksError::Empty);
        }
        let mut seen = BTreeSet::new();
        for check in &checks {
            if !seen.insert(*check) {
                return Err(RequestedChecksError::Duplicate(*check));
            }
        }
        Ok(Self(checks))
    }

    pub fn as_slice(&self) -> &[CheckKind] {
        &self.0
    }
}

impl TryFrom<Vec<CheckKind>> for RequestedChecks {
    type Error = RequestedChecksError;
    fn try_from(value: Vec<CheckKind>) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<RequestedChecks> for Vec<CheckKind> {
    fn from(value: RequestedChecks) -> Self {
        value.0
    }
}

/// Where one check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckState {
    /// Requested by the organisation; nothing submitted yet.
    Requested,
    Submitted,
    Processing,
    Verified,
    Failed,
    RequiresAction,
    Resubmitted,
    Expired,
    /// Waived by a verification officer with a comment (CASE-8).
    Bypassed,
}

impl CheckState {
    pub const ALL: [CheckState; 9] = [
        CheckState::Requested,
        CheckState::Submitted,
        CheckState::Processing,
        CheckState::Verified,
        CheckState::Failed,
        CheckState::RequiresAction,
        CheckState::Resubmitted,
        CheckState::Expired,
        CheckState::Bypassed,
    ];

    /// May the case be completed with this check in this state?
    pub fn is_cleared(&self) -> bool {
        matches!(self, CheckState::Verified | CheckState::Bypassed)
    }

    pub fn can_start(&self) -> bool {
        matches!(self, CheckState::Submitted | CheckState::Resubmitted)
    }

    pub fn can_record_result(&self) -> bool {
        matches!(self, CheckState::Processing)
    }

    /// An officer may ask for better evidence as soon as it is in, while it
    /// is processed, or after it failed.
    pub fn can_request_action(&self) -> bool {
        matches!(
            self,
            CheckState::Submitted
                | CheckState::Resubmitted
                | CheckState::Processing
                | CheckState::Failed
        )
    }

    pub fn can_resubmit(&self) -> bool {
        matches!(self, CheckState::RequiresAction)
    }

    pub fn can_expire(&self) -> bool {
        matches!(self, CheckState::RequiresAction)
    }

    pub fn can_retry(&self) -> bool {
        matches!(self, CheckState::Failed | CheckState::Expired)
    }

    pub fn can_bypass(&self) -> bool {
        !self.is_cleared()
    }

    /// The value [`Self::as_str`] names: the one text encoding the read
    /// models store and read back.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == code)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            CheckState::Requested => "requested",
            CheckState::Submitted => "submitted",
            CheckState::Processing => "processing",
            CheckState::Verified => "verified",
            CheckState::Failed => "failed",
            CheckState::RequiresAction => "requires_action",
            CheckState::Resubmitted => "resubmitted",
            CheckState::Expired => "expired",
            CheckState::Bypassed => "bypassed",
        }
    }
}

impl fmt::Display for CheckState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 0–100 score reported by a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    pub fn new(value: u8) -> Option<Self> {
        (value <= 100).then_some(Self(value))
    }

    pub fn value(&self) -> u8 {
        self.0
    }

    /// `value`, or 100 for anything above.
    pub fn clamped(value: u8) -> Self {
        Self(value.min(100))
    }
}

impl TryFrom<u8> for Score {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value).ok_or_else(|| format!("score {value} is above 100"))
    }
}

impl From<Score> for u8 {
    fn from(value: Score) -> Self {
        value.0
    }
}

/// What a finished check run concluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckResult {
    Verified {
        score: Option<Score>,
    },
    Failed {
        reason: Reason,
        score: Option<Score>,
    },
}

/// One thing a check measured and whether it passed, in words an officer
/// reads ("similarity 0.62 < 0.75 threshold").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDetail {
    /// What was measured: `similarity`, `mrz_valid`, `email`, …
    pub name: String,
    /// `None` for a measure that is reported but not judged.
    pub passed: Option<bool>,
    pub detail: String,
}

/// Who waived a check and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bypass {
    pub by: Actor,
    pub comment: Comment,
}

/// One check of a case, as the aggregate tracks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub state: CheckState,
    /// 1 for the first run; each retry adds one.
    pub attempt: u32,
    pub result: Option<CheckResult>,
    pub hint: Option<Hint>,
    pub action_deadline: Option<OffsetDateTime>,
    pub bypass: Option<Bypass>,
    /// The processor run working on the check (`processing`), or that
    /// recorded its result.
    #[serde(default)]
    pub run: Option<String>,
    /// The attempt that was escalated for processing too long.
    #[serde(default)]
    pub escalated: Option<u32>,
    /// How many runs have started (a run taken over after a lost lease
    /// counts once): with the case, names a run for billing.
    #[serde(default)]
    pub runs: u32,
    /// What the last result measured.
    #[serde(default)]
    pub details: Vec<CheckDetail>,
    /// The workflow policy version the last result was judged under.
    #[serde(default)]
    pub policy_version: Option<u32>,
    /// Evidence sent for this check alone (a resubmission); else the
    /// submission's evidence applies.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// An external provider's work on the check's runs (the latest).
    #[serde(default)]
    pub provider: Option<ProviderRun>,
}

impl CheckRecord {
    /// The number a run starting now has: a new one from submitted, the
    /// same as the run it takes over from processing.
    pub fn next_run_number(&self) -> u32 {
        self.runs + u32::from(self.state != CheckState::Processing)
    }

    pub fn requested() -> Self {
        Self {
            state: CheckState::Requested,
            attempt: 1,
            result: None,
            hint: None,
            action_deadline: None,
            bypass: None,
            run: None,
            escalated: None,
            runs: 0,
            details: Vec::new(),
            policy_version: None,
            evidence: Vec::new(),
            provider: None,
        }
    }
}

#[cfg(test)]
mod encoding {
    use super::super::CaseStatus;
    use super::{CheckKind, CheckState};

    fn serde_text<T: serde::Serialize>(value: &T) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The read models store `as_str`; the API speaks serde: one encoding.
    #[test]
    fn every_code_reads_back_and_matches_the_json_name() {
        for v in CaseStatus::ALL {
            assert_eq!(CaseStatus::from_code(v.as_str()), Some(v));
            assert_eq!(serde_text(&v), v.as_str());
        }
        for v in CheckKind::ALL {
            assert_eq!(CheckKind::from_code(v.as_str()), Some(v));
            assert_eq!(serde_text(&v), v.as_str());
        }
        for v in CheckState::ALL {
            assert_eq!(CheckState::from_code(v.as_str()), Some(v));
            assert_eq!(serde_text(&v), v.as_str());
        }
        assert_eq!(CaseStatus::from_code("pending_org"), None);
        assert_eq!(CheckState::from_code(""), None);
    }
}
