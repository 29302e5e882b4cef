//! A configured provider over HTTP: the run hands the check over (once:
//! a resumed run finds the request on the case and waits for it), then
//! waits for the answer — from the provider's callback, recorded on the
//! case by the API, or by polling — until the provider's time limit,
//! counted from the hand-over, after which the request is `expired` and
//! the check fails as the service's failure (an officer decides).

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use veritrail_application::providers::{ProviderSettings, Reference};
use veritrail_domain::case::{CheckResult, ProviderReport, ProviderStatus, RunFinish};
use veritrail_domain::workflow::WorkflowPolicy;

use super::http::{self, CallError};
use super::{request, CheckProvider, RunScope};
use crate::pipeline::evidence::Missing;
use crate::pipeline::finish::{action, detail, failed, system_failure};
use crate::pipeline::Transient;

/// How often the case is read for an answer delivered by callback.
const CALLBACK_CHECK: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub(super) struct HttpProvider {
    settings: ProviderSettings,
    callback_url: Option<String>,
    client: reqwest::Client,
}

impl HttpProvider {
    pub(super) fn new(
        settings: ProviderSettings,
        callback_url: Option<String>,
        client: reqwest::Client,
    ) -> Self {
        Self {
            settings,
            callback_url,
            client,
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings.timeout_secs))
    }

    /// Hands the check over; the report recorded and when, or how the run ends.
    async fn hand_over(
        &self,
        scope: &RunScope<'_>,
    ) -> Result<Result<ProviderReport, RunFinish>, Transient> {
        let policy = scope.policy;
        let reference = Reference {
            tenant: scope.case.tenant.clone(),
            case: scope.case.id,
            check: scope.check,
            run_number: scope.run_number,
        };
        let callback = self.callback_url.clone();
        let request = match request::build(scope, &self.settings, &reference, callback).await {
            Ok(request) => request,
            Err(Missing::Unavailable(why)) => return Err(Transient(why)),
            Err(Missing::NotUploaded(what)) => {
                return Ok(Err(system_failure(&format!("no {what} to send"), policy)))
            }
            Err(Missing::Damaged(why)) => return Ok(Err(system_failure(&why, policy))),
        };
        let answer = match http::submit(&self.client, &self.settings, &request).await {
            Ok(answer) => answer,
            Err(CallError::Unavailable(why)) => return Err(Transient(why)),
            Err(CallError::Refused(why)) => return Ok(Err(system_failure(&why, policy))),
        };
        let report = match answer.into_report(&self.settings.name) {
            Ok(report) => report,
            Err(e) => {
                let why = format!("provider {} answered {e}", self.settings.name);
                return Ok(Err(system_failure(&why, policy)));
            }
        };
        self.record(scope, report).await
    }

    /// Records `report` as the run's; the report the case holds after, or
    /// the end of a run that lost its check.
    async fn record(
        &self,
        scope: &RunScope<'_>,
        report: ProviderReport,
    ) -> Result<Result<ProviderReport, RunFinish>, Transient> {
        let recorded = scope
            .pipeline
            .record_report(
                scope.ctx,
                scope.case.id,
                scope.check,
                scope.run,
                report.clone(),
            )
            .await?;
        if recorded {
            return Ok(Ok(report));
        }
        // Refused: the provider's callback answered first (that answer
        // stands), or the run lost its check.
        let held = scope
            .pipeline
            .held_report(scope.ctx, scope.case.id, scope.check, scope.run_number)
            .await?;
        Ok(match held {
            Some(held) if held.report.status.is_final() => Ok(held.report),
            _ => Err(system_failure("the run lost its check", scope.policy)),
        })
    }

    /// The provider's answer now, by poll; `None` if it cannot be had.
    async fn poll(&self, reference: &str) -> Option<ProviderReport> {
        match http::poll(&self.client, &self.settings, reference).await {
            Ok(answer) => answer.into_report(&self.settings.name).ok(),
            Err(CallError::Unavailable(why) | CallError::Refused(why)) => {
                tracing::warn!(provider = %self.settings.name, %why, "polling failed; still waiting");
                None
            }
        }
    }
}

