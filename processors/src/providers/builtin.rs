//! The built-in models (liveness, document, face match, KYA) as a provider.

use std::time::Duration;

use async_trait::async_trait;
use veritrail_domain::case::RunFinish;
use veritrail_domain::workflow::WorkflowPolicy;

use super::{CheckProvider, RunScope};
use crate::pipeline::{checks, Transient};

#[derive(Debug)]
pub(super) struct Builtin;

#[async_trait]
impl CheckProvider for Builtin {
    fn time_limit(&self, policy: &WorkflowPolicy) -> Duration {
        Duration::from_secs(u64::from(policy.check_timeout_secs))
    }

    async fn run(&self, scope: RunScope<'_>) -> Result<RunFinish, Transient> {
        let services = scope.pipeline.services();
        checks::evaluate(services, scope.ctx, scope.case, scope.check, scope.policy).await
    }
}
