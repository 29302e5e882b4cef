//! What goes over the wire to and from a provider, and the reference that
//! ties a provider's request back to a check's run.

use std::fmt;

use serde::{Deserialize, Serialize};
use veritrail_domain::case::{CheckDetail, CheckKind, ProviderReport, ProviderStatus, Score};
use veritrail_domain::{CaseId, TenantId};

/// Our name for one request: the tenant, case, check and run number, as
/// `tenant/case/check/run`. Sent with the request (and as its idempotency
/// key), returned in callbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub tenant: TenantId,
    pub case: CaseId,
    pub check: CheckKind,
    pub run_number: u32,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Reference {
            tenant,
            case,
            check,
            run_number,
        } = self;
        write!(f, "{tenant}/{case}/{check}/{run_number}")
    }
}

impl Reference {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.rsplitn(4, '/');
        let run_number = parts.next()?.parse().ok()?;
        let check = CheckKind::from_code(parts.next()?)?;
        let case = parts.next()?.parse().ok()?;
        let tenant = TenantId::parse(parts.next()?).ok()?;
        Some(Self {
            tenant,
            case,
            check,
            run_number,
        })
    }
}

/// The individual as a provider sees them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderSubject {
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One image sent with a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderEvidence {
    /// `passport`, `selfie`, …
    pub kind: String,
    pub content_type: String,
    /// The image, base64.
    pub data: String,
}

/// `POST {url}/checks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderRequest {
    pub reference: String,
    pub check: CheckKind,
    pub subject: ProviderSubject,
    pub evidence: Vec<ProviderEvidence>,
    /// Where to deliver the answer, when callbacks are configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderDetail {
    pub name: String,
    #[serde(default)]
    pub passed: Option<bool>,
    #[serde(default)]
    pub detail: String,
}

/// A provider's answer: to the request, to a poll, or in a callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderAnswer {
    /// The provider's id for the request.
    pub id: String,
    /// Our reference, echoed (required in callbacks).
    #[serde(default)]
    pub reference: Option<String>,
    pub status: ProviderStatus,
    /// 0–100.
    #[serde(default)]
    pub score: Option<u8>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub details: Vec<ProviderDetail>,
}

/// Longest text kept from a provider (events stay small).
const MAX_TEXT: usize = 500;
const MAX_DETAILS: usize = 32;

fn clip(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

/// Why an answer cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("id must be 1–200 characters")]
    Id,
    #[error("score must be 0–100")]
    Score,
}

impl ProviderAnswer {
    /// The answer as `provider`'s report on the case.
    pub fn into_report(self, provider: &str) -> Result<ProviderReport, AnswerError> {
        if self.id.is_empty() || self.id.chars().count() > 200 {
            return Err(AnswerError::Id);
        }
        let score = match self.score {
            Some(value) => Some(Score::new(value).ok_or(AnswerError::Score)?),
            None => None,
        };
        Ok(ProviderReport {
            provider: provider.to_owned(),
            reference: self.id,
            status: self.status,
            score,
            reason: self.reason.as_deref().map(clip).filter(|r| !r.is_empty()),
            details: self
                .details
                .iter()
                .take(MAX_DETAILS)
                .map(|d| CheckDetail {
                    name: clip(&d.name),
                    passed: d.passed,
                    detail: clip(&d.detail),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_reads_back() {
        let reference = Reference {
            tenant: TenantId::parse("acme-bank").expect("tenant"),
            case: CaseId::from_uuid(uuid::Uuid::new_v4()),
            check: CheckKind::Compliance,
            run_number: 3,
        };
        assert_eq!(Reference::parse(&reference.to_string()), Some(reference));
        assert_eq!(Reference::parse("acme/not-a-case/compliance/1"), None);
        assert_eq!(Reference::parse(""), None);
    }

    #[test]
    fn an_answer_is_clipped_and_checked() {
        let answer = ProviderAnswer {
            id: "p-1".to_owned(),
            reference: None,
            status: ProviderStatus::Failed,
            score: Some(101),
            reason: Some("x".repeat(2000)),
            details: vec![],
        };
        assert_eq!(
            answer.clone().into_report("s").err(),
            Some(AnswerError::Score)
        );
        let report = ProviderAnswer {
            score: Some(12),
            ..answer
        }
        .into_report("s")
        .expect("valid");
        assert_eq!(report.reason.map(|r| r.len()), Some(MAX_TEXT));
    }
}