fn remaining(deadline: OffsetDateTime) -> Duration {
    let left = deadline - OffsetDateTime::now_utc();
    Duration::try_from(left).unwrap_or(Duration::ZERO)
}

#[async_trait]
impl CheckProvider for HttpProvider {
    fn time_limit(&self, _policy: &WorkflowPolicy) -> Duration {
        // The provider's own limit ends the run; this only bounds a stuck one.
        self.timeout() + Duration::from_secs(60)
    }

    async fn run(&self, scope: RunScope<'_>) -> Result<RunFinish, Transient> {
        let name = &self.settings.name;
        let record = &scope.case.checks[&scope.check];
        let held = record
            .provider
            .as_ref()
            .filter(|p| p.run_number == scope.run_number && p.report.provider == *name);
        let (mut report, since) = match held {
            Some(held) => (held.report.clone(), held.since),
            None => match self.hand_over(&scope).await? {
                Ok(report) => (report, OffsetDateTime::now_utc()),
                Err(end) => return Ok(end),
            },
        };
        let deadline = since + self.timeout();
        let poll_every = Duration::from_secs(u64::from(self.settings.poll_interval_secs));
        let mut next_poll = tokio::time::Instant::now() + poll_every;
        loop {
            if report.status.is_final() {
                return Ok(finish(&report, scope.policy));
            }
            let left = remaining(deadline);
            if left.is_zero() {
                let expired = ProviderReport {
                    status: ProviderStatus::Expired,
                    reason: Some(format!("no answer within {} s", self.settings.timeout_secs)),
                    score: None,
                    details: Vec::new(),
                    ..report
                };
                return Ok(match self.record(&scope, expired).await? {
                    Ok(expired) => finish(&expired, scope.policy),
                    Err(end) => end,
                });
            }
            tokio::time::sleep(left.min(CALLBACK_CHECK)).await;
            let held = scope
                .pipeline
                .held_report(scope.ctx, scope.case.id, scope.check, scope.run_number)
                .await?;
            match held {
                Some(held) if held.report != report => {
                    report = held.report;
                    continue;
                }
                None => return Ok(system_failure("the run lost its check", scope.policy)),
                _ => {}
            }
            if !poll_every.is_zero() && tokio::time::Instant::now() >= next_poll {
                next_poll = tokio::time::Instant::now() + poll_every;
                if let Some(answer) = self.poll(&report.reference).await {
                    let moved = answer.reference == report.reference
                        && answer.status != report.status
                        && answer.status != ProviderStatus::Submitted;
                    if moved {
                        match self.record(&scope, answer).await? {
                            Ok(recorded) => report = recorded,
                            Err(end) => return Ok(end),
                        }
                    }
                }
            }
        }
    }
}

/// How the provider's final answer ends the run.
fn finish(report: &ProviderReport, policy: &WorkflowPolicy) -> RunFinish {
    let provider = &report.provider;
    let mut details = report.details.clone();
    details.push(detail(
        "provider",
        None,
        format!(
            "{provider}: {}, request {}",
            report.status, report.reference
        ),
    ));
    let reason = report.reason.as_deref();
    match report.status {
        ProviderStatus::Verified => RunFinish::Result {
            result: CheckResult::Verified {
                score: report.score,
            },
            details,
            policy_version: policy.version,
        },
        ProviderStatus::Failed => failed(
            &format!(
                "{provider}: {}",
                reason.unwrap_or("the provider found a problem")
            ),
            report.score,
            details,
            policy,
        ),
        ProviderStatus::RequiresAction => action(
            reason.unwrap_or("the provider asks for better evidence: upload it again"),
            policy,
        ),
        ProviderStatus::Expired | ProviderStatus::Submitted | ProviderStatus::Processing => {
            system_failure(
                &format!(
                    "provider {provider} gave no answer ({})",
                    reason.unwrap_or("expired")
                ),
                policy,
            )
        }
    }
}
