use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a case stands (seed 000 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseStatus {
    /// Opened by the organisation; waiting for the individual's data.
    PendingOrg,
    /// Data submitted; checks run and a verification officer reviews.
    PendingAdmin,
    /// Decided: passed.
    Completed,
    /// Decided: failed (with a reason).
    Failed,
    /// Withdrawn (with a reason), possibly replaced by a new case.
    Cancelled,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::PendingOrg,
        CaseStatus::PendingAdmin,
        CaseStatus::Completed,
        CaseStatus::Failed,
        CaseStatus::Cancelled,
    ];

    /// An active case still occupies its subject's slot (CASE-6).
    pub fn is_active(&self) -> bool {
        matches!(self, CaseStatus::PendingOrg | CaseStatus::PendingAdmin)
    }

    /// The value [`Self::as_str`] names: the one text encoding the read
    /// models store and read back.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == code)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            CaseStatus::PendingOrg => "PENDING_ORG",
            CaseStatus::PendingAdmin => "PENDING_ADMIN",
            CaseStatus::Completed => "COMPLETED",
            CaseStatus::Failed => "FAILED",
            CaseStatus::Cancelled => "CANCELLED",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
