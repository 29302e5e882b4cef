//! `POST /providers/{name}/callbacks`: a provider delivers its answer. The
//! body is signed with the provider's callback secret; the answer must
//! name (by our reference and its own id) the request the check's current
//! run is waiting for, and is recorded as the provider's report. A
//! repeated delivery records nothing.

use veritrail_domain::case::{CaseAction, ReportSource};
use veritrail_domain::Actor;

use super::wire::{ProviderAnswer, Reference};
use crate::auth::signatures;
use crate::{RequestContext, ServiceError, Services};

/// Why a callback was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("no provider is configured under this name")]
    UnknownProvider,
    #[error("the callback is not signed with the provider's secret (Veritrail-Provider-Signature: sha256=<hex>)")]
    BadSignature,
    #[error("{0}")]
    Malformed(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Whether `header` (`sha256=<hex>`) signs `body` with `secret`, in
/// constant time (the same HMAC-SHA256 as API request signing).
pub fn signed(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(signature) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(body) = std::str::from_utf8(body) else {
        return false;
    };
    !secret.is_empty() && signatures::verify(&[secret.to_owned()], body, signature)
}

/// The header value signing `body` (JSON, UTF-8) with `secret` (what
/// providers send).
pub fn sign(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        signatures::sign(secret, &String::from_utf8_lossy(body))
    )
}

impl Services {
    /// Records provider `name`'s answer delivered to its callback; whether
    /// it changed the case (`false` for a repeated delivery).
    pub async fn provider_callback(
        &self,
        name: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<bool, CallbackError> {
        let provider = self
            .providers
            .get(name)
            .ok_or(CallbackError::UnknownProvider)?;
        if !signed(&provider.callback_secret, body, signature) {
            return Err(CallbackError::BadSignature);
        }
        let answer: ProviderAnswer = serde_json::from_slice(body)
            .map_err(|e| CallbackError::Malformed(format!("the answer does not parse: {e}")))?;
        let reference = answer
            .reference
            .as_deref()
            .and_then(Reference::parse)
            .ok_or_else(|| {
                CallbackError::Malformed(
                    "reference must be the one sent with the request".to_owned(),
                )
            })?;
        let report = answer
            .into_report(name)
            .map_err(|e| CallbackError::Malformed(e.to_string()))?;
        let ctx = RequestContext::new(reference.tenant, Actor::system());
        let action = CaseAction::RecordProviderReport {
            check: reference.check,
            source: ReportSource::Callback,
            report,
        };
        let committed = self.cases.execute(&ctx, reference.case, action).await?;
        Ok(!committed.events.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_signs() {
        let body = br#"{"id":"p-1","status":"verified"}"#;
        let header = sign("s3cret", body);
        assert!(signed("s3cret", body, Some(&header)));
        assert!(!signed("other", body, Some(&header)));
        assert!(!signed("s3cret", b"{}", Some(&header)));
        assert!(!signed("s3cret", body, None));
        assert!(
            !signed("", body, Some(&sign("", body))),
            "no secret, no callbacks"
        );
    }
}
