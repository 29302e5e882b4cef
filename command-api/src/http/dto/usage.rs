//! The usage of billed modules in a month (READ-7).

use serde::Serialize;
use utoipa::ToSchema;
use veritrail_application::metering::ModuleUsage;
use veritrail_domain::tenant::Period;
use veritrail_domain::TenantId;

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleUsageView {
    /// liveness, ocr, validate, face_match or workflow.
    pub module: String,
    pub used: u64,
    /// `null`: unlimited.
    pub quota: Option<u64>,
    /// Share of the quota used, in percent.
    pub percent: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub tenant: String,
    pub period: String,
    pub modules: Vec<ModuleUsageView>,
}

impl UsageView {
    pub fn of(tenant: &TenantId, period: Period, usage: Vec<ModuleUsage>) -> Self {
        UsageView {
            tenant: tenant.to_string(),
            period: period.to_string(),
            modules: usage
                .into_iter()
                .map(|u| ModuleUsageView {
                    module: u.module.as_str().to_owned(),
                    used: u.used,
                    quota: u.quota,
                    percent: u
                        .quota
                        .filter(|q| *q > 0)
                        .map(|q| (u.used as f64 * 1000.0 / q as f64).round() / 10.0),
                })
                .collect(),
        }
    }
}
