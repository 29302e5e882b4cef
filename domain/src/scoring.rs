//! The case's score (CHK-7): 0–100 from the scores of the checks it
//! requires, weighted by the tenant's policy (by default liveness 30, face
//! match 40, document 25, KYA 5), and what it means: accepted at 80 or more,
//! review from 60, rejected below. Every factor carries its check's own
//! explanation ("similarity 0.62 < 0.75 threshold"), so an officer or the
//! individual sees why. A weighted check without a result scores 0: a
//! missing check never helps a case.

use serde::{Deserialize, Serialize};

use crate::case::{CheckKind, Score};

/// What a case's score decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    /// An officer decides (the case joins the review queue).
    Review,
    Rejected,
}

/// Why a scoring policy is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("weights must not all be zero")]
    NoWeight,
    #[error("a weight is at most 100, {check} has {weight}")]
    WeightTooLarge { check: CheckKind, weight: u32 },
    #[error("thresholds need 0 ≤ review_at ({review_at}) ≤ accept_at ({accept_at}) ≤ 100")]
    Thresholds { review_at: u8, accept_at: u8 },
}

/// A tenant's weights and thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringPolicy {
    weights: Vec<(CheckKind, u32)>,
    accept_at: u8,
    review_at: u8,
}

impl Default for ScoringPolicy {
    fn default() -> Self {
        Self {
            weights: vec![
                (CheckKind::Liveness, 30),
                (CheckKind::FaceMatch, 40),
                (CheckKind::Document, 25),
                (CheckKind::Kya, 5),
            ],
            accept_at: 80,
            review_at: 60,
        }
    }
}

impl ScoringPolicy {
    pub fn new(
        weights: Vec<(CheckKind, u32)>,
        accept_at: u8,
        review_at: u8,
    ) -> Result<Self, PolicyError> {
        if let Some(&(check, weight)) = weights.iter().find(|(_, w)| *w > 100) {
            return Err(PolicyError::WeightTooLarge { check, weight });
        }
        if weights.iter().all(|(_, w)| *w == 0) {
            return Err(PolicyError::NoWeight);
        }
        if review_at > accept_at || accept_at > 100 {
            return Err(PolicyError::Thresholds {
                review_at,
                accept_at,
            });
        }
        Ok(Self {
            weights,
            accept_at,
            review_at,
        })
    }

    /// Every check the policy weighs, with its weight.
    pub fn weights(&self) -> &[(CheckKind, u32)] {
        &self.weights
    }

    /// The least total that is accepted.
    pub fn accept_at(&self) -> u8 {
        self.accept_at
    }

    /// The least total that goes to review rather than rejection.
    pub fn review_at(&self) -> u8 {
        self.review_at
    }

    /// The weight of `check` (0 when the policy does not name it).
    pub fn weight(&self, check: CheckKind) -> u32 {
        self.weights
            .iter()
            .find(|(c, _)| *c == check)
            .map_or(0, |(_, w)| *w)
    }

    pub fn verdict(&self, total: u8) -> Verdict {
        if total >= self.accept_at {
            Verdict::Accepted
        } else if total >= self.review_at {
            Verdict::Review
        } else {
            Verdict::Rejected
        }
    }
}

/// One check's result, as scoring needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckScore {
    pub check: CheckKind,
    pub score: Score,
    /// The check's own reason, e.g. "similarity 0.62 < 0.75 threshold".
    pub explanation: String,
}

/// One check's part in the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub check: CheckKind,
    pub weight: u32,
    /// The check's score, `None` when it has no result.
    pub score: Option<u8>,
    /// Its share of the total, in points out of 100.
    pub points: f64,
    pub explanation: String,
}

/// A case's score and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    pub total: u8,
    pub verdict: Verdict,
    pub factors: Vec<Factor>,
}

