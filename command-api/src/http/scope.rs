//! Which tenant a read covers: the caller's own or — operators only —
//! another (`?tenant=globex`) or every tenant (`?tenant=*`). An operator's
//! read of another tenant is recorded on that tenant's audit trail by the
//! application before it is answered.

use serde::Deserialize;
use utoipa::IntoParams;
use veritrail_application::RequestContext;
use veritrail_domain::CaseId;

use super::error::ApiError;
use super::AppState;

/// `?tenant=` on a single case's reads.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseTenant {
    /// Operators only: the tenant whose case this is (the read is audited).
    pub tenant: Option<String>,
}

/// The tenant filter of a list or dashboard read: `None` is every tenant.
pub async fn tenants(
    state: &AppState,
    ctx: &RequestContext,
    asked: Option<&str>,
    resource: &str,
) -> Result<Option<String>, ApiError> {
    let scope = state
        .services
        .tenants
        .read_scope(ctx, asked, resource)
        .await?;
    Ok(scope.map(|t| t.to_string()))
}

/// The context reading `what` of one case (the caller's own tenant unless an
/// operator names another).
pub async fn case_reader(
    state: &AppState,
    ctx: &RequestContext,
    asked: Option<&str>,
    case_id: CaseId,
    what: &str,
) -> Result<RequestContext, ApiError> {
    let resource = format!("{what} of case {case_id}");
    Ok(state
        .services
        .tenants
        .case_reader(ctx, asked, &resource)
        .await?)
}
