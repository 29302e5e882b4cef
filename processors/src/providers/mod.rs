//! Check providers (CHK-11): where a check's run is evaluated. The
//! built-in models are one provider; every provider the operator
//! configures is another, reached over HTTP. A tenant's workflow routes
//! each check to one by name.

mod builtin;
mod external;
mod http;
mod request;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use veritrail_application::providers::Providers;
use veritrail_application::RequestContext;
use veritrail_domain::case::{CheckKind, OpenedCase, RunFinish};
use veritrail_domain::workflow::WorkflowPolicy;

use crate::pipeline::{Pipeline, Transient};

/// One run of one check, as a provider gets it.
#[derive(Debug)]
pub struct RunScope<'a> {
    pub pipeline: &'a Pipeline,
    /// The system's context, with the run's billing id as request id.
    pub ctx: &'a RequestContext,
    pub case: &'a OpenedCase,
    pub check: CheckKind,
    /// The run's id (the job's lease holder) and number.
    pub run: &'a str,
    pub run_number: u32,
    pub policy: &'a WorkflowPolicy,
}

/// Something that evaluates checks.
#[async_trait]
pub trait CheckProvider: Send + Sync + std::fmt::Debug {
    /// How long a run may take in all before it ends `failed`.
    fn time_limit(&self, policy: &WorkflowPolicy) -> Duration;

    /// Evaluates the run's check: how the run ends, or a transient failure
    /// (the job is retried later).
    async fn run(&self, scope: RunScope<'_>) -> Result<RunFinish, Transient>;
}

/// The built-in provider and every configured one.
#[derive(Debug, Clone)]
pub struct ProviderRegistry {
    builtin: Arc<dyn CheckProvider>,
    external: BTreeMap<String, Arc<dyn CheckProvider>>,
}

impl ProviderRegistry {
    /// The built-in models and an HTTP provider for each configured one.
    pub fn new(providers: &Providers) -> Self {
        let client = http::client();
        let external = providers
            .all()
            .map(|settings| {
                let provider: Arc<dyn CheckProvider> = Arc::new(external::HttpProvider::new(
                    settings.clone(),
                    providers.callback_url(&settings.name),
                    client.clone(),
                ));
                (settings.name.clone(), provider)
            })
            .collect();
        Self {
            builtin: Arc::new(builtin::Builtin),
            external,
        }
    }

    /// The provider the workflow routes `check` to, or why there is none.
    pub fn for_check(
        &self,
        policy: &WorkflowPolicy,
        check: CheckKind,
    ) -> Result<&dyn CheckProvider, String> {
        match policy.provider(check) {
            None => Ok(self.builtin.as_ref()),
            Some(name) => self
                .external
                .get(name)
                .map(Arc::as_ref)
                .ok_or_else(|| format!("provider {name} is not configured on this instance")),
        }
    }
}