/// Scores a case requiring `required` checks from the `results` it has.
/// Weights are shared among the required checks the policy weighs, so a
/// workflow without KYA is scored out of the other three.
pub fn score(policy: &ScoringPolicy, required: &[CheckKind], results: &[CheckScore]) -> ScoreCard {
    let weighted: u32 = required.iter().map(|c| policy.weight(*c)).sum();
    let mut sum = 0u32;
    let mut factors = Vec::new();
    for &check in required {
        let weight = policy.weight(check);
        let result = results.iter().find(|r| r.check == check);
        let score = result.map(|r| r.score.value());
        sum += weight * u32::from(score.unwrap_or(0));
        let points = if weighted == 0 {
            0.0
        } else {
            f64::from(weight * u32::from(score.unwrap_or(0))) / f64::from(weighted)
        };
        let explanation = match result {
            Some(r) => r.explanation.clone(),
            None => "no result: the check did not run or did not finish".to_owned(),
        };
        factors.push(Factor {
            check,
            weight,
            score,
            points: (points * 10.0).round() / 10.0,
            explanation,
        });
    }
    if weighted == 0 {
        // Nothing the policy weighs: an officer decides.
        return ScoreCard {
            total: 0,
            verdict: Verdict::Review,
            factors,
        };
    }
    let total = u8::try_from((sum + weighted / 2) / weighted).unwrap_or(100);
    ScoreCard {
        total,
        verdict: policy.verdict(total),
        factors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [CheckKind; 4] = [
        CheckKind::Liveness,
        CheckKind::FaceMatch,
        CheckKind::Document,
        CheckKind::Kya,
    ];

    fn result(check: CheckKind, score: u8, why: &str) -> CheckScore {
        CheckScore {
            check,
            score: Score::new(score).expect("0–100"),
            explanation: why.to_owned(),
        }
    }

    fn genuine() -> Vec<CheckScore> {
        vec![
            result(CheckKind::Liveness, 95, "live, no spoof"),
            result(CheckKind::FaceMatch, 90, "similarity 0.81 ≥ 0.50 threshold"),
            result(CheckKind::Document, 100, "MRZ valid, dates coherent"),
            result(CheckKind::Kya, 80, "email and phone coherent"),
        ]
    }

    #[test]
    fn a_genuine_applicant_is_accepted_with_every_factor_explained() {
        let card = score(&ScoringPolicy::default(), &ALL, &genuine());
        // (30·95 + 40·90 + 25·100 + 5·80) / 100 = 93.5 → 94
        assert_eq!(card.total, 94);
        assert_eq!(card.verdict, Verdict::Accepted);
        assert_eq!(card.factors.len(), 4);
        assert_eq!(card.factors[1].points, 36.0);
        assert!(card.factors[1].explanation.contains("similarity"));
    }

    #[test]
    fn another_face_rejects_and_a_middling_case_goes_to_review() {
        let mut results = genuine();
        results[1] = result(CheckKind::FaceMatch, 10, "similarity 0.12 < 0.50 threshold");
        let card = score(&ScoringPolicy::default(), &ALL, &results);
        // 28.5 + 4 + 25 + 4 = 61.5 → 62: review, not accepted.
        assert_eq!((card.total, card.verdict), (62, Verdict::Review));
        results[2] = result(CheckKind::Document, 40, "MRZ check digit wrong");
        let card = score(&ScoringPolicy::default(), &ALL, &results);
        assert_eq!(card.verdict, Verdict::Rejected);
        assert!(card.factors[1].explanation.contains("0.12 < 0.50"));
    }

    #[test]
    fn a_missing_result_scores_zero_and_says_so() {
        let results: Vec<_> = genuine()
            .into_iter()
            .filter(|r| r.check != CheckKind::Liveness)
            .collect();
        let card = score(&ScoringPolicy::default(), &ALL, &results);
        assert_eq!(card.factors[0].score, None);
        assert!(card.factors[0].explanation.starts_with("no result"));
        // 0 + 36 + 25 + 4: without its liveness an excellent case still
        // needs an officer.
        assert_eq!((card.total, card.verdict), (65, Verdict::Review));
    }

    #[test]
    fn weights_are_shared_among_the_checks_a_case_requires() {
        let required = [
            CheckKind::Liveness,
            CheckKind::FaceMatch,
            CheckKind::Document,
        ];
        let card = score(&ScoringPolicy::default(), &required, &genuine());
        // (30·95 + 40·90 + 25·100) / 95 = 94.2 → 94, KYA not counted.
        assert_eq!(card.total, 94);
        let unweighted = score(&ScoringPolicy::default(), &[CheckKind::Compliance], &[]);
        assert_eq!((unweighted.total, unweighted.verdict), (0, Verdict::Review));
    }

    #[test]
    fn tenants_set_their_own_weights_and_thresholds_within_bounds() {
        let strict = ScoringPolicy::new(vec![(CheckKind::FaceMatch, 100)], 95, 90).expect("valid");
        let card = score(&strict, &ALL, &genuine());
        assert_eq!((card.total, card.verdict), (90, Verdict::Review));
        assert_eq!(
            ScoringPolicy::new(vec![(CheckKind::Kya, 0)], 80, 60),
            Err(PolicyError::NoWeight)
        );
        assert!(ScoringPolicy::new(vec![(CheckKind::Kya, 101)], 80, 60).is_err());
        assert!(ScoringPolicy::new(vec![(CheckKind::Kya, 5)], 60, 80).is_err());
        assert!(ScoringPolicy::new(vec![(CheckKind::Kya, 5)], 101, 80).is_err());
    }
}
