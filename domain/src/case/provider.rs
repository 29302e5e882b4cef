//! An external provider's work on a check run (CHK-11, seed 001): the run
//! hands the check to a provider, which answers at once, later through a
//! callback, or when polled. Each change of the provider's status is an
//! event on the case, so an officer sees `submitted → processing →
//! verified | failed | requires_action`, or `expired` when it never
//! answered, and a processor that restarts resumes waiting instead of
//! submitting twice.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::case::check::{CheckDetail, CheckKind, CheckRecord, CheckState, Score};
use crate::case::error::CaseError;
use crate::case::event::CaseEvent;

/// Where a provider stands with a request (seed 001's provider states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProviderStatus {
    Submitted,
    Processing,
    Verified,
    Failed,
    RequiresAction,
    /// It gave no answer within its time limit.
    Expired,
}

impl ProviderStatus {
    /// A status after which the provider's answer does not change.
    pub fn is_final(self) -> bool {
        !matches!(self, ProviderStatus::Submitted | ProviderStatus::Processing)
    }

    fn rank(self) -> u8 {
        match self {
            ProviderStatus::Submitted => 0,
            ProviderStatus::Processing => 1,
            _ => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderStatus::Submitted => "submitted",
            ProviderStatus::Processing => "processing",
            ProviderStatus::Verified => "verified",
            ProviderStatus::Failed => "failed",
            ProviderStatus::RequiresAction => "requires_action",
            ProviderStatus::Expired => "expired",
        }
    }
}

/// What a provider said about one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderReport {
    /// The provider's configured name.
    pub provider: String,
    /// The provider's own id for the request.
    pub reference: String,
    pub status: ProviderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    /// Why it failed, or what the individual must do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<CheckDetail>,
}

/// The provider's work on a check's run, as the case holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRun {
    /// The check's run number this belongs to.
    pub run_number: u32,
    /// When the request was handed over (its time limit counts from here).
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    pub report: ProviderReport,
}

/// Where a report comes from: the run that handed the check over (which
/// may start a new request), or the provider's callback (which may only
/// speak of the request the check is waiting for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportSource {
    Run(String),
    Callback,
}

/// A report recorded, or nothing when it repeats what the case holds.
pub(super) fn update(
    check: CheckKind,
    record: &CheckRecord,
    source: ReportSource,
    report: ProviderReport,
    now: OffsetDateTime,
) -> Result<Option<CaseEvent>, CaseError> {
    let processing = record.state == CheckState::Processing;
    let current = record
        .provider
        .as_ref()
        .filter(|p| p.run_number == record.runs);
    let same_request = current.is_some_and(|p| {
        p.report.provider == report.provider && p.report.reference == report.reference
    });
    match &source {
        ReportSource::Run(run) if !processing || record.run.as_ref() != Some(run) => {
            return Err(CaseError::StaleRun {
                check,
                run: run.clone(),
            })
        }
        ReportSource::Callback if !processing || record.run.is_none() || !same_request => {
            return Err(CaseError::ProviderNotAwaited { check })
        }
        _ => {}
    }
    let since = match current {
        Some(held) if same_request => {
            if held.report == report
                || (held.report.status == report.status && !report.status.is_final())
            {
                return Ok(None);
            }
            if held.report.status.is_final() || report.status.rank() < held.report.status.rank() {
                return Err(CaseError::ProviderAnswered {
                    check,
                    status: held.report.status,
                });
            }
            held.since
        }
        _ => now,
    };
    Ok(Some(CaseEvent::CheckProviderUpdated {
        check,
        run_number: record.runs,
        since,
        report,
    }))
}

impl std::fmt::Display for ProviderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
