//! What the processors measured and how they scored a case (CHK-7), for
//! the officer's review view: every factor with its explanation.

use serde::Serialize;
use utoipa::ToSchema;
use veritrail_domain::case::{CheckKind, OpenedCase, ProviderStatus, RecordedScore};

/// One thing a check measured.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckDetailView {
    /// `similarity`, `mrz_valid`, `email`, `error`, …
    pub name: String,
    /// Whether it passed; null for a measure reported but not judged.
    pub passed: Option<bool>,
    pub detail: String,
}

/// What one check's last run measured.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckFindingsView {
    pub check: CheckKind,
    /// The processor run that recorded it.
    pub run: Option<String>,
    /// The workflow policy version the result was judged under.
    pub policy_version: Option<u32>,
    pub details: Vec<CheckDetailView>,
    /// The external provider handling (or that handled) the run, if any.
    pub provider: Option<ProviderView>,
}

/// An external provider's request for a check (seed 001's provider states).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    /// The provider's configured name.
    pub name: String,
    /// The provider's id for the request.
    pub reference: String,
    pub status: ProviderStatus,
    /// The check's run number the request belongs to.
    pub run_number: u32,
    /// When the check was handed over (RFC 3339).
    pub since: String,
    pub reason: Option<String>,
}

/// One check's part in the score.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactorView {
    pub check: CheckKind,
    pub weight: u32,
    /// The check's score (0–100); null when it has no result.
    pub score: Option<u8>,
    /// Its share of the total, in points out of 100.
    pub points: f64,
    /// Why, e.g. "similarity 0.62 < 0.75 threshold".
    pub explanation: String,
}

/// The case's score and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreView {
    /// 0–100.
    pub total: u8,
    /// accepted (the case was completed), review (an officer decides) or
    /// rejected (the case was failed).
    pub verdict: String,
    pub policy_version: u32,
    pub factors: Vec<FactorView>,
}

impl ScoreView {
    pub fn of(score: &RecordedScore) -> Self {
        let verdict = serde_json::to_value(score.card.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Self {
            total: score.card.total,
            verdict,
            policy_version: score.policy_version,
            factors: score
                .card
                .factors
                .iter()
                .map(|f| FactorView {
                    check: f.check,
                    weight: f.weight,
                    score: f.score,
                    points: f.points,
                    explanation: f.explanation.clone(),
                })
                .collect(),
        }
    }
}

/// The findings of every check that has any.
pub fn findings(case: &OpenedCase) -> Vec<CheckFindingsView> {
    case.checks
        .iter()
        .filter(|(_, r)| !r.details.is_empty() || r.provider.is_some())
        .map(|(kind, r)| CheckFindingsView {
            check: *kind,
            run: r.run.clone(),
            policy_version: r.policy_version,
            details: r
                .details
                .iter()
                .map(|d| CheckDetailView {
                    name: d.name.clone(),
                    passed: d.passed,
                    detail: d.detail.clone(),
                })
                .collect(),
            provider: r.provider.as_ref().map(|p| ProviderView {
                name: p.report.provider.clone(),
                reference: p.report.reference.clone(),
                status: p.report.status,
                run_number: p.run_number,
                since: p
                    .since
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                reason: p.report.reason.clone(),
            }),
        })
        .collect()
}
