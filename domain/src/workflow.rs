//! A tenant's verification workflow (issue 16, seed 003 §8.5): which
//! checks the processors run on their own and in what order (liveness →
//! document → face match → KYA by default), how a result becomes a score
//! and a decision, how long the individual has to act on a request, and
//! how long one check may run. Versioned: every result and score records
//! the version it was judged under, so a decision can be explained after
//! the policy changed. Version 0 is the service default.

use serde::{Deserialize, Serialize};

use crate::case::CheckKind;
use crate::scoring::ScoringPolicy;

/// Checks a processor can run without a person.
pub const AUTOMATIC: [CheckKind; 4] = [
    CheckKind::Liveness,
    CheckKind::Document,
    CheckKind::FaceMatch,
    CheckKind::Kya,
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowPolicy {
    /// 0 for the service default; each change of a tenant's adds one.
    pub version: u32,
    /// The automatic checks, in the order they run. A requested check not
    /// listed waits for an officer.
    pub order: Vec<CheckKind>,
    pub scoring: ScoringPolicy,
    /// The face-match similarity needed; `None` for the service default.
    pub face_match_threshold: Option<f64>,
    /// How long the individual has to act on a request (retake a photo).
    pub respond_within_hours: u32,
    /// Longest one check may run before it ends `failed`.
    pub check_timeout_secs: u32,
}

impl Default for WorkflowPolicy {
    fn default() -> Self {
        Self {
            version: 0,
            order: AUTOMATIC.to_vec(),
            scoring: ScoringPolicy::default(),
            face_match_threshold: None,
            respond_within_hours: 7 * 24,
            check_timeout_secs: 120,
        }
    }
}

impl WorkflowPolicy {
    /// The automatic checks of a case requiring `requested`, in order.
    pub fn steps(&self, requested: &[CheckKind]) -> Vec<CheckKind> {
        self.order
            .iter()
            .copied()
            .filter(|c| requested.contains(c) && AUTOMATIC.contains(c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
